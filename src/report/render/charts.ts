/**
 * The summary chart of each report, laid out once as drawing primitives (rects, texts, polylines in
 * points) and drawn twice: as inline SVG in the HTML and with pdfkit in the PDF, so both show the
 * same picture. Uptime: a heat-map (node × epoch) whose colour scale is anchored at the SLA and the
 * credit tiers; economics: signed vs settled revenue per epoch, and revenue per active node with
 * utilization over time; spend: free and held balances over time; journal: amounts by entry kind.
 * The dashboard of `workledger serve` draws the same primitives (GET /v1/charts).
 */
import type { CreditTier, EconomicsReport, Report, SpendReport, UptimeReport } from "../types";
import { LabelBook, fmtAmount, fmtDate, fmtInt, fmtPct, shortId, tokenOf } from "./format";

export type Primitive =
  | { t: "rect"; x: number; y: number; w: number; h: number; fill: string; stroke?: string; title?: string; data?: Record<string, string> }
  | { t: "text"; x: number; y: number; text: string; size: number; anchor?: "start" | "middle" | "end"; fill?: string; bold?: boolean }
  | { t: "line"; points: [number, number][]; stroke: string; width: number; dash?: boolean };

export interface Chart {
  id: string;
  title: string;
  width: number;
  height: number;
  primitives: Primitive[];
  /** Number of data marks (cells, bars, points) drawn. */
  marks: number;
}

/* ------------------------------------------------------------ colours */

const GREEN_HIGH = [26, 152, 80]; // 100%
const GREEN_LOW = [145, 207, 96]; // at the SLA
const BREACH_TOP = [254, 224, 139]; // just below the SLA (yellow)
const BREACH_TIER = [244, 109, 67]; // the last tier's band (orange-red)
const DEEP = [215, 48, 39]; // just below the last tier (red)
const ZERO = [45, 0, 75]; // 0% (dark purple)
/** Cells with no record (a voided epoch, a node absent from an epoch). */
export const NO_DATA = "#d9d9d9";

