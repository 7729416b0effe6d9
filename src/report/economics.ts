/**
 * Network economics (networks and investors): per network and epoch, from the latest version —
 * active nodes, work units, revenue, revenue per active node, utilisation, revenue concentration of
 * the top 10% of nodes, and how much of the signed revenue is backed by charges settled on chain.
 */
import type { ChainEvent } from "../chain/events";
import { ReportOptions, eventsUpTo, makeManifest, ratioBps, resolveParameters, tokenList } from "./common";
import type { ReportInput } from "./input";
import { big, epochKey, epochsInRange, num, replay, statusAt as statusOf } from "./state";
import type { EconomicsLine, EconomicsReport, NetworkEconomics } from "./types";
import { MissingRecordsError } from "./uptime";

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
 * less refunds against them (as of toBlock); revenueBackedBps = min(10000, floor(10000 ×
 * settledRevenue / totalRevenue)).
 * @throws MissingRecordsError when an epoch's records are unknown (unless allowMissingRecords)
 */
export function buildEconomicsReport(input: ReportInput, options: EconomicsOptions = {}): EconomicsReport {
  const parameters = resolveParameters(options);
  const events = eventsUpTo(input.events, input.toBlock);
  const state = replay(events);
  const posted = new Map<string, bigint>();
  const refunded = new Map<string, bigint>();
  for (const e of events as ChainEvent[]) {
    if (e.contract !== "RevenueLedger") continue;
    const target = e.name === "ChargePosted" ? posted : e.name === "Refunded" ? refunded : undefined;
    if (!target) continue;
    const k = epochKey(num(e, "networkId"), num(e, "epoch"));
    target.set(k, (target.get(k) ?? 0n) + big(e, "amount"));
  }

  const lines: EconomicsLine[] = [];
  const perNet = new Map<number, { epochs: number; work: bigint; revenue: bigint; settled: bigint }>();
  for (const st of epochsInRange(state, input.fromBlock, parameters)) {
    const v = st.latest;
    const net = state.networks.get(v.networkId);
    const capacity = net?.capacityPerNode ?? 0n;
    const k = epochKey(v.networkId, v.epoch);
    const p = posted.get(k) ?? 0n;
    const r = refunded.get(k) ?? 0n;
    const settled = p - r;
    const active = BigInt(v.activeNodes);
    const topNodes = topNodeCount(v.recordCount);
    let topRevenue: bigint | null = 0n;
    if (v.recordCount > 0) {
      const records = input.records(v.networkId, v.epoch, v.version);
      if (!records && !options.allowMissingRecords) throw new MissingRecordsError(v.networkId, v.epoch, v.version);
      topRevenue = records ? topSum(records.map((x) => x.revenue), topNodes) : null;
    }
    lines.push({
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
      revenueBackedBps: ratioBps(settled > 0n ? settled : 0n, v.totalRevenue, 10_000),
      root: v.root,
      evidence: v.evidence,
    });
    let agg = perNet.get(v.networkId);
    if (!agg) perNet.set(v.networkId, (agg = { epochs: 0, work: 0n, revenue: 0n, settled: 0n }));
    agg.epochs++;
    agg.work += v.totalWorkUnits;
    agg.revenue += v.totalRevenue;
    agg.settled += settled;
  }

  const networks: NetworkEconomics[] = [...perNet.entries()]
    .sort(([a], [b]) => a - b)
    .map(([networkId, a]) => ({
      networkId,
      epochs: a.epochs,
      totalWorkUnits: a.work.toString(),
      totalRevenue: a.revenue.toString(),
      settledRevenue: a.settled.toString(),
      revenueBackedBps: ratioBps(a.settled > 0n ? a.settled : 0n, a.revenue, 10_000),
    }));
  const work = networks.reduce((s, n) => s + BigInt(n.totalWorkUnits), 0n);
  const revenue = networks.reduce((s, n) => s + BigInt(n.totalRevenue), 0n);
  const settled = networks.reduce((s, n) => s + BigInt(n.settledRevenue), 0n);
  const tokens = new Set<string>();
  for (const n of networks) {
    const t = state.networks.get(n.networkId)?.token;
    if (t) tokens.add(t);
  }
  return {
    kind: "economics",
    manifest: makeManifest(input, options.generatedAt),
    parameters,
    tokens: tokenList(input, tokens),
    totals: {
      epochs: lines.length,
      totalWorkUnits: work.toString(),
      totalRevenue: revenue.toString(),
      settledRevenue: settled.toString(),
      revenueBackedBps: ratioBps(settled > 0n ? settled : 0n, revenue, 10_000),
      networks,
    },
    lines,
  };
}
