/**
 * The CLI's door into the indexing and reporting side of the SDK (reader/, report/,
 * verifier/report): kept apart from ./sdk so that commands which do not index or report do not
 * load SQLite, vega or pdfkit.
 */
import { InvalidInputError } from "../errors";
import type { SqliteStore } from "../reader/sqliteStore";
import { readBundle } from "../writer/bundle";

export { openStore } from "../reader/sqliteStore";
export type { SqliteStore } from "../reader/sqliteStore";
export { syncChain, followChain } from "../reader/sync";
export type { SyncResult } from "../reader/sync";
export { buildReport } from "../report/build";
export { reportInputFromStore } from "../report/fromStore";
export { writeReportFiles, renderFormat, REPORT_FORMATS } from "../report/write";
export type { ReportFormat } from "../report/write";
export type { Report, ReportKind } from "../report/types";
export { verifyReport } from "../verifier/report";

/** Outcome of importing one bundle file. */
export interface BundleImport {
  file: string;
  networkId: number | null;
  epoch: number;
  version: number | null;
  records: number;
  imported: boolean;
  reason?: string;
}

/**
 * ADAPTER (reader's importBundle): read a bundle file (the writer's readBundle re-checks its root,
 * dataHash and totals), match it to the epoch's latest committed version in the store by root and
 * dataHash, and store its records. A bundle of a superseded version is skipped, not an error.
 */
export async function importBundleFile(store: SqliteStore, file: string, defaultNetworkId?: number): Promise<BundleImport> {
  const bundle = await readBundle(file);
  const networkId = bundle.networkId !== undefined ? Number(bundle.networkId) : defaultNetworkId ?? null;
  const base = { file, networkId, epoch: Number(bundle.epoch), records: bundle.recordCount };
  if (networkId === null) return { ...base, version: null, imported: false, reason: "the bundle names no network" };
  const latest = store.latestEpochVersion(networkId, bundle.epoch);
  if (!latest) return { ...base, version: null, imported: false, reason: `epoch ${bundle.epoch} of network ${networkId} is not in the store (sync first)` };
  if (latest.root.toLowerCase() !== bundle.root.toLowerCase() || latest.dataHash.toLowerCase() !== bundle.summary.dataHash.toLowerCase()) {
    return { ...base, version: latest.version, imported: false, reason: `not the latest version: epoch ${bundle.epoch} v${latest.version} has root ${latest.root}, the bundle ${bundle.root}` };
  }
  store.putBundle({ networkId, epoch: bundle.epoch, version: latest.version, root: latest.root, dataHash: latest.dataHash, source: file, records: [...bundle.records()] });
  return { ...base, version: latest.version, imported: true };
}

/** Import every *.wlb bundle in `dir` (sorted by name). */
export async function importBundleDir(store: SqliteStore, dir: string): Promise<BundleImport[]> {
  const fsMod = await import("fs");
  const pathMod = await import("path");
  if (!fsMod.existsSync(dir) || !fsMod.statSync(dir).isDirectory()) throw new InvalidInputError(`--bundles ${dir} is not a directory`);
  const files = fsMod.readdirSync(dir).filter((f) => f.endsWith(".wlb")).sort();
  const out: BundleImport[] = [];
  for (const f of files) out.push(await importBundleFile(store, pathMod.join(dir, f)));
  return out;
}
