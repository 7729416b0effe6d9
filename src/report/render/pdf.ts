/**
 * PDF (pdfkit): page 1 is the summary (key figures, the chart, incidents or customers, the SHA-256
 * of the report JSON and the one-line verify command); then a table of contents with page numbers
 * (and PDF bookmarks); then the details, one section per page run, grouped, with column headers
 * repeated on every page; then the chain evidence. Every page has "Page i of n".
 *
 * The report JSON is embedded as the file attachment `<kind>.json` (as Factur-X embeds its XML).
 * The output is deterministic (dates from the manifest, no random ids), so `workledger verify
 * FILE.pdf` re-renders the PDF from the embedded JSON and compares: a visible figure that differs
 * from the embedded JSON shows up as a difference, with no PDF text extraction.
 */
import PDFDocument from "pdfkit";

import type { Report } from "../types";
import { Chart, drawChart, summaryChart } from "./charts";
import { Block, Cell, Figure, ReportDocument, TableModel, amountsNote, reportDocument } from "./document";
import { renderJson } from "./json";

const MARGIN = 40;
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const CONTENT_W = PAGE_W - 2 * MARGIN;
const BOTTOM = PAGE_H - MARGIN - 14; // leave room for the footer
const ROW_H = 10.5;
const FONT = 7;

const TONE: Record<string, string> = { breach: "#b42318", warn: "#9a6700", muted: "#8c959f", ok: "#1a7f37" };

/** Text in the standard fonts' encoding (WinAnsi): the few symbols it lacks, spelled out. */
export function pdfText(s: string): string {
  return s.replace(/→/g, "->").replace(/≥/g, ">=").replace(/≤/g, "<=").replace(/−/g, "-").replace(/÷/g, "/").replace(/[^\x20-\x7e\u00a0-\u00ff–—…·•‘’“”€]/g, "?");
}

/** `v` cut (in the middle for hex) until it fits `width` points at the current font. */
function fit(doc: PDFKit.PDFDocument, v: string, width: number): string {
  if (doc.widthOfString(v) <= width) return v;
  const hex = /0x[0-9a-fA-F]{8,}/.test(v);
  let keep = v.length - 1;
  let out = v;
  while (keep > 3) {
    out = hex ? `${v.slice(0, Math.ceil(keep / 2))}…${v.slice(v.length - Math.floor(keep / 2))}` : `${v.slice(0, keep)}…`;
    if (doc.widthOfString(out) <= width) return out;
    keep -= Math.max(1, Math.floor((doc.widthOfString(out) - width) / 4));
  }
  return out;
}

interface Ctx {
  doc: PDFKit.PDFDocument;
  /** Page index (0-based) where each section and group starts, by id. */
  pages: Map<string, number>;
}

function ensure(ctx: Ctx, height: number, onNewPage?: () => void): void {
  if (ctx.doc.y + height > BOTTOM) {
    ctx.doc.addPage();
    onNewPage?.();
  }
}

function pageIndex(doc: PDFKit.PDFDocument): number {
  const r = doc.bufferedPageRange();
  return r.start + r.count - 1;
}

function drawTable(ctx: Ctx, t: TableModel, maxRows = Infinity): void {
  const { doc } = ctx;
  if (t.rows.length === 0) {
    doc.font("Helvetica-Oblique").fontSize(FONT + 1).fillColor("#57606a").text("none", MARGIN, doc.y);
    doc.fillColor("#222");
    return;
  }
  const total = t.columns.reduce((s, c) => s + c.width, 0);
  const widths = t.columns.map((c) => (CONTENT_W * c.width) / total);
  const xs = widths.map((_, i) => MARGIN + widths.slice(0, i).reduce((s, w) => s + w, 0));
  const drawRow = (cells: Cell[], bold: boolean) => {
    const y = doc.y;
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(FONT);
    cells.forEach((cell, i) => {
      const w = widths[i] - 4;
      const text = fit(doc, pdfText(cell.text), w);
      doc.fillColor(!bold && cell.tone ? TONE[cell.tone] : "#222");
      const right = t.columns[i].align === "right";
      const dx = right ? w - doc.widthOfString(text) : 0;
      doc.text(text, xs[i] + 2 + dx, y + 2, { lineBreak: false });
    });
    doc.fillColor("#222");
    if (bold) doc.moveTo(MARGIN, y + ROW_H).lineTo(MARGIN + CONTENT_W, y + ROW_H).lineWidth(0.6).strokeColor("#888").stroke();
    else doc.moveTo(MARGIN, y + ROW_H).lineTo(MARGIN + CONTENT_W, y + ROW_H).lineWidth(0.2).strokeColor("#ddd").stroke();
    doc.strokeColor("#222");
    doc.y = y + ROW_H;
  };
  const header = () => drawRow(t.columns.map((c) => ({ text: c.header })), true);
  ensure(ctx, 3 * ROW_H);
  header();
  let n = 0;
  for (const r of t.rows) {
    if (n++ >= maxRows) break;
    ensure(ctx, ROW_H, header);
    drawRow(r, false);
  }
  doc.x = MARGIN;
}

