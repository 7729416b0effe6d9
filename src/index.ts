/**
 * The public API of the WorkLedger SDK, named export by export (pinned by test/sdk/index.test.ts,
 * so any change to the surface shows up in review). Modules by role:
 * records (parse and validate), merkle (trees, proofs, the hash engine), writer (the jobs: build,
 * sign, publish, deploy, networks and nodes, money, payouts, simulate-then-send), reader (index the
 * chain), verifier (proofs, signatures, reports) and report (build and render). The CLI and the demo
 * use nothing else (test/layering.test.ts). Test mocks live under `workledger/testing`.
 */

// errors
export {
  WorkLedgerError,
  InvalidInputError,
  RecordsError,
  ContractRevertError,
  ChainMismatchError,
  VerificationError,
} from "./errors";
export type { WorkLedgerErrorOptions, RecordIssue } from "./errors";

// contracts (TypeChain factories and types; test mocks are in workledger/testing)
export { WorkLedger__factory, RevenueLedger__factory, IWorkLedger__factory, IRevenueLedger__factory } from "./contracts";
export type { WorkLedger, RevenueLedger, IWorkLedger, IRevenueLedger } from "./contracts";

// chain events and ledger accounts
export { decodeLog, compareEvents } from "./chain/events";
export type { ChainEvent, EventValue, LedgerAddresses } from "./chain/events";
export { AccountKind, decodeAccountId, encodeAccountId, accountName } from "./chain/accounts";
export type { DecodedAccount } from "./chain/accounts";

// records
export {
  RECORD_LEAF_ENCODING,
  PAYOUT_LEAF_ENCODING,
  BPS,
  NO_EPOCH,
  EIP712_DOMAIN_NAME,
  EIP712_DOMAIN_VERSION,
  EPOCH_COMMIT_TYPE,
  EPOCH_COMMIT_TYPEHASH,
  EPOCH_COMMIT_TYPES,
  workLedgerDomain,
  RecordTable,
  readRecordsFile,
  parseRecords,
  parseRecordStream,
  normalizeNodeId,
  RecordRowSchema,
  canonicalDataHash,
  recordLeafHash,
  parseAddress,
  checksumAddressOf,
  formatRecordIssue,
  formatRecordIssues,
  LISTED_ISSUES,
  // usage records (#14): parse, build the usage tree, prove and verify a usage leaf, hash UsageRefs
  USAGE_LEAF_ENCODING,
  USAGE_COLUMNS,
  UsageRowSchema,
  parseUsage,
  parseUsageStream,
  readUsageFile,
  buildUsage,
  usageLeafHash,
  usageProof,
  verifyUsageProof,
  usageRefsHash,
  compareUsageToRevenue,
  usageLeafToValues,
  usageRecordToJson,
} from "./records";
export type { WorkRecord, EpochSummary, RecordsFormat, ReadRecordsOptions, ParseRecordsOptions } from "./records";
export type {
  RowSink,
  IssueOptions,
  UsageRecord,
  UsageRecordJson,
  UsageRecordInput,
  ParseUsageOptions,
  UsageRows,
  UsageBuild,
  UsageMerkleTree,
  UsageProof,
  UsageRef,
  UsageRevenueComparison,
} from "./records";

// merkle
export { EMPTY_ROOT, buildTreeFromLeafHashes, treeRoot, treeProof } from "./merkle";

// writer: build, sign, publish
export {
  buildEpoch,
  buildEpochFromFile,
  tableFromRecords,
  EpochBundle,
  bundleProof,
  bundleFileName,
  writeBundle,
  readBundle,
  readBundleHeader,
  summaryToJson,
  summaryFromJson,
  summaryDifference,
  signEpoch,
  verifyAndSignEpoch,
  writeSignatureFile,
  readSignatureFile,
  parseSignatureFile,
  commitEpoch,
  checkDeployment,
  publishEpoch,
  reasonHash,
} from "./writer";
export type {
  BuildEpochOptions,
  BuiltEpoch,
  RecordProof,
  BundleHeader,
  EpochSigningContext,
  SignatureFile,
  VerifyAndSignOptions,
  CommitEpochParams,
  CommitEpochResult,
  PublishEpochParams,
  PublishEpochResult,
  NodeCheck,
} from "./writer";

