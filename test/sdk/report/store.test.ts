import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import { openStore } from "../../../src/reader";
import { buildReport, REPORT_KINDS } from "../../../src/report/build";
import { reportInputFromChain } from "../../../src/report/fromChain";
import { reportFromStore, reportInputFromStore } from "../../../src/report/fromStore";
import { MissingRecordsError } from "../../../src/report/uptime";
import type { SpendReport } from "../../../src/report/types";
import { syncChain } from "../../../src/reader/sync";
import { buildEpoch } from "../../../src/writer";
import { reportScenario } from "../../helpers/reportScenario";

describe("reports from the indexer's store", function () {
  it("are byte-identical to the reports read straight from the chain, statements split by the imported usage leaves", async function () {
    const s = await loadFixture(reportScenario);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workledger-report-store-"));
    const store = await openStore(path.join(dir, "index.db"));
    try {
      const ledger = await s.wl.getAddress();
      const revenueLedger = await s.rl.getAddress();
      const toBlock = await ethers.provider.getBlockNumber();
      await syncChain({ provider: ethers.provider, store, addresses: { workLedger: ledger, revenueLedger }, fromBlock: s.deployBlock, toBlock });
      const range = { ledger, revenueLedger, fromBlock: s.deployBlock, toBlock };
      // Epoch bundles at hand (as the writer made them) stand in for imported records, with their trees.
      const bundles = [];
      for (const [key, records] of s.recordsByKey) bundles.push((await buildEpoch(records, { epoch: Number(key.split(":")[1]), networkId: 1, usage: s.usageByKey.get(key)?.leaves })).bundle);
      const fromBundles = await reportInputFromStore(store, ethers.provider, range, { bundles });
      // Without bundles, uptime cannot be built and says which epoch is missing.
      const bare = await reportInputFromStore(store, ethers.provider, range);
      expect(() => buildReport("uptime", bare)).to.throw(MissingRecordsError, /network 1 epoch 0 version 1/);
      for (const [key, records] of s.recordsByKey) {
        const [networkId, epoch, version] = key.split(":").map(Number);
        const ref = (await store.latestEpochVersion(networkId, epoch))!;
        if (ref.version !== version) continue; // superseded versions are not needed
        await store.putBundle({ networkId, epoch: BigInt(epoch), version, root: ref.root, dataHash: ref.dataHash, source: "test", records, usage: s.usageByKey.get(key)?.leaves });
      }
      const fromStore = await reportInputFromStore(store, ethers.provider, range);
      const fromChain = await reportInputFromChain(ethers.provider, { ...range, records: s.records, usage: s.usage });
      for (const kind of REPORT_KINDS) {
        const a = JSON.stringify(buildReport(kind, fromStore, { generatedAt: "x" }));
        const b = JSON.stringify(buildReport(kind, fromChain, { generatedAt: "x" }));
        const c = JSON.stringify(buildReport(kind, fromBundles, { generatedAt: "x" }));
        expect(a, kind).to.equal(b);
        expect(c, kind).to.equal(b);
        // the one-call form (what report, serve and the demo run) builds the same report, options passed through
        const d = JSON.stringify(await reportFromStore(store, ethers.provider, kind, range, { generatedAt: "x" }));
        expect(d, kind).to.equal(b);
      }
      const narrowed = await reportFromStore(store, ethers.provider, "uptime", range, { generatedAt: "x", networkId: 1, slaBps: 9_500 });
      expect(JSON.stringify(narrowed)).to.equal(JSON.stringify(buildReport("uptime", fromChain, { generatedAt: "x", networkId: 1, slaBps: 9_500 })));
      expect(narrowed.manifest.sla?.slaBps).to.equal(9_500);
      // Every statement is proven from the index's usage leaves (and from the bundles at hand).
      for (const input of [fromStore, fromBundles]) {
        const spend = buildReport("spend", input) as SpendReport;
        const charges = spend.lines.filter((l) => l.kind === "charge");
        expect(charges).to.have.length(s.statements.length);
        expect(charges.every((l) => l.usageProven === true && l.usage!.length > 0)).to.equal(true);
      }
      // Without them the statements are unproven, yet the store's report still equals the chain's.
      const unproven = buildReport("spend", bare) as SpendReport;
      expect(unproven.lines.filter((l) => l.kind === "charge").every((l) => l.usageProven === false)).to.equal(true);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
