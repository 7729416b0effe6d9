import { expect } from "chai";
import { getAddress } from "ethers";

import type { ChainEvent, EventValue } from "../../../src/chain/events";
import { keccak256, toUtf8Bytes } from "ethers";
import fs from "fs";
import os from "os";
import path from "path";

import { creditFor, DEFAULT_CREDIT_TIERS, parseCreditTiers, parseSla, resolveSla } from "../../../src/report/common";
import { normalizeDate, periodEnd, periodStart } from "../../../src/report/dates";
import { labelKey, parseLabels, readLabels, resolveCustomer, writeLabels } from "../../../src/report/labels";
import { NO_DATA, uptimeColour, uptimeLegend } from "../../../src/report/render/charts";
import { fmtAmount, fmtDate, fmtInt, fmtPct, shortId } from "../../../src/report/render/format";
import { renderMarkdown } from "../../../src/report/render/markdown";
import type { SpendReport } from "../../../src/report/types";
import { buildEconomicsReport } from "../../../src/report/economics";
import type { ReportInput } from "../../../src/report/input";
import { AccountKind, accountName, decodeAccountId, encodeAccountId, entryKind } from "../../../src/report/journal";
import { epochFromBundle } from "../../../src/merkle";
import { statusAt } from "../../../src/report/state";
import { buildEpoch } from "../../../src/writer";
import { isGreen } from "../../helpers/reportScenario";

const LEDGER = getAddress("0x1000000000000000000000000000000000000001");
const REVENUE = getAddress("0x2000000000000000000000000000000000000002");
const TOKEN = getAddress("0x3000000000000000000000000000000000000003");

function ev(name: string, blockNumber: number, args: Record<string, EventValue>): ChainEvent {
  return { contract: "WorkLedger", address: LEDGER, name, blockNumber, blockHash: "0x" + "11".repeat(32), txHash: "0x" + "22".repeat(32), logIndex: 0, args };
}

