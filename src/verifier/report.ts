/**
 * verifyReport: re-derives a report from the chain alone (logs and state at the manifest's block
 * range, never a local index) and compares every figure and every line, in order. Uptime lines are
 * checked by their Merkle proofs against the on-chain roots (and `verifyRecord`), and counted against
 * each epoch's on-chain recordCount, so no bundle is needed.
 */
import { Contract, getAddress, Provider } from "ethers";

import type { WorkRecord } from "../records/types";
import { buildReport } from "../report/build";
import { optionsFromReport, resolveSla } from "../report/common";
import { firstBlockAtOrAfter, periodEnd, periodStart } from "../report/dates";
import { DocumentFormat, embeddedReport, htmlRenderingDifferences, pdfRenderingDifferences, sniffFormat } from "../report/embedded";
import { topNodeCount } from "../report/economics";
import { reportInputFromChain } from "../report/fromChain";
import type { RecordSource, UsageSource } from "../report/input";
import { BundleLike, buildEpochTree, epochFromBundle, EpochTree, ProofCheck, verifyRecordProofs } from "../merkle";
import { epochKey, epochsInRange, replay, statusAt } from "../report/state";
import type { EconomicsReport, Report, SpendReport, UptimeReport } from "../report/types";
import { UsageBundleLike, firstUsageSource, usageSourceFromBundles, usageSourceFromSpendLines } from "../report/usageSource";

export interface VerifyReportResult {
  ok: boolean;
  differences: string[];
  /** Figures that cannot be re-derived from the chain alone (e.g. concentration without bundles). */
  unchecked?: string[];
}

export interface VerifyReportOptions {
  /** Records of epochs (e.g. bundles), used for economics concentration figures. */
  records?: RecordSource;
  /** Epoch bundles at hand (e.g. `verify --bundles DIR`): an epoch's records are taken from the bundle
   * whose root is that epoch's on-chain root, for the economics concentration figures. */
  bundles?: readonly (BundleLike & UsageBundleLike)[];
  /** Usage leaves behind statements (e.g. from an index); each is still checked against the chain. */
  usage?: UsageSource;
  /** At most this many uptime lines per epoch are also checked with the on-chain verifyRecord view. */
  onChainChecksPerEpoch?: number;
  /** Stop collecting after this many differences. */
  maxDifferences?: number;
}

const WORK_LEDGER_ABI = [
  "function epochStatus(uint256 networkId, uint64 epoch) view returns (uint8 status, uint32 version)",
  "function verifyRecord(uint256 networkId, uint64 epoch, (bytes32 nodeId, uint64 epoch, uint64 workUnits, uint16 uptimeBps, uint128 revenue, bytes32 evidence) record, bytes32[] proof) view returns (bool)",
];
const REVENUE_LEDGER_ABI = [
  "function workLedger() view returns (address)",
  "function customer(uint256 networkId, address account) view returns (uint256 escrow, uint256 thawing, uint64 thawReadyAt, uint256 runwayThreshold)",
];
const STATUS_NAMES = ["none", "pending", "challenged", "final", "voided"];

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? "undefined" : s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** Appends to `out` every difference between `claimed` (the report) and `derived` (the chain). */
export function diffJson(claimed: unknown, derived: unknown, path: string, out: string[], max: number): void {
  if (out.length >= max) return;
  if (Array.isArray(derived) || Array.isArray(claimed)) {
    if (!Array.isArray(derived) || !Array.isArray(claimed)) {
      out.push(`${path}: report has ${show(claimed)}, chain gives ${show(derived)}`);
      return;
    }
    if (claimed.length !== derived.length) out.push(`${path}: report has ${claimed.length} items, chain gives ${derived.length}`);
    const n = Math.min(claimed.length, derived.length);
    for (let i = 0; i < n && out.length < max; i++) diffJson(claimed[i], derived[i], `${path}[${i}]`, out, max);
    return;
  }
  if (derived !== null && typeof derived === "object") {
    if (claimed === null || typeof claimed !== "object") {
      out.push(`${path}: report has ${show(claimed)}, chain gives ${show(derived)}`);
      return;
    }
    const c = claimed as Record<string, unknown>;
    const d = derived as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(d), ...Object.keys(c)])];
    for (const k of keys) {
      if (out.length >= max) return;
      if (!(k in c)) out.push(`${path}.${k}: missing from the report (chain gives ${show(d[k])})`);
      else if (!(k in d)) out.push(`${path}.${k}: not derivable from the chain (report has ${show(c[k])})`);
      else diffJson(c[k], d[k], `${path}.${k}`, out, max);
    }
    return;
  }
  if (claimed !== derived) out.push(`${path}: report has ${show(claimed)}, chain gives ${show(derived)}`);
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

