/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { expect } from "chai";
import { execFileSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { chromium } from "playwright-core";

import { buildReport, REPORT_KINDS } from "../../../src/report/build";
import { reportInputFromChain } from "../../../src/report/fromChain";
import { renderCsvTables } from "../../../src/report/render/csv";
import { jsonChunks, renderJson } from "../../../src/report/render/json";
import { createHash } from "crypto";
import { humanAmount } from "../../../src/report/render/tables";
import { fmtAmount, fmtPct } from "../../../src/report/render/format";
import { csvDifferences } from "../../../src/report/embedded";
import { labelsCsv, parseLabels } from "../../../src/report/labels";
import type { EconomicsReport, JournalReport, Report, SpendReport, UptimeReport } from "../../../src/report/types";
import { writeReportFiles } from "../../../src/report/write";
import { CUSTOMER_NAMES, NODE_GROUPS, Scenario, isGreen, reportScenario, scenarioLabelRows } from "../../helpers/reportScenario";

const CHROMIUM = "/usr/bin/chromium";

/** Fails (never skips) when a Debian tool the check needs is missing. */
function requireTool(bin: string, pkg: string): void {
  try {
    execFileSync("which", [bin], { stdio: "pipe" });
  } catch {
    throw new Error(`${bin} is not installed: apt-get install -y ${pkg} (CI installs it)`);
  }
}

/** A small RFC 4180 parser (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
    i++;
  }
  if (field !== "" || row.length) throw new Error("CSV does not end with CRLF");
  return rows;
}

describe("report formats", function () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workledger-reports-"));
  const reports = new Map<string, Report>();
  let s: Scenario;
  const sha = (f: string) => createHash("sha256").update(fs.readFileSync(f)).digest("hex");
  const pdfText = (f: string) => execFileSync("pdftotext", ["-layout", f, "-"], { encoding: "utf8" });
  const names = () => scenarioLabelRows(s);

  before(async function () {
    s = await loadFixture(reportScenario);
    const input = await reportInputFromChain(ethers.provider, {
      ledger: await s.wl.getAddress(),
      revenueLedger: await s.rl.getAddress(),
      fromBlock: s.deployBlock,
      records: s.records,
      usage: s.usage,
    });
    const labels = parseLabels(labelsCsv(names()), "labels.csv");
    for (const kind of REPORT_KINDS) {
      const r = buildReport(kind, input, { labels });
      reports.set(kind, r);
      await writeReportFiles(r, dir, kind);
    }
    // The customer's own statement.
    const alice = buildReport("spend", input, { labels, customer: s.customers.alice.address });
    reports.set("alice", alice);
    await writeReportFiles(alice, dir, "alice", ["json", "pdf", "html"]);
  });

  after(function () {
    if (!process.env.KEEP_REPORTS) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`reports kept in ${dir}`);
  });

  it("writes CSV per RFC 4180, one file per table, with exact integers, and a .sha256 sidecar naming its JSON", function () {
    for (const kind of REPORT_KINDS) {
      const rows = parseCsv(fs.readFileSync(path.join(dir, `${kind}.csv`), "utf8"));
      const r = reports.get(kind)!;
      expect(rows.length, kind).to.equal(r.lines.length + 1);
      expect(rows.every((x) => x.length === rows[0].length)).to.equal(true);
      const amount = rows[0].indexOf("amount");
      if (amount >= 0) expect(rows[1][amount]).to.equal((r.lines[0] as { amount: string }).amount);
      // sha256sum format: the CSV, then the JSON it was written from; `sha256sum -c` agrees.
      const side = fs.readFileSync(path.join(dir, `${kind}.csv.sha256`), "utf8");
      expect(side).to.equal(`${sha(path.join(dir, `${kind}.csv`))}  ${kind}.csv\n${sha(path.join(dir, `${kind}.json`))}  ${kind}.json\n`);
      execFileSync("sha256sum", ["-c", `${kind}.csv.sha256`], { cwd: dir, stdio: "pipe" });
    }
    const spend = reports.get("spend") as SpendReport;
    const by = parseCsv(fs.readFileSync(path.join(dir, "spend.byCustomer.csv"), "utf8"));
    expect(by.length).to.equal(spend.totals.byCustomer.length + 1);
    expect(by[1][by[0].indexOf("closingFree")]).to.equal(spend.totals.byCustomer[0].closingFree);
    expect(by[0]).to.include.members(["name", "group"]);
    const tb = parseCsv(fs.readFileSync(path.join(dir, "journal.trialBalance.csv"), "utf8"));
    expect(tb[0]).to.deep.equal(["account", "token", "debit", "credit", "balance"]);
    expect(fs.existsSync(path.join(dir, "uptime.incidents.csv"))).to.equal(true);
  });

  it("checks a CSV against its sidecar and the JSON it names (what `verify FILE.csv` does)", function () {
    const csv = fs.readFileSync(path.join(dir, "spend.csv"));
    const side = fs.readFileSync(path.join(dir, "spend.csv.sha256"), "utf8");
    const json = fs.readFileSync(path.join(dir, "spend.json"));
    const r = reports.get("spend")!;
    expect(csvDifferences(csv, side, json, r)).to.deep.equal([]);
    const edited = Buffer.from(csv.toString("utf8").replace(/,(\d)(\d*),/, (_m, a: string, b: string) => `,${(Number(a) + 1) % 10}${b},`));
    expect(edited.equals(csv)).to.equal(false);
    expect(csvDifferences(edited, side, json, r).join("\n")).to.match(/csv: its SHA-256 is .*, the sidecar says/);
    // A CSV and sidecar rewritten together still must match the JSON's lines.
    const resealed = side.replace(/^[0-9a-f]{64}/, createHash("sha256").update(edited).digest("hex"));
    expect(csvDifferences(edited, resealed, json, r)).to.deep.equal(["csv: its lines differ from those of spend.json"]);
    expect(csvDifferences(csv, side, undefined, r)).to.deep.equal(["csv: the JSON the sidecar names (spend.json) is not beside it"]);
    expect(csvDifferences(csv, "nonsense", json, r)[0]).to.match(/two lines/);
  });

  it("streams JSON and CSV byte-identical to the in-memory renderers", function () {
    for (const kind of REPORT_KINDS) {
      const r = reports.get(kind)!;
      expect(fs.readFileSync(path.join(dir, `${kind}.json`), "utf8"), kind).to.equal(renderJson(r));
      for (const [name, text] of Object.entries(renderCsvTables(r))) {
        expect(fs.readFileSync(path.join(dir, `${kind}${name ? `.${name}` : ""}.csv`), "utf8"), `${kind} ${name}`).to.equal(text);
      }
    }
    const empty = { ...reports.get("spend")!, lines: [] } as Report;
    expect([...jsonChunks(empty)].join("")).to.equal(renderJson(empty));
  });

  it("writes Markdown: summary first, names beside short ids, one number format per unit", function () {
    const spend = reports.get("spend") as SpendReport;
    const md = fs.readFileSync(path.join(dir, "spend.md"), "utf8");
    expect(md).to.match(/^# Spend statement/);
    expect(md.indexOf("## Summary")).to.be.below(md.indexOf("## Acme Analytics"));
    const token = spend.tokens[0];
    expect(md).to.include(`| Closing balance | ${fmtAmount((BigInt(spend.totals.closingFree) + BigInt(spend.totals.closingHeld)).toString(), token)} mUSD |`);
    expect(md).to.include(`Acme Analytics (${s.customers.alice.address.slice(0, 8)}…${s.customers.alice.address.slice(-4)})`);
    expect(md).to.include("INV-ALICE-3");
    // every amount column of every table has the token's 6 decimals
    const AMOUNT_HEADERS = new Set(["Amount", "Free after", "Held after", "Opening", "Charged", "Posted", "Refunded", "Closing free", "Closing held", "Free balance", "Avg charge / epoch"]);
    let header: string[] = [];
    let checked = 0;
    for (const line of md.split("\n")) {
      if (!line.startsWith("|")) {
        header = [];
        continue;
      }
      const cells = line.slice(1, -1).split(" | ").map((c) => c.trim());
      if (header.length === 0) header = cells;
      else if (!cells[0].startsWith("---")) {
        cells.forEach((c, k) => {
          if (!AMOUNT_HEADERS.has(header[k]) || c === "") return;
          expect(c, `${header[k]}: ${c}`).to.match(/^[-+]?\d{1,3}(,\d{3})*\.\d{6}$/);
          checked++;
        });
      }
    }
    expect(checked).to.be.greaterThan(100);
    const a = s.customers.alice.address;
    const journal = fs.readFileSync(path.join(dir, "journal.md"), "utf8");
    expect(journal).to.include(`| escrow:1:Acme Analytics (${a.slice(0, 8)}…${a.slice(-4)}) |`);
    const up = fs.readFileSync(path.join(dir, "uptime.md"), "utf8");
    expect(up).to.not.match(/record\.revenue|revenueBackedBps|uptimeBps/);
  });

  it("renders HTML that fits 1280 px, opens with the summary, and colours every breach as a breach", async function () {
    requireTool(CHROMIUM, "chromium");
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    try {
      for (const kind of [...REPORT_KINDS, "alice"]) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        const errors: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error") errors.push(m.text());
        });
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(`file://${path.join(dir, `${kind}.html`)}`);
        const layout = await page.evaluate(() => {
          const box = (sel: string) => document.querySelector(sel)?.getBoundingClientRect();
          const figs = [...document.querySelectorAll("#summary .fig")].map((f) => f.getBoundingClientRect().bottom);
          return {
            scrollWidth: document.documentElement.scrollWidth,
            clientWidth: document.documentElement.clientWidth,
            wideTables: [...document.querySelectorAll("table")].filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth).length,
            summaryTop: box("#summary")?.top ?? -1,
            h1: box("#summary h1")?.bottom ?? 9_999,
            figuresBottom: Math.max(...figs),
            chartTop: box("#summary figure")?.top ?? null,
            contentsTop: box("#contents")?.top ?? 0,
            firstSection: document.querySelector("main > section:not(#summary)")?.getBoundingClientRect().top ?? 0,
          };
        });
        expect(layout.scrollWidth, `${kind}: horizontal overflow`).to.be.at.most(layout.clientWidth);
        expect(layout.wideTables, kind).to.equal(0);
        // The summary comes first, its key figures and chart above the fold (800 px).
        expect(layout.summaryTop, kind).to.be.below(50);
        expect(layout.figuresBottom, kind).to.be.below(800);
        if (layout.chartTop !== null) expect(layout.chartTop, kind).to.be.below(400);
        expect(layout.contentsTop, kind).to.be.below(layout.firstSection);
        // The embedded report JSON is the JSON file, byte for byte once parsed back.
        const embedded = await page.evaluate(() => document.getElementById("workledger-report")?.textContent ?? "");
        expect(`${JSON.stringify(JSON.parse(embedded), null, 2)}\n`).to.equal(fs.readFileSync(path.join(dir, `${kind}.json`), "utf8"));
        // Human headers only.
        const headers = await page.$$eval("th", (ths) => ths.map((t) => t.textContent ?? ""));
        expect(headers.filter((h) => /^[a-z]+[A-Z.]/.test(h)), kind).to.deep.equal([]);
        if (kind === "uptime") {
          const r = reports.get("uptime") as UptimeReport;
          const cells = await page.$$eval("#uptime-heatmap rect[data-uptime]", (rs) =>
            rs.map((x) => ({ uptime: Number(x.getAttribute("data-uptime")), breach: x.getAttribute("data-breach") === "true", fill: getComputedStyle(x).fill })),
          );
          expect(cells.length).to.equal(r.lines.length);
          // The 97.91% cell (25% tier) is a breach colour; every breach is not green.
          const cell = cells.find((c) => c.uptime === 9_791)!;
          expect(cell.breach).to.equal(true);
          expect(isGreen(cell.fill), cell.fill).to.equal(false);
          for (const c of cells) if (c.breach) expect(isGreen(c.fill), `${c.uptime}: ${c.fill}`).to.equal(false);
          for (const c of cells) if (!c.breach && c.fill !== "rgb(217, 217, 217)") expect(isGreen(c.fill), `${c.uptime}: ${c.fill}`).to.equal(true);
          const text = await page.textContent("#summary");
          expect(text).to.include("gpu-us-east-02");
          expect(text).to.include(fmtPct(9_300));
        }
        if (kind === "alice") {
          const text = (await page.textContent("body"))!;
          expect(text).to.include("Statement of account: Acme Analytics");
          expect(text).to.include("INV-ALICE-0");
          expect(text).to.not.include(CUSTOMER_NAMES.bob);
        }
        const shot = path.join(dir, `${kind}.png`);
        await page.screenshot({ path: shot });
        expect(fs.statSync(shot).size).to.be.greaterThan(10_000);
        expect(errors, kind).to.deep.equal([]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });

  it("writes PDFs that open with the summary and contents, show names, dates and references, and carry their JSON", function () {
    requireTool("pdfinfo", "poppler-utils");
    requireTool("pdftotext", "poppler-utils");
    requireTool("pdfdetach", "poppler-utils");
    for (const kind of [...REPORT_KINDS, "alice"]) {
      const r = reports.get(kind)!;
      const file = path.join(dir, `${kind}.pdf`);
      const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
      const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
      const text = pdfText(file);
      expect(text, kind).to.include(`Page ${pages} of ${pages}`);
      const page1 = text.split("\f")[0];
      // Page 1: the summary with the report's fingerprint and the verify command.
      expect(page1, kind).to.include(`SHA-256 of the embedded ${r.kind}.json (attached to this PDF): ${sha(path.join(dir, `${kind}.json`))}`);
      expect(page1, kind).to.include(`workledger verify ${r.kind}.pdf`);
      expect(text.split("\f")[1], kind).to.include("Contents");
      // Dates of the period on page 1; every line's date somewhere.
      expect(page1, kind).to.include(r.manifest.toTime.slice(0, 10));
      // The attachment is the report JSON file, byte for byte.
      const list = execFileSync("pdfdetach", ["-list", file], { encoding: "utf8" });
      expect(list, kind).to.include(`${r.kind}.json`);
      const out = path.join(dir, `${kind}.extracted.json`);
      execFileSync("pdfdetach", ["-save", "1", "-o", out, file]);
      expect(sha(out), kind).to.equal(sha(path.join(dir, `${kind}.json`)));
    }
    const uptime = pdfText(path.join(dir, "uptime.pdf"));
    const u = reports.get("uptime") as UptimeReport;
    for (let i = 0; i < 5; i++) expect(uptime).to.include(`gpu-${NODE_GROUPS[i]}-0${i}`);
    const inc = u.totals.networks[0].incidents.find((w) => !w.settled)!;
    expect(uptime).to.match(new RegExp(`${inc.start.slice(0, 10)} ${inc.start.slice(11, 16)} -> ${inc.end.slice(0, 10)} ${inc.end.slice(11, 16)}\\s+gpu-us-east-02`));
    expect(uptime).to.include("open: epoch 5 not final");
    for (const e of u.totals.epochs) expect(uptime).to.include(`Epoch ${e.epoch}: ${e.startTime.slice(0, 10)} ${e.startTime.slice(11, 16)} UTC`);
    // The customer's statement: names, dates, references, totals and runway on page 1.
    const alice = pdfText(path.join(dir, "alice.pdf"));
    const a = reports.get("alice") as SpendReport;
    const page1 = alice.split("\f")[0];
    expect(page1).to.include("Statement of account: Acme Analytics");
    expect(page1).to.include(`${fmtAmount(a.totals.deposited, a.tokens[0])} mUSD`);
    expect(page1).to.match(/Runway[\s\S]*Runway days/);
    expect(page1).to.include(a.totals.runway[0].days!);
    for (const l of a.lines) {
      expect(alice).to.include(`${l.timestamp!.slice(0, 10)} ${l.timestamp!.slice(11, 16)}`);
      if (l.kind === "post") expect(alice).to.include(`INV-ALICE-${l.epoch}`);
    }
    const spend = pdfText(path.join(dir, "spend.pdf"));
    for (const n of Object.values(CUSTOMER_NAMES)) expect(spend).to.include(n);
    const econ = pdfText(path.join(dir, "economics.pdf"));
    const e = reports.get("economics") as EconomicsReport;
    expect(econ).to.include(`${fmtAmount(e.totals.settledRevenue, e.tokens[0])} mUSD`);
    expect(econ).to.include("Settled (gross)");
    expect(econ).to.include("Scenario GPU (network 1)");
  });

  it("renders the same PDF and HTML bytes twice (what verify relies on)", async function () {
    const { renderPdf } = await import("../../../src/report/render/pdf");
    const { renderHtml } = await import("../../../src/report/render/html");
    for (const kind of REPORT_KINDS) {
      const r = JSON.parse(fs.readFileSync(path.join(dir, `${kind}.json`), "utf8")) as Report;
      expect((await renderPdf(r)).equals(fs.readFileSync(path.join(dir, `${kind}.pdf`))), kind).to.equal(true);
      expect(await renderHtml(r), kind).to.equal(fs.readFileSync(path.join(dir, `${kind}.html`), "utf8"));
    }
  });

  it("writes a Beancount journal that bean-check accepts, its assets equal to the tokens held", function () {
    requireTool("bean-check", "beancount");
    const file = path.join(dir, "journal.beancount");
    execFileSync("bean-check", [file], { encoding: "utf8", stdio: "pipe" });
    const text = fs.readFileSync(file, "utf8");
    const j = reports.get("journal") as JournalReport;
    const [token, held] = Object.entries(j.totals.heldByContract)[0];
    expect(text).to.include(`balance Assets:WorkLedger:MUSD  ${humanAmount(held, j.tokens.find((t) => t.address === token))} MUSD`);
    expect(text).to.include("Income:ContraRevenue:N1");
    // A broken journal is rejected: bean-check is really checking.
    const broken = path.join(dir, "broken.beancount");
    fs.writeFileSync(broken, text.replace(/(\n {2}Assets:WorkLedger:MUSD {2})(\d)/, "$19$2"));
    expect(() => execFileSync("bean-check", [broken], { stdio: "pipe" })).to.throw();
  });
});
