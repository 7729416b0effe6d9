/**
 * Network economics (networks and investors): per network and epoch, from the latest version —
 * active nodes, work units, revenue, revenue per active node, utilisation, revenue concentration of
 * the top 10% of nodes, and how much of the signed revenue is backed by charges settled on chain.
 */
import { ReportOptions, eventsUpTo, makeManifest, ratioBps, resolveParameters, tokenList } from "./common";
import type { ReportInput } from "./input";
import { LabelUse } from "./labels";
import type { ChainEvent } from "../chain/events";
import { big, blockTime, epochKey, epochsInRange, num, replay, statusAt as statusOf, str } from "./state";
import type { ChainState } from "./state";
import { settleInputStatements } from "./statements";
import type { StatementSettlement } from "./statements";
import type { EconomicsFigures, EconomicsLine, EconomicsReport, NetworkEconomics } from "./types";
import { MissingRecordsError, epochTimes } from "./uptime";

/** Share of nodes whose revenue concentration is reported: the top 10%. */
const TOP_SHARE_DIVISOR = 10;

export interface EconomicsOptions extends ReportOptions {
  /** When records of an epoch are unknown, leave its concentration figures null instead of throwing. */
  allowMissingRecords?: boolean;
}

/** Number of nodes in the top 10% of `count` records: ceil(count / 10). */
export function topNodeCount(count: number): number {
  return Math.ceil(count / TOP_SHARE_DIVISOR);
}

/** Sum of the `k` largest values (partial selection, no full sort of large arrays needed). */
function topSum(values: bigint[], k: number): bigint {
  if (k <= 0) return 0n;
  const sorted = values.slice().sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  let s = 0n;
  for (let i = 0; i < k && i < sorted.length; i++) s += sorted[i];
  return s;
}

/**
 * Builds the economics report over `input`'s block range (epochs first committed in the range).
 * revenuePerActiveNode = floor(totalRevenue / activeNodes); utilizationBps = floor(10000 ×
 * totalWorkUnits / (activeNodes × capacityPerNode)); settledRevenue = charges posted for the epoch
 * (gross: what left the customers' held balances, fee included) less refunds against them (as of
 * toBlock); settledFee = the protocol fee of those postings; settledNet = settledRevenue −
 * settledFee; revenueBackedBps = min(10000, floor(10000 × settledRevenue / totalRevenue)).
 * A statement posts each covered epoch's usage leaf (rule 2: settledFee = floor(post × feeBps /
 * 10000), the remainder on its last epoch with usage). payoutAllocated / payoutClaimed /
 * payoutPayable follow rule 7 under the network's latest payout root (see payoutAllocation).
 * @throws MissingRecordsError when an epoch's records are unknown (unless allowMissingRecords)
 */