/** A report line's record as a WorkRecord; throws unless every field is in its ABI type's range. */
function toRecord(r: UptimeReport["lines"][number]["record"]): WorkRecord {
  const u = Number(r.uptimeBps);
  const inRange = (v: unknown, bits: bigint) => typeof v === "string" && /^\d+$/.test(v) && BigInt(v) < 1n << bits;
  if (!HEX32.test(String(r.nodeId)) || !HEX32.test(String(r.evidence)) || !Number.isInteger(u) || u < 0 || u > 10_000) throw new Error("bad record");
  if (!Number.isSafeInteger(r.epoch) || r.epoch < 0 || !inRange(r.workUnits, 64n) || !inRange(r.revenue, 128n)) throw new Error("bad record");
  return {
    nodeId: String(r.nodeId).toLowerCase(),
    epoch: BigInt(r.epoch),
    workUnits: BigInt(r.workUnits),
    uptimeBps: Number(r.uptimeBps),
    revenue: BigInt(r.revenue),
    evidence: String(r.evidence).toLowerCase(),
  };
}

/**
 * Verifies a report file as people pass it around: the JSON itself, a PDF (its attached
 * `<kind>.json`) or an HTML page (its `<script id="workledger-report">`). For a PDF or HTML, the
 * document must show exactly what its embedded JSON renders (re-rendered here and compared, so a
 * visible total that differs from the JSON is caught), and the JSON must match the chain.
 * @returns the report (when one was found), its format, and every difference
 * @example
 * const { ok, differences } = await verifyReportDocument(fs.readFileSync("spend.pdf"), provider);
 */
export async function verifyReportDocument(
  bytes: Buffer,
  provider: Provider,
  options: VerifyReportOptions & { format?: DocumentFormat } = {},
): Promise<VerifyReportResult & { format: DocumentFormat; report?: Report }> {
  const format = options.format ?? sniffFormat(bytes);
  const found = embeddedReport(bytes, format);
  if ("error" in found) return { ok: false, differences: [`${format}: ${found.error}`], format };
  const visible = format === "pdf" ? await pdfRenderingDifferences(bytes, found.report) : format === "html" ? await htmlRenderingDifferences(bytes.toString("utf8"), found.report) : [];
  const chain = await verifyReport(found.report, provider, options);
  const differences = [...visible, ...chain.differences];
  return { ...chain, ok: differences.length === 0, differences, format, report: found.report };
}

type ReportInputEvents = Parameters<typeof replay>[0];

/** Records of the epochs whose on-chain root (from `events`) is the root of one of `bundles`. */
function bundleSource(bundles: readonly BundleLike[], events: () => ReportInputEvents): RecordSource {
  if (bundles.length === 0) return () => undefined;
  const byRoot = new Map(bundles.map((b) => [b.root.toLowerCase(), b]));
  let roots: Map<string, string> | undefined;
  return (n, e, v) => {
    if (!roots) {
      roots = new Map();
      for (const st of replay(events()).epochs.values()) roots.set(`${st.networkId}:${st.epoch}:${st.latest.version}`, st.latest.root.toLowerCase());
    }
    const b = byRoot.get(roots.get(`${n}:${e}:${v}`) ?? "");
    return b && b.recordCount > 0 ? epochFromBundle(b).records : undefined;
  };
}

