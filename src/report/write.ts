/**
 * Writes a report in the chosen formats: `<basename>.json`, `.csv` (plus `<basename>.<table>.csv`
 * per extra table), `.md`, `.html`, `.pdf`, and `.beancount` for a journal.
 */
import fs from "fs";
import path from "path";

import { renderBeancount } from "./render/beancount";
import { csvChunks, renderCsvTables } from "./render/csv";
import { renderHtml } from "./render/html";
import { jsonChunks, renderJson } from "./render/json";
import { renderMarkdown } from "./render/markdown";
import { renderPdf } from "./render/pdf";
import { reportTables } from "./render/tables";
import type { JournalReport, Report } from "./types";

export type ReportFormat = "json" | "csv" | "md" | "html" | "pdf" | "beancount";

export const REPORT_FORMATS: readonly ReportFormat[] = ["json", "csv", "md", "html", "pdf", "beancount"];

/** Renders one format to its files: a map of file name suffix (after basename) to contents. */
export async function renderFormat(report: Report, format: ReportFormat): Promise<Record<string, string | Buffer>> {
  switch (format) {
    case "json":
      return { ".json": renderJson(report) };
    case "csv": {
      const out: Record<string, string> = {};
      for (const [name, text] of Object.entries(renderCsvTables(report))) out[name ? `.${name}.csv` : ".csv"] = text;
      return out;
    }
    case "md":
      return { ".md": renderMarkdown(report) };
    case "html":
      return { ".html": await renderHtml(report) };
    case "pdf":
      return { ".pdf": await renderPdf(report) };
    case "beancount":
      return report.kind === "journal" ? { ".beancount": renderBeancount(report as JournalReport) } : {};
    default:
      throw new Error(`unknown format ${String(format)}`);
  }
}

/** Writes text pieces to `file` in ~1 MiB writes. */
function writeChunks(file: string, chunks: Iterable<string>): void {
  const fd = fs.openSync(file, "w");
  try {
    let buf: string[] = [];
    let size = 0;
    for (const c of chunks) {
      buf.push(c);
      size += c.length;
      if (size >= 1 << 20) {
        fs.writeSync(fd, buf.join(""));
        buf = [];
        size = 0;
      }
    }
    if (buf.length) fs.writeSync(fd, buf.join(""));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes `report` into `dir` as `<basename><suffix>` for every format (beancount only for journals).
 * @returns the paths written, in order
 * @example
 * await writeReportFiles(report, "out", "journal", ["json", "csv", "beancount"]);
 */
export async function writeReportFiles(report: Report, dir: string, basename: string, formats: readonly ReportFormat[] = REPORT_FORMATS): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const f of formats) {
    // JSON and CSV are streamed: a million uptime lines do not fit in one string.
    if (f === "json") {
      const file = path.join(dir, `${basename}.json`);
      writeChunks(file, jsonChunks(report));
      written.push(file);
      continue;
    }
    if (f === "csv") {
      for (const t of reportTables(report)) {
        const file = path.join(dir, `${basename}${t.name ? `.${t.name}` : ""}.csv`);
        writeChunks(file, csvChunks(t.columns, t.rows));
        written.push(file);
      }
      continue;
    }
    for (const [suffix, data] of Object.entries(await renderFormat(report, f))) {
      const file = path.join(dir, `${basename}${suffix}`);
      fs.writeFileSync(file, data);
      written.push(file);
    }
  }
  return written;
}
