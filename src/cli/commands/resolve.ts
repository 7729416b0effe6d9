/** `workledger resolve --network ID --epoch E --upheld|--rejected`: the same as `workledger challenge resolve`. */
export { challengeResolveCommand as resolveCommand } from "./challengeResolve";