// usage with each epoch (#14): the summary's usage words, bundles and proof files of usage leaves, on-chain leaf status, the finality cursor
export { NO_USAGE } from "./records/types";
export { epochUsage, BUNDLE_FORMAT_VERSION, finalizedCount, advanceFinality, DEFAULT_FINALITY_STEPS } from "./writer";
export type { BuildEpochFromFileOptions, SummaryFromJsonOptions, AdvanceFinalityResult } from "./writer";
export {
  USAGE_PROOF_FILE_KIND,
  makeUsageProofFile,
  parseUsageProofFile,
  parseAnyProofFile,
  readAnyProofFile,
  recordStatusOnChain,
  usageStatusOnChain,
  verifyUsageOnChain,
  LEAF_STATUS_NAMES,
} from "./verifier";
export type { UsageProofFile, UsageProofFileInput, AnyProofFileInput, VerifyProofFileOptions, LeafStatus, LeafStatusName } from "./verifier";

// writer: deployment, transactions (simulate, then send) and revert decoding
export { deployContracts, readDeploymentFile, writeDeploymentFile, assertDeployment, sendCall, simulateCall, receiptEvents, decodeRevert } from "./writer";
export type { Deployment, DeployOptions, DeployResult, ContractCall, SendOptions, TxOutcome } from "./writer";

// writer: networks, nodes and the epoch lifecycle
export {
  createNetwork,
  readNetwork,
  assertNetwork,
  registerNode,
  unregisteredNodes,
  unregisteredError,
  nodeIdsOf,
  isCurrentVerifier,
  nextEpochVersion,
  listEpochs,
  epochStatusName,
  DEFAULT_CHALLENGE_WINDOW,
} from "./writer";
export type { NetworkParams, CreatedNetwork, NetworkInfo, EpochVersionInfo } from "./writer";

// writer: trust (#13) — trust parameters and views, bonded challenges, verifier rotations and recovery, the arbiter, roles, admin levers
export {
  resolveTrustParams,
  readTrust,
  minThawSeconds,
  DEFAULT_ARBITER_DEADLINE,
  DEFAULT_MAX_STATEMENT_EPOCHS,
  DEFAULT_BOND,
  WIRING_GAS,
  ContractRefusedError,
  revertInWords,
  isoDate,
  durationText,
  networkRoleId,
  roleKindOf,
  WORKLEDGER_LIMITS,
  readChallenge,
  challengeEpoch,
  resolveChallenge,
  expireChallenge,
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
  transferArbiter,
  acceptArbiter,
  arbiterCallAs,
  grantRole,
  revokeRole,
  listRoles,
  parseRoleName,
  GRANTABLE_ROLES,
  setNetworkPaused,
  setChallengeWindow,
  deactivateNode,
} from "./writer";
export type {
  TrustParams,
  NetworkTrust,
  RoleKind,
  ChallengeInfo,
  ChallengeResult,
  BondSettlement,
  RulingResult,
  ExpiryResult,
  RotationProposal,
  RotationSignatureFile,
  RotationResult,
  RecoveryProposalResult,
  VerifierStatus,
  GrantableRole,
  RoleHolders,
  ArbiterAction,
} from "./writer";

// writer: money and payouts
export {
  tokenInfo,
  networkToken,
  tokenBalance,
  customerEscrow,
  mintTestToken,
  formatTokenAmount,
  formatInteger,
  deposit,
  requestWithdrawal,
  withdraw,
} from "./writer";
export type { TokenInfo, CustomerEscrow, WithdrawalRequestResult } from "./writer";

