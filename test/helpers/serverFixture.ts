/**
 * A synced index for `workledger serve` tests: the report scenario (test/helpers/reportScenario.ts:
 * one network, 5 nodes, 6 epochs with usage, a voided-and-corrected epoch 2, a rejected challenge of
 * epoch 3, a corrected epoch 4, statements, payouts, claims) on the in-process Hardhat chain, synced
 * into a fresh SQLite file with the SDK's reader, every committed version's epoch bundle written to a
 * bundles directory (bundleFileName names) and the latest versions' bundles imported into the index.
 * The store is closed when the fixture returns (a server opens the file itself); `labels` names the
 * scenario's nodes, customers and network. loadFixture caches it for the whole run: do not write into
 * its files (copy them), and leave the directory alone (it is removed at exit).
 *
 * @example
 * const fx = await serverFixture();
 * const app = await buildServer({ db: fx.dbFile, provider: ethers.provider, labels: fx.labels, rateLimit: 0 });
 */
import fs from "fs";
import os from "os";
import path from "path";
import { ethers } from "hardhat";

import { openStore } from "../../src/reader";
import { importBundleDir } from "../../src/reader/bundles";
import type { SqlStore } from "../../src/reader/sqlStore";
import { syncChain } from "../../src/reader/sync";
import { labelsCsv, parseLabels } from "../../src/report/labels";
import type { Labels } from "../../src/report/labels";
import { buildEpoch, writeBundle } from "../../src/writer";
import { bundleFileName } from "../../src/writer/publish";
import { Scenario, reportScenario, scenarioLabelRows } from "./reportScenario";

export interface ServerFixture {
  s: Scenario;
  /** Temporary directory holding the database and the bundles (remove with `cleanup`). */
  dir: string;
  /** The SQLite index, synced to `indexedBlock` and closed. */
  dbFile: string;
  /** Every committed version's bundle file. */
  bundlesDir: string;
  indexedBlock: number;
  chainId: number;
  workLedger: string;
  revenueLedger: string;
  labels: Labels;
  /** (networkId:epoch) → latest version, from the scenario's records. */
  latestVersion: Map<string, number>;
  /**
   * Nothing now: the directory is removed when the process exits, because loadFixture hands the same
   * fixture (same files) to every test file of the run. Kept so callers need not know.
   */
  cleanup(): void;
}

/** Sync `s` into `store` and write/import its bundles (exported for fixtures over another engine). */
export async function syncScenarioInto(s: Scenario, store: SqlStore, bundlesDir: string): Promise<Map<string, number>> {
  const workLedger = await s.wl.getAddress();
  const revenueLedger = await s.rl.getAddress();
  await syncChain({ provider: ethers.provider, store, addresses: { workLedger, revenueLedger }, fromBlock: s.deployBlock });
  fs.mkdirSync(bundlesDir, { recursive: true });
  const latest = new Map<string, number>();
  for (const [key, records] of s.recordsByKey) {
    const [networkId, epoch, version] = key.split(":").map(Number);
    const built = await buildEpoch(records, { epoch, networkId, usage: s.usageByKey.get(key) ?? null });
    await writeBundle(built.bundle, path.join(bundlesDir, bundleFileName(networkId, epoch, version)));
    latest.set(`${networkId}:${epoch}`, Math.max(latest.get(`${networkId}:${epoch}`) ?? 0, version));
  }
  const { imported } = await importBundleDir(store, bundlesDir); // superseded versions are refused, as they should be
  if (imported.length !== latest.size) throw new Error(`serverFixture: imported ${imported.length} bundles, expected ${latest.size}`);
  return latest;
}

/** Builds the fixture (a named function, so loadFixture can cache it). */
export async function serverFixture(): Promise<ServerFixture> {
  const s = await reportScenario();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workledger-serve-"));
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  const dbFile = path.join(dir, "index.sqlite");
  const bundlesDir = path.join(dir, "bundles");
  const store = await openStore(dbFile);
  let latestVersion: Map<string, number>;
  let indexedBlock: number;
  try {
    latestVersion = await syncScenarioInto(s, store, bundlesDir);
    indexedBlock = (await store.checkpoint())!.blockNumber;
  } finally {
    await store.close();
  }
  return {
    s,
    dir,
    dbFile,
    bundlesDir,
    indexedBlock,
    chainId: Number((await ethers.provider.getNetwork()).chainId),
    workLedger: await s.wl.getAddress(),
    revenueLedger: await s.rl.getAddress(),
    labels: parseLabels(labelsCsv(scenarioLabelRows(s)), "labels.csv"),
    latestVersion,
    cleanup: () => undefined,
  };
}
