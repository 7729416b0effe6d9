/**
 * CSV (RFC 4180: CRLF line ends, a header row, fields with a comma, quote or line break quoted and
 * quotes doubled), one file per table. Amounts stay exact integers.
 */
import type { Report } from "../types";
import { reportTables } from "./tables";

/** One RFC 4180 field. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A table as RFC 4180 text. */
export function csvText(columns: string[], rows: string[][]): string {
  return [columns, ...rows].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** A table as RFC 4180 text in pieces (one per row), for tables too large for one string. */
export function* csvChunks(columns: string[], rows: string[][]): Generator<string> {
  yield `${columns.map(csvField).join(",")}\r\n`;
  for (const r of rows) yield `${r.map(csvField).join(",")}\r\n`;
}

/**
 * Every table of the report as CSV, keyed by file-name suffix: "" for the lines (`<kind>.csv`),
 * else the table name (`<kind>.<table>.csv`, e.g. `spend.byCustomer.csv`, `journal.trialBalance.csv`).
 */
export function renderCsvTables(report: Report): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of reportTables(report)) out[t.name] = csvText(t.columns, t.rows);
  return out;
}

/** The lines of the report as CSV (`<kind>.csv`). */
export function renderCsv(report: Report): string {
  return renderCsvTables(report)[""];
}
