/**
 * `workledger sync [--db FILE|URL] [--follow] [--confirmations N] [--bundles DIR]`: index the chain
 * into the store (SQLite file or PostgreSQL) with the SDK's reader, importing epoch bundles.
 */
import { SyncResult, followChain } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatInt, kv } from "../output";
import { parseUint } from "../parse";
import { BundleImport, importBundles, openDb, redactDb, syncStore } from "../store";

export async function syncCommand(ctx: CliContext, o: { db?: string; follow?: boolean; confirmations?: string; bundles?: string }): Promise<CommandOutput> {
  const db = o.db ?? "workledger.sqlite";
  const confirmations = Number(parseUint(o.confirmations ?? "0", "--confirmations", 16));
  const { deployment, chain } = await ctx.ledgers();
  const store = await openDb(db);
  try {
    let r: SyncResult;
    if (o.follow) {
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      ctx.log.info(`following chain ${chain.chainId} into ${redactDb(db)} (Ctrl-C to stop)`);
      r = await followChain({
        provider: chain.embedded ? chain.provider : chain.url,
        store,
        addresses: { workLedger: deployment.workLedger, revenueLedger: deployment.revenueLedger },
        fromBlock: deployment.fromBlock,
        confirmations,
        pollMs: 1000,
        signal: ac.signal,
        bundles: o.bundles,
        onPass: (p) => {
          if (p.events > 0) ctx.log.info(`indexed up to block ${p.toBlock} (+${p.events} events)`);
        },
        onBundle: (b) =>
          b.imported
            ? ctx.log.info(`imported bundle ${b.file} (network ${b.imported.networkId} epoch ${b.imported.epoch})`)
            : ctx.log.info(`bundle ${b.file} not imported yet: ${b.error?.message.split("\n")[0]}`),
      });
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
    } else {
      r = await syncStore(ctx, chain, deployment, store, confirmations);
    }
    const imports: BundleImport[] = o.bundles ? await importBundles(store, o.bundles) : [];
    const missing = await store.missingBundles();
    const data = {
      db: redactDb(db),
      chainId: deployment.chainId,
      fromBlock: r.fromBlock,
      toBlock: r.toBlock,
      toBlockHash: r.toBlockHash,
      newEvents: r.events,
      totalEvents: await store.eventCount(),
      reorgDepth: r.reorgDepth ?? null,
      bundlesImported: imports.filter((i) => i.imported).length,
      bundlesSkipped: imports.filter((i) => !i.imported).map((i) => ({ file: i.file, reason: i.reason })),
      missingBundles: missing.map((m) => ({ networkId: m.networkId, epoch: Number(m.epoch), version: m.version })),
    };
    return {
      data,
      lines: kv([
        ["database", redactDb(db)],
        ["indexed to block", `${r.toBlock} (${r.toBlockHash})`],
        ["events", `${formatInt(r.events)} new, ${formatInt(data.totalEvents)} total`],
        ["reorg rolled back", r.reorgDepth === undefined ? "none" : `${r.reorgDepth} blocks`],
        ["bundles imported", o.bundles ? `${data.bundlesImported} from ${o.bundles}` : "none (pass --bundles DIR)"],
        ["epochs without a bundle", missing.length ? `${missing.length} (uptime lines need them)` : "none"],
      ]),
    };
  } finally {
    await store.close();
  }
}
