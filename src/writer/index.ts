/** writer/: the jobs. Build an epoch (tree, totals, bundle), sign it, publish it, deploy, networks and nodes, money, payouts, simulate-then-send. */
export type { BuildEpochOptions, BuildEpochFromFileOptions, BuiltEpoch } from "./build";
export { buildEpoch, buildEpochFromFile, tableFromRecords, epochUsage } from "./build";
export type { BundleHeader, RecordProof, SummaryFromJsonOptions } from "./bundle";
export { EpochBundle, bundleProof, writeBundle, readBundle, readBundleHeader, summaryToJson, summaryFromJson, BUNDLE_FORMAT_VERSION, BUNDLE_MIN_FORMAT_VERSION } from "./bundle";
export { EMPTY_ROOT } from "../merkle/tree";
export type { EpochTotals } from "./totals";
export { computeTotals, UINT128_MAX } from "./totals";
export type { EpochSigningContext, SignatureFile, VerifyAndSignOptions } from "./sign";
export {
  signEpoch,
  verifyAndSignEpoch,
  assertSameSummary,
  summaryDifference,
  SUMMARY_FIELDS,
  writeSignatureFile,
  readSignatureFile,
  parseSignatureFile,
  recoverSignatureFile,
  epochCommitMessage,
  contextDomain,
} from "./sign";
export type { CommitEpochParams, CommitEpochResult } from "./commit";
export { commitEpoch, checkDeployment, prepareSignatures, sendWithRebroadcast } from "./commit";
export { CONTRACT_ERRORS, decodeRevert, toContractRevertError, decodeRevertData, findRevertData, withRevertDecoding } from "../chain/revert";
export type { ContractCall, SendOptions, TxOutcome } from "./tx";
export { sendCall, simulateCall, receiptEvents } from "./tx";
export type { PublishEpochParams, PublishEpochResult, NodeCheck } from "./publish";
export { publishEpoch, bundleFileName, reasonHash, nodeIdsOf, unregisteredError } from "./publish";
export type { Deployment, DeployOptions, DeployResult, Creation } from "./deployment";
export { deployContracts, readDeploymentFile, writeDeploymentFile, assertDeployment, WIRING_GAS } from "./deployment";
export type { NetworkParams, CreatedNetwork, NetworkInfo, EpochVersionInfo, EpochStatusName } from "./network";
export {
  createNetwork,
  readNetwork,
  assertNetwork,
  registerNode,
  unregisteredNodes,
  isCurrentVerifier,
  nextEpochVersion,
  epochVersions,
  listEpochs,
  epochStatusName,
  EPOCH_STATUS_NAMES,
  DEFAULT_CHALLENGE_WINDOW,
} from "./network";
export type { TokenInfo, CustomerEscrow, WithdrawalRequestResult } from "./revenue";
export { tokenInfo, networkToken, tokenBalance, customerEscrow, mintTestToken, formatTokenAmount, formatInteger, deposit, requestWithdrawal, withdraw } from "./revenue";
// billing (#15): authorizations, statements, charges, refunds
export type { BillingAuthorizationResult, SignedBillingAuthorization, BillingStatus } from "./billing";
export { authorizeBilling, revokeBilling, signBillingAuthorization, recoverBillingAuthorizationSigner, relayBillingAuthorization, writeBillingAuthorization, readBillingAuthorization, readBilling, NO_EXPIRY } from "./billing";
export type { BillingStatement, StatementUsage, BuiltStatement, StatementParams, StatementSignatureFile, ChargeResult, ChargeStatementParams, ChargeRecord, RefundResult } from "./statement";
export {
  buildStatement,
  signStatement,
  statementDigest,
  recoverStatementSigner,
  writeStatementSignature,
  readStatementSignature,
  chargeStatement,
  chargeIdOf,
  listCharges,
  epochShares,
  refundStatement,
} from "./statement";
export type { CumulativePayoutLeaf, PayoutEpochLine, PayoutRootFile, PreviousPayoutRoot, PayoutRound, PayoutRoundParams, PayoutSignatureFile, PostedPayoutRoot, PayoutRoundResult, ClaimResult } from "./payouts";
export {
  PAYOUT_FILE_KIND,
  PAYOUT_SIGNATURE_KIND,
  payoutFileName,
  cumulativePayoutTree,
  cumulativePayoutProof,
  payoutFileText,
  parsePayoutFile,
  readPayoutRootFile,
  readPayoutState,
  latestPayoutFile,
  buildPayoutRound,
  assertNeverLowers,
  writePayoutRoundFile,
  signPayoutRoot,
  recoverPayoutSignature,
  parsePayoutSignature,
  writePayoutSignatureFile,
  readPayoutSignatureFile,
  postPayoutRoot,
  payoutRound,
  claimPayout,
} from "./payouts";
export type { AdvanceFinalityResult } from "./finality";
export { finalizedCount, advanceFinality, DEFAULT_FINALITY_STEPS } from "./finality";
// trust (#13): parameters and views, challenges, verifier rotations and recovery, the arbiter, roles, admin levers
export type { TrustParams, TrustParamsInput, NetworkTrust } from "./trust";
export { resolveTrustParams, readTrust, minThawSeconds, DEFAULT_ARBITER_DEADLINE, DEFAULT_MAX_STATEMENT_EPOCHS, DEFAULT_BOND } from "./trust";
export type { RoleKind } from "./refusal";
export { ContractRefusedError, revertInWords, asRefusal, sendRefusable, isoDate, durationText, networkRoleId, roleKindHash, roleKindOf, WORKLEDGER_LIMITS, ROLE_KINDS } from "./refusal";
export type { ChallengeInfo, ChallengeResult, BondSettlement, RulingResult, ExpiryResult } from "./challenge";
export { readChallenge, challengeEpoch, resolveChallenge, expireChallenge } from "./challenge";
export type { RotationProposal, RotationSignatureFile, RotationResult, RecoveryProposalResult, VerifierStatus } from "./rotation";
export {
  checkVerifierSet,
  proposeRotation,
  signRotation,
  recoverRotationSigner,
  writeRotationFile,
  readRotationProposal,
  readRotationSignature,
  applyRotation,
  recoverySetHash,
  proposeRecovery,
  applyRecovery,
  cancelRecovery,
  readVerifierStatus,
  whenText,
} from "./rotation";
export type { ArbiterAction } from "./arbiter";
export { transferArbiter, acceptArbiter, arbiterCall, arbiterCallAs } from "./arbiter";
export type { GrantableRole, RoleHolders } from "./roles";
export { grantRole, revokeRole, listRoles, parseRoleName, GRANTABLE_ROLES } from "./roles";
export { setNetworkPaused, setChallengeWindow, deactivateNode } from "./networkAdmin";
