/**
 * Reorgs on Foundry's anvil (`anvil_reorg(depth, [[tx, blockOffset], ...])` replaces the last
 * `depth` blocks with new ones holding the given transactions; the head keeps its height). After
 * each reorg the next sync must equal a fresh sync of the new chain, table for table; a reorg deeper
 * than maxReorgDepth must stop the sync with an error naming the depth and leave the store alone.
 */
import { expect } from "chai";

import { ReorgTooDeepError, SqliteStore, balanceAt, fetchEvents, openStore, syncChain } from "../../../src/reader";
import { LocalNode, startAnvil } from "../../helpers/node";
import { ReaderScenario, TxRequest } from "../../helpers/readerScenario";
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
  let live: SqliteStore;

  const sync = (store: SqliteStore, maxReorgDepth?: number) =>
    syncChain({ provider: node.url, store, addresses: sc.addresses, fromBlock: sc.deployBlock, maxReorgDepth, chunkSize: 16 });

  async function freshDump(): Promise<ReturnType<SqliteStore["dump"]>> {
    const fresh = openStore(":memory:");
    try {
      await sync(fresh);
      return fresh.dump();
    } finally {
      fresh.close();
    }
  }

  before(async function () {
    node = await startAnvil();
    sc = new ReaderScenario(node.provider);
    await sc.base();
    await sc.activity(8, "start");
    live = openStore(":memory:");
    await sync(live);
  });

  after(async function () {
    live?.close();
    await node?.stop();
  });

  for (const depth of [1, 2, 5, 12, 32]) {
    it(`rolls back a reorg of depth ${depth} and matches a fresh sync of the new chain`, async function () {
      // Blocks that the reorg will replace: new rows and changes to older rows (deactivations, postings, balances).
      await sc.activity(depth + 2, `pre${depth}`);
      await sync(live);
      const head = await node.provider.getBlockNumber();
      const oldTail = live.events({ fromBlock: head - depth + 1 });
      expect(oldTail.length, "the replaced blocks held events").to.be.greaterThan(0);
      const oldHash = live.checkpoint()!.blockHash;
      const undone = live.db.prepare(`SELECT COUNT(*) AS n FROM undo_log WHERE block_number > ?`).get(head - depth) as { n: number };
      expect(undone.n, "rows changed inside the replaced blocks").to.be.greaterThan(0);

      const repl = replacements(sc, depth);
      await node.provider.send("anvil_reorg", [depth, repl]);
      await sc.refresh();
      expect(await node.provider.getBlockNumber()).to.equal(head);

      const r = await sync(live);
      expect(r.reorgDepth).to.equal(depth);
      expect(r.toBlock).to.equal(head);
      expect(live.dump()).to.deep.equal(await freshDump());
      // The new tail is what the chain now says, and none of the old tail survived.
      const newTail = live.events({ fromBlock: head - depth + 1 });
      expect(newTail).to.deep.equal(await fetchEvents(node.url, sc.addresses, head - depth + 1, head));
      const oldKeys = new Set(oldTail.map((e) => `${e.txHash}:${e.logIndex}`));
      expect(live.events().filter((e) => oldKeys.has(`${e.txHash}:${e.logIndex}`))).to.deep.equal([]);
      if (repl.length > 0) expect(newTail.length).to.be.at.least(repl.length);
      else expect(newTail).to.deep.equal([]);
      // A state read pinned to a reorged-away block hash is refused, never answered from the new fork.
      let err: unknown;
      await balanceAt(node.url, sc.token, sc.addresses.revenueLedger, oldHash, { retries: 0 }).catch((e) => (err = e));
      expect(err, "balanceAt on a non-canonical hash").to.not.equal(undefined);
    });
  }

  it("catches a reorg that happens in the middle of a pass and ends equal to a fresh sync", async function () {
    const s = openStore(":memory:");
    const proxy = await startRpcProxy({ upstream: node.url, seed: 3, failRate: 0, maxDelayMs: 40 });
    try {
      await sync(s);
      await sc.activity(16, "midpass");
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
      expect(s.dump()).to.deep.equal(await freshDump());
    } finally {
      s.close();
      await proxy.stop();
    }
  });

  it("stops with an error naming the depth when the reorg is deeper than maxReorgDepth, leaving the store as it was", async function () {
    const strict = openStore(":memory:");
    try {
      await sc.activity(14, "deep");
      await sync(strict, 8);
      await sync(live);
      const before = strict.dump();
      await node.provider.send("anvil_reorg", [12, replacements(sc, 12)]);
      await sc.refresh();
      let err: unknown;
      await sync(strict, 8).catch((e) => (err = e));
      expect(err).to.be.instanceOf(ReorgTooDeepError);
      expect((err as ReorgTooDeepError).depth).to.equal(12);
      expect(String((err as Error).message)).to.match(/reorganized 12 blocks deep .*maxReorgDepth 8/);
      expect(strict.dump()).to.deep.equal(before);
      // The default limit (64) takes the same reorg.
      const r = await sync(live);
      expect(r.reorgDepth).to.equal(12);
      expect(live.dump()).to.deep.equal(await freshDump());
    } finally {
      strict.close();
    }
  });
});
