/** records/: schema, CSV/JSON/NDJSON readers with line-numbered errors, canonical encoding, leaf hashing. */
export type { WorkRecord, EpochSummary } from "./types";
export { RECORD_LEAF_ENCODING, PAYOUT_LEAF_ENCODING, BPS, NO_EPOCH } from "./types";
export { EIP712_DOMAIN_NAME, EIP712_DOMAIN_VERSION, EPOCH_COMMIT_TYPE, EPOCH_COMMIT_TYPEHASH, EPOCH_COMMIT_TYPES, workLedgerDomain } from "./eip712";
export { RecordTable } from "./table";
export type { RecordColumn } from "./fields";
export { RECORD_COLUMNS } from "./fields";
export { RecordRowSchema } from "./json";
export type { ParseRecordsOptions } from "./sink";
export type { RecordsFormat, ReadRecordsOptions } from "./parse";
export { readRecordsFile, parseRecords, parseRecordStream, formatFromFileName, sniffFormat } from "./parse";
export { normalizeNodeId } from "./nodeId";
export { canonicalDataHash, nodeIdOrder, RECORD_PACKED_TYPES } from "./canonical";
export { PACKED_RECORD_SIZE, recordLeafHash, recordToLeafValues, unpackRecord, packRecordInto, bytesToHex } from "./codec";
export { keccak256Bytes } from "./keccak";
