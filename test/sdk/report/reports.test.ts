import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import { buildReport, REPORT_KINDS } from "../../../src/report/build";
import { reportInputFromChain } from "../../../src/report/fromChain";
import type { ReportInput } from "../../../src/report/input";
import { buildEpochTree, recordTreeSync } from "../../../src/merkle";
import type { EconomicsReport, JournalReport, SpendFigures, SpendReport, UptimeReport } from "../../../src/report/types";
import { verifyReport } from "../../../src/verifier/report";
import { blocksForDates } from "../../../src/report/dates";
import { labelsCsv, parseLabels } from "../../../src/report/labels";
import { parseCreditTiers } from "../../../src/report/common";
import { CUSTOMER_NAMES, FINAL_UPTIME, NODE_COUNT, NODE_GROUPS, SCENARIO_BOND, SCENARIO_CAPS, Scenario, USD, reportScenario, scenarioLabelRows, scenarioUsage } from "../../helpers/reportScenario";

const GENERATED_AT = "2026-01-01T00:00:00.000Z";

function identities(f: SpendFigures): void {
  const b = (k: keyof SpendFigures) => BigInt(f[k]);
  expect(b("closingFree")).to.equal(b("openingFree") + b("deposited") + b("voided") + b("refunded") - b("withdrawn") - b("charged"));
  expect(b("closingHeld")).to.equal(b("openingHeld") + b("charged") - b("voided") - b("posted"));
}

