/**
 * Markdown: the same document as the HTML and PDF (summary first, then the details grouped, then
 * the chain evidence), as GitHub-flavoured tables.
 */
import type { Report } from "../types";
import { Block, TableModel, amountsNote, reportDocument } from "./document";
import { renderJson } from "./json";

function cell(v: string): string {
  return v.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function mdTable(t: TableModel): string {
  if (t.rows.length === 0) return "_none_";
  const head = `| ${t.columns.map((c) => cell(c.header)).join(" | ")} |`;
  const sep = `| ${t.columns.map((c) => (c.align === "right" ? "---:" : "---")).join(" | ")} |`;
  return [head, sep, ...t.rows.map((r) => `| ${r.map((x) => cell(x.text)).join(" | ")} |`)].join("\n");
}

function mdBlock(b: Block): string[] {
  if (b.type === "table") return [...(b.title ? [`#### ${b.title}`, ""] : []), mdTable(b.table), ...(b.more ? ["", `_${b.more}_`] : []), ""];
  if (b.type === "text") return [b.text, ""];
  if (b.type === "chart") return [`_Chart (in the HTML and PDF): ${b.chart.title}._`, ""];
  return [mdTable({ columns: [{ header: "", align: "left", width: 1 }, { header: "", align: "right", width: 1 }], rows: b.rows.map(([k, v]) => [{ text: k }, { text: v }]) }), ""];
}

/** The report as Markdown. */
export function renderMarkdown(report: Report): string {
  const json = renderJson(report);
  const d = reportDocument(report, json);
  d.verifyCommand = `workledger verify ${report.kind}.json --rpc <URL of chain ${report.manifest.chainId}>`;
  const parts = [`# ${d.title}`, "", ...d.subject.map((s) => `**${s}**  `), ...d.period.map((p) => `${p}  `), "", amountsNote(report), "", "## Summary", ""];
  parts.push(mdTable({ columns: [{ header: "Figure", align: "left", width: 1 }, { header: "Value", align: "right", width: 1 }, { header: "", align: "left", width: 1 }], rows: d.figures.map((f) => [{ text: f.label }, { text: f.value }, { text: f.note ?? "" }]) }), "");
  for (const b of d.summary) parts.push(...mdBlock(b));
  for (const s of d.sections) {
    parts.push(`## ${s.title}`, "");
    if (s.intro) parts.push(s.intro, "");
    for (const g of s.groups) {
      parts.push(`### ${g.title}`, "");
      if (g.subtitle) parts.push(`_${g.subtitle}_`, "");
      for (const b of g.blocks) parts.push(...mdBlock(b));
    }
  }
  parts.push("## Chain evidence", "", mdTable({ columns: [{ header: "", align: "left", width: 1 }, { header: "", align: "left", width: 1 }], rows: d.evidence.map(([k, v]) => [{ text: k }, { text: v }]) }), "");
  parts.push(`Every figure can be re-derived from the chain: \`${d.verifyCommand}\`.`, "");
  return parts.join("\n");
}
