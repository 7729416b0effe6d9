import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import { buildReport, REPORT_KINDS } from "../../../src/report/build";
import { reportInputFromChain } from "../../../src/report/fromChain";
import type { Report, ReportKind } from "../../../src/report/types";
import { verifyReport } from "../../../src/verifier/report";
import { Scenario, reportScenario } from "../../helpers/reportScenario";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Mutable = any;

const bump = (v: string) => (BigInt(v) + 1n).toString();

interface Tamper {
  name: string;
  kind: ReportKind;
  mutate(r: Mutable, s: Scenario): unknown;
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
  { name: "evidence swapped between lines", kind: "spend", mutate: (r) => ([r.lines[3].evidence, r.lines[4].evidence] = [r.lines[4].evidence, r.lines[3].evidence]) },
  { name: "a line's kind", kind: "spend", mutate: (r) => (r.lines.find((l: Mutable) => l.kind === "charge").kind = "post") },
  { name: "a line's customer", kind: "spend", mutate: (r) => (r.lines[0].customer = r.lines[1].customer) },
  { name: "a charge's status", kind: "spend", mutate: (r) => (r.lines.find((l: Mutable) => l.status === "held").status = "posted") },
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
  { name: "an epoch status (voided shown final)", kind: "uptime", mutate: (r) => {
    for (const l of r.lines) if (l.status === "voided") l.status = "final";
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
    const econ = await verifyReport(JSON.parse(JSON.stringify(buildReport("economics", input))), ethers.provider, { records: s.records });
    expect(econ).to.deep.equal({ ok: true, differences: [] });
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
      const res = await verifyReport(r, ethers.provider);
      expect(res.ok, "tampered report accepted").to.equal(false);
      expect(res.differences.length).to.be.greaterThan(0);
    });
  }
});
