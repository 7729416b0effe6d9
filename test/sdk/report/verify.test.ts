import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import { buildReport, REPORT_KINDS } from "../../../src/report/build";
import { reportInputFromChain } from "../../../src/report/fromChain";
import type { Report, ReportKind } from "../../../src/report/types";
import { createHash } from "crypto";
import zlib from "zlib";

import { labelsCsv, parseLabels } from "../../../src/report/labels";
import { fmtAmount } from "../../../src/report/render/format";
import { renderHtml } from "../../../src/report/render/html";
import { renderJson } from "../../../src/report/render/json";
import { pdfPageContents, renderPdf } from "../../../src/report/render/pdf";
import type { SpendReport } from "../../../src/report/types";
import { verifyReport, verifyReportDocument } from "../../../src/verifier/report";
import { buildEpoch } from "../../../src/writer";
import { Scenario, reportScenario, scenarioLabelRows } from "../../helpers/reportScenario";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Mutable = any;

const bump = (v: string) => (BigInt(v) + 1n).toString();

interface Tamper {
  name: string;
  kind: ReportKind;
  mutate(r: Mutable, s: Scenario): unknown;
  /** Verify with the usage leaves at hand (verify --bundles): per-epoch settlement needs them. */
  withUsage?: boolean;
}

const TAMPERS: Tamper[] = [
  // spend
  { name: "a total figure (deposited)", kind: "spend", mutate: (r) => (r.totals.deposited = bump(r.totals.deposited)) },
  { name: "a closing balance with its identity kept", kind: "spend", mutate: (r) => {
    r.totals.closingFree = bump(r.totals.closingFree);
    r.totals.deposited = bump(r.totals.deposited);
  } },
  { name: "a per-customer figure", kind: "spend", mutate: (r) => (r.totals.byCustomer[1].closingHeld = bump(r.totals.byCustomer[1].closingHeld)) },
  { name: "a line amount", kind: "spend", mutate: (r) => (r.lines[4].amount = bump(r.lines[4].amount)) },
  { name: "a removed line", kind: "spend", mutate: (r) => r.lines.splice(6, 1) },
  { name: "an added (duplicated) line", kind: "spend", mutate: (r) => r.lines.push({ ...r.lines[5] }) },
  { name: "two lines swapped", kind: "spend", mutate: (r) => ([r.lines[3], r.lines[4]] = [r.lines[4], r.lines[3]]) },
  { name: "evidence swapped between lines", kind: "spend", mutate: (r) => ([r.lines[0].evidence, r.lines[4].evidence] = [r.lines[4].evidence, r.lines[0].evidence]) },
  { name: "a line's kind", kind: "spend", mutate: (r) => (r.lines.find((l: Mutable) => l.kind === "charge").kind = "post") },
  { name: "a line's customer", kind: "spend", mutate: (r) => (r.lines[0].customer = r.lines[1].customer) },
  { name: "a charge's status", kind: "spend", mutate: (r) => (r.lines.find((l: Mutable) => l.kind === "charge").status = "held") },
  { name: "a statement's usage leaves (one amount up, one down: Σ kept)", kind: "spend", mutate: (r) => {
    const c = r.lines.find((l: Mutable) => l.kind === "charge" && l.usage.length > 1);
    c.usage[0].leaf.amount = bump(c.usage[0].leaf.amount);
    c.usage[1].leaf.amount = (BigInt(c.usage[1].leaf.amount) - 1n).toString();
  } },
  { name: "a statement's usageHash", kind: "spend", mutate: (r) => (r.lines.find((l: Mutable) => l.kind === "charge").statement.usageHash = `0x${"12".repeat(32)}`) },
  { name: "a statement's cap", kind: "spend", mutate: (r) => (r.lines.find((l: Mutable) => l.kind === "charge").capPerEpoch = "1") },
  { name: "a statement's reference text", kind: "spend", mutate: (r) => (r.lines.find((l: Mutable) => l.kind === "charge").referenceText = "invoice 1999-01") },
  { name: "a post moved to another covered epoch", kind: "spend", mutate: (r) => (r.lines.find((l: Mutable) => l.kind === "post").epoch += 1) },
  { name: "a refund's epoch", kind: "spend", mutate: (r) => (r.lines.find((l: Mutable) => l.kind === "refund").epoch += 1) },
  { name: "the closing thawing amount", kind: "spend", mutate: (r) => (r.totals.closingThawing = bump(r.totals.closingThawing)) },
  { name: "the runway", kind: "spend", mutate: (r) => (r.totals.runway[0].days = "999.99") },
  // uptime
  { name: "a line's uptimeBps", kind: "uptime", mutate: (r) => (r.lines[7].uptimeBps = 10_000) },
  { name: "a record's uptime (the leaf)", kind: "uptime", mutate: (r) => {
    const l = r.lines.find((x: Mutable) => x.breach && x.status === "final");
    l.record.uptimeBps = 9_999;
    l.uptimeBps = 9_999;
    l.breach = false;
    l.creditBps = 0;
  } },
  { name: "a breach flag", kind: "uptime", mutate: (r) => (r.lines.find((x: Mutable) => x.breach).breach = false) },
  { name: "a credit tier", kind: "uptime", mutate: (r) => (r.lines.find((x: Mutable) => x.creditBps > 0).creditBps = 500) },
  { name: "an epoch status (pending shown final)", kind: "uptime", mutate: (r) => {
    for (const l of r.lines) if (l.status === "pending") l.status = "final";
  } },
  { name: "a proof element", kind: "uptime", mutate: (r) => (r.lines[2].proof[0] = r.lines[3].proof[0] === r.lines[2].proof[0] ? r.lines[4].proof[0] : r.lines[3].proof[0]) },
  { name: "a removed node line", kind: "uptime", mutate: (r) => r.lines.splice(11, 1) },
  { name: "an added node line", kind: "uptime", mutate: (r) => r.lines.splice(1, 0, JSON.parse(JSON.stringify(r.lines[0]))) },
  { name: "two node lines reordered", kind: "uptime", mutate: (r) => ([r.lines[0], r.lines[1]] = [r.lines[1], r.lines[0]]) },
  { name: "a root swapped with another epoch's", kind: "uptime", mutate: (r) => (r.lines[0].root = r.lines[r.lines.length - 1].root) },
  { name: "an epoch's version in totals", kind: "uptime", mutate: (r) => (r.totals.epochs[4].version = 1) },
  { name: "an incident window's end", kind: "uptime", mutate: (r) => (r.totals.networks[0].incidents[0].end = "2030-01-01T00:00:00Z") },
  { name: "the period's uptime", kind: "uptime", mutate: (r) => (r.totals.networks[0].uptimeBps += 1) },
  // economics
  { name: "an epoch's claimed revenue", kind: "economics", mutate: (r) => (r.lines[0].totalRevenue = bump(r.lines[0].totalRevenue)) },
  { name: "settled revenue", kind: "economics", mutate: (r) => (r.lines[3].settledRevenue = bump(r.lines[3].settledRevenue)) },
  { name: "revenue backing", kind: "economics", mutate: (r) => (r.lines[1].revenueBackedBps = 10_000) },
  { name: "a per-epoch fee moved between epochs", kind: "economics", mutate: (r) => {
    r.lines[0].settledFee = bump(r.lines[0].settledFee);
    r.lines[0].settledNet = (BigInt(r.lines[0].settledNet) - 1n).toString();
    r.lines[1].settledFee = (BigInt(r.lines[1].settledFee) - 1n).toString();
    r.lines[1].settledNet = bump(r.lines[1].settledNet);
  }, withUsage: true },
  { name: "an epoch's payout allocation", kind: "economics", mutate: (r) => (r.lines[1].payoutAllocated = bump(r.lines[1].payoutAllocated)) },
  { name: "utilisation", kind: "economics", mutate: (r) => (r.lines[1].utilizationBps += 1) },
  { name: "concentration (checked for consistency without records)", kind: "economics", mutate: (r) => (r.lines[0].concentrationBps += 1) },
  // journal
  { name: "an entry id", kind: "journal", mutate: (r) => (r.lines[2].entryId = 99) },
  { name: "an entry's debit account", kind: "journal", mutate: (r) => (r.lines[2].debitAccount = "revenue:1") },
  { name: "an entry's amount", kind: "journal", mutate: (r) => (r.lines[9].amount = bump(r.lines[9].amount)) },
  { name: "a trial balance row", kind: "journal", mutate: (r) => (r.totals.trialBalance[0].balance = bump(r.totals.trialBalance[0].balance)) },
  { name: "tokens held by the contract", kind: "journal", mutate: (r) => {
    const t = Object.keys(r.totals.heldByContract)[0];
    r.totals.heldByContract[t] = bump(r.totals.heldByContract[t]);
    r.totals.ledgerAssets[t] = bump(r.totals.ledgerAssets[t]);
  } },
  // manifest
  { name: "another chain id", kind: "journal", mutate: (r) => (r.manifest.chainId = 1) },
  { name: "another ledger contract", kind: "spend", mutate: async (r, s) => (r.manifest.ledger = await s.token.getAddress()) },
  { name: "another revenue ledger contract", kind: "spend", mutate: async (r, s) => (r.manifest.revenueLedger = await s.wl.getAddress()) },
  { name: "another toBlock (hash kept)", kind: "uptime", mutate: (r) => (r.manifest.toBlock -= 1) },
  { name: "another toBlockHash", kind: "economics", mutate: (r) => (r.manifest.toBlockHash = `0x${"ab".repeat(32)}`) },
  { name: "another fromBlock", kind: "spend", mutate: (r) => (r.manifest.fromBlock += 20) },
  { name: "another kind", kind: "spend", mutate: (r) => (r.kind = "journal") },
  { name: "a missing parameters object", kind: "uptime", mutate: (r) => delete r.parameters },
  { name: "lines that are not a list", kind: "uptime", mutate: (r) => (r.lines = {}) },
  { name: "a record field out of its type's range", kind: "uptime", mutate: (r) => (r.lines[0].record.uptimeBps = 70_000) },
];