const hex = (c: number[]) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, "0")).join("")}`;
const mix = (a: number[], b: number[], t: number) => a.map((v, i) => v + (b[i] - v) * Math.max(0, Math.min(1, t)));

/**
 * The heat-map colour of an uptime under the SLA terms. At or above the SLA: green (lighter at the
 * SLA, darker at 100%). Below it, never green: one colour per credit-tier band, from yellow (just
 * below the SLA) to orange-red (the last tier's band), then below the last tier a gradient from red
 * down to dark purple at 0%, so that 0% and 86% differ.
 */
export function uptimeColour(bps: number, slaBps: number, tiers: readonly CreditTier[]): string {
  if (bps >= slaBps) return hex(mix(GREEN_LOW, GREEN_HIGH, slaBps >= 10_000 ? 1 : (bps - slaBps) / (10_000 - slaBps)));
  const bands = tiers.map((t) => t.belowBps).filter((b) => b <= slaBps).sort((a, b) => b - a);
  const floor = bands.length ? bands[bands.length - 1] : slaBps;
  if (bps < floor || bands.length === 0) return hex(mix(ZERO, DEEP, floor === 0 ? 1 : bps / floor));
  // bps in [floor, slaBps): which band (counted from the SLA down)
  const edges = bands[0] === slaBps ? bands : [slaBps, ...bands];
  let band = 0;
  while (band + 1 < edges.length && bps < edges[band + 1]) band++;
  const n = Math.max(1, edges.length - 2);
  return hex(mix(BREACH_TOP, BREACH_TIER, band / n));
}

/** The legend entries of the heat-map: a swatch and its meaning, from the SLA down. */
export function uptimeLegend(slaBps: number, tiers: readonly CreditTier[]): { fill: string; label: string }[] {
  const out = [{ fill: uptimeColour(10_000, slaBps, tiers), label: `≥ ${fmtPct(slaBps)} (meets the SLA)` }];
  const bands = tiers.filter((t) => t.belowBps <= slaBps).sort((a, b) => b.belowBps - a.belowBps);
  const edges = bands.length && bands[0].belowBps === slaBps ? bands.map((b) => b.belowBps) : [slaBps, ...bands.map((b) => b.belowBps)];
  for (let i = 0; i + 1 < edges.length; i++) {
    const credit = bands.find((b) => b.belowBps === edges[i])?.creditBps ?? 0;
    out.push({ fill: uptimeColour(edges[i + 1], slaBps, tiers), label: `< ${fmtPct(edges[i])} (credit ${fmtPct(credit)})` });
  }
  const floor = edges[edges.length - 1];
  const credit = bands.find((b) => b.belowBps === floor)?.creditBps ?? 0;
  out.push({ fill: uptimeColour(Math.max(0, floor - 1), slaBps, tiers), label: `< ${fmtPct(floor)} (credit ${fmtPct(credit)})` });
  out.push({ fill: uptimeColour(0, slaBps, tiers), label: "0%" });
  out.push({ fill: NO_DATA, label: "voided / no record" });
  return out;
}

/* ------------------------------------------------------------ layouts */

const W = 515; // an A4 page between 40 pt margins

/** Most nodes drawn in the heat-map (past it: the nodes with the lowest uptime). */
export const MAX_HEATMAP_NODES = 60;

function heatmap(r: UptimeReport, book: LabelBook, maxHeight: number): Chart {
  const sla = r.manifest.sla ?? { slaBps: 9_990, creditTiers: [] };
  const nets = new Set(r.lines.map((l) => l.networkId));
  const colKey = (n: number, e: number) => (nets.size > 1 ? `${n}/${e}` : String(e));
  const cols: string[] = [];
  const colIndex = new Map<string, number>();
  for (const e of r.totals.epochs) {
    const k = colKey(e.networkId, e.epoch);
    if (!colIndex.has(k)) {
      colIndex.set(k, cols.length);
      cols.push(k);
    }
  }
  const worst = new Map<string, number>();
  for (const l of r.lines) {
    const k = `${l.networkId}|${l.nodeId}`;
    const u = l.status === "voided" ? 10_001 : l.uptimeBps;
    worst.set(k, Math.min(worst.get(k) ?? 10_001, u));
  }
  let nodes = [...worst.keys()];
  const all = nodes.length;
  if (nodes.length > MAX_HEATMAP_NODES) nodes = nodes.sort((a, b) => worst.get(a)! - worst.get(b)! || (a < b ? -1 : 1)).slice(0, MAX_HEATMAP_NODES);
  const rowLabel = (k: string) => {
    const id = k.split("|")[1];
    const name = book.name(id);
    const g = book.group(id);
    return name ? `${name}${g ? ` · ${g}` : ""}` : shortId(id);
  };
  nodes.sort((a, b) => {
    const ga = book.group(a.split("|")[1]);
    const gb = book.group(b.split("|")[1]);
    const la = rowLabel(a);
    const lb = rowLabel(b);
    return ga < gb ? -1 : ga > gb ? 1 : la < lb ? -1 : la > lb ? 1 : 0;
  });
  const rowIndex = new Map(nodes.map((k, i) => [k, i]));
  const labelW = 120;
  const legendH = 28;
  const top = 14;
  const rowH = Math.max(3, Math.min(12, Math.floor(((maxHeight - top - legendH - 14) / Math.max(1, nodes.length)) * 10) / 10));
  const cellW = Math.max(4, Math.min(40, (W - labelW - 4) / Math.max(1, cols.length)));
  const prims: Primitive[] = [];
  const fontRow = Math.min(7, Math.max(4, rowH - 1));
  nodes.forEach((k, i) => prims.push({ t: "text", x: labelW - 3, y: top + i * rowH + rowH * 0.75, text: rowLabel(k), size: fontRow, anchor: "end" }));
  const every = Math.max(1, Math.ceil(cols.length / Math.floor((W - labelW) / 16)));
  cols.forEach((c, j) => {
    if (j % every === 0) prims.push({ t: "text", x: labelW + j * cellW + cellW / 2, y: top - 4, text: c, size: 6, anchor: "middle" });
  });
  // every cell of a shown node, grey where no record (voided epoch or absent node)
  const filled = new Set<string>();
  let marks = 0;
  for (const l of r.lines) {
    const ri = rowIndex.get(`${l.networkId}|${l.nodeId}`);
    if (ri === undefined) continue;
    const ci = colIndex.get(colKey(l.networkId, l.epoch))!;
    filled.add(`${ri}|${ci}`);
    const voided = l.status === "voided";
    const fill = voided ? NO_DATA : uptimeColour(l.uptimeBps, sla.slaBps, sla.creditTiers);
    const who = book.name(l.nodeId) ?? shortId(l.nodeId);
    prims.push({
      t: "rect",
      x: labelW + ci * cellW,
      y: top + ri * rowH,
      w: cellW - 0.5,
      h: rowH - 0.5,
      fill,
      title: `${who}, epoch ${l.epoch}: ${fmtPct(l.uptimeBps)}${voided ? " (voided)" : l.breach ? ` — breach, credit ${fmtPct(l.creditBps)}` : ""}`,
      data: { uptime: String(l.uptimeBps), breach: String(l.breach && !voided), epoch: String(l.epoch), node: l.nodeId },
    });
    marks++;
  }
  for (let i = 0; i < nodes.length; i++) {
    for (let j = 0; j < cols.length; j++) {
      if (!filled.has(`${i}|${j}`)) prims.push({ t: "rect", x: labelW + j * cellW, y: top + i * rowH, w: cellW - 0.5, h: rowH - 0.5, fill: NO_DATA, title: "no record" });
    }
  }
  const gridBottom = top + nodes.length * rowH;
  prims.push({ t: "text", x: labelW + (cols.length * cellW) / 2, y: gridBottom + 9, text: "epoch", size: 6, anchor: "middle", fill: "#555" });
  // legend
  const legend = uptimeLegend(sla.slaBps, sla.creditTiers);
  let lx = 0;
  const ly = gridBottom + 16;
  for (const e of legend) {
    const w = 8 + e.label.length * 3.1;
    if (lx + w > W) break;
    prims.push({ t: "rect", x: lx, y: ly, w: 7, h: 7, fill: e.fill, stroke: "#999" });
    prims.push({ t: "text", x: lx + 9, y: ly + 6, text: e.label, size: 5.5 });
    lx += w + 6;
  }
  const title = all > nodes.length ? `Uptime per node and epoch: the ${nodes.length} of ${all} nodes with the lowest uptime` : "Uptime per node and epoch";
  return { id: "uptime-heatmap", title, width: W, height: ly + 10, primitives: prims, marks };
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const units = (v: string, decimals: number) => Number(v) / Math.pow(10, decimals);

function axisLabel(v: number): string {
  return v >= 1e6 ? `${(v / 1e6).toFixed(v % 1e6 ? 1 : 0)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(v % 1e3 ? 1 : 0)}k` : String(Number(v.toFixed(2)));
}

/** A grouped bar chart (categories × series). */
function bars(id: string, title: string, unit: string, categories: string[], series: { name: string; fill: string; values: number[] }[], height = 180): Chart {
  const left = 44;
  const top = 16;
  const bottom = 26;
  const plotH = height - top - bottom;
  const plotW = W - left - 4;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const prims: Primitive[] = [];
  for (let k = 0; k <= 4; k++) {
    const y = top + plotH - (plotH * k) / 4;
    prims.push({ t: "line", points: [[left, y], [left + plotW, y]], stroke: "#e3e3e3", width: 0.5 });
    prims.push({ t: "text", x: left - 3, y: y + 2, text: axisLabel((max * k) / 4), size: 6, anchor: "end" });
  }
  prims.push({ t: "text", x: 0, y: top - 6, text: unit, size: 6, fill: "#555" });
  const slot = plotW / Math.max(1, categories.length);
  const bw = Math.max(1, (slot * 0.8) / Math.max(1, series.length));
  const every = Math.max(1, Math.ceil(categories.length / Math.floor(plotW / 18)));
  let marks = 0;
  categories.forEach((c, i) => {
    series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      const h = (plotH * Math.max(0, v)) / max;
      prims.push({ t: "rect", x: left + i * slot + slot * 0.1 + j * bw, y: top + plotH - h, w: bw - 0.3, h, fill: s.fill, title: `${c}: ${s.name} ${v.toLocaleString("en-US", { maximumFractionDigits: 6 })} ${unit}`, data: { series: s.name, category: c } });
      marks++;
    });
    if (i % every === 0) prims.push({ t: "text", x: left + i * slot + slot / 2, y: top + plotH + 9, text: c, size: 6, anchor: "middle" });
  });
  let lx = left;
  for (const s of series) {
    prims.push({ t: "rect", x: lx, y: height - 9, w: 7, h: 7, fill: s.fill });
    prims.push({ t: "text", x: lx + 10, y: height - 3, text: s.name, size: 6.5 });
    lx += 18 + s.name.length * 3.4;
  }
  return { id, title, width: W, height, primitives: prims, marks };
}

/** Moves the running free and held balances of a customer by one spend line (the DESIGN.md identities). */
export function applySpendLine(b: { free: bigint; held: bigint }, l: Pick<SpendReport["lines"][number], "kind" | "amount">): void {
  const a = BigInt(l.amount);
  if (l.kind === "deposit" || l.kind === "refund") b.free += a;
  else if (l.kind === "withdraw") b.free -= a;
  else if (l.kind === "charge") {
    b.free -= a;
    b.held += a;
  } else if (l.kind === "void") {
    b.held -= a;
    b.free += a;
  } else if (l.kind === "post") b.held -= a;
}

function spendChart(r: SpendReport): Chart {
  const token = tokenOf(r);
  const d = token?.decimals ?? 0;
  const bal = { free: BigInt(r.totals.openingFree), held: BigInt(r.totals.openingHeld) };
  const pts: { t: number; label: string; free: number; held: number }[] = [];
  for (const l of r.lines) {
    applySpendLine(bal, l);
    const { free, held } = bal;
    const t = l.timestamp ? Date.parse(l.timestamp) / 1000 : l.evidence.blockNumber;
    const p = { t, label: fmtDate(l.timestamp, false), free: units(free.toString(), d), held: units(held.toString(), d) };
    if (pts.length && pts[pts.length - 1].t === t) pts[pts.length - 1] = p;
    else pts.push(p);
  }
  const height = 170;
  const left = 44;
  const top = 16;
  const bottom = 26;
  const plotH = height - top - bottom;
  const plotW = W - left - 8;
  const prims: Primitive[] = [];
  const max = niceMax(Math.max(0, ...pts.map((p) => Math.max(p.free, p.held))));
  for (let k = 0; k <= 4; k++) {
    const y = top + plotH - (plotH * k) / 4;
    prims.push({ t: "line", points: [[left, y], [left + plotW, y]], stroke: "#e3e3e3", width: 0.5 });
    prims.push({ t: "text", x: left - 3, y: y + 2, text: axisLabel((max * k) / 4), size: 6, anchor: "end" });
  }
  prims.push({ t: "text", x: 0, y: top - 6, text: token?.symbol ?? "units", size: 6, fill: "#555" });
  const t0 = pts.length ? pts[0].t : 0;
  const t1 = pts.length ? pts[pts.length - 1].t : 1;
  const x = (t: number) => left + (t1 === t0 ? plotW / 2 : ((t - t0) / (t1 - t0)) * plotW);
  const y = (v: number) => top + plotH - (plotH * Math.max(0, v)) / max;
  // keep at most ~400 points per series (every k-th and the last)
  const k = Math.max(1, Math.ceil(pts.length / 400));
  const kept = pts.filter((_, i) => i % k === 0 || i === pts.length - 1);
  const series = [
    { name: "free (spendable)", stroke: "#2c7fb8", get: (p: (typeof pts)[number]) => p.free },
    { name: "held (charged, not yet posted)", stroke: "#f08c00", get: (p: (typeof pts)[number]) => p.held },
  ];
  let marks = 0;
  for (const s of series) {
    prims.push({ t: "line", points: kept.map((p) => [x(p.t), y(s.get(p))]), stroke: s.stroke, width: 1.2 });
    for (const p of kept) {
      prims.push({ t: "rect", x: x(p.t) - 1.2, y: y(s.get(p)) - 1.2, w: 2.4, h: 2.4, fill: s.stroke, title: `${p.label}: ${s.name} ${s.get(p).toLocaleString("en-US", { maximumFractionDigits: d })}` });
      marks++;
    }
  }
  if (pts.length) {
    prims.push({ t: "text", x: left, y: top + plotH + 9, text: pts[0].label, size: 6 });
    prims.push({ t: "text", x: left + plotW, y: top + plotH + 9, text: pts[pts.length - 1].label, size: 6, anchor: "end" });
  }
  let lx = left;
  for (const s of series) {
    prims.push({ t: "rect", x: lx, y: height - 9, w: 7, h: 7, fill: s.stroke });
    prims.push({ t: "text", x: lx + 10, y: height - 3, text: s.name, size: 6.5 });
    lx += 18 + s.name.length * 3.4;
  }
  return { id: "spend-over-time", title: `Escrow balances over time (${token?.symbol ?? "units"})`, width: W, height, primitives: prims, marks };
}

/** Fill of an epoch's bar by its status (the dashboard's status colours). */
export const STATUS_FILL: Record<string, string> = { final: "#3182bd", pending: "#9ecae1", challenged: "#f08c00", voided: NO_DATA };
const UTILIZATION_STROKE = "#d6336c";

/**
 * Revenue per active node (bars, left axis, in token units, coloured by the epoch's status) and
 * utilization (a line with points, right axis, %) per epoch, from the economics report's lines
 * (`revenuePerActiveNode`, `utilizationBps`). A voided epoch keeps its grey bar and no utilization
 * point; a null utilization (no declared capacity, no active node) breaks the line.
 * @param networkId only this network's lines (default: all, categories then read "network/epoch")
 */
export function revenueUtilizationChart(r: EconomicsReport, networkId?: number): Chart | null {
  const lines = networkId === undefined ? r.lines : r.lines.filter((l) => l.networkId === networkId);
  if (!lines.length) return null;
  const token = tokenOf(r);
  const sym = token?.symbol ?? "units";
  const d = token?.decimals ?? 0;
  const multi = new Set(lines.map((l) => l.networkId)).size > 1;
  const height = 190;
  const left = 44;
  const right = 34;
  const top = 18;
  const bottom = 38;
  const plotH = height - top - bottom;
  const plotW = W - left - right;
  const perNode = lines.map((l) => (l.revenuePerActiveNode === null ? 0 : units(l.revenuePerActiveNode, d)));
  const util = lines.map((l) => (l.status === "voided" || l.utilizationBps === null ? null : l.utilizationBps / 100));
  const maxRev = niceMax(Math.max(0, ...perNode));
  const maxUtil = Math.max(100, niceMax(Math.max(0, ...util.map((u) => u ?? 0))));
  const prims: Primitive[] = [];
  for (let k = 0; k <= 4; k++) {
    const y = top + plotH - (plotH * k) / 4;
    prims.push({ t: "line", points: [[left, y], [left + plotW, y]], stroke: "#e3e3e3", width: 0.5 });
    prims.push({ t: "text", x: left - 3, y: y + 2, text: axisLabel((maxRev * k) / 4), size: 6, anchor: "end" });
    prims.push({ t: "text", x: left + plotW + 3, y: y + 2, text: `${axisLabel((maxUtil * k) / 4)}%`, size: 6, fill: UTILIZATION_STROKE });
  }
  prims.push({ t: "text", x: 0, y: top - 7, text: `${sym} per active node`, size: 6, fill: "#555" });
  prims.push({ t: "text", x: W, y: top - 7, text: "utilization", size: 6, anchor: "end", fill: UTILIZATION_STROKE });
  const slot = plotW / lines.length;
  const bw = Math.max(1, slot * 0.7);
  const every = Math.max(1, Math.ceil(lines.length / Math.floor(plotW / 18)));
  const yRev = (v: number) => top + plotH - (plotH * Math.max(0, v)) / maxRev;
  const yUtil = (v: number) => top + plotH - (plotH * Math.max(0, Math.min(v, maxUtil))) / maxUtil;
  let marks = 0;
  const cat = (i: number) => (multi ? `${lines[i].networkId}/${lines[i].epoch}` : String(lines[i].epoch));
  lines.forEach((l, i) => {
    const cx = left + i * slot + slot / 2;
    const v = perNode[i];
    const y = yRev(v);
    const perNodeText = l.revenuePerActiveNode === null ? "no active node" : `${fmtAmount(l.revenuePerActiveNode, token)} ${sym} per active node (${fmtInt(l.activeNodes)} nodes)`;
    prims.push({
      t: "rect",
      x: cx - bw / 2,
      y,
      w: bw,
      h: top + plotH - y,
      fill: STATUS_FILL[l.status] ?? STATUS_FILL.pending,
      title: `Epoch ${cat(i)} (${l.status}, version ${l.version}): ${perNodeText}; utilization ${fmtPct(l.utilizationBps)}`,
      data: { series: "revenuePerActiveNode", epoch: String(l.epoch), network: String(l.networkId), status: l.status, value: l.revenuePerActiveNode ?? "" },
    });
    marks++;
    if (i % every === 0) prims.push({ t: "text", x: cx, y: top + plotH + 9, text: cat(i), size: 6, anchor: "middle" });
  });
  prims.push({ t: "text", x: left + plotW / 2, y: top + plotH + 18, text: multi ? "network/epoch" : "epoch", size: 6, anchor: "middle", fill: "#555" });
  // the utilization line: one polyline per run of epochs with a value
  let run: [number, number][] = [];
  const flush = () => {
    if (run.length > 1) prims.push({ t: "line", points: run, stroke: UTILIZATION_STROKE, width: 1.2 });
    run = [];
  };
  lines.forEach((l, i) => {
    const u = util[i];
    if (u === null) return flush();
    const p: [number, number] = [left + i * slot + slot / 2, yUtil(u)];
    run.push(p);
  });
  flush();
  lines.forEach((l, i) => {
    const u = util[i];
    if (u === null) return;
    const [x, y] = [left + i * slot + slot / 2, yUtil(u)];
    prims.push({ t: "rect", x: x - 1.8, y: y - 1.8, w: 3.6, h: 3.6, fill: UTILIZATION_STROKE, title: `Epoch ${cat(i)}: utilization ${fmtPct(l.utilizationBps)}`, data: { series: "utilizationBps", epoch: String(l.epoch), network: String(l.networkId), value: String(l.utilizationBps) } });
    marks++;
  });
  // legend: the statuses present, then the line
  let lx = left;
  const ly = height - 9;
  const present = ["final", "pending", "challenged", "voided"].filter((s) => lines.some((l) => l.status === s));
  for (const s of present) {
    prims.push({ t: "rect", x: lx, y: ly, w: 7, h: 7, fill: STATUS_FILL[s], stroke: s === "voided" ? "#999" : undefined });
    const label = `per node, ${s}`;
    prims.push({ t: "text", x: lx + 10, y: ly + 6, text: label, size: 6.5 });
    lx += 18 + label.length * 3.4;
  }
  prims.push({ t: "line", points: [[lx, ly + 3.5], [lx + 10, ly + 3.5]], stroke: UTILIZATION_STROKE, width: 1.2 });
  prims.push({ t: "text", x: lx + 13, y: ly + 6, text: "utilization (right axis)", size: 6.5 });
  return { id: "revenue-per-node-utilization", title: `Revenue per active node (${sym}) and utilization per epoch`, width: W, height, primitives: prims, marks };
}

/**
 * Every chart of a report: its summary chart and, for economics, revenue per active node and
 * utilization over time (one per network).
 */
export function reportCharts(report: Report): Chart[] {
  const out: Chart[] = [];
  const summary = summaryChart(report);
  if (summary) out.push(summary);
  if (report.kind === "economics") {
    const nets = [...new Set(report.lines.map((l) => l.networkId))];
    for (const n of nets) {
      const c = revenueUtilizationChart(report, n);
      if (c) out.push(nets.length > 1 ? { ...c, id: `${c.id}-${n}` } : c);
    }
  }
  return out;
}

/** The report's summary chart (laid out in points, 515 wide), or null. */
export function summaryChart(report: Report, maxHeight = 460): Chart | null {
  const book = new LabelBook(report);
  const token = tokenOf(report);
  const sym = token?.symbol ?? "units";
  const d = token?.decimals ?? 0;
  switch (report.kind) {
    case "uptime":
      return report.lines.length ? heatmap(report, book, maxHeight) : null;
    case "economics": {
      const r = report;
      if (!r.lines.length) return null;
      const multi = new Set(r.lines.map((l) => l.networkId)).size > 1;
      return bars(
        "revenue-per-epoch",
        `Revenue per epoch (${sym}): signed by the verifiers vs settled on chain`,
        sym,
        r.lines.map((l) => (multi ? `${l.networkId}/${l.epoch}` : String(l.epoch))),
        [
          { name: "signed revenue", fill: "#9ecae1", values: r.lines.map((l) => units(l.totalRevenue, d)) },
          { name: "settled revenue (gross)", fill: "#3182bd", values: r.lines.map((l) => units(l.settledRevenue, d)) },
          { name: "settled net of fee", fill: "#31a354", values: r.lines.map((l) => units(l.settledNet, d)) },
        ],
      );
    }
    case "spend":
      return report.lines.length ? spendChart(report) : null;
    case "journal": {
      const r = report;
      if (!r.lines.length) return null;
      const kinds = [...new Set(r.lines.map((l) => l.entryKind))];
      const sum = (k: string) => r.lines.filter((l) => l.entryKind === k).reduce((s, l) => s + BigInt(l.amount), 0n);
      return bars("entries-by-kind", `Amounts posted by entry kind (${sym})`, sym, kinds, [{ name: "amount", fill: "#3182bd", values: kinds.map((k) => units(sum(k).toString(), d)) }], 150);
    }
    default:
      return null;
  }
}

/* ------------------------------------------------------------ SVG */

const escXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const n2 = (v: number) => String(Math.round(v * 100) / 100);

/** The chart as an inline SVG element (scales to its container's width). */
export function chartSvg(c: Chart): string {
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${c.width} ${n2(c.height)}" role="img" aria-label="${escXml(c.title)}" font-family="Helvetica, Arial, sans-serif">`];
  for (const p of c.primitives) {
    if (p.t === "rect") {
      const data = p.data ? Object.entries(p.data).map(([k, v]) => ` data-${k}="${escXml(v)}"`).join("") : "";
      const title = p.title ? `<title>${escXml(p.title)}</title>` : "";
      out.push(`<rect x="${n2(p.x)}" y="${n2(p.y)}" width="${n2(p.w)}" height="${n2(p.h)}" fill="${p.fill}"${p.stroke ? ` stroke="${p.stroke}" stroke-width="0.5"` : ""}${data}>${title}</rect>`);
    } else if (p.t === "text") {
      out.push(`<text x="${n2(p.x)}" y="${n2(p.y)}" font-size="${p.size}"${p.anchor && p.anchor !== "start" ? ` text-anchor="${p.anchor}"` : ""}${p.fill ? ` fill="${p.fill}"` : ""}${p.bold ? ' font-weight="bold"' : ""}>${escXml(p.text)}</text>`);
    } else {
      out.push(`<polyline points="${p.points.map(([x, y]) => `${n2(x)},${n2(y)}`).join(" ")}" fill="none" stroke="${p.stroke}" stroke-width="${p.width}"${p.dash ? ' stroke-dasharray="3 2"' : ""}/>`);
    }
  }
  out.push("</svg>");
  return out.join("");
}

