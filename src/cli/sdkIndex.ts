/**
 * The CLI's door into the indexing and reporting side of the SDK (reader/, report/,
 * verifier/report): kept apart from ./sdk so that commands which do not index or report do not
 * load SQLite, vega or pdfkit.
 */
import fs from "fs";

import { InvalidInputError } from "../errors";
import { importBundle, importBundleDir } from "../reader/bundles";
import type { SqliteStore } from "../reader/sqliteStore";

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
 * Import epoch bundles with the reader's importBundle: every `*.wlb` of a directory (a bundle that
 * does not match its epoch's latest version, e.g. a superseded one, is reported and skipped), or one
 * bundle given as a file path or a file:// / http(s):// URI.
 */
export async function importBundles(store: SqliteStore, source: string): Promise<BundleImport[]> {
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
