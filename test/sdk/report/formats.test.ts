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
import { humanAmount } from "../../../src/report/render/tables";
import type { JournalReport, Report, ReportKind, SpendReport } from "../../../src/report/types";
import { writeReportFiles } from "../../../src/report/write";
import { reportScenario } from "../../helpers/reportScenario";

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
  const reports = new Map<ReportKind, Report>();

  before(async function () {
    const s = await loadFixture(reportScenario);
    const input = await reportInputFromChain(ethers.provider, {
      ledger: await s.wl.getAddress(),
      revenueLedger: await s.rl.getAddress(),
      fromBlock: s.deployBlock,
      records: s.records,
    });
    for (const kind of REPORT_KINDS) {
      const r = buildReport(kind, input);
      reports.set(kind, r);
      await writeReportFiles(r, dir, kind);
    }
  });

  after(function () {
    if (!process.env.KEEP_REPORTS) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes CSV per RFC 4180, one file per table, with exact integers", function () {
    for (const kind of REPORT_KINDS) {
      const rows = parseCsv(fs.readFileSync(path.join(dir, `${kind}.csv`), "utf8"));
      const r = reports.get(kind)!;
      expect(rows.length, kind).to.equal(r.lines.length + 1);
      expect(rows.every((x) => x.length === rows[0].length)).to.equal(true);
      const amount = rows[0].indexOf("amount");
      if (amount >= 0) expect(rows[1][amount]).to.equal((r.lines[0] as { amount: string }).amount);
    }
    const spend = reports.get("spend") as SpendReport;
    const by = parseCsv(fs.readFileSync(path.join(dir, "spend.byCustomer.csv"), "utf8"));
    expect(by.length).to.equal(spend.totals.byCustomer.length + 1);
    expect(by[1][by[0].indexOf("closingFree")]).to.equal(spend.totals.byCustomer[0].closingFree);
    const tb = parseCsv(fs.readFileSync(path.join(dir, "journal.trialBalance.csv"), "utf8"));
    expect(tb[0]).to.deep.equal(["account", "token", "debit", "credit", "balance"]);
    expect(fs.existsSync(path.join(dir, "uptime.incidents.csv"))).to.equal(true);
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

  it("writes Markdown with amounts in token units", function () {
    const spend = reports.get("spend") as SpendReport;
    const md = fs.readFileSync(path.join(dir, "spend.md"), "utf8");
    expect(md).to.match(/^# Spend statement/);
    expect(md).to.include(`| closingFree | ${humanAmount(spend.totals.closingFree, spend.tokens[0])} |`);
  });

  it("renders HTML with charts in headless Chromium, without console errors", async function () {
    requireTool(CHROMIUM, "chromium");
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    try {
      for (const kind of ["uptime", "economics", "spend"] as const) {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error") errors.push(m.text());
        });
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(`file://${path.join(dir, `${kind}.html`)}`);
        const shot = path.join(dir, `${kind}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        expect(fs.statSync(shot).size).to.be.greaterThan(10_000);
        const figures = await page.$$eval("figure[data-marks]", (fs_) =>
          fs_.map((f) => ({
            expected: Number(f.getAttribute("data-marks")),
            drawn: f.querySelectorAll(`svg g.${f.getAttribute("data-mark-class")}.role-mark > path`).length,
            width: f.querySelector("svg")?.getBoundingClientRect().width ?? 0,
          })),
        );
        expect(figures.length, kind).to.equal(1);
        for (const f of figures) {
          expect(f.drawn, kind).to.equal(f.expected);
          expect(f.width).to.be.greaterThan(100);
        }
        const r = reports.get(kind)!;
        if (kind === "uptime") expect(figures[0].expected).to.equal(r.lines.length);
        if (kind === "economics") expect(figures[0].expected).to.equal(2 * r.lines.length);
        if (kind === "spend") expect(figures[0].expected).to.equal(2 * new Set(r.lines.map((l) => l.evidence.blockNumber)).size);
        expect(errors, kind).to.deep.equal([]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });

  it("writes a PDF statement with page numbers and the totals in its text", function () {
    requireTool("pdfinfo", "poppler-utils");
    requireTool("pdftotext", "poppler-utils");
    const spend = reports.get("spend") as SpendReport;
    const file = path.join(dir, "spend.pdf");
    const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).to.be.at.least(2);
    const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    expect(text).to.include("Spend statement");
    expect(text).to.include(`Page ${pages} of ${pages}`);
    const token = spend.tokens[0];
    for (const f of ["deposited", "charged", "closingFree", "closingHeld"] as const) {
      expect(text, f).to.match(new RegExp(`${f}\\s+${humanAmount(spend.totals[f], token).replace(".", "\\.")}`));
    }
    expect(text).to.include(spend.manifest.toBlockHash.slice(0, 20));
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
