/**
 * The API's reads of the index, as JSON-ready objects (numbers for ids, blocks and times; decimal
 * strings for amounts and work units; 0x-hex for hashes; checksummed addresses), with labels' names
 * and groups where an id has one. Read-only: every query is a SELECT.
 */
import type { SqlStore } from "../reader/sqlStore";
import { rowFromDb, Row } from "../reader/codec";
import { tableDef } from "../reader/schema";
import { labelKey, Labels } from "../report/labels";
import { effectiveStatus } from "./context";

type Json = Record<string, unknown>;

/** Decoded rows of a raw query on `table`. */
function decode(table: string, raws: Row[]): Row[] {
  const t = tableDef(table);
  return raws.map((r) => rowFromDb(t, r));
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** `name` and `group` of an id from the labels (nothing when it has none). */
export function labelOf(labels: Labels | undefined, id: string | number): { name?: string; group?: string | null } {
  const l = labels?.get(labelKey(id));
  return l ? { name: l.name, group: l.group } : {};
}

/** Transaction hashes of event positions (block, log index), as a lookup. */
export async function txHashes(store: SqlStore, rows: Row[]): Promise<(row: Row) => string | null> {
  const blocks = [...new Set(rows.map((r) => Number(r.block_number)))];
  const map = new Map<string, string>();
  for (let i = 0; i < blocks.length; i += 500) {
    const raws = await store.db
      .selectFrom("events")
      .select(["block_number", "log_index", "tx_hash"])
      .where("block_number", "in", blocks.slice(i, i + 500))
      .execute();
    for (const r of decode("events", raws)) map.set(`${r.block_number}:${r.log_index}`, r.tx_hash as string);
  }
  return (row) => map.get(`${row.block_number}:${row.log_index}`) ?? null;
}

// ------------------------------------------------------------------ networks

export async function networkRows(store: SqlStore, networkId?: number, after?: number, limit?: number): Promise<Row[]> {
  let q = store.db.selectFrom("networks").selectAll().orderBy("network_id");
  if (networkId !== undefined) q = q.where("network_id", "=", networkId);
  if (after !== undefined) q = q.where("network_id", ">", after);
  if (limit !== undefined) q = q.limit(limit);
  return decode("networks", await q.execute());
}

/** Counts and the latest epoch of some networks. */
async function networkStats(store: SqlStore, ids: number[], now: number): Promise<Map<number, Json>> {
  const out = new Map<number, Json>();
  if (ids.length === 0) return out;
  for (const id of ids) out.set(id, { epochs: 0, nodes: 0, activeNodes: 0, latestEpoch: null });
  const epochCounts = await store.db
    .selectFrom("epochs")
    .select(["network_id", (eb) => eb.fn.countAll().as("n"), (eb) => eb.fn.max("epoch").as("latest")])
    .where("network_id", "in", ids)
    .groupBy("network_id")
    .execute();
  const latest: { network_id: number; epoch: number }[] = [];
  for (const r of epochCounts) {
    out.get(Number(r.network_id))!.epochs = Number(r.n);
    latest.push({ network_id: Number(r.network_id), epoch: Number(r.latest) });
  }
  const nodeCounts = await store.db
    .selectFrom("nodes")
    .select(["network_id", "active", (eb) => eb.fn.countAll().as("n")])
    .where("network_id", "in", ids)
    .groupBy(["network_id", "active"])
    .execute();
  for (const r of nodeCounts) {
    const s = out.get(Number(r.network_id))!;
    s.nodes = Number(s.nodes) + Number(r.n);
    if (Number(r.active) === 1) s.activeNodes = Number(s.activeNodes) + Number(r.n);
  }
  for (const l of latest) {
    const raws = await store.db.selectFrom("epochs").selectAll().where("network_id", "=", l.network_id).where("epoch", "=", l.epoch).execute();
    const [e] = decode("epochs", raws);
    if (e) out.get(l.network_id)!.latestEpoch = epochJson(e, now);
  }
  return out;
}

function networkBase(r: Row, labels: Labels | undefined): Json {
  return {
    networkId: Number(r.network_id),
    name: r.name,
    ...(labels ? { label: labelOf(labels, Number(r.network_id)).name ?? null } : {}),
    admin: r.admin,
    token: r.token,
    workUnit: r.work_unit,
    genesisTime: num(r.genesis_time),
    epochSeconds: num(r.epoch_seconds),
    challengeWindow: num(r.challenge_window),
    capacityPerNode: String(r.capacity_per_node),
    paused: Number(r.paused) === 1,
    finalizedCount: Number(r.finalized_count),
    verifierSetId: num(r.verifier_set_id),
    threshold: num(r.threshold),
    verifierCount: num(r.verifier_count),
    createdBlock: Number(r.block_number),
  };
}

/** Networks as list items (counts and latest epoch included). */
export async function networkList(store: SqlStore, rows: Row[], labels: Labels | undefined, now: number): Promise<Json[]> {
  const stats = await networkStats(
    store,
    rows.map((r) => Number(r.network_id)),
    now,
  );
  return rows.map((r) => {
    const s = stats.get(Number(r.network_id))!;
    return { ...networkBase(r, labels), counts: { epochs: s.epochs, nodes: s.nodes, activeNodes: s.activeNodes }, latestEpoch: s.latestEpoch };
  });
}

/** One network in full: trust terms, verifier sets, counts by status, challenges. */
export async function networkDetail(store: SqlStore, r: Row, labels: Labels | undefined, now: number): Promise<Json> {
  const id = Number(r.network_id);
  const [item] = await networkList(store, [r], labels, now);
  const sets = decode("verifier_sets", await store.db.selectFrom("verifier_sets").selectAll().where("network_id", "=", id).orderBy("verifier_set_id").execute());
  const byStatus: Record<string, number> = { pending: 0, challenged: 0, final: 0, voided: 0 };
  const statuses = await store.db.selectFrom("epochs").select(["status", "finalizes_at"]).where("network_id", "=", id).execute();
  for (const s of statuses) {
    const st = effectiveStatus(String(s.status), num(s.finalizes_at), now);
    byStatus[st] = (byStatus[st] ?? 0) + 1;
  }
  const ch = await store.db
    .selectFrom("challenges")
    .select(["resolved", "expired", (eb) => eb.fn.countAll().as("n")])
    .where("network_id", "=", id)
    .groupBy(["resolved", "expired"])
    .execute();
  let total = 0;
  let open = 0;
  for (const c of ch) {
    total += Number(c.n);
    if (Number(c.resolved) === 0 && Number(c.expired) === 0) open += Number(c.n);
  }
  const current = sets.find((s) => Number(s.verifier_set_id) === Number(r.verifier_set_id));
  return {
    ...item,
    trust: {
      arbiter: r.arbiter ?? null,
      bond: r.bond === null || r.bond === undefined ? null : String(r.bond),
      thawSeconds: num(r.thaw_seconds),
      arbiterDeadline: num(r.arbiter_deadline),
      maxStatementEpochs: num(r.max_statement_epochs),
    },
    verifiers: current ? (JSON.parse(String(current.verifiers)) as string[]) : [],
    verifierSets: sets.map((s) => ({
      verifierSetId: Number(s.verifier_set_id),
      threshold: Number(s.threshold),
      verifiers: JSON.parse(String(s.verifiers)) as string[],
      blockNumber: Number(s.block_number),
    })),
    epochsByStatus: byStatus,
    challenges: { total, open },
  };
}

// ------------------------------------------------------------------ epochs

/** An epochs row (latest version) as JSON, with the status as of `now`. */
export function epochJson(r: Row, now: number): Json {
  const finalizesAt = num(r.finalizes_at);
  return {
    epoch: Number(r.epoch),
    version: Number(r.latest_version),
    status: effectiveStatus(String(r.status), finalizesAt, now),
    finalizesAt,
    root: r.root,
    recordCount: Number(r.record_count),
    activeNodes: Number(r.active_nodes),
    totalWorkUnits: String(r.total_work_units),
    totalRevenue: String(r.total_revenue),
    dataHash: r.data_hash,
    usageRoot: r.usage_root,
    usageCount: Number(r.usage_count),
    totalUsage: String(r.total_usage),
    committedBlock: Number(r.committed_block),
  };
}

export const EPOCH_STATUSES = ["pending", "challenged", "final", "voided"] as const;

/** A page of a network's epochs (limit + 1 rows), optionally of one status as of `now`. */
export async function epochRows(store: SqlStore, networkId: number, o: { after?: number; limit: number; desc: boolean; status?: string; now: number }): Promise<Row[]> {
  let q = store.db.selectFrom("epochs").selectAll().where("network_id", "=", networkId);
  if (o.after !== undefined) q = q.where("epoch", o.desc ? "<" : ">", o.after);
  if (o.status === "final") q = q.where("status", "=", "pending").where("finalizes_at", "<=", o.now);
  else if (o.status === "pending") q = q.where("status", "=", "pending").where((eb) => eb.or([eb("finalizes_at", "is", null), eb("finalizes_at", ">", o.now)]));
  else if (o.status !== undefined) q = q.where("status", "=", o.status);
  q = q.orderBy("epoch", o.desc ? "desc" : "asc").limit(o.limit + 1);
  return decode("epochs", await q.execute());
}

function challengeJson(c: Row, tx: (r: Row) => string | null): Json {
  const resolved = Number(c.resolved) === 1;
  const expired = Number(c.expired) === 1;
  const upheld = c.upheld === null || c.upheld === undefined ? null : Number(c.upheld) === 1;
  return {
    networkId: Number(c.network_id),
    epoch: Number(c.epoch),
    version: Number(c.version),
    state: expired ? "expired" : resolved ? (upheld ? "upheld" : "rejected") : "open",
    challenger: c.challenger,
    reasonHash: c.reason_hash,
    bond: String(c.bond),
    deadline: Number(c.deadline),
    resolved,
    upheld,
    expired,
    arbiter: c.arbiter ?? null,
    resolvedBlock: num(c.resolved_block),
    resolvedTxHash: c.resolved_tx_hash ?? null,
    blockNumber: Number(c.block_number),
    logIndex: Number(c.log_index),
    txHash: tx(c),
  };
}

/** One epoch: every version (status, signers, who committed it), its status changes and challenges. */
export async function epochDetail(store: SqlStore, latest: Row, now: number): Promise<Json> {
  const key = { network_id: Number(latest.network_id), epoch: Number(latest.epoch) };
  const versions = await store.rows("epoch_versions", key, ["version"]);
  const changes = await store.rows("epoch_status_changes", key, ["block_number", "log_index"]);
  const challenges = await store.rows("challenges", key, ["block_number", "log_index"]);
  const tx = await txHashes(store, [...versions, ...changes, ...challenges]);
  return {
    networkId: key.network_id,
    ...epochJson(latest, now),
    latestVersion: Number(latest.latest_version),
    now,
    versions: versions.map((v) => {
      const finalizesAt = num(v.finalizes_at);
      return {
        version: Number(v.version),
        status: effectiveStatus(String(v.status), finalizesAt, now),
        finalizesAt,
        root: v.root,
        recordCount: Number(v.record_count),
        activeNodes: Number(v.active_nodes),
        totalWorkUnits: String(v.total_work_units),
        totalRevenue: String(v.total_revenue),
        dataHash: v.data_hash,
        usageRoot: v.usage_root,
        usageCount: Number(v.usage_count),
        totalUsage: String(v.total_usage),
        verifierSetId: Number(v.verifier_set_id),
        signers: JSON.parse(String(v.signers ?? "[]")) as string[],
        supersededBy: num(v.superseded_by),
        reasonHash: v.reason_hash ?? null,
        blockNumber: Number(v.block_number),
        txHash: tx(v),
      };
    }),
    statusChanges: changes.map((c) => ({
      version: Number(c.version),
      change: c.change,
      status: c.status,
      upheld: c.upheld === null || c.upheld === undefined ? null : Number(c.upheld) === 1,
      account: c.account ?? null,
      reasonHash: c.reason_hash ?? null,
      blockNumber: Number(c.block_number),
      logIndex: Number(c.log_index),
      txHash: tx(c),
    })),
    challenges: challenges.map((c) => challengeJson(c, tx)),
  };
}

// ------------------------------------------------------------------ challenges

/** A page of a network's challenges, oldest first (limit + 1 rows), keyed by (block, log index). */
export async function challengePage(store: SqlStore, networkId: number, after: [number, number] | undefined, limit: number, state?: string): Promise<Json[]> {
  let q = store.db.selectFrom("challenges").selectAll().where("network_id", "=", networkId);
  if (after) q = q.where((eb) => eb.or([eb("block_number", ">", after[0]), eb.and([eb("block_number", "=", after[0]), eb("log_index", ">", after[1])])]));
  if (state === "open") q = q.where("resolved", "=", 0).where("expired", "=", 0);
  else if (state === "expired") q = q.where("expired", "=", 1);
  else if (state === "upheld") q = q.where("resolved", "=", 1).where("upheld", "=", 1);
  else if (state === "rejected") q = q.where("resolved", "=", 1).where("upheld", "=", 0);
  const rows = decode("challenges", await q.orderBy("block_number").orderBy("log_index").limit(limit + 1).execute());
  const tx = await txHashes(store, rows);
  return rows.map((c) => challengeJson(c, tx));
}

// ------------------------------------------------------------------ nodes

function nodeJson(r: Row, labels: Labels | undefined): Json {
  return {
    nodeId: r.node_id,
    ...(labels ? { name: labelOf(labels, r.node_id as string).name ?? null, group: labelOf(labels, r.node_id as string).group ?? null } : {}),
    operator: r.operator,
    active: Number(r.active) === 1,
    registeredBlock: Number(r.registered_block),
    deactivatedBlock: num(r.deactivated_block),
  };
}

/** A page of a network's nodes by nodeId (limit + 1 rows). */
export async function nodePage(store: SqlStore, networkId: number, after: string | undefined, limit: number, labels: Labels | undefined): Promise<Json[]> {
  let q = store.db.selectFrom("nodes").selectAll().where("network_id", "=", networkId);
  if (after) q = q.where("node_id", ">", Buffer.from(after.slice(2), "hex"));
  const rows = decode("nodes", await q.orderBy("node_id").limit(limit + 1).execute());
  return rows.map((r) => nodeJson(r, labels));
}

/** Most records listed in a node's detail (newest epochs first). */
export const NODE_RECORDS_LIMIT = 100;

/** One node: registration, its status history, claims and its records in the latest version of recent epochs. */
export async function nodeDetail(store: SqlStore, networkId: number, nodeId: string, labels: Labels | undefined): Promise<Json | undefined> {
  const [node] = decode("nodes", await store.db.selectFrom("nodes").selectAll().where("network_id", "=", networkId).where("node_id", "=", Buffer.from(nodeId.slice(2), "hex")).execute());
  if (!node) return undefined;
  const history = await store.nodeHistory(networkId, nodeId);
  const claims = await store.rows("claims", { network_id: networkId, node_id: nodeId }, ["block_number", "log_index"]);
  const tx = await txHashes(store, [...history, ...claims]);
  const recs = await store.db
    .selectFrom("bundle_records as r")
    .innerJoin("epochs as e", (j) => j.onRef("e.network_id", "=", "r.network_id").onRef("e.epoch", "=", "r.epoch").onRef("e.latest_version", "=", "r.version"))
    .select(["r.epoch", "r.version", "r.work_units", "r.uptime_bps", "r.revenue", "r.evidence"])
    .where("r.node_id", "=", Buffer.from(nodeId.slice(2), "hex"))
    .where("r.network_id", "=", networkId)
    .orderBy("r.epoch", "desc")
    .limit(NODE_RECORDS_LIMIT)
    .execute();
  return {
    networkId,
    ...nodeJson(node, labels),
    history: history.map((h) => ({ status: h.status, account: h.account ?? null, blockNumber: Number(h.block_number), logIndex: Number(h.log_index), txHash: tx(h) })),
    claims: claims.map((c) => ({
      amount: String(c.amount),
      cumulativeClaimed: String(c.cumulative_claimed),
      throughEpoch: Number(c.through_epoch),
      operator: c.operator,
      to: c.to_address,
      blockNumber: Number(c.block_number),
      txHash: tx(c),
    })),
    records: recs.map((r) => ({
      epoch: Number(r.epoch),
      version: Number(r.version),
      workUnits: String(r.work_units),
      uptimeBps: Number(r.uptime_bps),
      revenue: String(r.revenue),
      evidence: "0x" + Buffer.from(r.evidence as Uint8Array).toString("hex"),
    })),
  };
}
