/**
 * Reorgs on Foundry's anvil (`anvil_reorg(depth, [[tx, blockOffset], ...])` replaces the last
 * `depth` blocks with new ones holding the given transactions; the head keeps its height). After
 * each reorg the next sync must equal a fresh sync of the new chain, table for table; a reorg deeper
 * than maxReorgDepth must stop the sync with an error naming the depth and leave the store alone.
 * One chain serves both engines: every reorg is checked on a SQLite and a PostgreSQL store at once.
 */
import { expect } from "chai";

import { DumpRow, ReorgTooDeepError, SqlStore, balanceAt, fetchEvents, syncChain } from "../../../src/reader";
import { LocalNode, startAnvil } from "../../helpers/node";
import { ReaderScenario, TxRequest } from "../../helpers/readerScenario";
import { ENGINES, EngineName, TestStores } from "../../helpers/readerStores";
import { startRpcProxy } from "../../helpers/rpcProxy";

const GAS = "0x7a120"; // 500,000: above any single scenario call

/** Replacement transactions per depth, with their block offsets inside the new blocks. */
function replacements(sc: ReaderScenario, depth: number): [TxRequest & { gas: string }, number][] {
  const plan: Record<number, number[]> = {
    1: [0], // one new node
    2: [0, 1, 1], // three actions over both blocks
    5: [], // five empty blocks: every event there disappears
    12: [0, 0, 3, 7, 11, 11, 11, 5],
    32: Array.from({ length: 20 }, (_, i) => (i * 7) % 32),
  };
  const offsets = plan[depth];
  const txs = sc.actions(offsets.length, `reorg${depth}`);
  return txs.map((tx, i) => [{ ...tx, gas: GAS }, offsets[i]]);
}