function drawBlock(ctx: Ctx, b: Block): void {
  const { doc } = ctx;
  if (b.type === "table") {
    if (b.title) {
      ensure(ctx, 16 + 3 * ROW_H);
      doc.font("Helvetica-Bold").fontSize(9.5).fillColor("#222").text(pdfText(b.title), MARGIN, doc.y + 4);
      doc.y += 2;
    }
    drawTable(ctx, b.table);
    if (b.more) doc.font("Helvetica").fontSize(FONT).fillColor("#57606a").text(pdfText(b.more), MARGIN, doc.y + 2).fillColor("#222");
    doc.y += 4;
  } else if (b.type === "text") {
    doc.font("Helvetica").fontSize(8).text(pdfText(b.text), MARGIN, doc.y, { width: CONTENT_W });
  } else if (b.type === "chart") {
    ensure(ctx, b.chart.height + 20);
    const y = doc.y + 4;
    doc.font("Helvetica-Bold").fontSize(9).fillColor("#222").text(pdfText(b.chart.title), MARGIN, y, { lineBreak: false });
    drawChart(doc, b.chart, MARGIN, y + 14, 1, pdfText);
    doc.x = MARGIN;
    doc.y = y + 14 + b.chart.height + 6;
  } else {
    for (const [k, v] of b.rows) {
      ensure(ctx, ROW_H);
      const y = doc.y;
      doc.font("Helvetica").fontSize(8).fillColor("#57606a").text(pdfText(k), MARGIN, y, { lineBreak: false });
      doc.fillColor("#222").font("Helvetica-Bold");
      const v2 = fit(doc, pdfText(v), CONTENT_W - 200);
      doc.text(v2, MARGIN + 200, y, { lineBreak: false });
      doc.y = y + 11;
    }
    doc.font("Helvetica");
    doc.y += 4;
  }
}

/** Height the summary blocks take (for sizing the chart on page 1). */
function blocksHeight(blocks: Block[]): number {
  let h = 0;
  for (const b of blocks) {
    if (b.type === "table") h += (b.title ? 16 : 0) + ROW_H * (1 + Math.max(1, b.table.rows.length)) + (b.more ? 10 : 0) + 4;
    else if (b.type === "pairs") h += 11 * b.rows.length + 4;
    else if (b.type === "chart") h += b.chart.height + 24;
    else h += 12;
  }
  return h;
}

function drawFigures(doc: PDFKit.PDFDocument, figures: Figure[], y0: number): number {
  const perRow = 3;
  const gap = 6;
  const w = (CONTENT_W - gap * (perRow - 1)) / perRow;
  const h = 40;
  figures.forEach((f, i) => {
    const x = MARGIN + (i % perRow) * (w + gap);
    const y = y0 + Math.floor(i / perRow) * (h + gap);
    doc.roundedRect(x, y, w, h, 3).lineWidth(0.5).strokeColor("#c8ccd1").stroke();
    doc.font("Helvetica").fontSize(7).fillColor("#57606a").text(fit(doc, pdfText(f.label), w - 10), x + 5, y + 4, { lineBreak: false });
    doc.font("Helvetica-Bold").fontSize(12).fillColor(f.tone ? TONE[f.tone] : "#222").text(fit(doc, pdfText(f.value), w - 10), x + 5, y + 14, { lineBreak: false });
    if (f.note) doc.font("Helvetica").fontSize(6).fillColor("#57606a").text(fit(doc, pdfText(f.note), w - 10), x + 5, y + 30, { lineBreak: false });
  });
  doc.fillColor("#222").strokeColor("#222");
  return y0 + Math.ceil(figures.length / perRow) * (h + gap);
}