/** When the report was asked by date, its block range must be exactly what the dates resolve to. */
async function checkDates(report: Report, provider: Provider, differences: string[]): Promise<void> {
  const p = report.parameters ?? ({} as Report["parameters"]);
  const m = report.manifest;
  const ts = async (b: number) => (await provider.getBlock(b))?.timestamp;
  if (p.fromDate) {
    const start = periodStart(p.fromDate);
    const at = await ts(m.fromBlock);
    const before = m.fromBlock > 0 ? await ts(m.fromBlock - 1) : undefined;
    if (Number.isNaN(start) || at === undefined || at < start || (before !== undefined && before >= start)) {
      differences.push(`parameters.fromDate: ${p.fromDate} resolves to block ${Number.isNaN(start) ? "?" : await firstBlockAtOrAfter(provider, start, 0, m.toBlock)}, the report starts at block ${m.fromBlock}`);
    }
  }
  if (p.toDate) {
    const end = periodEnd(p.toDate);
    const at = await ts(m.toBlock);
    const after = await ts(m.toBlock + 1);
    if (Number.isNaN(end) || at === undefined || at >= end || (after !== undefined && after < end)) {
      differences.push(`parameters.toDate: ${p.toDate} does not end at block ${m.toBlock} (the last block before ${Number.isNaN(end) ? "?" : new Date(end * 1000).toISOString()})`);
    }
  }
}

/**
 * Re-derives `report` from the chain behind `provider` and lists every difference.
 * @returns ok only when chain, contracts, block and every figure and line match
 * @example
 * const { ok, differences } = await verifyReport(JSON.parse(fs.readFileSync("uptime.json", "utf8")), provider);
 */
export async function verifyReport(report: Report, provider: Provider, options: VerifyReportOptions = {}): Promise<VerifyReportResult> {
  try {
    return await verifyReportUnsafe(report, provider, options);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) {
      return { ok: false, differences: [`report: malformed (${e.message})`] };
    }
    throw e;
  }
}

