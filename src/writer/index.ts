/** writer/: build an epoch (tree, totals, bundle), sign it, commit it. */
export type { BuildEpochOptions, BuiltEpoch } from "./build";
export { buildEpoch, buildEpochFromFile, tableFromRecords } from "./build";
export type { RecordProof } from "./bundle";
export { EpochBundle, bundleProof, writeBundle, readBundle, summaryToJson, summaryFromJson, BUNDLE_FORMAT_VERSION } from "./bundle";
export type { RecordTree } from "../merkle/tree";
export { EMPTY_ROOT } from "../merkle/tree";
export type { EpochTotals } from "./totals";
export { computeTotals, UINT128_MAX } from "./totals";
export type { EpochSigningContext, SignatureFile } from "./sign";
export {
  signEpoch,
  verifyAndSignEpoch,
  assertSameSummary,
  writeSignatureFile,
  readSignatureFile,
  parseSignatureFile,
  recoverSignatureFile,
  epochCommitMessage,
  contextDomain,
} from "./sign";
export type { CommitEpochParams, CommitEpochResult } from "./commit";
export { commitEpoch, checkDeployment, prepareSignatures, sendWithRebroadcast } from "./commit";
export { toContractRevertError, decodeRevertData, findRevertData, withRevertDecoding } from "./revert";
export type { PublishEpochParams, PublishEpochResult } from "./publish";
export { publishEpoch } from "./publish";