/** The summary page (page 1). */
function drawSummary(ctx: Ctx, report: Report, d: ReportDocument, note: string): void {
  const { doc } = ctx;
  doc.font("Helvetica-Bold").fontSize(17).fillColor("#222").text(pdfText(d.title), MARGIN, MARGIN, { lineBreak: false });
  let y = MARGIN + 22;
  const line = (text: string, font: string, size: number, color: string) => {
    doc.font(font).fontSize(size).fillColor(color).text(fit(doc, pdfText(text), CONTENT_W), MARGIN, y, { lineBreak: false });
    y += size + 3;
  };
  for (const s of d.subject) line(s, "Helvetica-Bold", 9, "#222");
  for (const p of d.period) line(p, "Helvetica", 8.5, "#444");
  line(note, "Helvetica", 7, "#57606a");
  doc.fillColor("#222");
  y = drawFigures(doc, d.figures, y + 6);
  const footer = 30;
  const reserve = blocksHeight(d.summary) + footer + 20;
  const room = BOTTOM - y - reserve;
  const chart: Chart | null = room > 60 ? summaryChart(report, Math.min(360, room - 14)) : null;
  if (chart) {
    doc.font("Helvetica-Bold").fontSize(9).text(pdfText(chart.title), MARGIN, y + 2, { lineBreak: false });
    const scale = Math.min(1, (room - 14) / chart.height);
    drawChart(doc, chart, MARGIN, y + 14, scale, pdfText);
    y += 14 + chart.height * scale + 6;
  }
  doc.y = y;
  for (const b of d.summary) drawBlock(ctx, b);
  // The report's fingerprint and how to check it, at the foot of the summary.
  const fy = Math.max(doc.y + 4, BOTTOM - footer);
  doc.rect(MARGIN, fy, CONTENT_W, footer - 2).fill("#f3f4f6");
  doc.fillColor("#222").font("Helvetica").fontSize(7).text(`SHA-256 of the embedded ${d.jsonName} (attached to this PDF): ${d.sha256}`, MARGIN + 5, fy + 5, { lineBreak: false });
  doc.font("Helvetica-Bold").text(pdfText(`Check it against the chain: ${d.verifyCommand}`), MARGIN + 5, fy + 16, { lineBreak: false });
  doc.font("Helvetica");
}

interface TocEntry {
  id: string;
  title: string;
  level: 0 | 1;
}

const TOC_ROW = 12;
const TOC_PER_PAGE = Math.floor((BOTTOM - MARGIN - 30) / TOC_ROW);

/**
 * The report as a PDF: summary page, contents, details, evidence; the report JSON attached.
 * @returns the PDF bytes (deterministic for a given report)
 */