async function verifyReportUnsafe(report: Report, provider: Provider, options: VerifyReportOptions): Promise<VerifyReportResult> {
  const max = options.maxDifferences ?? 500;
  const differences: string[] = [];
  const unchecked: string[] = [];
  const m = report?.manifest;
  if (!m || typeof m !== "object") return { ok: false, differences: ["manifest: missing"] };
  if (!["spend", "uptime", "economics", "journal"].includes(report.kind)) return { ok: false, differences: [`kind: unknown report kind ${show(report.kind)}`] };

  // 1. The chain, the contracts and the block.
  const chainId = Number((await provider.getNetwork()).chainId);
  if (m.chainId !== chainId) return { ok: false, differences: [`manifest.chainId: report has ${show(m.chainId)}, the provider's chain is ${chainId}`] };
  if (!Number.isSafeInteger(m.toBlock) || !Number.isSafeInteger(m.fromBlock) || m.fromBlock < 0 || m.fromBlock > m.toBlock) {
    return { ok: false, differences: [`manifest: invalid block range ${show(m.fromBlock)}..${show(m.toBlock)}`] };
  }
  const head = await provider.getBlockNumber();
  if (m.toBlock > head) return { ok: false, differences: [`manifest.toBlock: ${m.toBlock} is beyond the chain head ${head}`] };
  const block = await provider.getBlock(m.toBlock);
  if (!block?.hash || block.hash.toLowerCase() !== String(m.toBlockHash).toLowerCase()) {
    return { ok: false, differences: [`manifest.toBlockHash: report has ${show(m.toBlockHash)}, block ${m.toBlock} is ${show(block?.hash)}`] };
  }
  let ledger: string;
  let revenueLedger: string;
  try {
    ledger = getAddress(m.ledger);
    revenueLedger = getAddress(m.revenueLedger);
  } catch {
    return { ok: false, differences: [`manifest: invalid contract addresses ${show(m.ledger)}, ${show(m.revenueLedger)}`] };
  }
  for (const [field, a] of [["ledger", ledger], ["revenueLedger", revenueLedger]] as const) {
    if ((await provider.getCode(a, m.toBlock)) === "0x") return { ok: false, differences: [`manifest.${field}: no contract at ${a} at block ${m.toBlock}`] };
  }
  const rl = new Contract(revenueLedger, REVENUE_LEDGER_ABI, provider);
  const wl = new Contract(ledger, WORK_LEDGER_ABI, provider);
  try {
    const linked = getAddress(await rl.workLedger({ blockTag: m.toBlock }));
    if (linked !== ledger) return { ok: false, differences: [`manifest.revenueLedger: ${revenueLedger} reads epochs from ${linked}, not from ledger ${ledger}`] };
  } catch {
    return { ok: false, differences: [`manifest.revenueLedger: ${revenueLedger} is not a RevenueLedger`] };
  }
  if (typeof m.tool !== "string" || !m.tool.startsWith("workledger@")) differences.push(`manifest.tool: ${show(m.tool)} is not workledger@x.y.z`);

  // 2. Records claimed by uptime lines, grouped per epoch version, in line order.
  const claimed = new Map<string, WorkRecord[]>();
  const lines = Array.isArray(report.lines) ? report.lines : [];
  if (report.kind === "uptime") {
    for (const l of lines as UptimeReport["lines"]) {
      try {
        const k = `${l.networkId}:${l.epoch}:${l.version}`;
        let list = claimed.get(k);
        if (!list) claimed.set(k, (list = []));
        list.push(toRecord(l.record));
      } catch {
        differences.push(`lines: a line with an unreadable record (${show(l?.record)})`);
      }
    }
  }
  const trees = new Map<string, EpochTree>();
  for (const [k, recs] of claimed) trees.set(k, await buildEpochTree(recs));
  // Bundles count only where their root is the epoch's on-chain root (read once the events are in).
  const eventsRef: { events?: ReportInputEvents } = {};
  const bundleRecords = bundleSource(options.bundles ?? [], () => eventsRef.events ?? []);
  const records: RecordSource =
    report.kind === "uptime" ? (n, e, v) => claimed.get(`${n}:${e}:${v}`) ?? [] : (n, e, v) => options.records?.(n, e, v) ?? bundleRecords(n, e, v);

  // 3. Rebuild from the chain.
  const input = await reportInputFromChain(provider, {
    ledger,
    revenueLedger,
    fromBlock: m.fromBlock,
    toBlock: m.toBlock,
    records,
    trees: (n, e, v) => trees.get(`${n}:${e}:${v}`),
    // Usage leaves behind statements: bundles at hand, then the charge lines' own leaves and proofs;
    // either way a leaf counts only if its proof leads to the on-chain usage root and the leaves
    // hash to the statement's signed usageHash (report/statements.ts).
    usage: firstUsageSource(
      options.usage,
      options.bundles?.length ? usageSourceFromBundles(options.bundles) : undefined,
      report.kind === "spend" ? usageSourceFromSpendLines(lines as SpendReport["lines"]) : undefined,
    ),
  });
  // The SLA terms an uptime report applied: well-formed, and applied to every line (the rebuild below).
  if (report.kind === "uptime") {
    try {
      const sla = resolveSla({ slaBps: m.sla?.slaBps, creditTiers: m.sla?.creditTiers });
      if (!m.sla) differences.push("manifest.sla: missing (an uptime report records the SLA terms it applied)");
      else if (JSON.stringify(sla) !== JSON.stringify({ slaBps: m.sla.slaBps, creditTiers: m.sla.creditTiers })) differences.push(`manifest.sla: credit tiers are not sorted by threshold, descending`);
    } catch (e) {
      return { ok: false, differences: [...differences, `manifest.sla: ${(e as Error).message.split("\n")[0]}`] };
    }
  }
  // A period asked by date: the block range is the one the dates resolve to.
  await checkDates(report, provider, differences);
  eventsRef.events = input.events;
  let rebuilt: Report;
  try {
    const opts = { ...optionsFromReport(report), generatedAt: m.generatedAt, allowMissingRecords: true };
    rebuilt = buildReport(report.kind, input, opts);
  } catch (e) {
    return { ok: false, differences: [...differences, `parameters: the report cannot be rebuilt with its parameters (${(e as Error).message})`] };
  }

  // 4. Uptime: every epoch's records hash to its on-chain root, their count is its recordCount,
  //    each line's proof verifies against that root, and verifyRecord agrees on chain.
  const state = replay(input.events);
  if (report.kind === "uptime") {
    const epochs = epochsInRange(state, m.fromBlock, report.parameters);
    for (const st of epochs) {
      const v = st.latest;
      const k = `${v.networkId}:${v.epoch}:${v.version}`;
      const recs = claimed.get(k) ?? [];
      if (recs.length !== v.recordCount) differences.push(`epoch ${v.networkId}/${v.epoch} v${v.version}: report has ${recs.length} lines, on-chain recordCount is ${v.recordCount}`);
      const root = trees.get(k)?.root ?? `0x${"0".repeat(64)}`;
      if (recs.length > 0 && root !== v.root) differences.push(`epoch ${v.networkId}/${v.epoch} v${v.version}: the report's records hash to ${root}, the on-chain root is ${v.root}`);
      const [onStatus, onVersion] = (await wl.epochStatus(v.networkId, v.epoch, { blockTag: m.toBlock })) as [bigint, bigint];
      const derived = statusAt(v, input.toBlockTimestamp);
      if (STATUS_NAMES[Number(onStatus)] !== derived || Number(onVersion) !== v.version) {
        differences.push(`epoch ${v.networkId}/${v.epoch}: on-chain status is ${STATUS_NAMES[Number(onStatus)]} v${onVersion}, events give ${derived} v${v.version}`);
      }
    }
    const known = new Set(epochs.map((st) => `${st.latest.networkId}:${st.latest.epoch}:${st.latest.version}`));
    for (const k of claimed.keys()) if (!known.has(k)) differences.push(`lines: epoch version ${k} is not an epoch of this report on chain`);
    // every line's proof, offline, in one batch (lines of an epoch share their upper nodes)
    const uptimeLines = (report).lines;
    const recs: (WorkRecord | null)[] = new Array(lines.length).fill(null);
    const checks: ProofCheck[] = [];
    const checkOf = new Int32Array(lines.length).fill(-1);
    for (let i = 0; i < lines.length; i++) {
      const l = uptimeLines[i];
      const st = state.epochs.get(epochKey(l.networkId, l.epoch));
      if (!st) continue;
      try {
        recs[i] = toRecord(l.record);
      } catch {
        continue;
      }
      checkOf[i] = checks.length;
      checks.push({ record: recs[i] as WorkRecord, proof: l.proof, root: st.latest.root });
    }
    const provedAll = await verifyRecordProofs(checks);
    const perEpoch = new Map<string, number>();
    const limit = options.onChainChecksPerEpoch ?? 32;
    for (let i = 0; i < lines.length && differences.length < max; i++) {
      const l = uptimeLines[i];
      const st = state.epochs.get(epochKey(l.networkId, l.epoch));
      const rec = recs[i];
      if (!st || !rec) continue;
      const leaf = [rec.nodeId, rec.epoch, rec.workUnits, rec.uptimeBps, rec.revenue, rec.evidence];
      const proved = provedAll[checkOf[i]];
      if (!proved) differences.push(`lines[${i}].proof: does not prove the record against the on-chain root ${st.latest.root}`);
      const k = epochKey(l.networkId, l.epoch);
      const done = perEpoch.get(k) ?? 0;
      // verifyRecord accepts records of Final epochs only (pending ones are checked by their proofs above).
      if (done < limit && statusAt(st.latest, input.toBlockTimestamp) === "final" && Array.isArray(l.proof)) {
        perEpoch.set(k, done + 1);
        let ok: boolean;
        try {
          ok = await wl.verifyRecord(l.networkId, l.epoch, leaf, l.proof, { blockTag: m.toBlock });
        } catch {
          ok = false;
        }
        if (!ok) differences.push(`lines[${i}]: verifyRecord on chain rejects the record of node ${l.nodeId}`);
      }
    }
  }

  // 5. Economics without records: concentration is checked for consistency only.
  if (report.kind === "economics") {
    const r = report;
    const d = rebuilt as EconomicsReport;
    for (let i = 0; i < d.lines.length && i < r.lines.length; i++) {
      if (d.lines[i].topNodesRevenue !== null) continue;
      const c = r.lines[i];
      d.lines[i].topNodesRevenue = c.topNodesRevenue;
      d.lines[i].concentrationBps = c.concentrationBps;
      try {
        const top = BigInt(c.topNodesRevenue ?? "-1");
        const total = BigInt(d.lines[i].totalRevenue);
        const count = BigInt(d.lines[i].recordCount);
        const k = BigInt(topNodeCount(d.lines[i].recordCount));
        const expectBps = total === 0n ? null : Number((10_000n * top) / total);
        // The top k of n records earn at least k/n of the total and at most all of it.
        if (top < 0n || top > total || top * count < total * k || c.concentrationBps !== expectBps) {
          differences.push(`lines[${i}].concentrationBps: ${show(c.concentrationBps)} with topNodesRevenue ${show(c.topNodesRevenue)} is impossible for totalRevenue ${total}`);
        }
      } catch {
        differences.push(`lines[${i}].topNodesRevenue: not an integer (${show(c.topNodesRevenue)})`);
      }
      unchecked.push(`lines[${i}].topNodesRevenue: needs the records of epoch ${d.lines[i].networkId}/${d.lines[i].epoch} (pass records) to be re-derived`);
    }
  }

  // 5b. Economics: a statement that cannot be split per epoch without its usage leaves (no bundles)
  //     leaves the per-epoch settled figures of its network unchecked (the network's totals still
  //     are); payout allocation needs the records (bundles) like concentration.
  if (report.kind === "economics") {
    const r = report;
    const d = rebuilt as EconomicsReport;
    const unprovenNets = new Set(d.lines.filter((l) => !l.settlementProven).map((l) => l.networkId));
    // What the chain alone fixes for such a network: Σ posted and Σ fee over its lines, refunds per
    // epoch, and each line's own arithmetic.
    const sums = new Map<number, { posted: bigint; fee: bigint; claimedPosted: bigint; claimedFee: bigint }>();
    for (let i = 0; i < d.lines.length && i < r.lines.length; i++) {
      const dl = d.lines[i];
      const cl = r.lines[i];
      if (unprovenNets.has(dl.networkId) && cl.networkId === dl.networkId && cl.epoch === dl.epoch && cl.settlementProven === true) {
        let sum = sums.get(dl.networkId);
        if (!sum) sums.set(dl.networkId, (sum = { posted: 0n, fee: 0n, claimedPosted: 0n, claimedFee: 0n }));
        try {
          const [posted, refunded, settled, fee, net] = [cl.postedRevenue, cl.refunded, cl.settledRevenue, cl.settledFee, cl.settledNet].map((x) => BigInt(x));
          sum.posted += BigInt(dl.postedRevenue);
          sum.fee += BigInt(dl.settledFee);
          sum.claimedPosted += posted;
          sum.claimedFee += fee;
          const total = BigInt(dl.totalRevenue);
          const backed = total === 0n ? null : Number((settled > 0n ? (10_000n * settled) / total : 0n) > 10_000n ? 10_000n : settled > 0n ? (10_000n * settled) / total : 0n);
          if (settled !== posted - refunded || net !== settled - fee || fee < 0n || fee > posted || cl.revenueBackedBps !== backed) {
            differences.push(`lines[${i}]: settled figures do not add up (posted ${posted} − refunded ${refunded} = settledRevenue ${settled}; − settledFee ${fee} = settledNet ${net}; revenueBackedBps ${show(cl.revenueBackedBps)})`);
          }
        } catch {
          differences.push(`lines[${i}]: settled figures are not integers`);
        }
        for (const f of ["postedRevenue", "settledRevenue", "settledFee", "settledNet", "revenueBackedBps", "settlementProven"] as const) (dl as unknown as Record<string, unknown>)[f] = cl[f];
        unchecked.push(`lines[${i}].settledRevenue: needs the usage leaves of the statements of network ${dl.networkId} (pass bundles) to be split per epoch`);
      }
    }
    for (const [networkId, sum] of sums) {
      if (sum.posted !== sum.claimedPosted || sum.fee !== sum.claimedFee) {
        differences.push(`network ${networkId}: the lines post ${sum.claimedPosted} (fee ${sum.claimedFee}), the chain's statements ${sum.posted} (fee ${sum.fee})`);
      }
    }
    for (let i = 0; i < d.lines.length && i < r.lines.length; i++) {
      const dl = d.lines[i];
      const cl = r.lines[i];
      const payoutUnknown = dl.payoutAllocated === null || unprovenNets.has(dl.networkId);
      if (payoutUnknown && cl.networkId === dl.networkId && cl.epoch === dl.epoch) {
        dl.payoutAllocated = cl.payoutAllocated;
        dl.payoutClaimed = cl.payoutClaimed;
        dl.payoutPayable = cl.payoutPayable;
        try {
          if (BigInt(cl.payoutPayable ?? "x") !== BigInt(cl.payoutAllocated ?? "x") - BigInt(cl.payoutClaimed ?? "x") || BigInt(cl.payoutClaimed ?? "x") < 0n) {
            differences.push(`lines[${i}]: payoutPayable ${show(cl.payoutPayable)} is not payoutAllocated ${show(cl.payoutAllocated)} − payoutClaimed ${show(cl.payoutClaimed)}`);
          }
        } catch {
          if (cl.payoutAllocated !== null || cl.payoutClaimed !== null || cl.payoutPayable !== null) differences.push(`lines[${i}]: payout figures are not integers`);
        }
        unchecked.push(`lines[${i}].payoutAllocated: needs the records of epochs ≤ the latest payout root's throughEpoch (pass bundles)`);
      }
    }
    const copyTotals = (dt: EconomicsReport["totals"] | EconomicsReport["totals"]["networks"][number], ct: typeof dt | undefined, unknown: boolean) => {
      if ((dt.payoutAllocated !== null && !unknown) || !ct) return;
      dt.payoutAllocated = ct.payoutAllocated;
      dt.payoutClaimed = ct.payoutClaimed;
      dt.payoutPayable = ct.payoutPayable;
    };
    copyTotals(d.totals, r.totals, unprovenNets.size > 0);
    d.totals.networks.forEach((n, i) => copyTotals(n, r.totals?.networks?.[i], unprovenNets.has(n.networkId)));
  }

  // 6. Spend: closing free balances and their thawing parts agree with the contract's view at toBlock.
  if (report.kind === "spend") {
    for (const r of (rebuilt as Report & { kind: "spend" }).totals.runway) {
      const [escrow, thawing] = (await rl.customer(r.networkId, r.customer, { blockTag: m.toBlock })) as [bigint, bigint];
      if (escrow.toString() !== r.free) differences.push(`runway ${r.customer}/${r.networkId}: events give free ${r.free}, the contract holds ${escrow}`);
      if (thawing.toString() !== r.thawing) differences.push(`runway ${r.customer}/${r.networkId}: events give thawing ${r.thawing}, the contract says ${thawing}`);
    }
    for (const [i, l] of (rebuilt as SpendReport).lines.entries()) {
      if (l.kind === "charge" && l.usageProven === false) unchecked.push(`lines[${i}]: statement ${l.chargeId} could not be proven from its usage leaves (its usage does not match the chain)`);
    }
  }

  // 7. Journal: the asset side equals the tokens held.
  if (report.kind === "journal") {
    const t = (rebuilt as Report & { kind: "journal" }).totals;
    for (const [token, held] of Object.entries(t.heldByContract)) {
      if (t.ledgerAssets[token] !== held) differences.push(`totals.ledgerAssets.${token}: ${t.ledgerAssets[token]} differs from the ${held} the contract holds`);
    }
  }

  // 8. Every figure and line, apart from the names and groups a labels file gave (rule 12).
  const { generatedAt: _g, ...claimedManifest } = m;
  const { generatedAt: _d, ...derivedManifest } = rebuilt.manifest;
  void _g;
  void _d;
  const json = (x: unknown) => JSON.parse(JSON.stringify(x), (k, v) => (k === "name" || k === "group" ? undefined : v));
  const { labels: _l, ...claimedRest } = report;
  void _l;
  diffJson(json({ ...claimedRest, manifest: claimedManifest }), json({ ...rebuilt, manifest: derivedManifest }), "report", differences, max);
  return { ok: differences.length === 0, differences, ...(unchecked.length ? { unchecked } : {}) };
}