describe("reader: reorgs on anvil", function () {
  this.timeout(180_000);
  let node: LocalNode;
  let sc: ReaderScenario;
  const stores = new TestStores();
  const live = {} as Record<EngineName, SqlStore>;

  const sync = (store: SqlStore, maxReorgDepth?: number) =>
    syncChain({ provider: node.url, store, addresses: sc.addresses, fromBlock: sc.deployBlock, maxReorgDepth, chunkSize: 16 });

  /** A fresh SQLite sync of the chain as it is now (the reference for both engines). */
  async function freshDump(): Promise<Record<string, DumpRow[]>> {
    const fresh = await stores.open("sqlite");
    try {
      await sync(fresh);
      return await fresh.dump();
    } finally {
      await fresh.close();
    }
  }

  before(async function () {
    await stores.setup();
    node = await startAnvil();
    sc = new ReaderScenario(node.provider);
    await sc.base();
    await sc.activity(8, "start");
    for (const engine of ENGINES) {
      live[engine] = await stores.open(engine);
      await sync(live[engine]);
    }
  });

  after(async function () {
    await stores.teardown();
    await node?.stop();
  });

  for (const depth of [1, 2, 5, 12, 32]) {
    it(`rolls back a reorg of depth ${depth} and matches a fresh sync of the new chain (${ENGINES.join(", ")})`, async function () {
      // Blocks that the reorg will replace: new rows and changes to older rows (deactivations, postings, balances).
      await sc.activity(depth + 2, `pre${depth}`);
      const head = await node.provider.getBlockNumber();
      const oldTails = {} as Record<EngineName, Awaited<ReturnType<SqlStore["events"]>>>;
      let oldHash = "";
      for (const engine of ENGINES) {
        const s = live[engine];
        await sync(s);
        oldTails[engine] = await s.events({ fromBlock: head - depth + 1 });
        expect(oldTails[engine].length, "the replaced blocks held events").to.be.greaterThan(0);
        oldHash = (await s.checkpoint())!.blockHash;
        const undone = await s.db.selectFrom("undo_log").select((eb) => eb.fn.countAll().as("n")).where("block_number", ">", head - depth).executeTakeFirst();
        expect(Number(undone?.n), `[${engine}] rows changed inside the replaced blocks`).to.be.greaterThan(0);
      }

      const repl = replacements(sc, depth);
      await node.provider.send("anvil_reorg", [depth, repl]);
      await sc.refresh();
      expect(await node.provider.getBlockNumber()).to.equal(head);

      const want = await freshDump();
      const chainTail = await fetchEvents(node.url, sc.addresses, head - depth + 1, head);
      for (const engine of ENGINES) {
        const s = live[engine];
        const r = await sync(s);
        expect(r.reorgDepth, engine).to.equal(depth);
        expect(r.toBlock).to.equal(head);
        expect(await s.dump(), engine).to.deep.equal(want);
        // The new tail is what the chain now says, and none of the old tail survived.
        const newTail = await s.events({ fromBlock: head - depth + 1 });
        expect(newTail).to.deep.equal(chainTail);
        const oldKeys = new Set(oldTails[engine].map((e) => `${e.txHash}:${e.logIndex}`));
        expect((await s.events()).filter((e) => oldKeys.has(`${e.txHash}:${e.logIndex}`))).to.deep.equal([]);
        if (repl.length > 0) expect(newTail.length).to.be.at.least(repl.length);
        else expect(newTail).to.deep.equal([]);
      }
      // A state read pinned to a reorged-away block hash is refused, never answered from the new fork.
      let err: unknown;
      await balanceAt(node.url, sc.token, sc.addresses.revenueLedger, oldHash, { retries: 0 }).catch((e) => (err = e));
      expect(err, "balanceAt on a non-canonical hash").to.not.equal(undefined);
    });
  }

  for (const engine of ENGINES) {
    it(`[${engine}] catches a reorg that happens in the middle of a pass and ends equal to a fresh sync`, async function () {
      const s = await stores.open(engine);
      const proxy = await startRpcProxy({ upstream: node.url, seed: 3, failRate: 0, maxDelayMs: 40 });
      try {
        await sync(s);
        await sc.activity(16, `midpass-${engine}`);
        const head = await node.provider.getBlockNumber();
        let reorg: Promise<unknown> | undefined;
        const r = await syncChain({
          provider: proxy.url,
          store: s,
          addresses: sc.addresses,
          fromBlock: sc.deployBlock,
          chunkSize: 1,
          onProgress: (p) => {
            // Blocks head-9..head are replaced while the pass is between head-6 and head.
            if (!reorg && p.currentBlock >= head - 6) reorg = node.provider.send("anvil_reorg", [10, replacements(sc, 12).slice(0, 5).map(([tx], i) => [tx, i])]);
          },
        });
        expect(reorg, "the reorg was sent during the pass").to.not.equal(undefined);
        await reorg;
        await sc.refresh();
        // The pass saw the chain change under it (or the next one does) and rolled back.
        const again = await sync(s);
        if (process.env.READER_DEBUG) console.log("mid-pass:", r, "next:", again);
        expect(r.reorgDepth ?? again.reorgDepth).to.be.at.least(1);
        expect(await s.dump()).to.deep.equal(await freshDump());
      } finally {
        await s.close();
        await proxy.stop();
      }
    });
  }

  it(`stops with an error naming the depth when the reorg is deeper than maxReorgDepth, leaving the store as it was (${ENGINES.join(", ")})`, async function () {
    const strict = await Promise.all(ENGINES.map((e) => stores.open(e)));
    try {
      await sc.activity(14, "deep");
      for (const s of strict) await sync(s, 8);
      for (const engine of ENGINES) await sync(live[engine]);
      const before = await Promise.all(strict.map((s) => s.dump()));
      await node.provider.send("anvil_reorg", [12, replacements(sc, 12)]);
      await sc.refresh();
      for (const [i, s] of strict.entries()) {
        let err: unknown;
        await sync(s, 8).catch((e) => (err = e));
        expect(err, ENGINES[i]).to.be.instanceOf(ReorgTooDeepError);
        expect((err as ReorgTooDeepError).depth).to.equal(12);
        expect(String((err as Error).message)).to.match(/reorganized 12 blocks deep .*maxReorgDepth 8/);
        expect(await s.dump()).to.deep.equal(before[i]);
      }
      // The default limit (64) takes the same reorg.
      const want = await freshDump();
      for (const engine of ENGINES) {
        const r = await sync(live[engine]);
        expect(r.reorgDepth).to.equal(12);
        expect(await live[engine].dump(), engine).to.deep.equal(want);
      }
    } finally {
      for (const s of strict) await s.close();
    }
  });
});
