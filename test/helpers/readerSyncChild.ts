/**
 * Child process of the reader crash test: syncs a chain into a SQLite file and prints one line per
 * committed chunk ("progress <block>") and "done" at the end. The test kills it with SIGKILL.
 * Usage: node -r ts-node/register/transpile-only test/helpers/readerSyncChild.ts '<json options>'
 */
import { openStore, syncChain } from "../../src/reader";

interface ChildOptions {
  url: string;
  db: string;
  workLedger: string;
  revenueLedger: string;
  fromBlock: number;
  toBlock?: number;
  chunkSize: number;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]) as ChildOptions;
  const store = openStore(o.db);
  try {
    await syncChain({
      provider: o.url,
      store,
      addresses: { workLedger: o.workLedger, revenueLedger: o.revenueLedger },
      fromBlock: o.fromBlock,
      toBlock: o.toBlock,
      chunkSize: o.chunkSize,
      retries: { retries: 20, baseDelayMs: 5, maxDelayMs: 100 },
      onProgress: (p) => process.stdout.write(`progress ${p.currentBlock}\n`),
    });
    process.stdout.write("done\n");
  } finally {
    store.close();
  }
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + "\n");
  process.exit(1);
});
