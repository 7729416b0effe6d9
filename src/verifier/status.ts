/**
 * On-chain inclusion and status of one work record or one usage record, for callers that accept
 * data that is not Final yet: whether the leaf is under the epoch's LATEST version, that version's
 * status now and its number. (`verifyRecord` / `verifyUsage` are true only for a Final latest
 * version; these reads say where a leaf stands before that.)
 */
import { ContractRunner } from "ethers";

import { IWorkLedger__factory } from "../contracts";
import { UsageRecord } from "../records/usage";
import { WorkRecord } from "../records/types";
import { verifyUsageProof } from "../records/usageTree";
import { withRevertDecoding } from "../chain/revert";

/** Names of the EpochStatus enum values, in order (as the contract defines them). */
export const LEAF_STATUS_NAMES = ["none", "pending", "challenged", "final", "voided"] as const;
export type LeafStatusName = (typeof LEAF_STATUS_NAMES)[number];

/** Where a leaf stands on chain. */
export interface LeafStatus {
  /** The proof leads from the leaf to the root (record) or usage root (usage) of the epoch's latest version. */
  included: boolean;
  /** The latest version's status now ("none" for an epoch never committed or an unknown network). */
  status: LeafStatusName;
  /** The latest version (0 when never committed). */
  version: number;
  /** True only when included and the latest version is Final (the contract's verifyRecord / verifyUsage). */
  final: boolean;
}

function statusName(v: bigint | number): LeafStatusName {
  return LEAF_STATUS_NAMES[Number(v)] ?? "none";
}

/**
 * A work record's inclusion in the epoch's latest version, with that version's status and number
 * (the contract's `recordStatus`, which never reverts); `final` is the contract's `verifyRecord`.
 *
 * @example
 * const { included, status, version } = await recordStatusOnChain(provider, deployment.workLedger, 1n, 7n, record, proof);
 */
export async function recordStatusOnChain(runner: ContractRunner, workLedger: string, networkId: bigint | number, epoch: bigint | number, record: WorkRecord, proof: readonly string[]): Promise<LeafStatus> {
  const wl = IWorkLedger__factory.connect(workLedger, runner);
  const leaf = { nodeId: record.nodeId, epoch: record.epoch, workUnits: record.workUnits, uptimeBps: record.uptimeBps, revenue: record.revenue, evidence: record.evidence };
  const [[included, status, version], final] = await withRevertDecoding(() =>
    Promise.all([wl.recordStatus(BigInt(networkId), BigInt(epoch), leaf, [...proof]), wl.verifyRecord(BigInt(networkId), BigInt(epoch), leaf, [...proof])]),
  );
  return { included, status: statusName(status), version: Number(version), final };
}

/**
 * True when WorkLedger's `verifyUsage(networkId, epoch, usage, proof)` returns true: `usage.epoch ==
 * epoch`, the proof matches the usage root of the epoch's latest version, and that version is Final.
 *
 * @example
 * await verifyUsageOnChain(provider, deployment.workLedger, 1n, 7n, leaf, proof); // true once Final
 */
export async function verifyUsageOnChain(runner: ContractRunner, workLedger: string, networkId: bigint | number, epoch: bigint | number, usage: UsageRecord, proof: readonly string[]): Promise<boolean> {
  const wl = IWorkLedger__factory.connect(workLedger, runner);
  const leaf = { customer: usage.customer, epoch: usage.epoch, workUnits: usage.workUnits, amount: usage.amount, ref: usage.ref };
  return withRevertDecoding(() => wl.verifyUsage(BigInt(networkId), BigInt(epoch), leaf, [...proof]));
}

/**
 * A usage record's inclusion in the epoch's latest version (its proof leads to that version's
 * usageRoot and `usage.epoch == epoch`), with the version's status and number; `final` is the
 * contract's `verifyUsage`. Never reverts for an unknown network or epoch ("none", 0).
 *
 * @example
 * const { included, status, version, final } = await usageStatusOnChain(provider, workLedger, 1n, 7n, leaf, proof);
 */
export async function usageStatusOnChain(runner: ContractRunner, workLedger: string, networkId: bigint | number, epoch: bigint | number, usage: UsageRecord, proof: readonly string[]): Promise<LeafStatus> {
  const wl = IWorkLedger__factory.connect(workLedger, runner);
  const [status, versionBig] = await withRevertDecoding(() => wl.epochStatus(BigInt(networkId), BigInt(epoch)));
  const version = Number(versionBig);
  if (version === 0) return { included: false, status: "none", version: 0, final: false };
  const latest = await withRevertDecoding(() => wl.latestEpoch(BigInt(networkId), BigInt(epoch)));
  const usageRoot = String(latest.usageRoot).toLowerCase();
  const included = usage.epoch === BigInt(epoch) && !/^0x0{64}$/.test(usageRoot) && verifyUsageProof(usage, proof, usageRoot);
  const final = await verifyUsageOnChain(runner, workLedger, networkId, epoch, usage, proof);
  return { included, status: statusName(status), version, final };
}