describe("verifyReport", function () {
  let s: Scenario;
  const reports = new Map<ReportKind, Report>();

  before(async function () {
    s = await loadFixture(reportScenario);
    const input = await reportInputFromChain(ethers.provider, {
      ledger: await s.wl.getAddress(),
      revenueLedger: await s.rl.getAddress(),
      fromBlock: s.deployBlock,
      records: s.records,
      usage: s.usage,
    });
    for (const kind of REPORT_KINDS) reports.set(kind, buildReport(kind, input));
  });

  it("accepts every untampered report, and one whose generatedAt alone changed", async function () {
    for (const kind of REPORT_KINDS) {
      const r = JSON.parse(JSON.stringify(reports.get(kind)));
      r.manifest.generatedAt = "1999-01-01T00:00:00.000Z";
      const res = await verifyReport(r, ethers.provider);
      expect(res.differences, kind).to.deep.equal([]);
      expect(res.ok).to.equal(true);
    }
  });

  it("accepts narrowed reports: one customer from a later block, an epoch range, economics with records", async function () {
    const input = await reportInputFromChain(ethers.provider, {
      ledger: await s.wl.getAddress(),
      revenueLedger: await s.rl.getAddress(),
      fromBlock: s.afterDepositsBlock + 1,
      records: s.records,
      usage: s.usage,
    });
    const narrowed = [
      buildReport("spend", input, { customer: s.customers.bob.address }),
      buildReport("uptime", input, { fromEpoch: 1, toEpoch: 3, slaBps: 9_900 }),
      buildReport("journal", input, { networkId: 1 }),
    ];
    for (const r of narrowed) {
      const res = await verifyReport(JSON.parse(JSON.stringify(r)), ethers.provider);
      expect(res.differences, r.kind).to.deep.equal([]);
    }
    const econ = await verifyReport(JSON.parse(JSON.stringify(buildReport("economics", input))), ethers.provider, { records: s.records, usage: s.usage });
    expect(econ).to.deep.equal({ ok: true, differences: [] });
    // Epoch bundles at hand (verify --bundles DIR) give the records and usage leaves: by root, so a superseded version's bundle is not used.
    const bundles = [];
    for (const [key, recs] of s.recordsByKey) {
      const u = s.usageByKey.get(key);
      bundles.push((await buildEpoch(recs, { epoch: Number(key.split(":")[1]), networkId: 1, usage: u ? u.leaves : undefined })).bundle);
    }
    expect(bundles.length).to.be.greaterThan(6); // epoch 4 has two versions
    const withBundles = await verifyReport(JSON.parse(JSON.stringify(buildReport("economics", input))), ethers.provider, { bundles });
    expect(withBundles).to.deep.equal({ ok: true, differences: [] });
    const wrong = JSON.parse(JSON.stringify(buildReport("economics", input)));
    wrong.lines[1].topNodesRevenue = (BigInt(wrong.lines[1].topNodesRevenue) - 1n).toString();
    expect((await verifyReport(wrong, ethers.provider, { bundles })).differences.join("\n")).to.match(/lines\[1\]\.topNodesRevenue/);
    // Without the records, concentration is reported as not re-derivable rather than silently passed.
    const bare = await verifyReport(JSON.parse(JSON.stringify(buildReport("economics", input))), ethers.provider);
    expect(bare.ok).to.equal(true);
    expect(bare.unchecked?.length).to.be.greaterThan(0);
  });

  it(`has at least 20 kinds of tampering (${TAMPERS.length})`, function () {
    expect(TAMPERS.length).to.be.at.least(20);
  });

  for (const t of TAMPERS) {
    it(`catches ${t.name} (${t.kind})`, async function () {
      const r = JSON.parse(JSON.stringify(reports.get(t.kind)));
      const before = JSON.stringify(r);
      await t.mutate(r, s);
      expect(JSON.stringify(r), "the tamper changed nothing").to.not.equal(before);
      const res = await verifyReport(r, ethers.provider, t.withUsage ? { usage: s.usage } : {});
      expect(res.ok, "tampered report accepted").to.equal(false);
      expect(res.differences.length).to.be.greaterThan(0);
    });
  }
});