// writer: billing (#15) — authorizations, verifier-signed statements, charges, refunds
export {
  authorizeBilling,
  revokeBilling,
  signBillingAuthorization,
  recoverBillingAuthorizationSigner,
  relayBillingAuthorization,
  writeBillingAuthorization,
  readBillingAuthorization,
  readBilling,
  NO_EXPIRY,
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
} from "./writer";
export type {
  BillingAuthorizationResult,
  SignedBillingAuthorization,
  BillingStatus,
  BillingStatement,
  StatementUsage,
  BuiltStatement,
  StatementParams,
  StatementSignatureFile,
  ChargeResult,
  ChargeStatementParams,
  ChargeRecord,
  RefundResult,
} from "./writer";

// writer: cumulative payouts (#16)
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
} from "./writer";
export type {
  CumulativePayoutLeaf,
  PayoutEpochLine,
  PayoutRootFile,
  PreviousPayoutRoot,
  PayoutRound,
  PayoutRoundParams,
  PayoutSignatureFile,
  PostedPayoutRoot,
  PayoutRoundResult,
  ClaimResult,
} from "./writer";

// reader
export {
  openStore,
  SqlStore,
  SqliteStore,
  PostgresStore,
  syncChain,
  followChain,
  fetchEvents,
  importBundle,
  importBundleDir,
  balanceAt,
  ReorgTooDeepError,
  BundleMismatchError,
  CheckpointMovedError,
  isPostgresUrl,
} from "./reader";
export type { ReaderStore, SyncOptions, SyncResult, FollowOptions, ImportBundleOptions, ImportBundleResult, PostgresStoreOptions } from "./reader";

// chain access: one retrying JSON-RPC transport behind an ethers provider
export { connectRpc, RetryingRpcProvider, isTransientRpcError } from "./chain/transport";
export type { ConnectRpcOptions } from "./chain/transport";

// verifier
export {
  verifyRecordProof,
  verifyRecordProofs,
  verifyRecordOnChain,
  verifyEpochSignatures,
  makeProofFile,
  readProofFile,
  parseProofFile,
  writeProofFile,
  verifyProofFile,
} from "./verifier";
export type { ProofCheck, VerifyProofsOptions, ProofFile, ProofFileCheck, VerifierSet, SignatureCheck } from "./verifier";
// check-proof URL (#19): a proof file fetched from `workledger serve` (or any URL), checked like a file
export { fetchProofFile } from "./verifier";
export type { FetchedProofFile, FetchProofFileOptions, ProofRequest } from "./verifier";
export { verifyReport, verifyReportDocument } from "./verifier/report";
export type { VerifyReportResult, VerifyReportOptions } from "./verifier/report";

// reports
export {
  buildReport,
  REPORT_KINDS,
  REPORT_FORMATS,
  reportInputFromChain,
  reportFromStore,
  reportInputFromStore,
  renderFormat,
  writeReportFiles,
  DEFAULT_CREDIT_TIERS,
  DEFAULT_SLA_BPS,
} from "./report";
export type { ReportInput, ReportOptions, ReportFormat, Report, ReportKind, SpendReport, UptimeReport, EconomicsReport, JournalReport, CreditTier } from "./report";
// report inputs a person gives: periods as dates, names for ids, SLA terms (used by `workledger report` and the demo)
export { blocksForDates } from "./report/dates";
export { readLabels, writeLabels, resolveCustomer } from "./report/labels";
export type { Labels, LabelRow } from "./report/labels";
export { parseSla, parseCreditTiers } from "./report/common";
export { renderJson } from "./report/render/json";
export { csvSidecar } from "./report/write";
// report documents: the report JSON embedded in a PDF or HTML, and a CSV checked against its JSON (`workledger verify`)
export { sniffFormat as sniffReportFormat, embeddedReport, csvDifferences } from "./report/embedded";
export type { DocumentFormat } from "./report/embedded";

// server (#19): `workledger serve`, the read-only HTTP API and dashboard (Fastify is loaded only when a server is built)
export { startServer, buildServer } from "./server";
export type { ServeOptions, RunningServer } from "./server";
