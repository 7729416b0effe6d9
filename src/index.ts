/**
 * The public API of the WorkLedger SDK, named export by export (pinned by test/sdk/index.test.ts,
 * so any change to the surface shows up in review). Modules by role:
 * records (parse and validate), writer (build, sign, commit), reader (index the chain),
 * verifier (proofs, signatures, reports) and report (build and render).
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

// contracts (TypeChain factories and types)
export {
  WorkLedger__factory,
  RevenueLedger__factory,
  MockStablecoin__factory,
  IWorkLedger__factory,
  IRevenueLedger__factory,
} from "./contracts";
export type { WorkLedger, RevenueLedger, MockStablecoin, IWorkLedger, IRevenueLedger } from "./contracts";

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
} from "./records";
export type { WorkRecord, EpochSummary, RecordsFormat, ReadRecordsOptions, ParseRecordsOptions } from "./records";

// writer
export {
  buildEpoch,
  buildEpochFromFile,
  tableFromRecords,
  EMPTY_ROOT,
  EpochBundle,
  bundleProof,
  writeBundle,
  readBundle,
  signEpoch,
  verifyAndSignEpoch,
  writeSignatureFile,
  readSignatureFile,
  parseSignatureFile,
  commitEpoch,
  checkDeployment,
  publishEpoch,
} from "./writer";
export type {
  BuildEpochOptions,
  BuiltEpoch,
  RecordProof,
  EpochSigningContext,
  SignatureFile,
  CommitEpochParams,
  CommitEpochResult,
  PublishEpochParams,
  PublishEpochResult,
} from "./writer";

// reader
export {
  openStore,
  SqliteStore,
  syncChain,
  followChain,
  fetchEvents,
  importBundle,
  importBundleDir,
  balanceAt,
  ReorgTooDeepError,
  BundleMismatchError,
} from "./reader";
export type { ReaderStore, SyncOptions, SyncResult, FollowOptions, ImportBundleOptions, ImportBundleResult } from "./reader";

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
export { verifyReport } from "./verifier/report";
export type { VerifyReportResult, VerifyReportOptions } from "./verifier/report";

// reports
export {
  buildReport,
  REPORT_KINDS,
  REPORT_FORMATS,
  reportInputFromChain,
  reportInputFromStore,
  renderFormat,
  writeReportFiles,
  DEFAULT_CREDIT_TIERS,
  DEFAULT_SLA_BPS,
} from "./report";
export type { ReportInput, ReportOptions, ReportFormat } from "./report";
