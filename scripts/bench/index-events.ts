/**
 * Indexer benchmark: fills a local anvil chain with >= 100,000 WorkLedger/RevenueLedger events from
 * the real contracts (the reader scenario, then deposits: each emits Deposited + EntryPosted, sent in
 * JSON-RPC batches and mined in full blocks), then times a full `syncChain` into a fresh SQLite file
 * and, from the same chain, into a fresh database on a real PostgreSQL server (Debian's package,
 * started here in a temp dir with its default durability: fsync and synchronous commit on).
 *
 * Keys: indexEvents, indexEventsPerSecond (wall clock), indexSeconds, indexCpuSeconds and
 * indexEventsPerCpuSecond (the indexer's own CPU time), dbBytesPerEvent (the SQLite file after a
 * WAL checkpoint), dbBytesPer1000Events, indexBlocks, indexGenerateSeconds; PostgreSQL:
 * indexEventsPerSecondPostgres, indexSecondsPostgres, dbBytesPerEventPostgres (tables, indexes and
 * TOAST of the reader's tables: pg_total_relation_size). Options: BENCH_INDEX_EVENTS (default
 * 100000), BENCH_INDEX_CHUNK (blocks per eth_getLogs, default 50), BENCH_INDEX_PER_BLOCK (deposits
 * per block, default 80), BENCH_INDEX_POSTGRES=0 skips PostgreSQL.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { Interface } from "ethers";

import { RevenueLedger__factory } from "../../src/contracts";
import { openStore, syncChain } from "../../src/reader";
import { startAnvil } from "../../test/helpers/node";
import { startPostgres } from "../../test/helpers/postgres";
import { ReaderScenario } from "../../test/helpers/readerScenario";

/** Deposits per block while filling the chain (2 ledger events each). */
const PER_BLOCK = Number(process.env.BENCH_INDEX_PER_BLOCK ?? 80);
/** Gas given to each deposit (it uses about 70k); explicit so the node does not estimate each one. */
const DEPOSIT_GAS = "0x249f0"; // 150,000

function log(msg: string): void {
  process.stderr.write(`[index-events] ${msg}\n`);
}

async function rpcBatch(url: string, calls: { method: string; params: unknown[] }[]): Promise<unknown[]> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map((c, i) => ({ jsonrpc: "2.0", id: i, ...c }))),
  });
  const out = (await res.json()) as { id: number; result?: unknown; error?: { message: string } }[];
  const failed = out.find((r) => r.error);
  if (failed) throw new Error(`batch call failed: ${failed.error!.message}`);
  return out.sort((a, b) => a.id - b.id).map((r) => r.result);
}

