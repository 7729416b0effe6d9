/**
 * PDF (pdfkit): a statement a customer can file — title, period, parties, totals, the lines as a
 * table, the chain evidence, and "Page i of n" on every page. Amounts in token units.
 */
import PDFDocument from "pdfkit";

import type { Report } from "../types";
import { TITLES, amountsNote, manifestRows, periodText } from "./describe";
import { Table, reportTables } from "./tables";

/** Columns of the lines table per kind (those that fit a portrait A4 page). */
const LINE_COLUMNS: Record<Report["kind"], string[]> = {
  spend: ["evidence.blockNumber", "kind", "customer", "epoch", "amount", "status", "evidence.logIndex"],
  uptime: ["networkId", "epoch", "version", "nodeId", "status", "uptimeBps", "breach", "creditBps"],
  economics: ["epoch", "version", "status", "activeNodes", "totalRevenue", "settledRevenue", "revenueBackedBps", "utilizationBps"],
  journal: ["entryId", "entryKind", "debitAccount", "creditAccount", "amount", "epoch"],
};

/** Lines beyond this are left out of the PDF (the JSON and CSV keep them all). */
const MAX_PDF_LINES = 2_000;

const MARGIN = 40;

/** `v` cut (in the middle for hex) until it fits `width` points at the current font. */
function fit(doc: PDFKit.PDFDocument, v: string, width: number): string {
  if (doc.widthOfString(v) <= width) return v;
  const hex = v.startsWith("0x") || v.includes(":0x");
  let keep = v.length - 1;
  let out = v;
  while (keep > 3) {
    out = hex ? `${v.slice(0, Math.ceil(keep / 2))}…${v.slice(v.length - Math.floor(keep / 2))}` : `${v.slice(0, keep)}…`;
    if (doc.widthOfString(out) <= width) return out;
    keep--;
  }
  return out;
}

function drawTable(doc: PDFKit.PDFDocument, t: Table, columns: string[] | undefined, maxRows: number): void {
  const idx = columns ? columns.map((c) => t.columns.indexOf(c)).filter((i) => i >= 0) : t.columns.map((_, i) => i);
  const width = doc.page.width - 2 * MARGIN;
  const colW = width / Math.max(1, idx.length);
  const size = idx.length > 8 ? 6 : 7;
  const rowH = 11;
  const header = () => {
    doc.font("Helvetica-Bold").fontSize(size);
    const y = doc.y;
    idx.forEach((i, k) => doc.text(fit(doc, t.columns[i], colW - 6), MARGIN + k * colW, y, { lineBreak: false }));
    doc.moveTo(MARGIN, y + rowH - 2).lineTo(MARGIN + width, y + rowH - 2).lineWidth(0.5).stroke();
    doc.y = y + rowH;
    doc.font("Helvetica").fontSize(size);
  };
  header();
  const rows = t.rows.slice(0, maxRows);
  for (const r of rows) {
    if (doc.y + rowH > doc.page.height - MARGIN - 20) {
      doc.addPage();
      header();
    }
    const y = doc.y;
    idx.forEach((i, k) => doc.text(fit(doc, r[i] ?? "", colW - 6), MARGIN + k * colW, y, { lineBreak: false }));
    doc.y = y + rowH;
  }
  if (t.rows.length > rows.length) {
    doc.moveDown(0.5).fontSize(8).text(`${t.rows.length - rows.length} more lines in the JSON and CSV files.`, MARGIN);
  }
  doc.x = MARGIN;
}

function heading(doc: PDFKit.PDFDocument, text: string): void {
  if (doc.y > doc.page.height - MARGIN - 80) doc.addPage();
  doc.moveDown(0.8).font("Helvetica-Bold").fontSize(12).text(text, MARGIN).moveDown(0.3).font("Helvetica");
}

/**
 * The report as a PDF statement.
 * @returns the PDF bytes
 */
export async function renderPdf(report: Report): Promise<Buffer> {
  const doc = new PDFDocument({ size: "A4", margin: MARGIN, bufferPages: true, info: { Title: TITLES[report.kind], Creator: report.manifest.tool, CreationDate: new Date(report.manifest.generatedAt) } });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  doc.font("Helvetica-Bold").fontSize(18).text(TITLES[report.kind]);
  doc.font("Helvetica").fontSize(10).text(`Period: ${periodText(report)}`);
  doc.fontSize(8).text(amountsNote(report)).moveDown(0.5);

  heading(doc, "Parties");
  const parties: [string, string][] = [["Issuer (contracts)", `WorkLedger ${report.manifest.ledger}, RevenueLedger ${report.manifest.revenueLedger}`]];
  if (report.parameters.customer) parties.push(["Customer", report.parameters.customer]);
  else if (report.kind === "spend") parties.push(["Customers", report.totals.byCustomer.map((c) => c.customer).join(", ") || "none"]);
  if (report.parameters.networkId !== null) parties.push(["Network", String(report.parameters.networkId)]);
  for (const [k, v] of parties) doc.fontSize(9).text(`${k}: ${v}`, { width: doc.page.width - 2 * MARGIN });

  const tables = reportTables(report, { human: true, compact: true });
  const totals = tables.find((t) => t.name === "totals");
  if (totals) {
    heading(doc, "Totals");
    drawTable(doc, totals, undefined, 200);
  }
  for (const t of tables) {
    if (t.name === "" || t.name === "totals") continue;
    heading(doc, t.title);
    drawTable(doc, t, undefined, 500);
  }
  heading(doc, "Lines");
  drawTable(doc, tables[0], LINE_COLUMNS[report.kind], MAX_PDF_LINES);

  heading(doc, "Chain evidence");
  for (const [k, v] of manifestRows(report)) doc.fontSize(8).text(`${k}: ${v}`, MARGIN, undefined, { width: doc.page.width - 2 * MARGIN });
  doc
    .moveDown(0.5)
    .fontSize(8)
    .text("Each line names the transaction and log that carry it (evidence.txHash, blockNumber, logIndex in the JSON). Anyone can re-derive every figure from the chain: workledger verify <report>.json.", { width: doc.page.width - 2 * MARGIN });

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0; // the footer sits in the bottom margin: no page break
    const text = `Page ${i + 1} of ${range.count}`;
    doc.fontSize(8).text(text, MARGIN, doc.page.height - MARGIN + 10, { width: doc.page.width - 2 * MARGIN, align: "right", lineBreak: false });
  }
  doc.end();
  return done;
}
