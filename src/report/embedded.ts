/**
 * Reports inside the documents people pass around: the PDF carries its report JSON as the file
 * attachment `<kind>.json`, the HTML in `<script type="application/json" id="workledger-report">`,
 * the CSV names its JSON in a `.sha256` sidecar. This module takes the JSON back out and checks that
 * the document shows exactly what that JSON renders: the renderers are deterministic, so the check
 * re-renders the document from the embedded JSON and compares (no PDF text extraction).
 */
import { createHash } from "crypto";
import zlib from "zlib";

import { renderCsv } from "./render/csv";
import { extractHtmlJson, renderHtml } from "./render/html";
import { renderJson } from "./render/json";
import { pdfAttachment, pdfObjects, pdfPageContents, renderPdf } from "./render/pdf";
import type { Report } from "./types";

export type DocumentFormat = "json" | "pdf" | "html";

/** The format of a report file, from its first bytes (a PDF, an HTML page, else JSON). */
export function sniffFormat(bytes: Buffer): DocumentFormat {
  const head = bytes.subarray(0, 512).toString("latin1").trimStart().toLowerCase();
  if (head.startsWith("%pdf-")) return "pdf";
  if (head.startsWith("<!doctype html") || head.startsWith("<html")) return "html";
  return "json";
}

const KINDS = ["spend", "uptime", "economics", "journal"];

/**
 * The report JSON a document carries.
 * @returns the report and its JSON text, or a one-line reason it has none
 */
export function embeddedReport(bytes: Buffer, format: DocumentFormat): { report: Report; json: string } | { error: string } {
  let json: string | null;
  if (format === "pdf") {
    let found: Buffer | null = null;
    for (const k of KINDS) {
      found = pdfAttachment(bytes, `${k}.json`);
      if (found) break;
    }
    if (!found) return { error: "the PDF has no embedded report (no spend.json, uptime.json, economics.json or journal.json attachment)" };
    json = found.toString("utf8");
  } else if (format === "html") {
    json = extractHtmlJson(bytes.toString("utf8"));
    if (json === null) return { error: 'the page has no single <script type="application/json" id="workledger-report"> element' };
  } else json = bytes.toString("utf8");
  let report: Report;
  try {
    report = JSON.parse(json) as Report;
  } catch (e) {
    return { error: `the ${format === "json" ? "file" : "embedded report"} is not JSON: ${(e as Error).message}` };
  }
  if (!report || typeof report !== "object" || typeof report.kind !== "string" || !report.manifest) return { error: "not a WorkLedger report (no kind or manifest)" };
  return { report, json: format === "json" ? json : renderJson(report) };
}

function inflate(b: Buffer | undefined): Buffer | undefined {
  if (!b) return undefined;
  try {
    return zlib.inflateSync(b);
  } catch {
    return b;
  }
}

/**
 * Differences between a PDF and the PDF its embedded report renders (empty when byte-identical).
 * Pages whose visible content differs are named; so are other differences (metadata, attachment,
 * bytes appended after the end).
 */
export async function pdfRenderingDifferences(pdf: Buffer, report: Report): Promise<string[]> {
  let expected: Buffer;
  try {
    expected = await renderPdf(report);
  } catch (e) {
    return [`pdf: the embedded report cannot be rendered (${(e as Error).message.split("\n")[0]})`];
  }
  if (expected.equals(pdf)) return [];
  const out: string[] = [];
  const a = pdfObjects(pdf);
  const b = pdfObjects(expected);
  const pa = pdfPageContents(pdf);
  const pb = pdfPageContents(expected);
  if (pa.length !== pb.length) out.push(`pdf: has ${pa.length} pages, its embedded report renders ${pb.length}`);
  for (let i = 0; i < Math.min(pa.length, pb.length) && out.length < 10; i++) {
    const x = inflate(a.get(pa[i])?.stream);
    const y = inflate(b.get(pb[i])?.stream);
    if (!x || !y || !x.equals(y)) out.push(`pdf: page ${i + 1}${i === 0 ? " (the summary)" : ""} shows other text or figures than its embedded report renders`);
  }
  if (out.length === 0) out.push("pdf: the file differs from the rendering of its embedded report outside the page text (metadata, attachment or appended bytes)");
  return out;
}

/** Differences between an HTML page and the page its embedded report renders (first differing line). */
export async function htmlRenderingDifferences(html: string, report: Report): Promise<string[]> {
  let expected: string;
  try {
    expected = await renderHtml(report);
  } catch (e) {
    return [`html: the embedded report cannot be rendered (${(e as Error).message.split("\n")[0]})`];
  }
  if (expected === html) return [];
  const x = html.split("\n");
  const y = expected.split("\n");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    const show = (s: string | undefined) => (s === undefined ? "(nothing)" : JSON.stringify(s.length > 160 ? `${s.slice(0, 157)}...` : s));
    return [`html: line ${i + 1} shows ${show(x[i])}, its embedded report renders ${show(y[i])}`];
  }
  return ["html: the page differs from the rendering of its embedded report"];
}

/** Checks a CSV against its `.sha256` sidecar and the JSON it names; returns the differences. */
export function csvDifferences(csv: Buffer, sidecar: string, json: Buffer | undefined, report: Report | undefined): string[] {
  const out: string[] = [];
  const lines = sidecar.trim().split(/\r?\n/).map((l) => /^([0-9a-f]{64}) [ *](.+)$/.exec(l.trim()));
  if (lines.length !== 2 || lines.some((m) => !m)) return ["csv: the .sha256 sidecar must hold two lines `<sha256>  <file>` (the CSV, then its JSON)"];
  const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
  if (sha(csv) !== lines[0]![1]) out.push(`csv: its SHA-256 is ${sha(csv)}, the sidecar says ${lines[0]![1]}`);
  if (!json) return [...out, `csv: the JSON the sidecar names (${lines[1]![2]}) is not beside it`];
  if (sha(json) !== lines[1]![1]) out.push(`csv: ${lines[1]![2]} has SHA-256 ${sha(json)}, the sidecar says ${lines[1]![1]}`);
  if (report && renderCsv(report) !== csv.toString("utf8")) out.push(`csv: its lines differ from those of ${lines[1]![2]}`);
  return out;
}