describe("report units", function () {
  describe("account ids", function () {
    it("round-trip kind, network and holder, and name them", function () {
      const holder = getAddress("0xabcdef0123456789abcdef0123456789abcdef01");
      const id = encodeAccountId(AccountKind.Escrow, 7, holder);
      expect(decodeAccountId(id)).to.deep.equal({ kind: AccountKind.Escrow, networkId: 7, holder });
      expect(accountName(decodeAccountId(id))).to.equal(`escrow:7:${holder}`);
      expect(accountName(decodeAccountId(encodeAccountId(AccountKind.Assets, 0, TOKEN)))).to.equal(`assets:${TOKEN}`);
      expect(accountName(decodeAccountId(encodeAccountId(AccountKind.Revenue, 3, "0x0000000000000000000000000000000000000000")))).to.equal("revenue:3");
    });

    it("tells entries apart by their account kinds", function () {
      expect(entryKind(AccountKind.Revenue, AccountKind.Escrow)).to.equal("refund");
      expect(entryKind(AccountKind.Escrow, AccountKind.Fee)).to.equal("fee");
      expect(entryKind(AccountKind.Escrow, AccountKind.Revenue)).to.equal("charge");
      expect(entryKind(AccountKind.Held, AccountKind.Fee)).to.equal("other"); // held charges are retired
    });
  });

  describe("credit tiers", function () {
    it("apply the deepest tier the uptime is below (AWS-style by default)", function () {
      const tiers = resolveSla().creditTiers;
      expect([10_000, 9_990, 9_989, 9_900, 9_899, 9_500, 9_499, 0].map((u) => creditFor(u, tiers))).to.deep.equal([0, 0, 1_000, 1_000, 2_500, 2_500, 10_000, 10_000]);
      const custom = resolveSla({ creditTiers: [{ belowBps: 9_000, creditBps: 5_000 }, { belowBps: 9_950, creditBps: 500 }] }).creditTiers;
      expect(custom[0].belowBps).to.equal(9_950); // sorted
      expect([9_960, 9_940, 8_999].map((u) => creditFor(u, custom))).to.deep.equal([0, 500, 5_000]);
      expect(DEFAULT_CREDIT_TIERS).to.have.length(3);
    });
  });

  describe("epoch status", function () {
    it("is Pending until finalizesAt, then Final; Challenged and Voided as stored", function () {
      const v = { finalizesAt: 1_000, stored: "pending" } as Parameters<typeof statusAt>[0];
      expect(statusAt(v, 999)).to.equal("pending");
      expect(statusAt(v, 1_000)).to.equal("final");
      expect(statusAt({ ...v, stored: "challenged" }, 5_000)).to.equal("challenged");
      expect(statusAt({ ...v, stored: "voided" }, 5_000)).to.equal("voided");
    });
  });

  describe("bundles", function () {
    it("give back the exact records (large values too) and the writer's proofs", async function () {
      const records = [0n, 1n, (1n << 53n) + 1n, (1n << 64n) - 1n].map((x, i) => ({
        nodeId: `0x${(i + 1).toString(16).padStart(64, "0")}`,
        epoch: 9n,
        workUnits: x === 0n ? 0n : x,
        uptimeBps: 9_000 + i,
        revenue: x === 0n ? 0n : (x << 60n) - 1n,
        evidence: `0x${"ab".repeat(31)}${i.toString(16).padStart(2, "0")}`,
      }));
      const { bundle } = await buildEpoch(records, { epoch: 9 });
      const { records: got, tree } = epochFromBundle(bundle);
      expect(got).to.deep.equal([...bundle.records()]);
      expect(tree.root).to.equal(bundle.root);
      for (let i = 0; i < got.length; i++) expect(tree.proof(i)).to.deep.equal(bundle.proof(i));
    });
  });

  describe("economics edge cases", function () {
    it("gives null ratios for zero revenue, zero active nodes and undeclared capacity", function () {
      const events = [
        ev("NetworkCreated", 1, { networkId: "1", admin: LEDGER, token: TOKEN, name: "n", workUnit: "u", genesisTime: "0", epochSeconds: "60", challengeWindow: "0", capacityPerNode: "0" }),
        ev("EpochCommitted", 2, { networkId: "1", epoch: "0", version: "1", root: "0x" + "00".repeat(32), recordCount: "0", activeNodes: "0", totalWorkUnits: "0", totalRevenue: "0", dataHash: "0x" + "00".repeat(32), verifierSetId: "1", finalizesAt: "0", signers: [] }),
      ];
      const input: ReportInput = {
        chainId: 1,
        ledger: LEDGER,
        revenueLedger: REVENUE,
        fromBlock: 1,
        toBlock: 2,
        toBlockHash: "0x" + "33".repeat(32),
        toBlockTimestamp: 100,
        events,
        records: () => undefined,
        blockTimestamps: {},
        tokens: {},
        heldByContract: {},
      };
      const r = buildEconomicsReport(input);
      expect(r.lines).to.have.length(1);
      const l = r.lines[0];
      expect([l.status, l.revenuePerActiveNode, l.utilizationBps, l.concentrationBps, l.revenueBackedBps, l.topNodes]).to.deep.equal(["final", null, null, null, null, 0]);
      expect(r.totals.revenueBackedBps).to.equal(null);
    });
  });

  describe("labels", function () {
    const alice = getAddress("0x00000000000000000000000000000000000a11ce");
    it("read id,name,group for node id strings, 32-byte ids, addresses and networks, and write them back", function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workledger-labels-"));
      const file = path.join(dir, "labels.csv");
      writeLabels(file, [
        { id: "gpu-us-east-000", name: "gpu-us-east-000", group: "us-east" },
        { id: alice.toLowerCase(), name: 'Acme, "the" customer', group: "enterprise" },
        { id: "1", name: "GPU network" },
        { id: `0x${"AB".repeat(32)}`, name: "INV-2026-11-003" },
      ]);
      const l = readLabels(file);
      expect(l.get(keccak256(toUtf8Bytes("gpu-us-east-000")))).to.deep.equal({ name: "gpu-us-east-000", group: "us-east" });
      expect(l.get(alice)).to.deep.equal({ name: 'Acme, "the" customer', group: "enterprise" });
      expect(l.get("1")).to.deep.equal({ name: "GPU network", group: null });
      expect(l.get(`0x${"ab".repeat(32)}`)?.name).to.equal("INV-2026-11-003");
      expect(labelKey("network:7")).to.equal("7");
      expect(resolveCustomer("acme, \"THE\" customer", l)).to.equal(alice);
      expect(resolveCustomer(alice.toLowerCase(), undefined)).to.equal(alice);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("refuse bad files naming the line and column", function () {
      expect(() => parseLabels("name,group\nx,y\n", "l.csv")).to.throw(/l.csv line 1: the header must name the columns id,name/);
      expect(() => parseLabels("id,name,group\nnode-1,,eu\n", "l.csv")).to.throw(/l.csv line 2, column name: empty/);
      expect(() => parseLabels("id,name,group\n,x,eu\n", "l.csv")).to.throw(/l.csv line 2, column id: empty/);
      expect(() => parseLabels("id,name,group\n0x1234,x,eu\n", "l.csv")).to.throw(/line 2, column id: 0x1234 is neither/);
      expect(() => parseLabels("id,name,group\nnode-1,a,\nnode-1,b,\n", "l.csv")).to.throw(/line 3, column id: node-1 is already labelled on line 2/);
      expect(() => parseLabels('id,name,group\n"node-1,a,b\n', "l.csv")).to.throw(/line 2: unterminated quoted field/);
      expect(() => parseLabels("id,name\nnode-1,a,extra\n", "l.csv")).to.throw(/line 2: 3 fields, the header has 2/);
      expect(() => resolveCustomer("Nobody", new Map())).to.throw(/--customer Nobody: not an address nor the name of a labelled address/);
      expect(() => readLabels("/nonexistent/labels.csv")).to.throw(/--labels \/nonexistent\/labels.csv: file not found/);
    });
  });

  describe("SLA terms from the command line", function () {
    it("parse --sla and --credit-tiers into bps, sorted", function () {
      expect(parseSla("99.9")).to.equal(9_990);
      expect(parseSla("99.95%")).to.equal(9_995);
      expect(parseSla("100")).to.equal(10_000);
      expect(parseCreditTiers("95:100, 99.9:10,99:25")).to.deep.equal([
        { belowBps: 9_990, creditBps: 1_000 },
        { belowBps: 9_900, creditBps: 2_500 },
        { belowBps: 9_500, creditBps: 10_000 },
      ]);
    });

    it("refuse bad values naming the argument and tier", function () {
      expect(() => parseSla("99.999")).to.throw(/--sla: "99.999" is not a percentage/);
      expect(() => parseSla("101")).to.throw(/--sla/);
      expect(() => parseSla("0")).to.throw(/--sla: the target must be above 0%/);
      expect(() => parseCreditTiers("99.9:10,99")).to.throw(/--credit-tiers tier 2 "99": expected BELOW%:CREDIT%/);
      expect(() => parseCreditTiers("99.9:10,,95:100")).to.throw(/empty tier/);
      expect(() => parseCreditTiers("99:10,99:25")).to.throw(/two tiers below 99%/);
      expect(() => parseCreditTiers("99:150")).to.throw(/tier 1 credit: "150"/);
      expect(() => resolveSla({ slaBps: 10_001 })).to.throw(/SLA target 10001 bps/);
    });
  });

  describe("heat-map colours", function () {
    const green = isGreen;
    const tiers = DEFAULT_CREDIT_TIERS;

    it("are green at or above the SLA and never green below it, for any SLA", function () {
      for (const sla of [9_990, 9_900, 9_500]) {
        for (let u = 0; u <= 10_000; u += 7) expect(green(uptimeColour(u, sla, tiers)), `${u} bps at SLA ${sla}`).to.equal(u >= sla);
        expect(green(uptimeColour(sla, sla, tiers))).to.equal(true);
        expect(green(uptimeColour(sla - 1, sla, tiers))).to.equal(false);
      }
      // The 97.91% breach (25% tier) is a breach colour; 0% and 86% differ clearly.
      expect(green(uptimeColour(9_791, 9_990, tiers))).to.equal(false);
      const dist = (a: string, b: string) => Math.hypot(...[1, 3, 5].map((i) => parseInt(a.slice(i, i + 2), 16) - parseInt(b.slice(i, i + 2), 16)));
      expect(dist(uptimeColour(0, 9_990, tiers), uptimeColour(8_600, 9_990, tiers))).to.be.greaterThan(120);
      // Each credit tier band has its own colour, and the legend names them.
      const bands = [9_950, 9_800, 9_000].map((u) => uptimeColour(u, 9_990, tiers));
      expect(new Set(bands).size).to.equal(3);
      const legend = uptimeLegend(9_990, tiers).map((e) => e.label);
      expect(legend).to.include.members(["≥ 99.90% (meets the SLA)", "< 99.90% (credit 10.00%)", "< 99.00% (credit 25.00%)", "< 95.00% (credit 100.00%)", "0%"]);
      expect(uptimeLegend(9_990, tiers).find((e) => e.label.startsWith("voided"))?.fill).to.equal(NO_DATA);
    });
  });

  describe("number and date formats", function () {
    it("show one format per unit", function () {
      const t = { address: TOKEN, symbol: "mUSD", decimals: 6 };
      expect(fmtAmount("1404000000", t)).to.equal("1,404.000000");
      expect(fmtAmount("1075969287", t)).to.equal("1,075.969287");
      expect(fmtAmount("-5", t)).to.equal("-0.000005");
      expect(fmtAmount("123456789012345678901234567890", { ...t, decimals: 18 })).to.equal("123,456,789,012.345678901234567890");
      expect(fmtPct(9_420)).to.equal("94.20%");
      expect(fmtPct(5)).to.equal("0.05%");
      expect(fmtPct(null)).to.equal("–");
      expect(fmtInt("1234567")).to.equal("1,234,567");
      expect(fmtDate("2026-11-03T14:05:09Z")).to.equal("2026-11-03 14:05 UTC");
      expect(shortId(`0x3869e6${"0".repeat(54)}9df7`)).to.equal("0x3869e6…9df7");
    });

    it("read periods by date: a date is a whole UTC day, a date-time an instant", function () {
      expect(normalizeDate("2026-11-01", "--from")).to.equal("2026-11-01");
      expect(normalizeDate("2026-11-01T10:00+02:00", "--from")).to.equal("2026-11-01T08:00:00Z");
      expect(periodStart("2026-11-01")).to.equal(Date.UTC(2026, 10, 1) / 1000);
      expect(periodEnd("2026-11-30")).to.equal(Date.UTC(2026, 11, 1) / 1000);
      expect(periodEnd("2026-11-30T12:00:00Z")).to.equal(Date.UTC(2026, 10, 30, 12) / 1000 + 1);
      expect(() => normalizeDate("2026-02-30", "--to")).to.throw(/--to: "2026-02-30" is not an ISO-8601 date/);
      expect(() => normalizeDate("yesterday", "--from")).to.throw(/--from/);
    });
  });

  describe("statements in the customer's statement", function () {
    it("describe a statement charge with its epochs, usage and cap, and list its usage leaves", function () {
      const customer = getAddress("0x00000000000000000000000000000000000a11ce");
      const ref = `0x${"cd".repeat(32)}`;
      const zero = { openingFree: "0", openingHeld: "0", deposited: "0", withdrawn: "0", charged: "30000000", voided: "0", posted: "0", refunded: "0", closingFree: "-30000000", closingHeld: "30000000", closingThawing: "0" };
      const report: SpendReport = {
        kind: "spend",
        manifest: { chainId: 1, ledger: LEDGER, revenueLedger: REVENUE, fromBlock: 1, toBlock: 9, toBlockHash: `0x${"11".repeat(32)}`, generatedAt: "2026-11-30T00:00:00.000Z", tool: "workledger@0.0.0", fromTime: "2026-11-01T00:00:00Z", toTime: "2026-11-30T00:00:00Z" },
        parameters: { networkId: null, customer, fromEpoch: null, toEpoch: null, fromDate: null, toDate: null },
        tokens: [{ address: TOKEN, symbol: "mUSD", decimals: 6 }],
        labels: [{ id: ref, name: "INV-2026-11-003", group: null }],
        totals: { ...zero, byCustomer: [{ customer, token: TOKEN, ...zero }], runway: [] },
        lines: [
          {
            customer, networkId: 1, token: TOKEN, epoch: null, kind: "charge", amount: "30000000", reference: ref, chargeId: `0x${"ee".repeat(32)}`, status: "posted", fee: null, counterparty: null, reasonHash: null,
            timestamp: "2026-11-29T10:00:00Z", evidence: { txHash: `0x${"22".repeat(32)}`, blockNumber: 8, logIndex: 0 },
            referenceText: "November usage", statement: { networkId: 1, customer, fromEpoch: 3, toEpoch: 5, amount: "30000000", usageHash: `0x${"33".repeat(32)}`, signers: [] },
            usage: [4, 5].map((e) => ({ leaf: { customer, epoch: e, workUnits: "1200", amount: "15000000", ref }, usageRoot: `0x${"44".repeat(32)}`, proof: [] })),
            epochsCovered: { from: 3, to: 5 }, capPerEpoch: "20000000",
          },
        ],
      };
      const md = renderMarkdown(report);
      expect(md).to.include("| 2026-11-29 10:00 | Statement, epochs 3–5, usage in 2 epochs, cap 20.000000/epoch: charged and posted | November usage | 30.000000 |");
      expect(md).to.include("### Usage behind the statements");
      expect(md).to.include("| 3–5 | 5 | 1,200 | 15.000000 | INV-2026-11-003 |");
    });
  });
});
