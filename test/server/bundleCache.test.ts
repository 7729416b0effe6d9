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
import { EpochBundleCache, recordsFromIndex } from "../../src/server/bundleCache";
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
});