/** Replaces the (Flate) stream of PDF object `num` by `edit(inflated)`, fixing its /Length. */
function editPdfStream(pdf: Buffer, num: number, edit: (raw: Buffer) => Buffer): Buffer {
  const text = pdf.toString("latin1");
  const m = new RegExp(`(?:^|\\n)${num} 0 obj`).exec(text);
  if (!m) throw new Error(`no object ${num}`);
  const start = m.index + m[0].length;
  const kw = text.indexOf("stream", start);
  const dict = text.slice(start, kw);
  const len = Number(/\/Length (\d+)/.exec(dict)![1]);
  const dataStart = kw + "stream\n".length;
  const edited = zlib.deflateSync(edit(zlib.inflateSync(pdf.subarray(dataStart, dataStart + len))));
  return Buffer.concat([pdf.subarray(0, start), Buffer.from(dict.replace(/\/Length \d+/, `/Length ${edited.length}`), "latin1"), pdf.subarray(kw, dataStart), edited, pdf.subarray(dataStart + len)]);
}

const hex = (s: string) => Buffer.from(s, "latin1").toString("hex");

/** The page-1 content of a PDF with the hex-encoded `from` text replaced by `to` (throws when absent). */
function editPage1Text(pdf: Buffer, from: string, to: string): Buffer {
  return editPdfStream(pdf, pdfPageContents(pdf)[0], (raw) => {
    const t = raw.toString("latin1");
    if (!t.includes(hex(from))) throw new Error(`page 1 does not show ${from}`);
    return Buffer.from(t.replace(hex(from), hex(to)), "latin1");
  });
}