export async function renderPdf(report: Report): Promise<Buffer> {
  const json = renderJson(report);
  const d = reportDocument(report, json);
  const created = new Date(report.manifest.generatedAt);
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    info: { Title: d.title, Subject: `${report.kind} report, blocks ${report.manifest.fromBlock}-${report.manifest.toBlock} on chain ${report.manifest.chainId}`, Creator: report.manifest.tool, Producer: report.manifest.tool, CreationDate: Number.isNaN(created.getTime()) ? new Date(0) : created },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const stamp = Number.isNaN(created.getTime()) ? new Date(0) : created;
  doc.file(Buffer.from(json, "utf8"), { name: d.jsonName, type: "application/json", description: `WorkLedger ${report.kind} report (verify with: workledger verify)`, creationDate: stamp, modifiedDate: stamp, relationship: "Source" } as PDFKit.Mixins.PDFAttachmentOptions);

  const ctx: Ctx = { doc, pages: new Map() };
  drawSummary(ctx, report, d, amountsNote(report));

  // Contents: reserve its pages now, fill them in once the page numbers are known.
  const toc: TocEntry[] = [];
  for (const s of d.sections) {
    toc.push({ id: s.id, title: s.title, level: 0 });
    if (s.groups.length > 1) for (const g of s.groups) toc.push({ id: g.id, title: g.title, level: 1 });
  }
  toc.push({ id: "evidence", title: "Chain evidence", level: 0 });
  const tocPages = Math.max(1, Math.ceil(toc.length / TOC_PER_PAGE));
  const tocStart = pageIndex(doc) + 1;
  for (let i = 0; i < tocPages; i++) doc.addPage();
  // The details follow the contents on its last page.
  doc.y = MARGIN + 30 + (toc.length - (tocPages - 1) * TOC_PER_PAGE) * TOC_ROW + 10;

  for (const s of d.sections) {
    // A section starts a page when too little of the page is left.
    if (doc.y > BOTTOM - 160) doc.addPage();
    else doc.y += 14;
    ctx.pages.set(s.id, pageIndex(doc));
    doc.font("Helvetica-Bold").fontSize(14).fillColor("#222").text(pdfText(s.title), MARGIN, doc.y);
    if (s.intro) doc.font("Helvetica").fontSize(7.5).fillColor("#57606a").text(pdfText(s.intro), MARGIN, doc.y + 2, { width: CONTENT_W }).fillColor("#222");
    doc.y += 4;
    for (const g of s.groups) {
      ensure(ctx, 40);
      ctx.pages.set(g.id, pageIndex(doc));
      doc.font("Helvetica-Bold").fontSize(10).fillColor("#222").text(pdfText(g.title), MARGIN, doc.y + 6, { width: CONTENT_W });
      if (g.subtitle) doc.font("Helvetica").fontSize(6.5).fillColor("#57606a").text(pdfText(g.subtitle), MARGIN, doc.y + 1, { width: CONTENT_W }).fillColor("#222");
      doc.y += 3;
      for (const b of g.blocks) drawBlock(ctx, b);
    }
  }
  if (doc.y > BOTTOM - 220) doc.addPage();
  else doc.y += 14;
  ctx.pages.set("evidence", pageIndex(doc));
  doc.font("Helvetica-Bold").fontSize(14).text("Chain evidence", MARGIN, doc.y);
  doc.y += 6;
  for (const [k, v] of d.evidence) {
    doc.font("Helvetica").fontSize(7.5).fillColor("#57606a").text(pdfText(k), MARGIN, doc.y, { width: CONTENT_W });
    doc.font("Helvetica").fontSize(8).fillColor("#222").text(pdfText(v), MARGIN + 10, doc.y, { width: CONTENT_W - 10 });
    doc.y += 3;
  }
  doc
    .moveDown(0.8)
    .fontSize(8)
    .text(pdfText(`Every line names the transaction and log that carry it (evidence.txHash, blockNumber, logIndex in the JSON). The report JSON is attached to this PDF as ${d.jsonName}; its SHA-256 is printed on page 1. Anyone can re-derive every figure from the chain and check that this PDF shows exactly its embedded JSON: ${d.verifyCommand}`), MARGIN, doc.y, { width: CONTENT_W });

  // Fill in the contents.
  doc.switchToPage(tocStart);
  doc.font("Helvetica-Bold").fontSize(14).text("Contents", MARGIN, MARGIN);
  let y = doc.y + 8;
  let page = tocStart;
  const tocItems: { title: string; page: number; level: number }[] = [];
  for (const e of toc) {
    if (y + TOC_ROW > BOTTOM) {
      page++;
      doc.switchToPage(page);
      y = MARGIN;
    }
    const target = ctx.pages.get(e.id) ?? 0;
    const x = MARGIN + (e.level ? 14 : 0);
    doc.font(e.level ? "Helvetica" : "Helvetica-Bold").fontSize(e.level ? 8 : 9.5);
    const num = String(target + 1);
    const w = doc.widthOfString(num);
    const title = fit(doc, pdfText(e.title), CONTENT_W - (x - MARGIN) - w - 20);
    doc.text(title, x, y, { lineBreak: false });
    doc.text(num, MARGIN + CONTENT_W - w, y, { lineBreak: false });
    tocItems.push({ title: e.title, page: target, level: e.level });
    y += TOC_ROW;
  }
  // Bookmarks (the reader's outline pane).
  doc.switchToPage(0);
  doc.outline.addItem("Summary");
  let parent: ReturnType<typeof doc.outline.addItem> | undefined;
  for (const it of tocItems) {
    doc.switchToPage(it.page);
    if (it.level === 0 || !parent) parent = doc.outline.addItem(pdfText(it.title));
    else parent.addItem(pdfText(it.title));
  }

  // Footers.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0; // the footer sits in the bottom margin: no page break
    doc.font("Helvetica").fontSize(7).fillColor("#57606a");
    doc.text(pdfText(`${d.title} · ${report.kind}.json SHA-256 ${d.sha256.slice(0, 16)}…`), MARGIN, PAGE_H - MARGIN + 10, { lineBreak: false });
    const text = `Page ${i + 1} of ${range.count}`;
    doc.text(text, MARGIN + CONTENT_W - doc.widthOfString(text), PAGE_H - MARGIN + 10, { lineBreak: false });
  }
  doc.end();
  return done;
}

