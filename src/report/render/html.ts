/**
 * HTML: one self-contained page (no external resources, no script that runs). It opens with the
 * one-screen summary (key figures beside the chart, then incidents / customers / networks), then a
 * table of contents and the details grouped, then the chain evidence. The report's JSON rides along
 * in `<script type="application/json" id="workledger-report">`, so `workledger verify FILE.html`
 * checks the page: its JSON against the chain, and the page against its JSON (re-rendered here,
 * deterministically, and compared).
 */
import type { Report } from "../types";
import { chartSvg } from "./charts";
import { Block, Cell, ReportDocument, TableModel, amountsNote, reportDocument } from "./document";
import { renderJson } from "./json";

/** Escapes text for HTML. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The id of the script element that carries the report JSON. */
export const HTML_JSON_ID = "workledger-report";

const STYLE = `*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1f2328;background:#fff;font-size:14px;line-height:1.4}
main{max-width:1180px;margin:0 auto;padding:20px 24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:18px 0 4px}
.subject{font-weight:600;margin:2px 0}.period{color:#57606a;margin:2px 0}.note{color:#57606a;font-size:12px}
.top{display:grid;grid-template-columns:440px minmax(0,1fr);gap:20px;align-items:start;margin-top:12px}
.figures{display:grid;grid-template-columns:1fr 1fr;gap:8px}
.fig{border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;min-width:0}.fig .label{font-size:12px;color:#57606a}.fig .value{font-size:16px;font-weight:600;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
@media (max-width:900px){.top{grid-template-columns:1fr}}
.fig.breach .value{color:#b42318}.fig.ok .value{color:#1a7f37}.fig.warn .value{color:#9a6700}
figure{margin:0;min-width:0}figure.chart{margin:8px 0 14px;max-width:760px}figure svg{width:100%;height:auto;display:block}figcaption{font-weight:600;margin-bottom:4px}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:4px 0 10px;font-size:12px}
th,td{border-bottom:1px solid #e5e7eb;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa;font-weight:600;border-bottom:1px solid #d0d7de}
td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}
td.breach{color:#b42318;font-weight:600}td.warn{color:#9a6700}td.muted{color:#8c959f}td.ok{color:#1a7f37}
table.pairs td:first-child{width:34%;color:#57606a}
nav ol{columns:2;padding-left:20px}nav li{margin:2px 0}
.verify{margin-top:14px;padding:8px 10px;background:#f6f8fa;border-radius:6px;font-size:12px;overflow-wrap:anywhere}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
@media print{main{max-width:none}h2{break-before:page}section.group{break-inside:auto}nav{break-after:page}}`;

function cellHtml(cell: Cell, right: boolean): string {
  const cls = [right ? "r" : "", cell.tone ?? ""].filter(Boolean).join(" ");
  return `<td${cls ? ` class="${cls}"` : ""}${cell.title ? ` title="${esc(cell.title)}"` : ""}>${esc(cell.text)}</td>`;
}

function tableHtml(t: TableModel, name?: string): string {
  if (t.rows.length === 0) return "<p class=\"note\"><em>none</em></p>";
  const total = t.columns.reduce((s, c) => s + c.width, 0);
  const cols = t.columns.map((c) => `<col style="width:${((100 * c.width) / total).toFixed(2)}%">`).join("");
  const head = t.columns.map((c) => `<th${c.align === "right" ? ' class="r"' : ""}>${esc(c.header)}</th>`).join("");
  const right = t.columns.map((c) => c.align === "right");
  const body = t.rows.map((r) => `<tr>${r.map((cell, i) => cellHtml(cell, right[i])).join("")}</tr>`).join("\n");
  return `<table${name ? ` data-table="${esc(name)}"` : ""}><colgroup>${cols}</colgroup><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function blockHtml(b: Block, name?: string): string {
  switch (b.type) {
    case "table":
      return `${b.title ? `<h3>${esc(b.title)}</h3>` : ""}${tableHtml(b.table, name)}${b.more ? `<p class="note">${esc(b.more)}</p>` : ""}`;
    case "text":
      return `<p>${esc(b.text)}</p>`;
    case "chart":
      return `<figure id="${esc(b.chart.id)}" class="chart" data-marks="${b.chart.marks}"><figcaption>${esc(b.chart.title)}</figcaption>${chartSvg(b.chart)}</figure>`;
    case "pairs":
      return `<table class="pairs">${b.rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td class="r">${esc(v)}</td></tr>`).join("")}</table>`;
  }
}