describe("reports", function () {
  let s: Scenario;
  let input: ReportInput;

  beforeEach(async function () {
    s = await loadFixture(reportScenario);
    input = await reportInputFromChain(ethers.provider, {
      ledger: await s.wl.getAddress(),
      revenueLedger: await s.rl.getAddress(),
      fromBlock: s.deployBlock,
      records: s.records,
      usage: s.usage,
    });
  });

  describe("spend", function () {
    it("satisfies both identities in total and per customer, and each total is the sum of its lines", async function () {
      const r = buildReport("spend", input, { generatedAt: GENERATED_AT }) as SpendReport;
      identities(r.totals);
      expect(r.totals.byCustomer).to.have.length(3);
      for (const c of r.totals.byCustomer) identities(c);
      const kinds = { deposit: "deposited", withdraw: "withdrawn", charge: "charged", void: "voided", post: "posted", refund: "refunded" } as const;
      for (const [kind, field] of Object.entries(kinds)) {
        const sum = r.lines.filter((l) => l.kind === kind).reduce((a, l) => a + BigInt(l.amount), 0n);
        expect(sum, field).to.equal(BigInt(r.totals[field]));
      }
      expect(r.totals.deposited).to.equal((1_700n * USD).toString());
      expect(r.totals.voided).to.equal("0");
      expect(r.totals.refunded).to.equal((7n * USD).toString());
      expect(r.totals.withdrawn).to.equal((100n * USD).toString());
      // Statements: held and voided stay 0, everything charged is posted.
      expect(r.totals.closingHeld).to.equal("0");
      expect(r.totals.posted).to.equal(r.totals.charged);
      expect(r.totals.charged).to.equal(s.statements.reduce((a, x) => a + x.amount, 0n).toString());
      // Closing balances and the thawing part equal the contract's own view (bob's 50 is still thawing).
      for (const c of r.totals.byCustomer) {
        const [escrow, thawing] = await s.rl.customer(s.networkId, c.customer);
        expect(c.closingFree).to.equal(escrow.toString());
        expect(c.closingThawing).to.equal(thawing.toString());
      }
      expect(r.totals.byCustomer.find((c) => c.customer === s.customers.bob.address)!.closingThawing).to.equal((50n * USD).toString());
      expect(r.totals.closingThawing).to.equal((50n * USD).toString());
      // One charge line per statement (epoch null) and one post line per covered epoch with usage.
      const charges = r.lines.filter((l) => l.kind === "charge");
      expect(charges.map((l) => l.chargeId)).to.deep.equal(s.statements.map((x) => x.chargeId));
      for (const st of s.statements) {
        const l = charges.find((x) => x.chargeId === st.chargeId)!;
        const who = s.customers[st.customer].address;
        expect(l.epoch).to.equal(null);
        expect(l.referenceText).to.equal(st.referenceText);
        expect(l.epochsCovered).to.deep.equal({ from: st.fromEpoch, to: st.toEpoch });
        expect(l.capPerEpoch).to.equal(SCENARIO_CAPS[st.customer].toString());
        expect(l.usageProven).to.equal(true);
        expect(l.statement).to.include({ networkId: s.networkId, customer: who, fromEpoch: st.fromEpoch, toEpoch: st.toEpoch, amount: st.amount.toString() });
        expect(l.statement!.signers).to.have.length(2);
        // Each usage leaf is the latest version's and proves against that version's on-chain usage root.
        for (const u of l.usage!) {
          const latest = await s.wl.latestEpoch(s.networkId, u.leaf.epoch);
          expect(u.usageRoot).to.equal(latest.usageRoot);
          expect(StandardMerkleTree.verify(u.usageRoot, ["address", "uint64", "uint64", "uint128", "bytes32"], [u.leaf.customer, u.leaf.epoch, u.leaf.workUnits, u.leaf.amount, u.leaf.ref], u.proof)).to.equal(true);
        }
        const posts = r.lines.filter((x) => x.kind === "post" && x.chargeId === st.chargeId);
        const expected = [];
        for (let e = st.fromEpoch; e <= st.toEpoch; e++) {
          const a = scenarioUsage(st.customer, e, e === 2 || e === 4 ? 2 : 1);
          if (a > 0n) expected.push(`${e}:${a}`);
        }
        expect(posts.map((x) => `${x.epoch}:${x.amount}`)).to.deep.equal(expected);
        expect(l.usage!.map((u) => `${u.leaf.epoch}:${u.leaf.amount}`)).to.deep.equal(expected);
        // Σ per-epoch fees equals the statement's one fee entry.
        expect(posts.reduce((a, x) => a + BigInt(x.fee!), 0n)).to.equal((st.amount * 100n) / 10_000n);
      }
      // The corrected epoch 2 is billed at its version 2 usage only.
      expect(r.lines.filter((l) => l.kind === "post" && l.epoch === 2 && l.customer === s.customers.alice.address).map((l) => l.amount)).to.deep.equal([(45n * USD + 19n).toString()]);
      // Refunds name (chargeId, epoch).
      expect(r.lines.filter((l) => l.kind === "refund").map((l) => `${l.chargeId}:${l.epoch}:${l.amount}`)).to.deep.equal([
        `${s.statements[0].chargeId}:1:${5n * USD}`,
        `${s.statements[1].chargeId}:3:${2n * USD}`,
      ]);
      for (const l of r.lines) if (l.kind !== "charge") expect(l).to.not.have.any.keys("referenceText", "statement", "usage", "epochsCovered", "capPerEpoch");
    });

    it("without the usage leaves, posts a statement on its last epoch and marks it unproven", async function () {
      const bare = { ...input, usage: undefined };
      const r = buildReport("spend", bare) as SpendReport;
      identities(r.totals);
      const l = r.lines.find((x) => x.kind === "charge" && x.chargeId === s.statements[1].chargeId)!;
      expect(l.usageProven).to.equal(false);
      expect(l.usage).to.deep.equal([]);
      expect(r.lines.filter((x) => x.kind === "post" && x.chargeId === l.chargeId).map((x) => `${x.epoch}:${x.amount}`)).to.deep.equal([`4:${s.statements[1].amount}`]);
      // A tampered leaf is not used either: its proof does not lead to the on-chain root.
      const forged = buildReport("spend", { ...input, usage: (n, e, v, c, root) => {
        const got = s.usage(n, e, v, c, root);
        return got && e === 1 ? { ...got, leaf: { ...got.leaf, amount: got.leaf.amount + 1n } } : got;
      } }) as SpendReport;
      expect(forged.lines.filter((x) => x.kind === "charge").map((x) => x.usageProven)).to.deep.equal([false, false, false, true]);
    });

    it("narrows to one customer, with opening balances when the range starts later", async function () {
      const later = { ...input, fromBlock: s.afterDepositsBlock + 1 };
      const alice = s.customers.alice.address;
      const r = buildReport("spend", later, { customer: alice }) as SpendReport;
      expect(r.lines.every((l) => l.customer === alice)).to.equal(true);
      expect(r.totals.openingFree).to.equal((1_000n * USD).toString());
      expect(r.totals.deposited).to.equal("0");
      identities(r.totals);
      const rw = r.totals.runway[0];
      // alice: two statements over epochs 0..4; free at the end is her closing free balance.
      expect(rw.epochsCharged).to.equal(5);
      const avg = BigInt(r.totals.charged) / 5n;
      expect(rw.averageChargePerEpoch).to.equal(avg.toString());
      const free = BigInt(rw.free);
      const h = (free * 100n) / avg;
      expect(rw.epochs).to.equal(`${h / 100n}.${(h % 100n).toString().padStart(2, "0")}`);
    });
  });

  describe("uptime", function () {
    it("has one line per node and epoch of the latest version, breaches exactly below target", async function () {
      const r = buildReport("uptime", input, { generatedAt: GENERATED_AT }) as UptimeReport;
      expect(r.lines).to.have.length(NODE_COUNT * 6);
      expect(r.totals.epochs.map((e) => `${e.epoch}:v${e.version}:${e.status}`)).to.deep.equal([
        "0:v1:final",
        "1:v1:final",
        "2:v2:final",
        "3:v1:final",
        "4:v2:final",
        "5:v1:pending",
      ]);
      for (const l of r.lines) {
        const node = s.nodes.indexOf(l.nodeId);
        const expected = FINAL_UPTIME[`${node}:${l.epoch}`] ?? 9_999;
        expect(l.uptimeBps).to.equal(expected);
        expect(l.breach).to.equal(expected < 9_990);
        expect(l.creditBps).to.equal(expected < 9_500 ? 10_000 : expected < 9_900 ? 2_500 : expected < 9_990 ? 1_000 : 0);
      }
      const breached = r.lines.filter((l) => l.breach).map((l) => `${s.nodes.indexOf(l.nodeId)}:${l.epoch}`).sort();
      expect(breached).to.deep.equal(Object.keys(FINAL_UPTIME).sort());
    });

    it("finds the incident windows with UTC start and end", async function () {
      const r = buildReport("uptime", input) as UptimeReport;
      const w = r.totals.networks[0].incidents.map((i) => ({ node: s.nodes.indexOf(i.nodeId), from: i.fromEpoch, to: i.toEpoch, settled: i.settled, start: i.start, end: i.end }));
      const iso = (epoch: number) => new Date((s.genesisTime + epoch * 3600) * 1000).toISOString().replace(".000Z", "Z");
      const expected = [
        { node: 1, from: 1, to: 1, settled: true, start: iso(1), end: iso(2) },
        { node: 2, from: 3, to: 5, settled: false, start: iso(3), end: iso(6) },
        { node: 4, from: 4, to: 4, settled: true, start: iso(4), end: iso(5) },
      ].sort((a, b) => (s.nodes[a.node] < s.nodes[b.node] ? -1 : 1));
      expect(w).to.deep.equal(expected);
      // The voided version 1 of epoch 2 (node 3 at 90%) is replaced by version 2: no incident.
      expect(r.lines.filter((l) => l.epoch === 2).map((l) => `${l.version}:${l.status}:${l.uptimeBps}`)).to.deep.equal(Array(NODE_COUNT).fill("2:final:9999"));
    });

    it("carries proofs that verifyRecord accepts on chain (Final epochs; every proof against its root)", async function () {
      const r = buildReport("uptime", input) as UptimeReport;
      for (const l of r.lines.filter((x) => x.status !== "voided")) {
        expect(StandardMerkleTree.verify(l.root, ["bytes32", "uint64", "uint64", "uint16", "uint128", "bytes32"], [l.record.nodeId, l.record.epoch, l.record.workUnits, l.record.uptimeBps, l.record.revenue, l.record.evidence], l.proof)).to.equal(true);
      }
      expect(r.lines.some((x) => x.status === "pending")).to.equal(true);
      for (const l of r.lines.filter((x) => x.status === "final")) {
        const rec = l.record;
        const record = { nodeId: rec.nodeId, epoch: rec.epoch, workUnits: rec.workUnits, uptimeBps: rec.uptimeBps, revenue: rec.revenue, evidence: rec.evidence };
        expect(await s.wl.verifyRecord(l.networkId, l.epoch, record, l.proof)).to.equal(true);
      }
    });
  });

  describe("economics", function () {
    it("follows the DESIGN.md formulas", async function () {
      const r = buildReport("economics", input) as EconomicsReport;
      expect(r.lines).to.have.length(6);
      for (const l of r.lines) {
        const recs = s.recordsByKey.get(`${l.networkId}:${l.epoch}:${l.version}`)!;
        const total = recs.reduce((a, x) => a + x.revenue, 0n);
        const work = recs.reduce((a, x) => a + x.workUnits, 0n);
        const active = BigInt(recs.filter((x) => x.workUnits > 0n).length);
        expect(l.totalRevenue).to.equal(total.toString());
        expect(l.revenuePerActiveNode).to.equal((total / active).toString());
        expect(l.utilizationBps).to.equal(Number((10_000n * work) / (active * 3_600n)));
        const top = recs.map((x) => x.revenue).sort((a, b) => (a > b ? -1 : 1))[0];
        expect(l.topNodes).to.equal(1);
        expect(l.concentrationBps).to.equal(Number((10_000n * top) / total));
        expect(BigInt(l.settledRevenue)).to.equal(BigInt(l.postedRevenue) - BigInt(l.refunded));
        expect(BigInt(l.settledNet)).to.equal(BigInt(l.settledRevenue) - BigInt(l.settledFee));
        const backed = (10_000n * BigInt(l.settledRevenue)) / total;
        expect(l.revenueBackedBps).to.equal(Number(backed > 10_000n ? 10_000n : backed));
      }
      const e3 = r.lines.find((l) => l.epoch === 3)!;
      // settledRevenue is gross (DESIGN.md): alice's and bob's usage leaves posted, less bob's 2 credit;
      // the fee (rule 2) and the net beside it.
      const posted3 = scenarioUsage("alice", 3, 1) + scenarioUsage("bob", 3, 1);
      expect(e3.postedRevenue).to.equal(posted3.toString());
      expect(e3.settledRevenue).to.equal((posted3 - 2n * USD).toString());
      // alice's 3..4 statement puts its rounding remainder on epoch 4, bob's 0..4 too: epoch 3 has the floors.
      expect(e3.settledFee).to.equal((scenarioUsage("alice", 3, 1) / 100n + scenarioUsage("bob", 3, 1) / 100n).toString());
      expect(e3.settledNet).to.equal((posted3 - 2n * USD - BigInt(e3.settledFee)).toString());
      expect(e3.bondsForfeited).to.equal(SCENARIO_BOND.toString());
      // Σ settledFee is the fee entries' total; every line's settlement is proven by its usage leaves.
      const fees = s.statements.reduce((a, x) => a + (x.amount * 100n) / 10_000n, 0n);
      expect(r.lines.reduce((a, l) => a + BigInt(l.settledFee), 0n)).to.equal(fees);
      expect(r.lines.every((l) => l.settlementProven)).to.equal(true);
      // Rule 7 under the latest root (through epoch 4): Σ payoutAllocated is its total; claims are
      // allocated oldest first; still payable = allocated − claimed.
      const last = s.roots[s.roots.length - 1];
      expect(r.lines.filter((l) => l.epoch <= last.throughEpoch).reduce((a, l) => a + BigInt(l.payoutAllocated!), 0n)).to.equal(last.total);
      expect(r.lines.find((l) => l.epoch === 5)!.payoutAllocated).to.equal("0");
      const claimed = last.amounts.get(s.nodes[0])! + last.amounts.get(s.nodes[1])!;
      expect(BigInt(r.totals.payoutClaimed!)).to.equal(claimed);
      for (const l of r.lines) expect(BigInt(l.payoutPayable!)).to.equal(BigInt(l.payoutAllocated!) - BigInt(l.payoutClaimed!));
      expect(r.totals.payoutPayable).to.equal((last.total - claimed).toString());
      // A cleanly settled epoch: its gross settled revenue.
      const e0 = r.lines.find((l) => l.epoch === 0)!;
      expect(e0.settledRevenue).to.equal((scenarioUsage("alice", 0, 1) + scenarioUsage("bob", 0, 1) + scenarioUsage("carol", 0, 1)).toString());
      // Totals and per-network figures are the sums of the lines.
      for (const f of ["postedRevenue", "refunded", "settledRevenue", "settledFee", "settledNet", "totalRevenue"] as const) {
        const sum = r.lines.reduce((a, l) => a + BigInt(l[f]), 0n).toString();
        expect(r.totals[f], f).to.equal(sum);
        expect(r.totals.networks[0][f], f).to.equal(sum);
      }
      // Each epoch has its start and end dates.
      expect(e3.startTime).to.equal(new Date((s.genesisTime + 3 * 3_600) * 1000).toISOString().replace(".000Z", "Z"));
      expect(e3.endTime).to.equal(new Date((s.genesisTime + 4 * 3_600) * 1000).toISOString().replace(".000Z", "Z"));
    });
  });

  describe("journal", function () {
    it("balances, and its asset side equals the tokens the contract holds", async function () {
      const r = buildReport("journal", input) as JournalReport;
      expect(r.lines.map((l) => l.entryId)).to.deep.equal(r.lines.map((_, i) => i + 1));
      const sum = r.totals.trialBalance.reduce((a, t) => a + BigInt(t.balance), 0n);
      expect(sum).to.equal(0n);
      const debit = r.totals.trialBalance.reduce((a, t) => a + BigInt(t.debit), 0n);
      const credit = r.totals.trialBalance.reduce((a, t) => a + BigInt(t.credit), 0n);
      expect(debit).to.equal(credit);
      const token = await s.token.getAddress();
      const held = await s.token.balanceOf(await s.rl.getAddress());
      expect(r.totals.heldByContract[token]).to.equal(held.toString());
      expect(r.totals.ledgerAssets[token]).to.equal(held.toString());
      const refunds = r.lines.filter((l) => l.contraRevenue);
      expect(refunds).to.have.length(2);
      expect(refunds.every((l) => l.debitAccount === "contra-revenue:1" && l.entryKind === "refund")).to.equal(true);
      expect(r.lines.some((l) => l.entryKind === "other")).to.equal(false);
      // The upheld challenge's bond: locked from the challenger's wallet, then returned (rule 5: bonds live in the books).
      const bonds = r.lines.filter((l) => l.entryKind.startsWith("bond"));
      expect(bonds.map((l) => `${l.entryKind} ${l.debitAccount} ${l.creditAccount} ${l.epoch}`)).to.deep.equal([
        `bond assets:${token} bond:1:${s.admin} 2`,
        `bond-return bond:1:${s.admin} assets:${token} 2`,
        `bond assets:${token} bond:1:${s.admin} 3`,
        `bond-forfeit bond:1:${s.admin} revenue:1 3`,
      ]);
      // Statements: escrow -> revenue (net) and escrow -> fee, with the reference text; roots move the increase to payable; claims pay out.
      const kinds = r.lines.map((l) => l.entryKind);
      expect(kinds.filter((k) => k === "charge")).to.have.length(s.statements.length);
      expect(kinds.filter((k) => k === "fee")).to.have.length(s.statements.length);
      expect(r.lines.filter((l) => l.entryKind === "charge").map((l) => l.referenceText)).to.deep.equal(s.statements.map((x) => x.referenceText));
      expect(r.lines.filter((l) => l.entryKind === "payout").map((l) => `${l.epoch}:${l.amount}`)).to.deep.equal([`1:${s.roots[0].total}`, `4:${s.roots[1].total - s.roots[0].total}`]);
      expect(kinds.filter((k) => k === "claim")).to.have.length(3);
      expect(kinds.filter((k) => k === "post" || k === "void")).to.have.length(0);
    });
  });

  describe("determinism and verification", function () {
    it("is byte-identical apart from generatedAt when generated again", async function () {
      const again = await reportInputFromChain(ethers.provider, {
        ledger: input.ledger,
        revenueLedger: input.revenueLedger,
        fromBlock: input.fromBlock,
        toBlock: input.toBlock,
        records: s.records,
        usage: s.usage,
      });
      for (const kind of REPORT_KINDS) {
        const a = JSON.stringify(buildReport(kind, input, { generatedAt: GENERATED_AT }));
        const b = JSON.stringify(buildReport(kind, again, { generatedAt: GENERATED_AT }));
        expect(a, kind).to.equal(b);
      }
    });

    it("verifies every kind against the chain", async function () {
      for (const kind of REPORT_KINDS) {
        const r = JSON.parse(JSON.stringify(buildReport(kind, input)));
        const res = await verifyReport(r, ethers.provider, kind === "economics" ? { records: s.records, usage: s.usage } : {});
        expect(res.differences, kind).to.deep.equal([]);
        expect(res.ok).to.equal(true);
        expect(res.unchecked, kind).to.equal(undefined);
      }
      // Economics without the usage leaves: the per-epoch split and the payout allocation are listed as unchecked.
      const econ = JSON.parse(JSON.stringify(buildReport("economics", input)));
      const bare = await verifyReport(econ, ethers.provider, { records: s.records });
      expect(bare.differences).to.deep.equal([]);
      expect(bare.unchecked!.some((u) => /settledRevenue: needs the usage leaves/.test(u))).to.equal(true);
    });

    it("builds the same trees with the WASM builder and the library", async function () {
      for (const recs of s.recordsByKey.values()) {
        const a = recordTreeSync(recs);
        const b = await buildEpochTree(recs);
        expect(b.root).to.equal(a.root);
        for (let i = 0; i < recs.length; i++) expect(b.proof(i)).to.deep.equal(a.proof(i));
      }
    });

    it("builds the same large tree on one thread and with the writer's two-thread builder", async function () {
      const big = Array.from({ length: 25_000 }, (_, i) => {
        const r = s.recordsByKey.get("1:0:1")![i % NODE_COUNT];
        return { ...r, nodeId: ethers.toBeHex(BigInt(i) * 7919n + 1n, 32), revenue: r.revenue + BigInt(i) };
      });
      const one = await buildEpochTree(big, { parallel: false });
      const two = await buildEpochTree(big);
      expect(two.root).to.equal(one.root);
      for (const i of [0, 1, 4_999, 12_345, 24_999]) expect(two.proof(i)).to.deep.equal(one.proof(i));
      const small = big.slice(0, 300);
      expect((await buildEpochTree(small, { parallel: false })).root).to.equal(recordTreeSync(small).root);
    });
  });

  describe("for people: dates, names, SLA terms", function () {
    const iso = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");

    it("dates every line with evidence by its block, and the period both ways", async function () {
      const blocks = new Map<number, number>();
      const time = async (b: number) => {
        if (!blocks.has(b)) blocks.set(b, (await ethers.provider.getBlock(b))!.timestamp);
        return iso(blocks.get(b)!);
      };
      for (const kind of REPORT_KINDS) {
        const r = buildReport(kind, input);
        expect(r.manifest.fromTime, kind).to.equal(await time(r.manifest.fromBlock));
        expect(r.manifest.toTime, kind).to.equal(await time(r.manifest.toBlock));
        expect(r.lines.length, kind).to.be.greaterThan(0);
        for (const l of r.lines as { timestamp: string | null; evidence: { blockNumber: number } }[]) expect(l.timestamp, kind).to.equal(await time(l.evidence.blockNumber));
      }
      const up = buildReport("uptime", input) as UptimeReport;
      for (const e of up.totals.epochs) expect(e.timestamp).to.equal(await time(e.evidence.blockNumber));
    });

    it("resolves --from/--to dates to blocks by timestamp, records both, and verify checks them", async function () {
      const first = s.afterDepositsBlock + 3;
      const last = s.afterDepositsBlock + 30;
      const t0 = (await ethers.provider.getBlock(first))!.timestamp;
      const t1 = (await ethers.provider.getBlock(last))!.timestamp;
      const t1next = (await ethers.provider.getBlock(last + 1))!.timestamp;
      const head = await ethers.provider.getBlockNumber();
      const r = await blocksForDates(ethers.provider, { from: iso(t0), to: iso(t1next - 1) }, s.deployBlock, head);
      // The first block at or after the start; the last block before the end.
      expect(r.fromBlock).to.be.at.most(first);
      expect((await ethers.provider.getBlock(r.fromBlock))!.timestamp).to.be.at.least(t0);
      expect((await ethers.provider.getBlock(r.fromBlock - 1))!.timestamp).to.be.below(t0);
      expect(r.toBlock).to.be.at.least(last);
      expect((await ethers.provider.getBlock(r.toBlock))!.timestamp).to.be.at.most(t1next - 1);
      expect((await ethers.provider.getBlock(r.toBlock + 1))!.timestamp).to.be.at.least(t1next);
      void t1;
      const ranged = await reportInputFromChain(ethers.provider, { ledger: await s.wl.getAddress(), revenueLedger: await s.rl.getAddress(), fromBlock: r.fromBlock, toBlock: r.toBlock, records: s.records, usage: s.usage });
      const report = buildReport("spend", ranged, { fromDate: r.fromDate, toDate: r.toDate });
      expect(report.parameters.fromDate).to.equal(iso(t0));
      expect(report.manifest.fromBlock).to.equal(r.fromBlock);
      expect((await verifyReport(JSON.parse(JSON.stringify(report)), ethers.provider)).differences).to.deep.equal([]);
      // A date that does not resolve to the report's first block is caught.
      const moved = JSON.parse(JSON.stringify(report));
      moved.parameters.fromDate = iso(t0 - 3_600 * 5);
      const res = await verifyReport(moved, ethers.provider);
      expect(res.ok).to.equal(false);
      expect(res.differences.join("\n")).to.match(/parameters.fromDate/);
      const none = await blocksForDates(ethers.provider, { from: "2001-01-01", to: "2001-01-02" }, s.deployBlock, head).then(() => "resolved", (e: Error) => e.message);
      expect(none).to.match(/no block between 2001-01-01 and 2001-01-02/);
    });

    it("carries names and groups from labels on lines and rows, and verify ignores them", async function () {
      const labels = parseLabels(labelsCsv(scenarioLabelRows(s)), "labels.csv");
      const up = buildReport("uptime", input, { labels }) as UptimeReport;
      for (const l of up.lines) {
        const i = s.nodes.indexOf(l.nodeId);
        expect(l.name).to.equal(`gpu-${NODE_GROUPS[i]}-0${i}`);
        expect(l.group).to.equal(NODE_GROUPS[i]);
      }
      expect(up.totals.networks[0].name).to.equal("Scenario GPU");
      expect(up.totals.networks[0].incidents.every((w) => typeof w.name === "string" && w.group)).to.equal(true);
      const spend = buildReport("spend", input, { labels }) as SpendReport;
      const alice = spend.lines.filter((l) => l.customer === s.customers.alice.address);
      expect(alice.every((l) => l.name === CUSTOMER_NAMES.alice && l.group === "enterprise")).to.equal(true);
      expect(spend.totals.byCustomer.map((c) => c.name)).to.have.members(Object.values(CUSTOMER_NAMES));
      expect(spend.labels!.map((l) => l.name)).to.include("INV-ALICE-0");
      const econ = buildReport("economics", input, { labels }) as EconomicsReport;
      expect(econ.lines.every((l) => l.name === "Scenario GPU")).to.equal(true);
      // Without labels, nothing is named.
      const plain = buildReport("uptime", input) as UptimeReport;
      expect(plain.labels).to.equal(undefined);
      expect(plain.lines.some((l) => "name" in l)).to.equal(false);
      // verify ignores names (rule 12): another name still verifies; a figure does not.
      const renamed = JSON.parse(JSON.stringify(up));
      renamed.lines[0].name = "someone else";
      renamed.lines[1].group = "mars";
      renamed.labels[0].name = "x";
      expect((await verifyReport(renamed, ethers.provider)).differences).to.deep.equal([]);
      renamed.lines[0].uptimeBps -= 1;
      expect((await verifyReport(renamed, ethers.provider)).ok).to.equal(false);
    });

    it("applies --sla and --credit-tiers, records them in the manifest, and verify checks them", async function () {
      const def = buildReport("uptime", input) as UptimeReport;
      expect(def.manifest.sla).to.deep.equal({ slaBps: 9_990, creditTiers: [{ belowBps: 9_990, creditBps: 1_000 }, { belowBps: 9_900, creditBps: 2_500 }, { belowBps: 9_500, creditBps: 10_000 }] });
      const terms = { slaBps: 9_950, creditTiers: parseCreditTiers("99.5:20,99:40,90:100") };
      const own = buildReport("uptime", input, terms) as UptimeReport;
      expect(own.manifest.sla).to.deep.equal({ slaBps: 9_950, creditTiers: [{ belowBps: 9_950, creditBps: 2_000 }, { belowBps: 9_900, creditBps: 4_000 }, { belowBps: 9_000, creditBps: 10_000 }] });
      // Credits follow the terms: node 1 epoch 1 at 97.91% gets 25% by default, 40% under these terms;
      // node 4 epoch 4 at 99.50% is a breach by default, not under a 99.50% target.
      const at = (r: UptimeReport, node: number, epoch: number) => r.lines.find((l) => l.nodeId === s.nodes[node] && l.epoch === epoch)!;
      expect([at(def, 1, 1).creditBps, at(own, 1, 1).creditBps]).to.deep.equal([2_500, 4_000]);
      expect([at(def, 4, 4).breach, at(own, 4, 4).breach]).to.deep.equal([true, false]);
      expect([at(def, 2, 3).creditBps, at(own, 2, 3).creditBps]).to.deep.equal([10_000, 4_000]);
      expect(own.lines.every((l) => l.slaBps === 9_950)).to.equal(true);
      expect(own.totals.breaches).to.be.below(def.totals.breaches);
      expect((await verifyReport(JSON.parse(JSON.stringify(own)), ethers.provider)).differences).to.deep.equal([]);
      // Terms changed in the manifest but not in the lines (or the reverse) are caught.
      const tiersMoved = JSON.parse(JSON.stringify(own));
      tiersMoved.manifest.sla.creditTiers[1].creditBps = 2_500;
      expect((await verifyReport(tiersMoved, ethers.provider)).differences.join("\n")).to.match(/creditBps/);
      const targetMoved = JSON.parse(JSON.stringify(own));
      targetMoved.manifest.sla.slaBps = 9_990;
      expect((await verifyReport(targetMoved, ethers.provider)).ok).to.equal(false);
      const bad = JSON.parse(JSON.stringify(own));
      bad.manifest.sla.creditTiers[0].creditBps = 20_000;
      expect((await verifyReport(bad, ethers.provider)).differences[0]).to.match(/manifest.sla: credit tier 1: creditBps 20000/);
      const missing = JSON.parse(JSON.stringify(own));
      delete missing.manifest.sla;
      expect((await verifyReport(missing, ethers.provider)).ok).to.equal(false);
    });
  });
});
