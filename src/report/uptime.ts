/**
 * Uptime / SLA report (insurer): one line per node and epoch from the epoch's latest version, with
 * the exact Merkle leaf, its proof and root, the SLA target, breach and credit tier; per network the
 * period's uptime and incident windows (consecutive breached epochs of a node, UTC start and end).
 */
import { WorkLedgerError } from "../errors";
import type { WorkRecord } from "../records/types";
import { ReportOptions, creditFor, eventsUpTo, makeManifest, resolveParameters, resolveSla, tokenList } from "./common";
import type { ReportInput } from "./input";
import { LabelUse } from "./labels";
import { EpochTree, buildEpochTreeSync } from "../merkle";
import { EpochState, NetworkInfo, blockTime, epochsInRange, isoUtc, replay, statusAt } from "./state";
import type { EpochRef, IncidentWindow, NetworkUptime, RecordJson, UptimeLine, UptimeReport } from "./types";

/** The records of an epoch version are needed but unknown (no bundle imported for it). */
export class MissingRecordsError extends WorkLedgerError {
  override name = "MissingRecordsError";
  constructor(networkId: number, epoch: number, version: number) {
    super(`records of network ${networkId} epoch ${epoch} version ${version} are not available`, {
      code: "E_RECORDS_MISSING",
      details: "import the epoch's bundle (workledger sync --bundles DIR) or pass --bundles",
    });
  }
}

/** A record as report JSON. */
export function recordJson(r: WorkRecord): RecordJson {
  return {
    nodeId: r.nodeId,
    epoch: Number(r.epoch),
    workUnits: r.workUnits.toString(),
    uptimeBps: r.uptimeBps,
    revenue: r.revenue.toString(),
    evidence: r.evidence,
  };
}

/** Records of an epoch's latest version, and their tree. */
export function epochRecords(input: ReportInput, st: EpochState): { records: WorkRecord[]; tree: EpochTree } {
  const v = st.latest;
  const records = v.recordCount === 0 ? [] : input.records(v.networkId, v.epoch, v.version);
  if (!records) throw new MissingRecordsError(v.networkId, v.epoch, v.version);
  const tree = input.trees?.(v.networkId, v.epoch, v.version) ?? buildEpochTreeSync(records);
  return { records, tree };
}

/** Indices of `records` ordered by nodeId. */
export function byNodeId(records: readonly WorkRecord[]): number[] {
  const idx = Array.from({ length: records.length }, (_, i) => i);
  let sorted = true;
  for (let i = 1; i < records.length && sorted; i++) sorted = records[i - 1].nodeId <= records[i].nodeId;
  if (sorted) return idx;
  // The first 4 bytes as a number decide almost every comparison; ties fall back to the full id.
  const keys = new Float64Array(records.length);
  for (let i = 0; i < records.length; i++) keys[i] = parseInt(records[i].nodeId.slice(2, 10), 16);
  return idx.sort((a, b) => keys[a] - keys[b] || (records[a].nodeId < records[b].nodeId ? -1 : records[a].nodeId > records[b].nodeId ? 1 : 0));
}

export function epochTimes(net: NetworkInfo | undefined, epoch: number): { start: string; end: string } {
  const g = net?.genesisTime ?? 0;
  const s = net?.epochSeconds ?? 0;
  return { start: isoUtc(g + epoch * s), end: isoUtc(g + (epoch + 1) * s) };
}

/**
 * Builds the uptime/SLA report over `input`'s block range: the epochs first committed in the
 * range (narrowed by `networkId`, `fromEpoch`, `toEpoch`), each from its latest version.
 * @param options `slaBps` (default 9990) and `creditTiers` (default AWS-style) set breach and credit
 * @throws MissingRecordsError when an epoch's records are not in `input.records`
 */