/** The number of the object holding the PDF's embedded file. */
function embeddedFileObject(pdf: Buffer): number {
  return Number(/(\d+) 0 obj\s*<<\s*\/Type \/EmbeddedFile/.exec(pdf.toString("latin1"))![1]);
}

interface DocTamper {
  name: string;
  format: "pdf" | "html";
  mutate(doc: Buffer, ctx: { report: SpendReport; other: Buffer }): Buffer;
  /** What the difference must mention. */
  expect: RegExp;
}

const DOC_TAMPERS: DocTamper[] = [
  {
    name: "the embedded JSON altered (a total bumped), the visible pages kept",
    format: "pdf",
    mutate: (pdf, { report }) =>
      editPdfStream(pdf, embeddedFileObject(pdf), () => {
        const r = JSON.parse(JSON.stringify(report));
        r.totals.deposited = (BigInt(r.totals.deposited) + 1n).toString();
        return Buffer.from(renderJson(r));
      }),
    expect: /page 1 \(the summary\) shows other text or figures than its embedded report renders[\s\S]*totals.deposited/,
  },
  {
    name: "a visible total altered (the closing balance on page 1)",
    format: "pdf",
    mutate: (pdf, { report }) => {
      const closing = fmtAmount((BigInt(report.totals.closingFree) + BigInt(report.totals.closingHeld)).toString(), report.tokens[0]);
      return editPage1Text(pdf, closing, closing.replace(/^\d/, (d) => String((Number(d) + 1) % 10)));
    },
    expect: /page 1 \(the summary\) shows other text or figures/,
  },
  {
    name: "the printed SHA-256 altered",
    format: "pdf",
    mutate: (pdf, { report }) => {
      // The digest is printed in runs split by kerning: alter a 12-digit window of one run.
      const sha = createHash("sha256").update(renderJson(report)).digest("hex");
      for (let k = 0; k + 12 <= 64; k++) {
        const w = sha.slice(k, k + 12);
        try {
          return editPage1Text(pdf, w, `${w[0] === "0" ? "1" : "0"}${w.slice(1)}`);
        } catch {
          /* this window spans two runs */
        }
      }
      throw new Error("the digest is not on page 1");
    },
    expect: /page 1 \(the summary\)/,
  },
  {
    name: "a name changed on a page (the JSON kept)",
    format: "pdf",
    mutate: (pdf) => editPage1Text(pdf, "Acme Analytics", "Acme Analytica"),
    expect: /page 1 \(the summary\)/,
  },
  {
    name: "the attachment removed (renamed)",
    format: "pdf",
    mutate: (pdf) => Buffer.from(pdf.toString("latin1").replace(/\(spend\.json\)/g, "(spend.txt_)"), "latin1"),
    expect: /the PDF has no embedded report/,
  },
  {
    name: "the attachment replaced by another report's JSON",
    format: "pdf",
    mutate: (pdf, { other }) => editPdfStream(pdf, embeddedFileObject(pdf), () => other),
    expect: /shows other text or figures than its embedded report renders/,
  },
  {
    name: "bytes appended after the end (an incremental update)",
    format: "pdf",
    mutate: (pdf) => Buffer.concat([pdf, Buffer.from("\n99 0 obj\n<< /Type /Annot /Contents (paid in full) >>\nendobj\n%%EOF\n", "latin1")]),
    expect: /differs from the rendering of its embedded report outside the page text/,
  },
  {
    name: "the document title in the metadata changed",
    format: "pdf",
    mutate: (pdf) => Buffer.from(pdf.toString("latin1").replace("\n(Statement of account: Acme Analytics)\n", "\n(Statement of account: Acme Analytica)\n"), "latin1"),
    expect: /outside the page text/,
  },
  {
    name: "a truncated file",
    format: "pdf",
    mutate: (pdf) => pdf.subarray(0, Math.floor(pdf.length / 2)),
    expect: /.+/,
  },
  {
    name: "a visible total altered",
    format: "html",
    mutate: (html, { report }) => {
      const deposited = fmtAmount(report.totals.deposited, report.tokens[0]);
      const t = html.toString("utf8");
      if (!t.includes(`${deposited} mUSD`)) throw new Error("no deposited figure");
      return Buffer.from(t.replace(`${deposited} mUSD`, `${deposited.replace(/^\d/, (d) => String((Number(d) + 1) % 10))} mUSD`));
    },
    expect: /html: line \d+ shows/,
  },
  {
    name: "the embedded JSON altered (a line amount), the page kept",
    format: "html",
    mutate: (html, { report }) => {
      const t = html.toString("utf8");
      const amount = `"amount": "${report.lines[1].amount}"`;
      if (!t.includes(amount)) throw new Error("no amount in the JSON");
      return Buffer.from(t.replace(amount, `"amount": "${BigInt(report.lines[1].amount) + 1n}"`));
    },
    expect: /html: line \d+ shows[\s\S]*lines\[1\]\.amount/,
  },
  {
    name: "the embedded JSON removed",
    format: "html",
    mutate: (html) => Buffer.from(html.toString("utf8").replace(/<script type="application\/json" id="workledger-report">[\s\S]*?<\/script>/, "")),
    expect: /no single <script type="application\/json" id="workledger-report"> element/,
  },
  {
    name: "a second embedded report injected",
    format: "html",
    mutate: (html, { other }) => Buffer.from(html.toString("utf8").replace("</main>", `<script type="application/json" id="workledger-report">${other.toString("utf8")}</script></main>`)),
    expect: /no single <script/,
  },
  {
    name: "a statement line removed from a table",
    format: "html",
    mutate: (html) => {
      const t = html.toString("utf8");
      const row = /<tr><td[^>]*>\d{4}-\d{2}-\d{2} \d{2}:\d{2}<\/td>.*?<\/tr>\n/.exec(t);
      if (!row) throw new Error("no dated row");
      return Buffer.from(t.replace(row[0], ""));
    },
    expect: /html: line \d+ shows/,
  },
];