/* ------------------------------------------------------------ reading a PDF back */

/** The objects of a PDF (as pdfkit writes them: `N 0 obj … endobj`), by number. */
export function pdfObjects(pdf: Buffer): Map<number, { dict: string; stream?: Buffer }> {
  const out = new Map<number, { dict: string; stream?: Buffer }>();
  const text = pdf.toString("latin1");
  const re = /(?:^|[\r\n])(\d+) 0 obj\s*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const num = Number(m[1]);
    const start = m.index + m[0].length;
    const end = text.indexOf("endobj", start);
    if (end < 0) break;
    const body = text.slice(start, end);
    const s = body.indexOf("stream");
    if (s >= 0 && /\/Length\s+\d+/.test(body.slice(0, s))) {
      const len = Number(/\/Length\s+(\d+)/.exec(body.slice(0, s))![1]);
      let dataStart = start + s + "stream".length;
      if (text[dataStart] === "\r") dataStart++;
      if (text[dataStart] === "\n") dataStart++;
      out.set(num, { dict: body.slice(0, s), stream: pdf.subarray(dataStart, Math.min(pdf.length, dataStart + len)) });
    } else out.set(num, { dict: body });
    re.lastIndex = end;
  }
  return out;
}

/** The bytes of the attachment named `name` (inflated), or null when the PDF has none by that name. */
export function pdfAttachment(pdf: Buffer, name: string): Buffer | null {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zlib = require("zlib") as typeof import("zlib");
  const objects = pdfObjects(pdf);
  const escaped = name.replace(/[()\\]/g, (ch) => `\\${ch}`);
  for (const o of objects.values()) {
    if (!/\/Type\s*\/Filespec/.test(o.dict) || !o.dict.includes(`/F (${escaped})`)) continue;
    const ef = /\/EF\s*<<\s*\/F\s+(\d+)\s+0\s+R/.exec(o.dict);
    const file = ef ? objects.get(Number(ef[1])) : undefined;
    if (!file?.stream) return null;
    if (/\/Filter\s*\/FlateDecode/.test(file.dict)) {
      try {
        return zlib.inflateSync(file.stream);
      } catch {
        return null;
      }
    }
    return file.stream;
  }
  return null;
}

/** The content-stream object numbers of each page, in page order. */
export function pdfPageContents(pdf: Buffer): number[] {
  const objects = pdfObjects(pdf);
  const root = [...objects.values()].find((o) => /\/Type\s*\/Pages/.test(o.dict));
  const kids = root ? [...(/\/Kids\s*\[([^\]]*)\]/.exec(root.dict)?.[1] ?? "").matchAll(/(\d+)\s+0\s+R/g)].map((k) => Number(k[1])) : [];
  return kids.map((k) => Number(/\/Contents\s+(\d+)\s+0\s+R/.exec(objects.get(k)?.dict ?? "")?.[1] ?? -1));
}
