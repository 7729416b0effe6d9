/**
 * `workledger sync [--db FILE] [--follow] [--confirmations N] [--bundles DIR]`: index the chain into
 * the embedded SQLite store (reader/), optionally importing epoch bundles.
 */
import { InvalidInputError } from "../../errors";
import { CliContext } from "../context";
import { Deployment } from "../deployment";
import { CommandOutput, formatInt, kv } from "../output";
import { parseUint } from "../parse";
import { BundleImport, SyncResult, followChain, importBundles, openStore, syncChain } from "../sdkIndex";
import type { Chain } from "../chain";

type Store = ReturnType<typeof openStore>;

/** One sync pass (progress bar on a TTY). */
export async function syncStore(ctx: CliContext, chain: Chain, deployment: Deployment, store: Store, confirmations = 0): Promise<SyncResult> {
  let started = false;
  const r = await syncChain({
    provider: chain.embedded ? chain.provider : chain.url,
    store,
    addresses: { workLedger: deployment.workLedger, revenueLedger: deployment.revenueLedger },
    fromBlock: deployment.fromBlock,
    confirmations,
    onProgress: (p) => {
      if (!started) {
        ctx.progress.start(p.toBlock - p.fromBlock + 1, "indexing blocks");
        started = true;
      }
      ctx.progress.update(p.currentBlock - p.fromBlock + 1);
    },
  });
  ctx.progress.stop();
  return r;
}

/** Open the store at `db` (one-line error if it cannot be opened). */
export function openDb(db: string): Store {
  try {
    return openStore(db);
  } catch (e) {
    throw new InvalidInputError(`cannot open database ${db}: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** The `sync` command. */
export async function syncCommand(ctx: CliContext, o: { db?: string; follow?: boolean; confirmations?: string; bundles?: string }): Promise<CommandOutput> {
  const db = o.db ?? "workledger.sqlite";
  const confirmations = Number(parseUint(o.confirmations ?? "0", "--confirmations", 16));
  const { deployment, chain } = await ctx.ledgers();
  const store = openDb(db);
  try {
    let r: SyncResult;
    if (o.follow) {
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      ctx.log.info(`following chain ${chain.chainId} into ${db} (Ctrl-C to stop)`);
      r = await followChain({
        provider: chain.embedded ? chain.provider : chain.url,
        store,
        addresses: { workLedger: deployment.workLedger, revenueLedger: deployment.revenueLedger },
        fromBlock: deployment.fromBlock,
        confirmations,
        pollMs: 1000,
        signal: ac.signal,
        onPass: (p) => {
          if (p.events > 0) ctx.log.info(`indexed up to block ${p.toBlock} (+${p.events} events)`);
        },
      });
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
    } else {
      r = await syncStore(ctx, chain, deployment, store, confirmations);
    }
    const imports: BundleImport[] = o.bundles ? await importBundles(store, o.bundles) : [];
    const missing = store.missingBundles();
    const data = {
      db,
      chainId: deployment.chainId,
      fromBlock: r.fromBlock,
      toBlock: r.toBlock,
      toBlockHash: r.toBlockHash,
      newEvents: r.events,
      totalEvents: store.eventCount(),
      reorgDepth: r.reorgDepth ?? null,
      bundlesImported: imports.filter((i) => i.imported).length,
      bundlesSkipped: imports.filter((i) => !i.imported).map((i) => ({ file: i.file, reason: i.reason })),
      missingBundles: missing.map((m) => ({ networkId: m.networkId, epoch: Number(m.epoch), version: m.version })),
    };
    return {
      data,
      lines: kv([
        ["database", db],
        ["indexed to block", `${r.toBlock} (${r.toBlockHash})`],
        ["events", `${formatInt(r.events)} new, ${formatInt(data.totalEvents)} total`],
        ["reorg rolled back", r.reorgDepth === undefined ? "none" : `${r.reorgDepth} blocks`],
        ["bundles imported", o.bundles ? `${data.bundlesImported} from ${o.bundles}` : "none (pass --bundles DIR)"],
        ["epochs without a bundle", missing.length ? `${missing.length} (uptime lines need them)` : "none"],
      ]),
    };
  } finally {
    store.close();
  }
}
