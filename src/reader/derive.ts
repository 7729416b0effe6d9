/**
 * Maintains the derived tables from each new event, inside the transaction that stores the raw
 * event. One function per event name; events without derived rows (roles, fee settings, runway
 * alerts, bond movements: their entries are in `entries`) are kept in the raw `events` table only.
 */
import { ACCOUNT_KINDS, AccountKindName, accountKindName, decodeAccountId as decodeAccount } from "../chain/accounts";

import type { ChainEvent, EventValue } from "../chain/events";
import { NO_EPOCH } from "../records/types";
import { Row, RowWriter } from "./rows";

export { ACCOUNT_KINDS };
export type { AccountKindName };

/** The parts of a RevenueLedger account id as the indexer stores them (kind by name). */
export function decodeAccountId(id: string): { kind: AccountKindName | string; networkId: number; holder: string } {
  const d = decodeAccount(id);
  return { kind: accountKindName(d.kind), networkId: d.networkId, holder: d.holder };
}

const INT64_MAX = (1n << 63n) - 1n;
const ZERO_HASH = "0x" + "00".repeat(32);

/** A uint argument that fits a JS number (ids, counts, versions). */
function int(v: EventValue): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`value ${String(v)} does not fit a safe integer`);
  return n;
}

/** A uint64 argument as an SQLite integer; NO_EPOCH (and anything above int64) becomes NULL. */
function u64(v: EventValue): bigint | null {
  const b = BigInt(v as string);
  if (b === NO_EPOCH || b > INT64_MAX) return null;
  return b;
}

function str(v: EventValue): string {
  return String(v);
}

function bool(v: EventValue): number {
  return v === true || v === "true" ? 1 : 0;
}

type Handler = (w: RowWriter, e: ChainEvent, a: Record<string, EventValue>, pos: Row) => Promise<void>;

const STATUS_BY_UPHELD = (upheld: boolean) => (upheld ? "voided" : "pending");

function epochKey(a: Record<string, EventValue>): Row {
  return { network_id: int(a.networkId), epoch: u64(a.epoch) };
}

async function setEpochStatus(w: RowWriter, e: ChainEvent, a: Record<string, EventValue>, status: string, finalizesAt: bigint | null): Promise<void> {
  const key = { ...epochKey(a), version: int(a.version) };
  await w.update("epoch_versions", key, { status, finalizes_at: finalizesAt }, e.blockNumber);
  const ep = await w.get("epochs", epochKey(a));
  if (ep && ep.latest_version === key.version) {
    await w.update("epochs", epochKey(a), { status, finalizes_at: finalizesAt }, e.blockNumber);
  }
}

/** The newest unresolved challenge of an epoch version. */
function openChallenge(w: RowWriter, a: Record<string, EventValue>, version: number): Promise<Row | undefined> {
  return w.first("challenges", { ...epochKey(a), version, resolved: 0 }, [
    ["block_number", "desc"],
    ["log_index", "desc"],
  ]);
}

function addDecimal(a: unknown, b: EventValue): string {
  return (BigInt(String(a ?? "0")) + BigInt(b as string)).toString();
}

async function upsertAccount(w: RowWriter, e: ChainEvent, id: string, balance: string, pos: Row): Promise<void> {
  const key = { account_id: id };
  if (await w.get("accounts", key)) {
    await w.update("accounts", key, { balance, last_block: e.blockNumber, last_log_index: e.logIndex }, e.blockNumber);
  } else {
    const d = decodeAccountId(id);
    w.insert("accounts", { ...key, kind: d.kind, network_id: d.networkId, holder: d.holder, balance, last_block: e.blockNumber, last_log_index: e.logIndex, ...pos });
  }
}

