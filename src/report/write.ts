/**
 * Writes a report in the chosen formats: `<basename>.json`, `.csv` (plus `<basename>.<table>.csv`
 * per extra table), `.md`, `.html`, `.pdf`, and `.beancount` for a journal.
 */
import { createHash } from "crypto";
import fs from "fs";
import path from "path";

import { renderBeancount } from "./render/beancount";
import { csvChunks, renderCsvTables } from "./render/csv";
import { renderHtml } from "./render/html";
import { jsonChunks, renderJson } from "./render/json";
import { renderMarkdown } from "./render/markdown";
import { renderPdf } from "./render/pdf";
import { reportTables } from "./render/tables";
import type { Report } from "./types";

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
      return report.kind === "journal" ? { ".beancount": renderBeancount(report) } : {};
    default:
      throw new Error(`unknown format ${String(format)}`);
  }
}

/**
 * The `.sha256` sidecar of a CSV (sha256sum format, so `sha256sum -c` checks it): the CSV's digest
 * and the digest of the report JSON it was written from, each with its file name.
 */
export function csvSidecar(csv: string | Buffer, csvName: string, json: string | Buffer, jsonName: string): string {
  const h = (x: string | Buffer) => createHash("sha256").update(x).digest("hex");
  return `${h(csv)}  ${csvName}\n${h(json)}  ${jsonName}\n`;
}

/** Writes text pieces to `file` in ~1 MiB writes; returns the SHA-256 (hex) of what it wrote. */
function writeChunks(file: string, chunks: Iterable<string>): string {
  const fd = fs.openSync(file, "w");
  const hash = createHash("sha256");
  try {
    let buf: string[] = [];
    let size = 0;
    const flush = () => {
      const text = buf.join("");
      hash.update(text);
      fs.writeSync(fd, text);
      buf = [];
      size = 0;
    };
    for (const c of chunks) {
      buf.push(c);
      size += c.length;
      if (size >= 1 << 20) flush();
    }
    if (buf.length) flush();
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

/**
 * Writes `report` into `dir` as `<basename><suffix>` for every format (beancount only for journals).
 * The CSV gets a `<basename>.csv.sha256` sidecar naming its JSON (`<basename>.json`, written too
 * when the formats leave it out).
 * @returns the paths written, in order
 * @example
 * await writeReportFiles(report, "out", "journal", ["json", "csv", "beancount"]);
 */
export async function writeReportFiles(report: Report, dir: string, basename: string, formats: readonly ReportFormat[] = REPORT_FORMATS): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  let jsonSha: string | undefined;
  const writeJson = () => {
    const file = path.join(dir, `${basename}.json`);
    jsonSha = writeChunks(file, jsonChunks(report));
    written.push(file);
  };
  for (const f of formats) {
    // JSON and CSV are streamed: a million uptime lines do not fit in one string.
    if (f === "json") {
      if (!jsonSha) writeJson();
      continue;
    }
    if (f === "csv") {
      let csvSha = "";
      for (const t of reportTables(report)) {
        const file = path.join(dir, `${basename}${t.name ? `.${t.name}` : ""}.csv`);
        const sha = writeChunks(file, csvChunks(t.columns, t.rows));
        if (!t.name) csvSha = sha;
        written.push(file);
      }
      if (!jsonSha) writeJson();
      const side = path.join(dir, `${basename}.csv.sha256`);
      fs.writeFileSync(side, `${csvSha}  ${basename}.csv\n${jsonSha}  ${basename}.json\n`);
      written.push(side);
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