export function buildEconomicsReport(input: ReportInput, options: EconomicsOptions = {}): EconomicsReport {
  const parameters = resolveParameters(options);
  const labels = new LabelUse(options.labels);
  const events = eventsUpTo(input.events, input.toBlock);
  const state = replay(events);
  const settled = settleInputStatements(input, state);
  const posted = new Map<string, bigint>(); // gross: the usage leaves posted (fee included)
  const fees = new Map<string, bigint>(); // settledFee (rule 2)
  const refunded = new Map<string, bigint>();
  const unproven = new Set<string>(); // epochs holding an unproven statement's amount
  const add = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);
  for (const e of events) {
    if (e.contract !== "RevenueLedger") continue;
    if (e.name === "Refunded") add(refunded, epochKey(num(e, "networkId"), num(e, "epoch")), big(e, "amount"));
    else if (e.name === "StatementCharged") {
      const s = settled.get(str(e, "chargeId"));
      if (!s) continue;
      for (const p of s.posts) {
        const k = epochKey(s.statement.networkId, p.epoch);
        add(posted, k, p.amount);
        add(fees, k, p.fee);
        if (!s.proven) unproven.add(k);
      }
    }
  }
  const payouts = payoutAllocation(input, events, state, settled);

  const lines: EconomicsLine[] = [];
  const perNet = new Map<number, Acc>();
  for (const st of epochsInRange(state, input.fromBlock, parameters)) {
    const v = st.latest;
    const net = state.networks.get(v.networkId);
    const capacity = net?.capacityPerNode ?? 0n;
    const k = epochKey(v.networkId, v.epoch);
    const p = posted.get(k) ?? 0n;
    const r = refunded.get(k) ?? 0n;
    const fee = fees.get(k) ?? 0n;
    const settled = p - r;
    const pay = payouts.perEpoch(v.networkId, v.epoch);
    const times = epochTimes(net, v.epoch);
    const active = BigInt(v.activeNodes);
    const topNodes = topNodeCount(v.recordCount);
    let topRevenue: bigint | null = 0n;
    if (v.recordCount > 0) {
      const records = input.records(v.networkId, v.epoch, v.version);
      if (!records && !options.allowMissingRecords) throw new MissingRecordsError(v.networkId, v.epoch, v.version);
      topRevenue = records ? topSum(records.map((x) => x.revenue), topNodes) : null;
    }
    const line: EconomicsLine = {
      networkId: v.networkId,
      epoch: v.epoch,
      version: v.version,
      status: statusOf(v, input.toBlockTimestamp),
      recordCount: v.recordCount,
      activeNodes: v.activeNodes,
      totalWorkUnits: v.totalWorkUnits.toString(),
      totalRevenue: v.totalRevenue.toString(),
      revenuePerActiveNode: active > 0n ? (v.totalRevenue / active).toString() : null,
      capacityPerNode: capacity.toString(),
      utilizationBps: capacity > 0n && active > 0n ? ratioBps(v.totalWorkUnits, active * capacity) : null,
      topNodes,
      topNodesRevenue: topRevenue === null ? null : topRevenue.toString(),
      concentrationBps: topRevenue === null ? null : ratioBps(topRevenue, v.totalRevenue),
      postedRevenue: p.toString(),
      refunded: r.toString(),
      settledRevenue: settled.toString(),
      settledFee: fee.toString(),
      settledNet: (settled - fee).toString(),
      revenueBackedBps: ratioBps(settled > 0n ? settled : 0n, v.totalRevenue, 10_000),
      settlementProven: !unproven.has(k),
      bondsForfeited: (payouts.forfeited.get(k) ?? 0n).toString(),
      payoutAllocated: pay === null ? null : pay.allocated.toString(),
      payoutClaimed: pay === null ? null : pay.claimed.toString(),
      payoutPayable: pay === null ? null : (pay.allocated - pay.claimed).toString(),
      startTime: times.start,
      endTime: times.end,
      root: v.root,
      timestamp: blockTime(input, v.evidence.blockNumber),
      evidence: v.evidence,
    };
    lines.push(labels.tag(line, v.networkId));
    let agg = perNet.get(v.networkId);
    if (!agg) perNet.set(v.networkId, (agg = zero()));
    accumulate(agg, { epochs: 1, work: v.totalWorkUnits, revenue: v.totalRevenue, posted: p, refunded: r, fee, allocated: pay?.allocated ?? 0n, claimed: pay?.claimed ?? 0n, unknown: pay === null ? 1 : 0 });
  }

  const all = zero();
  const networks: NetworkEconomics[] = [...perNet.entries()]
    .sort(([a], [b]) => a - b)
    .map(([networkId, a]) => {
      accumulate(all, a);
      return labels.tag({ networkId, ...figures(a) }, networkId);
    });
  const tokens = new Set<string>();
  for (const n of networks) {
    const t = state.networks.get(n.networkId)?.token;
    if (t) tokens.add(t);
  }
  const used = labels.list();
  return {
    kind: "economics",
    manifest: makeManifest(input, options.generatedAt),
    parameters,
    tokens: tokenList(input, tokens),
    ...(used ? { labels: used } : {}),
    totals: { ...figures(all), networks },
    lines,
  };
}

interface Acc {
  epochs: number;
  work: bigint;
  revenue: bigint;
  posted: bigint;
  refunded: bigint;
  fee: bigint;
  allocated: bigint;
  claimed: bigint;
  unknown: number; // epochs whose payout allocation needs records that were not at hand
}

function zero(): Acc {
  return { epochs: 0, work: 0n, revenue: 0n, posted: 0n, refunded: 0n, fee: 0n, allocated: 0n, claimed: 0n, unknown: 0 };
}

function accumulate(a: Acc, b: Acc): void {
  a.epochs += b.epochs;
  a.work += b.work;
  a.revenue += b.revenue;
  a.posted += b.posted;
  a.refunded += b.refunded;
  a.fee += b.fee;
  a.allocated += b.allocated;
  a.claimed += b.claimed;
  a.unknown += b.unknown;
}

/** The period figures of an accumulator (settled figures gross, then fee and net). */
function figures(a: Acc): EconomicsFigures {
  const settled = a.posted - a.refunded;
  return {
    epochs: a.epochs,
    totalWorkUnits: a.work.toString(),
    totalRevenue: a.revenue.toString(),
    postedRevenue: a.posted.toString(),
    refunded: a.refunded.toString(),
    settledRevenue: settled.toString(),
    settledFee: a.fee.toString(),
    settledNet: (settled - a.fee).toString(),
    revenueBackedBps: ratioBps(settled > 0n ? settled : 0n, a.revenue, 10_000),
    payoutAllocated: a.unknown > 0 ? null : a.allocated.toString(),
    payoutClaimed: a.unknown > 0 ? null : a.claimed.toString(),
    payoutPayable: a.unknown > 0 ? null : (a.allocated - a.claimed).toString(),
  };
}

