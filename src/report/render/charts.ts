/**
 * Charts of the HTML report, rendered to inline SVG by vega + vega-lite (no browser needed):
 * uptime heat-map (node × epoch), revenue per epoch (claimed and settled), spend over time.
 */
import { formatUnits } from "ethers";

import type { EconomicsReport, Report, SpendReport, TokenInfo, UptimeReport } from "../types";

// vega 5 / vega-lite 5 are CommonJS-loadable (6.x are ESM-only).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vega = require("vega");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vl = require("vega-lite");

export interface Chart {
  id: string;
  title: string;
  /** Number of data marks drawn (rects, bars or points), for checks. */
  marks: number;
  /** CSS class of the vega mark group holding one element per data mark. */
  markClass: string;
  svg: string;
}

type Spec = Record<string, unknown>;

/** Renders a vega-lite spec to SVG text. */
export async function vegaLiteSvg(spec: Spec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function units(value: string, token: TokenInfo | undefined): number {
  return Number(formatUnits(BigInt(value), token?.decimals ?? 0));
}

/** Most blocks drawn in the spend chart. */
const MAX_SPEND_POINTS = 1_000;

/** Most nodes drawn in the heat-map. */
const MAX_HEATMAP_NODES = 60;

const short = (id: string) => `${id.slice(0, 8)}…${id.slice(-4)}`;

/** The chart specs of a report (before rendering), with their expected mark counts. */
export function chartSpecs(report: Report): { id: string; title: string; marks: number; markClass: string; spec: Spec }[] {
  const token = report.tokens.length === 1 ? report.tokens[0] : undefined;
  const unit = token?.symbol ?? "units";
  if (report.kind === "uptime") {
    const r = report as UptimeReport;
    // Past MAX_HEATMAP_NODES nodes, show those with the lowest worst uptime (the ones an insurer looks at).
    const worst = new Map<string, number>();
    for (const l of r.lines) worst.set(`${l.networkId}|${l.nodeId}`, Math.min(worst.get(`${l.networkId}|${l.nodeId}`) ?? 10_000, l.uptimeBps));
    const shown =
      worst.size > MAX_HEATMAP_NODES
        ? new Set([...worst.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_HEATMAP_NODES).map(([k]) => k))
        : undefined;
    const values = r.lines
      .filter((l) => !shown || shown.has(`${l.networkId}|${l.nodeId}`))
      .map((l) => ({ node: short(l.nodeId), epoch: l.networkId > 1 ? `${l.networkId}/${l.epoch}` : String(l.epoch), uptime: l.uptimeBps / 100, status: l.status }));
    return [
      {
        id: "uptime-heatmap",
        title: shown ? `Uptime per node and epoch (%): the ${MAX_HEATMAP_NODES} of ${worst.size} nodes with the lowest uptime` : "Uptime per node and epoch (%)",
        marks: values.length,
        markClass: "mark-rect",
        spec: {
          $schema: "https://vega.github.io/schema/vega-lite/v5.json",
          data: { values },
          mark: { type: "rect", tooltip: true },
          width: Math.max(200, 40 * new Set(values.map((v) => v.epoch)).size),
          height: Math.max(100, 18 * new Set(values.map((v) => v.node)).size),
          encoding: {
            x: { field: "epoch", type: "ordinal", title: "epoch", sort: null },
            y: { field: "node", type: "ordinal", title: "node" },
            color: { field: "uptime", type: "quantitative", title: "uptime %", scale: { scheme: "redyellowgreen", domain: [90, 100], clamp: true } },
          },
        },
      },
    ];
  }
  if (report.kind === "economics") {
    const r = report as EconomicsReport;
    const values = r.lines.flatMap((l) => [
      { epoch: String(l.epoch), series: "claimed (records)", revenue: units(l.totalRevenue, token) },
      { epoch: String(l.epoch), series: "settled (on chain)", revenue: units(l.settledRevenue, token) },
    ]);
    return [
      {
        id: "revenue-per-epoch",
        title: `Revenue per epoch (${unit})`,
        marks: values.length,
        markClass: "mark-rect",
        spec: {
          $schema: "https://vega.github.io/schema/vega-lite/v5.json",
          data: { values },
          mark: { type: "bar", tooltip: true },
          width: Math.max(200, 50 * r.lines.length),
          height: 200,
          encoding: {
            x: { field: "epoch", type: "ordinal", sort: null },
            xOffset: { field: "series" },
            y: { field: "revenue", type: "quantitative", title: unit },
            color: { field: "series", type: "nominal" },
          },
        },
      },
    ];
  }
  if (report.kind === "spend") {
    const r = report as SpendReport;
    let free = BigInt(r.totals.openingFree);
    let held = BigInt(r.totals.openingHeld);
    const values: { block: number; series: string; amount: number }[] = [];
    for (const l of r.lines) {
      const a = BigInt(l.amount);
      if (l.kind === "deposit" || l.kind === "refund") free += a;
      else if (l.kind === "withdraw") free -= a;
      else if (l.kind === "charge") {
        free -= a;
        held += a;
      } else if (l.kind === "void") {
        held -= a;
        free += a;
      } else if (l.kind === "post") held -= a;
      const last = values.length >= 2 ? values[values.length - 2] : undefined;
      if (last && last.block === l.evidence.blockNumber) values.splice(values.length - 2, 2);
      values.push({ block: l.evidence.blockNumber, series: "free", amount: units(free.toString(), token) });
      values.push({ block: l.evidence.blockNumber, series: "held", amount: units(held.toString(), token) });
    }
    const blocks = values.length / 2;
    if (blocks > MAX_SPEND_POINTS) {
      // Keep every k-th block (and the last one): the shape of the balances over a long period.
      const k = Math.ceil(blocks / MAX_SPEND_POINTS);
      const kept = values.filter((_, i) => Math.floor(i / 2) % k === 0 || i >= values.length - 2);
      values.length = 0;
      values.push(...kept);
    }
    return [
      {
        id: "spend-over-time",
        title: `Free and held escrow over time (${unit})`,
        marks: values.length,
        markClass: "mark-symbol",
        spec: {
          $schema: "https://vega.github.io/schema/vega-lite/v5.json",
          data: { values },
          mark: { type: "line", point: true, tooltip: true },
          width: 480,
          height: 200,
          encoding: {
            x: { field: "block", type: "quantitative", title: "block", scale: { zero: false } },
            y: { field: "amount", type: "quantitative", title: unit },
            color: { field: "series", type: "nominal" },
          },
        },
      },
    ];
  }
  return [];
}

/** The report's charts as SVG. */
export async function renderCharts(report: Report): Promise<Chart[]> {
  const out: Chart[] = [];
  for (const c of chartSpecs(report)) out.push({ id: c.id, title: c.title, marks: c.marks, markClass: c.markClass, svg: await vegaLiteSvg(c.spec) });
  return out;
}
