/**
 * Child process of the reader tests, run on the build (dist/, which `npm test` builds first): syncs a
 * chain into a store (a SQLite file or a postgres:// URL) and prints one line per committed chunk
 * ("progress <block>") and "done" at the end. The crash test kills it with SIGKILL; with `follow` it
 * keeps following until SIGTERM (the concurrent-writers test).
 * Usage: node test/helpers/readerSyncChild.js '<json options>'
 */
"use strict";
const { followChain, openStore, syncChain } = require("../../dist/src/reader");

async function main() {
  const o = JSON.parse(process.argv[2]);
  const store = await openStore(o.db);
  const ac = new AbortController();
  process.once("SIGTERM", () => ac.abort());
  try {
    const opts = {
      provider: o.url,
      store,
      addresses: { workLedger: o.workLedger, revenueLedger: o.revenueLedger },
      fromBlock: o.fromBlock,
      toBlock: o.toBlock,
      chunkSize: o.chunkSize,
      retries: { retries: 20, baseDelayMs: 5, maxDelayMs: 100 },
      signal: ac.signal,
      onProgress: (p) => process.stdout.write(`progress ${p.currentBlock}\n`),
    };
    if (o.follow) {
      process.stdout.write("following\n");
      await followChain({ ...opts, pollMs: 30, onPass: (r) => process.stdout.write(`pass ${r.toBlock}\n`) });
    } else {
      await syncChain(opts);
    }
    process.stdout.write("done\n");
  } finally {
    await store.close();
  }
}

main().catch((err) => {
  process.stderr.write(String((err && err.stack) || err) + "\n");
  process.exit(1);
});
