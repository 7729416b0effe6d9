/**
 * Core record types shared by every SDK module. Amounts and work units are bigint end to end.
 */

/** A work record: one node, one epoch. Field order is the Merkle leaf's ABI encoding order. */
export interface WorkRecord {
  nodeId: string; // bytes32, 0x-prefixed lowercase hex
  epoch: bigint; // uint64
  workUnits: bigint; // uint64
  uptimeBps: number; // uint16, 0..10000
  revenue: bigint; // uint128, token's smallest unit
  evidence: string; // bytes32, 0x-prefixed lowercase hex
}

/** StandardMerkleTree leaf encoding of a WorkRecord (matches contracts/libraries/WorkRecordLib.sol). */
export const RECORD_LEAF_ENCODING = ["bytes32", "uint64", "uint64", "uint16", "uint128", "bytes32"] as const;

/** StandardMerkleTree leaf encoding of a payout leaf (matches RevenueLedger.claim). */
export const PAYOUT_LEAF_ENCODING = ["uint256", "bytes32", "address", "uint256"] as const;

/** The summary of an epoch that verifiers sign (matches IWorkLedger.EpochSummary). */
export interface EpochSummary {
  root: string; // bytes32 (0x00..00 when recordCount is 0)
  recordCount: bigint;
  activeNodes: bigint;
  totalWorkUnits: bigint;
  totalRevenue: bigint;
  dataHash: string; // keccak256 of the canonical records encoding
  usageRoot: string; // bytes32: StandardMerkleTree root of the usage records (0x00..00 without usage)
  usageCount: bigint; // number of usage records (one per customer)
  totalUsage: bigint; // Σ usage amounts, token's smallest unit (uint128)
}

/** The usage words of an epoch without usage (zero root, count and total). */
export const NO_USAGE: Readonly<Pick<EpochSummary, "usageRoot" | "usageCount" | "totalUsage">> = Object.freeze({
  usageRoot: "0x" + "0".repeat(64),
  usageCount: 0n,
  totalUsage: 0n,
});

/** Uptime basis-point denominator (100% = 10,000 bps). */
export const BPS = 10_000;

/** Sentinel epoch of RevenueLedger entries that belong to no epoch (type(uint64).max). */
export const NO_EPOCH = (1n << 64n) - 1n;