const HANDLERS: Record<string, Handler> = {
  // ------------------------------------------------------------------ WorkLedger
  async NetworkCreated(w, _e, a, pos) {
    w.insert("networks", {
      network_id: int(a.networkId),
      admin: str(a.admin),
      token: str(a.token),
      name: str(a.name),
      work_unit: str(a.workUnit),
      genesis_time: u64(a.genesisTime),
      epoch_seconds: u64(a.epochSeconds),
      challenge_window: u64(a.challengeWindow),
      capacity_per_node: str(a.capacityPerNode),
      verifier_set_id: null,
      threshold: null,
      verifier_count: null,
      paused: 0,
      arbiter: null,
      bond: null,
      thaw_seconds: null,
      arbiter_deadline: null,
      max_statement_epochs: null,
      finalized_count: 0,
      ...pos,
    });
  },
  async NetworkTrustSet(w, e, a) {
    await w.update(
      "networks",
      { network_id: int(a.networkId) },
      { arbiter: str(a.arbiter), bond: str(a.bond), thaw_seconds: u64(a.thawSeconds), arbiter_deadline: u64(a.arbiterDeadline), max_statement_epochs: int(a.maxStatementEpochs) },
      e.blockNumber,
    );
  },
  async ArbiterTransferred(w, e, a) {
    await w.update("networks", { network_id: int(a.networkId) }, { arbiter: str(a.arbiter) }, e.blockNumber);
  },
  async FinalityAdvanced(w, e, a) {
    await w.update("networks", { network_id: int(a.networkId) }, { finalized_count: u64(a.toCount) }, e.blockNumber);
  },
  async VerifierSetUpdated(w, e, a, pos) {
    const verifiers = (a.verifiers as EventValue[]).map(str);
    const networkId = int(a.networkId);
    const setId = int(a.verifierSetId);
    if (await w.get("verifier_sets", { network_id: networkId, verifier_set_id: setId })) return;
    w.insert("verifier_sets", { network_id: networkId, verifier_set_id: setId, threshold: int(a.threshold), verifiers: JSON.stringify(verifiers), ...pos });
    for (const [i, v] of verifiers.entries()) {
      if (!(await w.get("verifiers", { network_id: networkId, verifier_set_id: setId, verifier: v }))) {
        w.insert("verifiers", { network_id: networkId, verifier_set_id: setId, verifier: v, position: i, ...pos });
      }
    }
    await w.update("networks", { network_id: networkId }, { verifier_set_id: setId, threshold: int(a.threshold), verifier_count: verifiers.length }, e.blockNumber);
  },
  async ChallengeWindowUpdated(w, e, a) {
    await w.update("networks", { network_id: int(a.networkId) }, { challenge_window: u64(a.challengeWindow) }, e.blockNumber);
  },
  async NetworkPauseSet(w, e, a) {
    await w.update("networks", { network_id: int(a.networkId) }, { paused: bool(a.paused) }, e.blockNumber);
  },
  async NodeRegistered(w, e, a, pos) {
    const key = { network_id: int(a.networkId), node_id: str(a.nodeId) };
    if (await w.get("nodes", key)) {
      await w.update("nodes", key, { operator: str(a.operator), active: 1, registered_block: e.blockNumber, deactivated_block: null }, e.blockNumber);
    } else {
      w.insert("nodes", { ...key, operator: str(a.operator), active: 1, registered_block: e.blockNumber, deactivated_block: null, ...pos });
    }
    w.insert("node_status", { ...key, status: "registered", account: str(a.operator), ...pos });
  },
  async NodeDeactivated(w, e, a, pos) {
    const key = { network_id: int(a.networkId), node_id: str(a.nodeId) };
    await w.update("nodes", key, { active: 0, deactivated_block: e.blockNumber }, e.blockNumber);
    w.insert("node_status", { ...key, status: "deactivated", account: str(a.account), ...pos });
  },
  async EpochCommitted(w, e, a, pos) {
    const version = int(a.version);
    const summary = {
      root: str(a.root),
      record_count: u64(a.recordCount),
      active_nodes: u64(a.activeNodes),
      total_work_units: str(a.totalWorkUnits),
      total_revenue: str(a.totalRevenue),
      data_hash: str(a.dataHash),
      // EpochUsageCommitted (same transaction, only when the epoch has usage) fills these in.
      usage_root: ZERO_HASH,
      usage_count: 0,
      total_usage: "0",
      finalizes_at: u64(a.finalizesAt),
    };
    w.insert("epoch_versions", {
      ...epochKey(a),
      version,
      status: "pending",
      ...summary,
      verifier_set_id: int(a.verifierSetId),
      signers: JSON.stringify((a.signers as EventValue[]).map(str)),
      superseded_by: null,
      reason_hash: null,
      ...pos,
    });
    const current = { latest_version: version, status: "pending", ...summary, committed_block: e.blockNumber };
    if (!(await w.update("epochs", epochKey(a), current, e.blockNumber))) {
      w.insert("epochs", { ...epochKey(a), ...current, ...pos });
    }
    w.insert("epoch_status_changes", { ...epochKey(a), version, change: "committed", status: "pending", upheld: null, account: null, reason_hash: null, ...pos });
  },
  async EpochUsageCommitted(w, e, a) {
    const usage = { usage_root: str(a.usageRoot), usage_count: u64(a.usageCount), total_usage: str(a.totalUsage) };
    const version = int(a.version);
    await w.update("epoch_versions", { ...epochKey(a), version }, usage, e.blockNumber);
    const ep = await w.get("epochs", epochKey(a));
    if (ep && ep.latest_version === version) await w.update("epochs", epochKey(a), usage, e.blockNumber);
  },
  async EpochCorrected(w, e, a, pos) {
    const superseded = int(a.supersededVersion);
    const version = int(a.version);
    await w.update("epoch_versions", { ...epochKey(a), version: superseded }, { superseded_by: version }, e.blockNumber);
    await w.update("epoch_versions", { ...epochKey(a), version }, { reason_hash: str(a.reasonHash) }, e.blockNumber);
    const v = await w.get("epoch_versions", { ...epochKey(a), version });
    w.insert("epoch_status_changes", {
      ...epochKey(a),
      version,
      change: "corrected",
      status: (v?.status) ?? "pending",
      upheld: null,
      account: null,
      reason_hash: str(a.reasonHash),
      ...pos,
    });
  },
  async EpochChallenged(w, e, a, pos) {
    const version = int(a.version);
    w.insert("challenges", {
      ...epochKey(a),
      version,
      challenger: str(a.challenger),
      reason_hash: str(a.reasonHash),
      bond: str(a.bond),
      deadline: u64(a.deadline),
      resolved: 0,
      upheld: null,
      expired: 0,
      arbiter: null,
      resolved_block: null,
      resolved_tx_hash: null,
      ...pos,
    });
    await setEpochStatus(w, e, a, "challenged", null);
    w.insert("epoch_status_changes", { ...epochKey(a), version, change: "challenged", status: "challenged", upheld: null, account: str(a.challenger), reason_hash: str(a.reasonHash), ...pos });
  },
  async ChallengeResolved(w, e, a, pos) {
    const version = int(a.version);
    const upheld = a.upheld === true;
    const open = await openChallenge(w, a, version);
    if (open) {
      await w.update("challenges", open, { resolved: 1, upheld: upheld ? 1 : 0, arbiter: str(a.arbiter), resolved_block: e.blockNumber, resolved_tx_hash: e.txHash }, e.blockNumber);
    }
    const status = STATUS_BY_UPHELD(upheld);
    await setEpochStatus(w, e, a, status, upheld ? null : u64(a.finalizesAt));
    w.insert("epoch_status_changes", { ...epochKey(a), version, change: "resolved", status, upheld: upheld ? 1 : 0, account: str(a.arbiter), reason_hash: null, ...pos });
  },
  async ChallengeExpired(w, e, a, pos) {
    const version = int(a.version);
    const open = await openChallenge(w, a, version);
    if (open) await w.update("challenges", open, { resolved: 1, expired: 1, resolved_block: e.blockNumber, resolved_tx_hash: e.txHash }, e.blockNumber);
    await setEpochStatus(w, e, a, "voided", null);
    w.insert("epoch_status_changes", { ...epochKey(a), version, change: "expired", status: "voided", upheld: null, account: str(a.caller), reason_hash: null, ...pos });
  },
  // --------------------------------------------------------------- RevenueLedger
  async EntryPosted(w, e, a, pos) {
    const debit = str(a.debitAccount);
    const credit = str(a.creditAccount);
    w.insert("entries", {
      entry_id: await w.nextEntryId(),
      network_id: int(a.networkId),
      debit_account: debit,
      credit_account: credit,
      amount: str(a.amount),
      epoch: u64(a.epoch),
      ref: str(a.ref),
      debit_balance: str(a.debitBalance),
      credit_balance: str(a.creditBalance),
      ...pos,
    });
    await upsertAccount(w, e, debit, str(a.debitBalance), pos);
    await upsertAccount(w, e, credit, str(a.creditBalance), pos);
  },
  async Deposited(w, _e, a, pos) {
    w.insert("deposits", { network_id: int(a.networkId), customer: str(a.customer), from_address: str(a.from), amount: str(a.amount), requested: str(a.requested), ...pos });
  },
  async Withdrawn(w, _e, a, pos) {
    w.insert("withdrawals", { network_id: int(a.networkId), customer: str(a.customer), to_address: str(a.to), amount: str(a.amount), ...pos });
  },
  async WithdrawalRequested(w, _e, a, pos) {
    w.insert("withdrawal_requests", { network_id: int(a.networkId), customer: str(a.customer), amount: str(a.amount), ready_at: u64(a.readyAt), thaw_from_epoch: u64(a.thawFromEpoch), ...pos });
  },
  async BillingAuthorized(w, _e, a, pos) {
    w.insert("billing_authorizations", {
      network_id: int(a.networkId),
      customer: str(a.customer),
      cap_per_epoch: str(a.capPerEpoch),
      expiry: u64(a.expiry),
      change_epoch: u64(a.changeEpoch),
      next_epoch: u64(a.nextEpoch),
      relayer: str(a.relayer),
      ...pos,
    });
  },
  async StatementCharged(w, _e, a, pos) {
    const chargeId = str(a.chargeId);
    const networkId = int(a.networkId);
    const from = int(a.fromEpoch);
    const to = int(a.toEpoch);
    w.insert("statements", {
      charge_id: chargeId,
      network_id: networkId,
      customer: str(a.customer),
      from_epoch: from,
      to_epoch: to,
      amount: str(a.amount),
      fee: str(a.fee),
      usage_hash: str(a.usageHash),
      cap_per_epoch: str(a.capPerEpoch),
      signers: JSON.stringify((a.signers as EventValue[]).map(str)),
      reference_text: str(a.referenceText),
      refunded: "0",
      ...pos,
    });
    // The covered epochs as they stood when charged (Final, so their latest version then is for good).
    for (let epoch = from; epoch <= to; epoch++) {
      const ep = await w.get("epochs", { network_id: networkId, epoch });
      if (ep) w.insert("statement_epochs", { charge_id: chargeId, network_id: networkId, epoch, version: ep.latest_version, usage_root: ep.usage_root, ...pos });
    }
  },
  async Refunded(w, e, a, pos) {
    w.insert("refunds", { charge_id: str(a.chargeId), network_id: int(a.networkId), customer: str(a.customer), epoch: u64(a.epoch), amount: str(a.amount), reason_hash: str(a.reasonHash), ...pos });
    const key = { charge_id: str(a.chargeId) };
    const st = await w.get("statements", key);
    if (st) await w.update("statements", key, { refunded: addDecimal(st.refunded, a.amount) }, e.blockNumber);
  },
  async PayoutRootPosted(w, _e, a, pos) {
    w.insert("payout_roots", {
      network_id: int(a.networkId),
      through_epoch: u64(a.throughEpoch),
      root: str(a.root),
      total: str(a.total),
      increase: str(a.increase),
      data_hash: str(a.dataHash),
      signers: JSON.stringify((a.signers as EventValue[]).map(str)),
      ...pos,
    });
  },
  async PayoutClaimed(w, _e, a, pos) {
    w.insert("claims", {
      network_id: int(a.networkId),
      node_id: str(a.nodeId),
      operator: str(a.operator),
      to_address: str(a.to),
      amount: str(a.amount),
      cumulative_claimed: str(a.cumulativeClaimed),
      through_epoch: u64(a.throughEpoch),
      ...pos,
    });
  },
};

/** Update the derived tables for one newly stored event. */
export async function deriveEvent(w: RowWriter, e: ChainEvent): Promise<void> {
  const handler = HANDLERS[e.name];
  if (!handler) return;
  await handler(w, e, e.args, { block_number: e.blockNumber, log_index: e.logIndex });
}

