/**
 * Network economics (networks and investors): per network and epoch, from the latest version —
 * active nodes, work units, revenue, revenue per active node, utilisation, revenue concentration of
 * the top 10% of nodes, and how much of the signed revenue is backed by charges settled on chain.
 */
import { ReportOptions, eventsUpTo, makeManifest, ratioBps, resolveParameters, tokenList } from "./common";
import type { ReportInput } from "./input";
import { LabelUse } from "./labels";
import { big, blockTime, epochKey, epochsInRange, num, replay, statusAt as statusOf } from "./state";
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
 * @throws MissingRecordsError when an epoch's records are unknown (unless allowMissingRecords)
 */
export function buildEconomicsReport(input: ReportInput, options: EconomicsOptions = {}): EconomicsReport {
  const parameters = resolveParameters(options);
  const labels = new LabelUse(options.labels);
  const events = eventsUpTo(input.events, input.toBlock);
  const state = replay(events);
  const posted = new Map<string, bigint>(); // gross: amount + fee
  const fees = new Map<string, bigint>();
  const refunded = new Map<string, bigint>();
  const add = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);
  for (const e of events) {
    if (e.contract !== "RevenueLedger") continue;
    if (e.name !== "ChargePosted" && e.name !== "Refunded") continue;
    const k = epochKey(num(e, "networkId"), num(e, "epoch"));
    if (e.name === "Refunded") add(refunded, k, big(e, "amount"));
    else {
      add(posted, k, big(e, "amount") + big(e, "fee"));
      add(fees, k, big(e, "fee"));
    }
  }

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
      startTime: times.start,
      endTime: times.end,
      root: v.root,
      timestamp: blockTime(input, v.evidence.blockNumber),
      evidence: v.evidence,
    };
    lines.push(labels.tag(line, v.networkId));
    let agg = perNet.get(v.networkId);
    if (!agg) perNet.set(v.networkId, (agg = zero()));
    accumulate(agg, { epochs: 1, work: v.totalWorkUnits, revenue: v.totalRevenue, posted: p, refunded: r, fee });
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
}

function zero(): Acc {
  return { epochs: 0, work: 0n, revenue: 0n, posted: 0n, refunded: 0n, fee: 0n };
}

function accumulate(a: Acc, b: Acc): void {
  a.epochs += b.epochs;
  a.work += b.work;
  a.revenue += b.revenue;
  a.posted += b.posted;
  a.refunded += b.refunded;
  a.fee += b.fee;
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
  };
}
