/**
 * The server's bundle cache (src/server/bundleCache.ts) over the synced scenario: bundles rebuilt from
 * the index's records (read in chunks) have the committed roots; concurrent first requests load once;
 * the cache stays within its record bound (least recently used out first); a directory's file is
 * preferred and checked against the indexed root.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import { openStore } from "../../src/reader";
import type { SqlStore } from "../../src/reader/sqlStore";
import { buildEpoch } from "../../src/writer";
import fs from "fs";
import os from "os";
import path from "path";

import { InvalidInputError } from "../../src/errors";
import { EpochBundle, bundleFileName } from "../../src/writer";
import { BundleSourceError, EpochBundleCache, recordsFromIndex } from "../../src/server/bundleCache";
import { EPOCHS, NODE_COUNT } from "../helpers/reportScenario";
import { ServerFixture, serverFixture } from "../helpers/serverFixture";

describe("serve: the epoch bundle cache", function () {
  this.timeout(240_000);
  let fx: ServerFixture;
  let store: SqlStore;

  before(async function () {
    fx = await loadFixture(serverFixture);
    store = await openStore(fx.dbFile);
  });

  after(async function () {
    await store?.close();
  });

  const latest = async (epoch: number) => (await store.latestEpochVersion(1, epoch))!;

  it("rebuilds each latest version from the index's records, whatever the chunk size, to the committed root", async function () {
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      const v = await latest(epoch);
      const root = (await fx.s.wl.latestEpoch(1, epoch)).root.toLowerCase();
      for (const chunk of [1, 2, 3, 5, 20_000]) {
        const table = (await recordsFromIndex(store, v, chunk))!;
        expect(table.count).to.equal(NODE_COUNT);
        const built = await buildEpoch(table, { epoch });
        expect(built.summary.root, `epoch ${epoch} chunk ${chunk}`).to.equal(root);
      }
    }
    // a superseded version was never imported: nothing to rebuild it from
    const v2 = await latest(2);
    expect(await recordsFromIndex(store, { ...v2, version: 1, recordCount: 5n })).to.equal(undefined);
  });

  it("loads a bundle once for concurrent requests and keeps within its record bound, least recently used out first", async function () {
    const cache = new EpochBundleCache(store, { maxRecords: 2 * NODE_COUNT });
    const [a, b, c] = await Promise.all([cache.get(await latest(0)), cache.get(await latest(0)), cache.get(await latest(0))]);
    expect(cache.loads).to.equal(1);
    expect(a.bundle).to.equal(b.bundle);
    expect(b.bundle).to.equal(c.bundle);
    expect(a.origin).to.equal("index");
    await cache.get(await latest(1));
    await cache.get(await latest(0)); // 0 is now the most recently used
    expect(cache.loads).to.equal(2);
    await cache.get(await latest(2)); // evicts 1
    expect({ size: cache.size, held: cache.heldRecords, loads: cache.loads }).to.deep.equal({ size: 2, held: 2 * NODE_COUNT, loads: 3 });
    await cache.get(await latest(0));
    expect(cache.loads).to.equal(3);
    await cache.get(await latest(1));
    expect(cache.loads).to.equal(4);
  });

  it("prefers a bundle file of the directory, read and checked against the indexed root", async function () {
    const cache = new EpochBundleCache(store, { dir: fx.bundlesDir });
    const fromFile = await cache.get(await latest(4));
    expect(fromFile.origin).to.equal("file");
    expect(fromFile.bundle.root).to.equal((await latest(4)).root);
    expect(fromFile.bundle.recordCount).to.equal(NODE_COUNT);
  });

  /** Every record, proof and usage proof of a bundle, in leaf order. */
  const contents = (b: EpochBundle) => ({
    epoch: b.epoch,
    networkId: b.networkId,
    summary: b.summary,
    records: Array.from({ length: b.recordCount }, (_, i) => b.record(i)),
    proofs: Array.from({ length: b.recordCount }, (_, i) => b.proof(i)),
    usage: (b.usage?.leaves ?? []).map((l) => b.usageProof(l.customer)),
  });

  it("loads on its worker thread (offThreadRecords) the same bundles as inline, from the index and from a directory", async function () {
    for (const dir of [undefined, fx.bundlesDir]) {
      const inline = new EpochBundleCache(store, { dir, offThreadRecords: Infinity });
      const worker = new EpochBundleCache(store, { dir, offThreadRecords: 0 });
      try {
        for (let epoch = 0; epoch < EPOCHS; epoch++) {
          const v = await latest(epoch);
          const [a, b] = [await inline.get(v), await worker.get(v)];
          expect(b.origin, `epoch ${epoch}`).to.equal(a.origin);
          expect(b.bundle).to.be.instanceOf(EpochBundle);
          expect(contents(b.bundle), `epoch ${epoch} from ${a.origin}`).to.deep.equal(contents(a.bundle));
        }
        expect(b(worker), dir ? "from files" : "from the index").to.deep.equal({ loads: EPOCHS, offThreadLoads: EPOCHS });
        expect(b(inline)).to.deep.equal({ loads: EPOCHS, offThreadLoads: 0 });
      } finally {
        await worker.close();
      }
    }
    const withUsage = await Promise.all(Array.from({ length: EPOCHS }, async (_, e) => (await latest(e)).usageRoot));
    expect(withUsage.some((r) => !/^0x0{64}$/.test(r)), "the scenario has usage, so usage proofs were compared").to.equal(true);
  });

  it("on its worker thread, refuses a bad file or one of another root with the errors of an inline load, and goes on", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-cache-"));
    const fileOf = (d: string, v: { networkId: number; epoch: bigint; version: number }) => path.join(d, bundleFileName(v.networkId, v.epoch, v.version));
    try {
      const v3 = await latest(3);
      const v4 = await latest(4);
      // epoch 3's name holds epoch 4's (valid) bundle; epoch 4's name holds a truncated file
      fs.copyFileSync(fileOf(fx.bundlesDir, v4), fileOf(dir, v3));
      fs.writeFileSync(fileOf(dir, v4), fs.readFileSync(fileOf(fx.bundlesDir, v4)).subarray(0, 200));
      const seen: string[][] = [];
      for (const offThreadRecords of [Infinity, 0]) {
        const cache = new EpochBundleCache(store, { dir, offThreadRecords });
        try {
          const errs: Error[] = [];
          for (const v of [v3, v4]) await cache.get(v).then(() => expect.fail("loaded a bad bundle"), (e: Error) => errs.push(e));
          expect(errs[0], String(errs[0])).to.be.instanceOf(BundleSourceError);
          expect(errs[0].message).to.include(`has root ${v4.root.toLowerCase()} but the index has ${v3.root.toLowerCase()}`);
          expect(errs[1], String(errs[1])).to.be.instanceOf(InvalidInputError);
          expect(errs[1].message).to.include(fileOf(dir, v4));
          seen.push(errs.map((e) => `${e.name}: ${e.message}`));
          expect((await cache.get(await latest(1))).bundle.root, "the next load works").to.equal((await latest(1)).root);
          expect(cache.offThreadLoads, "epoch 3 (read, then refused) and epoch 1").to.equal(offThreadRecords === 0 ? 2 : 0);
        } finally {
          await cache.close();
        }
      }
      expect(seen[1], "worker errors equal inline errors").to.deep.equal(seen[0]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const b = (c: EpochBundleCache) => ({ loads: c.loads, offThreadLoads: c.offThreadLoads });
