/**
 * Imports epoch bundles (the per-node records the writer publishes off chain, pinned on chain by
 * root and dataHash) into the reader's store, only after checking them against the latest committed
 * version of their epoch.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { fileURLToPath } from "url";
import { Provider } from "ethers";

import type { LedgerAddresses } from "../chain/events";
import { WorkLedger__factory } from "../contracts";
import { InvalidInputError, VerificationError, WorkLedgerError } from "../errors";
import { readBundle } from "../writer";
import type { ReaderStore } from "./store";

/** A bundle whose root or dataHash differs from the epoch's latest committed version. */
export class BundleMismatchError extends VerificationError {
  override name = "BundleMismatchError";
  constructor(
    readonly networkId: number,
    readonly epoch: bigint,
    readonly version: number,
    readonly field: "root" | "dataHash" | "usageRoot",
    readonly committed: string,
    readonly bundled: string,
    readonly source: string,
  ) {
    super(`bundle ${source} does not match network ${networkId} epoch ${epoch} version ${version}: ${field} committed ${committed}, bundle has ${bundled}`);
  }
}

export interface ImportBundleOptions {
  /** When given with `addresses`, the store's latest version is also checked against the chain. */
  provider?: Provider;
  addresses?: LedgerAddresses;
  /** The network, for bundles whose header does not name one. */
  networkId?: number;
}

export interface ImportBundleResult {
  networkId: number;
  epoch: bigint;
  version: number;
  root: string;
  dataHash: string;
  records: number;
  /** Usage records imported (0 for an epoch without usage). */
  usage: number;
  source: string;
}

/** Largest bundle downloaded over HTTP(S) (1 GiB: about 10 million records). */
const MAX_DOWNLOAD_BYTES = 1 << 30;

async function localFile(source: string): Promise<{ file: string; cleanup: () => void }> {
  if (/^https?:\/\//i.test(source)) {
    let res: Response;
    try {
      res = await fetch(source, { signal: AbortSignal.timeout(120_000) });
    } catch (err) {
      throw new WorkLedgerError(`bundle ${source}: download failed`, { cause: err, code: "E_BUNDLE" });
    }
    if (!res.ok) throw new WorkLedgerError(`bundle ${source}: HTTP ${res.status}`, { code: "E_BUNDLE" });
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > MAX_DOWNLOAD_BYTES) throw new InvalidInputError(`bundle ${source}: ${body.length} bytes is more than ${MAX_DOWNLOAD_BYTES}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workledger-bundle-"));
    const file = path.join(dir, "bundle.wlb");
    fs.writeFileSync(file, body);
    return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const file = /^file:\/\//i.test(source) ? fileURLToPath(source) : source;
  return { file, cleanup: () => undefined };
}

/**
 * Read an epoch bundle from a file path, a file:// URI or an http(s):// URI; check that its root,
 * dataHash and usageRoot equal the epoch's latest committed version in the store; store its records
 * and usage records. Throws {@link BundleMismatchError} (naming network, epoch, version, the field and
 * both values) on a mismatch, and stores nothing.
 *
 * @example
 * await syncChain({ provider, store, addresses, fromBlock });
 * await importBundle(store, "bundles/epoch-7.wlb");
 * await store.bundleRecords(1, 7n, 1); // WorkRecord[]
 */
export async function importBundle(store: ReaderStore, source: string, opts: ImportBundleOptions = {}): Promise<ImportBundleResult> {
  const { file, cleanup } = await localFile(source);
  try {
    const bundle = await readBundle(file); // checks that root, dataHash and totals recompute from the records
    const networkIdBig = bundle.networkId ?? (opts.networkId !== undefined ? BigInt(opts.networkId) : undefined);
    if (networkIdBig === undefined) throw new InvalidInputError(`bundle ${source} names no network; pass networkId`);
    if (opts.networkId !== undefined && BigInt(opts.networkId) !== networkIdBig) {
      throw new InvalidInputError(`bundle ${source} is for network ${networkIdBig}, not ${opts.networkId}`);
    }
    const networkId = Number(networkIdBig);
    const epoch = bundle.epoch;
    const latest = await store.latestEpochVersion(networkId, epoch);
    if (!latest) throw new InvalidInputError(`bundle ${source}: network ${networkId} epoch ${epoch} has no committed version in the store (sync first)`);
    if (opts.provider && opts.addresses) {
      const wl = WorkLedger__factory.connect(opts.addresses.workLedger, opts.provider);
      const onChain = await wl.latestEpoch(networkId, epoch);
      if (Number(onChain.version) !== latest.version || onChain.root.toLowerCase() !== latest.root) {
        throw new InvalidInputError(
          `the store is behind the chain for network ${networkId} epoch ${epoch}: store has version ${latest.version} (${latest.root}), chain has ${onChain.version} (${onChain.root}); sync first`,
        );
      }
    }
    const root = bundle.summary.root.toLowerCase();
    const dataHash = bundle.summary.dataHash.toLowerCase();
    if (root !== latest.root) throw new BundleMismatchError(networkId, epoch, latest.version, "root", latest.root, root, source);
    if (dataHash !== latest.dataHash) throw new BundleMismatchError(networkId, epoch, latest.version, "dataHash", latest.dataHash, dataHash, source);
    const usageRoot = bundle.summary.usageRoot.toLowerCase();
    if (usageRoot !== latest.usageRoot) throw new BundleMismatchError(networkId, epoch, latest.version, "usageRoot", latest.usageRoot, usageRoot, source);
    const records = [...bundle.records()];
    const usage = bundle.usage?.leaves ?? [];
    await store.putBundle({ networkId, epoch, version: latest.version, root, dataHash, source, records, usage });
    return { networkId, epoch, version: latest.version, root, dataHash, records: records.length, usage: usage.length, source };
  } finally {
    cleanup();
  }
}

/**
 * Import every `*.wlb` file of a directory; a file that fails is reported, the others still import.
 */
export async function importBundleDir(
  store: ReaderStore,
  dir: string,
  opts: ImportBundleOptions = {},
): Promise<{ imported: ImportBundleResult[]; failed: { source: string; error: Error }[] }> {
  const imported: ImportBundleResult[] = [];
  const failed: { source: string; error: Error }[] = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".wlb")).sort()) {
    const source = path.join(dir, name);
    try {
      imported.push(await importBundle(store, source, opts));
    } catch (err) {
      failed.push({ source, error: err as Error });
    }
  }
  return { imported, failed };
}