export function buildUptimeReport(input: ReportInput, options: ReportOptions = {}): UptimeReport {
  const parameters = resolveParameters(options);
  const sla = resolveSla(options);
  const labels = new LabelUse(options.labels);
  const state = replay(eventsUpTo(input.events, input.toBlock));
  const epochs = epochsInRange(state, input.fromBlock, parameters);
  const lines: UptimeLine[] = [];
  const refs: EpochRef[] = [];
  const perNetwork = new Map<number, { n: NetworkUptime; sum: number; finalSum: number; finalRecords: number }>();
  const open = new Map<string, IncidentWindow>(); // networkId|nodeId -> window still open
  const incidents = new Map<number, IncidentWindow[]>();

  for (const st of epochs) {
    const v = st.latest;
    const status = statusAt(v, input.toBlockTimestamp);
    const net = state.networks.get(v.networkId);
    const times = epochTimes(net, v.epoch);
    const timestamp = blockTime(input, v.evidence.blockNumber);
    refs.push({
      networkId: v.networkId,
      epoch: v.epoch,
      version: v.version,
      root: v.root,
      recordCount: v.recordCount,
      status,
      startTime: times.start,
      endTime: times.end,
      timestamp,
      evidence: v.evidence,
    });
    let agg = perNetwork.get(v.networkId);
    if (!agg) {
      agg = {
        n: { networkId: v.networkId, epochs: 0, finalEpochs: 0, records: 0, uptimeBps: null, settledUptimeBps: null, breaches: 0, incidents: [] },
        sum: 0,
        finalSum: 0,
        finalRecords: 0,
      };
      perNetwork.set(v.networkId, agg);
      incidents.set(v.networkId, []);
    }
    agg.n.epochs++;
    if (status === "final") agg.n.finalEpochs++;
    const { records, tree } = epochRecords(input, st);
    const counted = status !== "voided";
    for (const i of byNodeId(records)) {
      const r = records[i];
      const breach = r.uptimeBps < sla.slaBps;
      const credit = creditFor(r.uptimeBps, sla.creditTiers);
      const line: UptimeLine = {
        networkId: v.networkId,
        nodeId: r.nodeId,
        epoch: v.epoch,
        version: v.version,
        status,
        uptimeBps: r.uptimeBps,
        slaBps: sla.slaBps,
        breach,
        creditBps: credit,
        record: recordJson(r),
        root: v.root,
        proof: tree.proof(i),
        timestamp,
        evidence: v.evidence,
      };
      lines.push(labels.tag(line, r.nodeId));
      if (!counted) continue;
      agg.n.records++;
      agg.sum += r.uptimeBps;
      if (status === "final") {
        agg.finalRecords++;
        agg.finalSum += r.uptimeBps;
      }
      if (!breach) continue;
      agg.n.breaches++;
      const key = `${v.networkId}|${r.nodeId}`;
      const w = open.get(key);
      if (w && w.toEpoch === v.epoch - 1) {
        w.toEpoch = v.epoch;
        w.epochs++;
        w.end = times.end;
        w.worstUptimeBps = Math.min(w.worstUptimeBps, r.uptimeBps);
        w.creditBps = Math.max(w.creditBps, credit);
        w.settled = w.settled && status === "final";
        if (status !== "final") w.pendingEpochs.push(v.epoch);
      } else {
        const nw: IncidentWindow = {
          networkId: v.networkId,
          nodeId: r.nodeId,
          fromEpoch: v.epoch,
          toEpoch: v.epoch,
          epochs: 1,
          start: times.start,
          end: times.end,
          worstUptimeBps: r.uptimeBps,
          creditBps: credit,
          settled: status === "final",
          pendingEpochs: status === "final" ? [] : [v.epoch],
        };
        labels.tag(nw, r.nodeId);
        open.set(key, nw);
        incidents.get(v.networkId)!.push(nw);
      }
    }
  }

  const networks = [...perNetwork.values()]
    .sort((a, b) => a.n.networkId - b.n.networkId)
    .map((a) => labels.tag({
      ...a.n,
      uptimeBps: a.n.records > 0 ? Math.floor(a.sum / a.n.records) : null,
      settledUptimeBps: a.finalRecords > 0 ? Math.floor(a.finalSum / a.finalRecords) : null,
      incidents: incidents
        .get(a.n.networkId)!
        .sort((x, y) => (x.nodeId < y.nodeId ? -1 : x.nodeId > y.nodeId ? 1 : x.fromEpoch - y.fromEpoch)),
    }, a.n.networkId));

  const tokens = new Set<string>();
  for (const n of networks) {
    const t = state.networks.get(n.networkId)?.token;
    if (t) tokens.add(t);
  }
  const used = labels.list();
  return {
    kind: "uptime",
    manifest: makeManifest(input, options.generatedAt, sla),
    parameters,
    tokens: tokenList(input, tokens),
    ...(used ? { labels: used } : {}),
    totals: { epochs: refs, networks, lines: lines.length, breaches: networks.reduce((s, n) => s + n.breaches, 0) },
    lines,
  };
}
