import { expect } from "chai";
import { getAddress } from "ethers";

import type { ChainEvent, EventValue } from "../../../src/chain/events";
import { creditFor, DEFAULT_CREDIT_TIERS, resolveParameters } from "../../../src/report/common";
import { buildEconomicsReport } from "../../../src/report/economics";
import type { ReportInput } from "../../../src/report/input";
import { AccountKind, accountName, decodeAccountId, encodeAccountId, entryKind } from "../../../src/report/journal";
import { epochFromBundle } from "../../../src/report/merkle";
import { statusAt } from "../../../src/report/state";
import { buildEpoch } from "../../../src/writer";

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
      expect(entryKind(AccountKind.Held, AccountKind.Fee)).to.equal("fee");
      expect(entryKind(AccountKind.Escrow, AccountKind.Revenue)).to.equal("other");
    });
  });

  describe("credit tiers", function () {
    it("apply the deepest tier the uptime is below (AWS-style by default)", function () {
      const tiers = resolveParameters().creditTiers;
      expect([10_000, 9_990, 9_989, 9_900, 9_899, 9_500, 9_499, 0].map((u) => creditFor(u, tiers))).to.deep.equal([0, 0, 1_000, 1_000, 2_500, 2_500, 10_000, 10_000]);
      const custom = resolveParameters({ creditTiers: [{ belowBps: 9_000, creditBps: 5_000 }, { belowBps: 9_950, creditBps: 500 }] }).creditTiers;
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
});