/* ------------------------------------------------------------ PDF */

/**
 * Draws the chart with pdfkit at (x, y), `scale` × its size in points; `encode` maps text to what the font can show.
 * @internal (names pdfkit's types, which are a devDependency: kept out of the published declarations)
 */
export function drawChart(doc: PDFKit.PDFDocument, c: Chart, x0: number, y0: number, scale = 1, encode: (s: string) => string = (s) => s): void {
  doc.save();
  for (const p of c.primitives) {
    if (p.t === "rect") {
      doc.rect(x0 + p.x * scale, y0 + p.y * scale, p.w * scale, p.h * scale);
      if (p.stroke) doc.fillAndStroke(p.fill, p.stroke);
      else doc.fill(p.fill);
    } else if (p.t === "text") {
      doc.font(p.bold ? "Helvetica-Bold" : "Helvetica").fontSize(p.size * scale).fillColor(p.fill ?? "#222");
      const text = encode(p.text);
      const w = doc.widthOfString(text);
      const dx = p.anchor === "end" ? -w : p.anchor === "middle" ? -w / 2 : 0;
      doc.text(text, x0 + p.x * scale + dx, y0 + p.y * scale - p.size * scale * 0.78, { lineBreak: false });
    } else if (p.points.length > 1) {
      doc.moveTo(x0 + p.points[0][0] * scale, y0 + p.points[0][1] * scale);
      for (const [x, y] of p.points.slice(1)) doc.lineTo(x0 + x * scale, y0 + y * scale);
      doc.lineWidth(p.width).strokeColor(p.stroke).stroke();
    }
  }
  doc.restore();
  doc.fillColor("#222").strokeColor("#222");
}