describe("verifyReportDocument (PDF and HTML carry their report)", function () {
  let pdf: Buffer;
  let html: Buffer;
  let report: SpendReport;
  let other: Buffer;

  before(async function () {
    const s = await loadFixture(reportScenario);
    const input = await reportInputFromChain(ethers.provider, {
      ledger: await s.wl.getAddress(),
      revenueLedger: await s.rl.getAddress(),
      fromBlock: s.deployBlock,
      records: s.records,
    });
    const labels = parseLabels(labelsCsv(scenarioLabelRows(s)));
    report = buildReport("spend", input, { labels, customer: s.customers.alice.address }) as SpendReport;
    pdf = await renderPdf(report);
    html = Buffer.from(await renderHtml(report));
    other = Buffer.from(renderJson(buildReport("spend", input, { labels, customer: s.customers.bob.address })));
  });

  it("accepts the untampered PDF, HTML and JSON, and reads the same report from each", async function () {
    for (const [doc, format] of [[pdf, "pdf"], [html, "html"], [Buffer.from(renderJson(report)), "json"]] as const) {
      const res = await verifyReportDocument(doc, ethers.provider);
      expect(res.differences, format).to.deep.equal([]);
      expect(res.ok).to.equal(true);
      expect(res.format).to.equal(format);
      expect(renderJson(res.report!)).to.equal(renderJson(report));
    }
  });

  it(`has at least 8 kinds of document tampering (${DOC_TAMPERS.length})`, function () {
    expect(DOC_TAMPERS.length).to.be.at.least(8);
  });

  for (const t of DOC_TAMPERS) {
    it(`catches ${t.name} (${t.format})`, async function () {
      const doc = t.format === "pdf" ? pdf : html;
      const bad = t.mutate(doc, { report, other });
      expect(bad.equals(doc), "the tamper changed nothing").to.equal(false);
      const res = await verifyReportDocument(bad, ethers.provider);
      expect(res.ok, "tampered document accepted").to.equal(false);
      expect(res.differences.join("\n")).to.match(t.expect);
    });
  }
});