export async function run(): Promise<Record<string, number>> {
  const target = Number(process.env.BENCH_INDEX_EVENTS ?? 100_000);
  const chunkSize = Number(process.env.BENCH_INDEX_CHUNK ?? 50);
  const node = await startAnvil(["--order", "fifo"]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-index-"));
  try {
    const t0 = Date.now();
    const sc = new ReaderScenario(node.provider);
    await sc.base();
    const rl = RevenueLedger__factory.createInterface() as unknown as Interface;
    const data = rl.encodeFunctionData("deposit", [sc.networkId, 1n]);
    const baseEvents = (await node.provider.send("eth_getLogs", [{ address: [sc.addresses.workLedger, sc.addresses.revenueLedger], fromBlock: "0x0", toBlock: "latest" }])) as unknown[];
    const deposits = Math.max(0, Math.ceil((target - baseEvents.length) / 2));
    await node.provider.send("evm_setAutomine", [false]);
    const nonces = await Promise.all(sc.customers.map(async (c) => Number(BigInt((await node.provider.send("eth_getTransactionCount", [c, "pending"])) as string))));
    // One JSON-RPC batch of deposits per block, mined at once: events spread over many blocks, as
    // on a real chain (only the last blocks, inside the reorg window, need undo records).
    for (let sent = 0; sent < deposits; ) {
      const n = Math.min(PER_BLOCK, deposits - sent);
      const calls = Array.from({ length: n }, (_, i) => {
        const who = (sent + i) % sc.customers.length;
        const nonce = "0x" + (nonces[who]++).toString(16);
        return { method: "eth_sendTransaction", params: [{ from: sc.customers[who], to: sc.addresses.revenueLedger, data, gas: DEPOSIT_GAS, nonce }] };
      });
      await rpcBatch(node.url, [...calls, { method: "evm_mine", params: [] }]);
      sent += n;
      if (sent % 10_000 < PER_BLOCK) log(`${sent}/${deposits} deposits mined`);
    }
    await node.provider.send("evm_setAutomine", [true]);
    const head = await node.provider.getBlockNumber();
    const generateSeconds = (Date.now() - t0) / 1000;
    log(`chain ready: ${head} blocks in ${generateSeconds.toFixed(1)} s`);

    const file = path.join(tmp, "index.db");
    const store = await openStore(file);
    const cpu0 = process.cpuUsage();
    const t1 = process.hrtime.bigint();
    const readAhead = process.env.BENCH_INDEX_READ_AHEAD ? Number(process.env.BENCH_INDEX_READ_AHEAD) : undefined;
    const r = await syncChain({ provider: node.url, store, addresses: sc.addresses, fromBlock: sc.deployBlock, chunkSize, readAhead });
    const seconds = Number(process.hrtime.bigint() - t1) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const events = await store.eventCount();
    if (r.events !== events) throw new Error(`sync reported ${r.events} events, the store holds ${events}`);
    await store.storageBytes(); // checkpoints the WAL into the file
    await store.close();
    const bytes = fs.statSync(file).size + (fs.existsSync(file + "-wal") ? fs.statSync(file + "-wal").size : 0);
    log(`sqlite: indexed ${events} events in ${seconds.toFixed(2)} s (${Math.round(events / seconds)} events/s), ${bytes} bytes`);
    const out: Record<string, number> = {
      indexEvents: events,
      indexEventsPerSecond: Math.round(events / seconds),
      indexSeconds: Number(seconds.toFixed(3)),
      // CPU time of the indexer itself (the node's work is not in it): events/CPU-second is the
      // throughput on an otherwise idle machine with a node at least as fast as the indexer.
      indexCpuSeconds: Number(cpuSeconds.toFixed(3)),
      indexEventsPerCpuSecond: Math.round(events / cpuSeconds),
      dbBytesPerEvent: Math.round(bytes / events),
      dbBytesPer1000Events: Math.round((bytes / events) * 1000),
      indexBlocks: head - sc.deployBlock + 1,
      indexGenerateSeconds: Number(generateSeconds.toFixed(1)),
    };
    if (process.env.BENCH_INDEX_POSTGRES !== "0") {
      const server = await startPostgres({ durable: true });
      try {
        const pgStore = await openStore(await server.createDatabase("bench"));
        try {
          const t2 = process.hrtime.bigint();
          const rp = await syncChain({ provider: node.url, store: pgStore, addresses: sc.addresses, fromBlock: sc.deployBlock, chunkSize, readAhead });
          const pgSeconds = Number(process.hrtime.bigint() - t2) / 1e9;
          const pgEvents = await pgStore.eventCount();
          if (rp.events !== pgEvents || pgEvents !== events) throw new Error(`postgres: sync reported ${rp.events} events, the store holds ${pgEvents}, sqlite ${events}`);
          const pgBytes = await pgStore.storageBytes();
          log(`postgres: indexed ${pgEvents} events in ${pgSeconds.toFixed(2)} s (${Math.round(pgEvents / pgSeconds)} events/s), ${pgBytes} bytes`);
          out.indexEventsPerSecondPostgres = Math.round(pgEvents / pgSeconds);
          out.indexSecondsPostgres = Number(pgSeconds.toFixed(3));
          out.dbBytesPerEventPostgres = Math.round(pgBytes / pgEvents);
        } finally {
          await pgStore.close();
        }
      } finally {
        await server.stop();
      }
    }
    return out;
  } finally {
    await node.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run()
    .then((r) => process.stdout.write(JSON.stringify(r) + "\n"))
    .catch((e) => {
      process.stderr.write(String(e?.stack ?? e) + "\n");
      process.exit(1);
    });
}
