/**
 * Markdown: title, period, parties and evidence, then every table (amounts in token units).
 */
import type { Report } from "../types";
import { TITLES, amountsNote, manifestRows, periodText } from "./describe";
import { reportTables } from "./tables";

function cell(v: string): string {
  return v.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function mdTable(columns: string[], rows: string[][]): string {
  const head = `| ${columns.map(cell).join(" | ")} |`;
  const sep = `| ${columns.map(() => "---").join(" | ")} |`;
  return [head, sep, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

/** The report as Markdown. */
export function renderMarkdown(report: Report): string {
  const parts = [`# ${TITLES[report.kind]}`, "", `Period: ${periodText(report)}`, "", amountsNote(report), "", mdTable(["", ""], manifestRows(report))];
  for (const t of reportTables(report, { human: true, compact: true })) {
    parts.push("", `## ${t.title}`, "", t.rows.length ? mdTable(t.columns, t.rows) : "_none_");
  }
  parts.push("", "Every figure can be re-derived from the chain: `workledger verify <report>.json`.", "");
  return parts.join("\n");
}
