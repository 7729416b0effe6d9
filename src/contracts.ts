/**
 * The only module that imports the generated TypeChain bindings (typechain-types/, made by
 * `hardhat compile`). Everything else in src/ takes contract types and factories from here.
 */
export {
  IWorkLedger__factory,
  IRevenueLedger__factory,
  WorkLedger__factory,
} from "../typechain-types";
// CLI (deploy, demo):
export { RevenueLedger__factory, MockStablecoin__factory } from "../typechain-types";
export type { IWorkLedger, IRevenueLedger } from "../typechain-types";
export type { WorkLedger } from "../typechain-types";
export type { RevenueLedger, MockStablecoin } from "../typechain-types";
