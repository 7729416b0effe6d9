/**
 * `workledger/contracts`: the deployed contracts' ABIs, TypeChain factories and types (ethers v6).
 * `WorkLedger__factory.abi` is the ABI, `WorkLedger__factory.connect(address, runner)` a typed
 * contract, `new WorkLedger__factory(signer).deploy(...)` a deployment. Test tokens are in
 * `workledger/testing`.
 */
export { WorkLedger__factory, RevenueLedger__factory, IWorkLedger__factory, IRevenueLedger__factory } from "./contracts";
export type { WorkLedger, RevenueLedger, IWorkLedger, IRevenueLedger } from "./contracts";
