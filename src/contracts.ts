/**
 * The only module that imports the generated TypeChain bindings (typechain-types/, made by
 * `hardhat compile`). Everything else in src/ takes contract types and factories from here.
 */
export { IWorkLedger__factory, IRevenueLedger__factory, WorkLedger__factory, RevenueLedger__factory } from "../typechain-types";
// the test token deployed by `deploy` without --token and by the demo (public under workledger/testing only)
export { MockStablecoin__factory } from "../typechain-types";
// ERC-20 metadata, balances and approvals, and the standard ERC-20 custom errors (revert decoding)
export { IERC20Metadata__factory } from "../typechain-types";
export { IERC20Errors__factory } from "../typechain-types";
export type { IWorkLedger, IRevenueLedger, WorkLedger, RevenueLedger, MockStablecoin, IERC20Metadata } from "../typechain-types";
