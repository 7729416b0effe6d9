/**
 * HTML: one self-contained page (no scripts, no external resources) with the manifest, charts as
 * inline SVG (vega-lite) and every table, amounts in token units.
 */
import type { Report } from "../types";
import { renderCharts } from "./charts";
import { TITLES, amountsNote, manifestRows, periodText } from "./describe";
import { reportTables } from "./tables";

/** Escapes text for HTML. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:12px}
th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;white-space:nowrap}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0}figcaption{font-weight:600;margin-bottom:.3em}
.meta td:first-child{font-weight:600}`;

/** Rows beyond this are left out of the page (the JSON and CSV keep them all). */
const MAX_HTML_ROWS = 5_000;

/** The report as a standalone HTML page with charts. */
export async function renderHtml(report: Report): Promise<string> {
  const charts = await renderCharts(report);
  const parts: string[] = [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${esc(TITLES[report.kind])}</title><style>${STYLE}</style></head><body>`,
    `<h1>${esc(TITLES[report.kind])}</h1>`,
    `<p>Period: ${esc(periodText(report))}</p>`,
    `<p>${esc(amountsNote(report))}</p>`,
    `<table class="meta">${manifestRows(report).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join("")}</table>`,
  ];
  for (const c of charts) {
    parts.push(`<figure id="${c.id}" data-marks="${c.marks}" data-mark-class="${c.markClass}"><figcaption>${esc(c.title)}</figcaption>${c.svg}</figure>`);
  }
  for (const t of reportTables(report, { human: true, compact: true })) {
    parts.push(`<h2>${esc(t.title)}</h2>`);
    if (t.rows.length === 0) {
      parts.push("<p><em>none</em></p>");
      continue;
    }
    const rows = t.rows.slice(0, MAX_HTML_ROWS);
    parts.push(
      `<table data-table="${esc(t.name || "lines")}"><thead><tr>${t.columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>` +
        rows.map((r) => `<tr>${r.map((v) => `<td${/^-?[\d.]+$/.test(v) ? ' class="n"' : ""}>${esc(v)}</td>`).join("")}</tr>`).join("") +
        "</tbody></table>",
    );
    if (t.rows.length > rows.length) parts.push(`<p>${t.rows.length - rows.length} more rows in the JSON and CSV files.</p>`);
  }
  parts.push("<p>Every figure can be re-derived from the chain: <code>workledger verify &lt;report&gt;.json</code>.</p></body></html>\n");
  return parts.join("\n");
}
