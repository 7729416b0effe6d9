/**
 * The CLI's use of the index store (SDK reader): open it with a one-line error, run one sync pass
 * with a progress bar, import epoch bundles from a directory or one file/URI. Shared by `sync` and
 * `report` (commands never import each other).
 */
import fs from "fs";

import { Deployment, InvalidInputError, SqlStore, SyncResult, importBundle, importBundleDir, openStore, syncChain } from "../index";
import type { Chain } from "./chain";
import type { CliContext } from "./context";

/** A database location for messages: a postgres URL without its password. */
export function redactDb(db: string): string {
  if (!/^postgres(ql)?:\/\//i.test(db)) return db;
  try {
    const u = new URL(db);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://…";
  }
}

/** Open the store at `db` (SQLite file or postgres:// URL); one-line error if it cannot be opened. */
export async function openDb(db: string): Promise<SqlStore> {
  try {
    return await openStore(db);
  } catch (e) {
    throw new InvalidInputError(`cannot open database ${redactDb(db)}: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** One sync pass (progress bar on a TTY). */
export async function syncStore(ctx: CliContext, chain: Chain, deployment: Deployment, store: SqlStore, confirmations = 0): Promise<SyncResult> {
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

/** Outcome of importing one bundle. */
export interface BundleImport {
  file: string;
  imported: boolean;
  networkId?: number;
  epoch?: number;
  version?: number;
  records?: number;
  reason?: string;
}

/**
 * Import epoch bundles: every `*.wlb` of a directory (a bundle that does not match its epoch's latest
 * version, e.g. a superseded one, is reported and skipped), or one bundle given as a file path or a
 * file:// / http(s):// URI.
 */
export async function importBundles(store: SqlStore, source: string): Promise<BundleImport[]> {
  const isUri = /^(https?|file):\/\//i.test(source);
  if (!isUri && !fs.existsSync(source)) throw new InvalidInputError(`--bundles ${source}: no such directory or file`);
  if (isUri || fs.statSync(source).isFile()) {
    const r = await importBundle(store, source);
    return [{ file: source, imported: true, networkId: r.networkId, epoch: Number(r.epoch), version: r.version, records: r.records }];
  }
  const { imported, failed } = await importBundleDir(store, source);
  return [
    ...imported.map((r) => ({ file: r.source, imported: true, networkId: r.networkId, epoch: Number(r.epoch), version: r.version, records: r.records })),
    ...failed.map((f) => ({ file: f.source, imported: false, reason: f.error.message.split("\n")[0] })),
  ];
}