/** The report JSON as the content of a script element (no "</script>" can end it early). */
export function jsonForScript(json: string): string {
  return json.replace(/</g, "\\u003c");
}

/** The page of a document (its JSON given, as embedded). */
export function documentHtml(d: ReportDocument, json: string, note: string): string {
  const parts: string[] = [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(d.title)}</title><style>${STYLE}</style></head><body><main>`,
    `<section id="summary">`,
    `<h1>${esc(d.title)}</h1>`,
    ...d.subject.map((s) => `<p class="subject">${esc(s)}</p>`),
    ...d.period.map((p) => `<p class="period">${esc(p)}</p>`),
    `<p class="note">${esc(note)}</p>`,
    `<div class="top"><div class="figures">`,
    ...d.figures.map((f) => `<div class="fig${f.tone ? ` ${f.tone}` : ""}"><div class="label">${esc(f.label)}</div><div class="value">${esc(f.value)}</div>${f.note ? `<div class="note">${esc(f.note)}</div>` : ""}</div>`),
    `</div>`,
    d.chart ? `<figure id="${d.chart.id}" data-marks="${d.chart.marks}"><figcaption>${esc(d.chart.title)}</figcaption>${chartSvg(d.chart)}</figure>` : "<div></div>",
    `</div>`,
    ...d.summary.map((b) => blockHtml(b)),
    `<p class="verify">SHA-256 of the embedded ${esc(d.jsonName)}: <code>${d.sha256}</code><br>Check this page against the chain: <code>${esc(d.verifyCommand)}</code></p>`,
    `</section>`,
    `<nav id="contents"><h2>Contents</h2><ol>${d.sections.map((s) => `<li><a href="#${esc(s.id)}">${esc(s.title)}</a>${s.groups.length > 1 ? ` (${s.groups.length} groups)` : ""}</li>`).join("")}<li><a href="#evidence">Chain evidence</a></li></ol></nav>`,
  ];
  for (const s of d.sections) {
    parts.push(`<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>${s.intro ? `<p class="note">${esc(s.intro)}</p>` : ""}`);
    for (const g of s.groups) {
      parts.push(`<section class="group" id="${esc(g.id)}"><h3>${esc(g.title)}</h3>${g.subtitle ? `<p class="note">${esc(g.subtitle)}</p>` : ""}`);
      for (const b of g.blocks) parts.push(blockHtml(b, g.id));
      parts.push("</section>");
    }
    parts.push("</section>");
  }
  parts.push(`<section id="evidence"><h2>Chain evidence</h2><table class="pairs">${d.evidence.map(([k, v]) => `<tr><td>${esc(k)}</td><td><code>${esc(v)}</code></td></tr>`).join("")}</table>`);
  parts.push(`<p class="note">Every line names the transaction and log that carry it. Anyone can re-derive every figure from the chain: <code>${esc(d.verifyCommand)}</code>.</p></section>`);
  parts.push(`<script type="application/json" id="${HTML_JSON_ID}">\n${jsonForScript(json)}</script>`);
  parts.push("</main></body></html>\n");
  return parts.join("\n");
}

/**
 * The report as a standalone HTML page: summary first, details grouped, the report JSON embedded.
 * Deterministic: the same report gives the same bytes.
 */
export async function renderHtml(report: Report): Promise<string> {
  const json = renderJson(report);
  const d = reportDocument(report, json);
  d.verifyCommand = `workledger verify ${report.kind}.html --rpc <URL of chain ${report.manifest.chainId}>`;
  return documentHtml(d, json, amountsNote(report));
}

/** The JSON text a page embeds (as embedded: `<` written as \u003c, which JSON.parse reads), or null. */
export function extractHtmlJson(html: string): string | null {
  const open = `<script type="application/json" id="${HTML_JSON_ID}">`;
  const at = html.indexOf(open);
  if (at < 0 || html.indexOf(open, at + 1) >= 0) return null;
  const end = html.indexOf("</script>", at);
  if (end < 0) return null;
  return html.slice(at + open.length, end);
}