interface EpochPayout {
  allocated: bigint;
  claimed: bigint;
}

/**
 * DESIGN rule 7 per epoch under each network's latest payout root: a node's term for epoch e ≤
 * throughEpoch is floor(revenue_node,e × netPosted_e / totalRevenue_e), netPosted_e being the
 * epoch's settledNet plus bonds forfeited on it, as they stood when the root was posted;
 * payoutAllocated_e = Σ over nodes of that term. Claims (PayoutClaimed up to toBlock) are allocated
 * to a node's epochs oldest first; still payable = allocated − claimed. `perEpoch` is null when an
 * epoch's records are not at hand.
 */
function payoutAllocation(
  input: ReportInput,
  events: readonly ChainEvent[],
  state: ChainState,
  settled: Map<string, StatementSettlement>,
): { perEpoch: (networkId: number, epoch: number) => EpochPayout | null; forfeited: Map<string, bigint> } {
  const forfeited = new Map<string, bigint>();
  const add = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);
  for (const e of events) {
    if (e.contract === "RevenueLedger" && e.name === "BondForfeited") add(forfeited, epochKey(num(e, "networkId"), num(e, "epoch")), big(e, "amount"));
  }
  const result = new Map<string, EpochPayout | null>();
  for (const [networkId, roots] of state.payoutRoots) {
    const root = roots[roots.length - 1];
    const before = (e: ChainEvent) => e.blockNumber < root.blockNumber || (e.blockNumber === root.blockNumber && e.logIndex < root.logIndex);
    // netPosted_e as it stood when the root was posted
    const net = new Map<number, bigint>();
    for (const e of events) {
      if (!before(e)) break;
      if (e.contract !== "RevenueLedger" || e.args.networkId === undefined || num(e, "networkId") !== networkId) continue;
      if (e.name === "StatementCharged") {
        for (const p of settled.get(str(e, "chargeId"))?.posts ?? []) net.set(p.epoch, (net.get(p.epoch) ?? 0n) + p.amount - p.fee);
      } else if (e.name === "Refunded" || e.name === "BondForfeited") {
        const x = num(e, "epoch");
        net.set(x, (net.get(x) ?? 0n) + (e.name === "Refunded" ? -big(e, "amount") : big(e, "amount")));
      }
    }
    // each node's term per epoch (epochs ascending)
    const terms = new Map<string, { epoch: number; amount: bigint }[]>();
    let missing = false;
    for (let x = 0; x <= root.throughEpoch; x++) {
      const st = state.epochs.get(epochKey(networkId, x));
      const n = net.get(x) ?? 0n;
      if (!st || st.latest.stored === "voided" || st.latest.totalRevenue === 0n || n <= 0n) {
        result.set(epochKey(networkId, x), { allocated: 0n, claimed: 0n });
        continue;
      }
      const recs = input.records(networkId, x, st.latest.version);
      if (!recs) {
        result.set(epochKey(networkId, x), null);
        missing = true;
        continue;
      }
      let sum = 0n;
      for (const r of recs) {
        const t = (r.revenue * n) / st.latest.totalRevenue;
        sum += t;
        let list = terms.get(r.nodeId);
        if (!list) terms.set(r.nodeId, (list = []));
        list.push({ epoch: x, amount: t });
      }
      result.set(epochKey(networkId, x), { allocated: sum, claimed: 0n });
    }
    // claims, oldest epochs first
    const claimedByNode = new Map<string, bigint>();
    for (const e of events) {
      if (e.contract === "RevenueLedger" && e.name === "PayoutClaimed" && num(e, "networkId") === networkId) {
        const id = str(e, "nodeId").toLowerCase();
        claimedByNode.set(id, (claimedByNode.get(id) ?? 0n) + big(e, "amount"));
      }
    }
    if (missing) {
      for (let x = 0; x <= root.throughEpoch; x++) if (result.get(epochKey(networkId, x)) !== null) result.set(epochKey(networkId, x), null);
      continue;
    }
    for (const [nodeId, list] of terms) {
      let left = claimedByNode.get(nodeId.toLowerCase()) ?? 0n;
      for (const t of list) {
        if (left <= 0n) break;
        const take = left < t.amount ? left : t.amount;
        (result.get(epochKey(networkId, t.epoch)) as EpochPayout).claimed += take;
        left -= take;
      }
    }
  }
  return { perEpoch: (networkId, epoch) => (result.has(epochKey(networkId, epoch)) ? (result.get(epochKey(networkId, epoch)) as EpochPayout | null) : { allocated: 0n, claimed: 0n }), forfeited };
}
