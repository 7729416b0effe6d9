/**
 * What every route module of `workledger serve` gets: the open store (read only: the server never
 * syncs or writes), the deployment the store was synced from, the bundle cache, the chain (optional:
 * head block for /healthz, block times and token reads for reports), the dashboard's public RPC URL
 * and the labels. A route module is `export async function xxxRoutes(app: FastifyInstance, ctx: ServerContext)`.
 */
import { JsonRpcProvider, Network, Provider } from "ethers";

import { InvalidInputError } from "../errors";
import { checkRpcUrl } from "../chain/transport";
import type { Labels } from "../report/labels";
import type { SqlStore } from "../reader/sqlStore";
import type { Checkpoint, EpochVersionRef } from "../reader/store";
import { EpochBundleCache } from "./bundleCache";

/** The deployment the store was synced from (its meta). */
export interface ServerDeployment {
  chainId: number;
  workLedger: string;
  revenueLedger: string;
  fromBlock: number;
}

export interface ServerContext {
  store: SqlStore;
  deployment: ServerDeployment;
  bundles: EpochBundleCache;
  provider?: Provider;
  publicRpc?: string;
  labels?: Labels;
  /** The store's checkpoint, re-read at most once per `freshMs` (default 1 s). */
  checkpoint(): Promise<Checkpoint>;
  /** The latest version of an epoch as indexed (cached per checkpoint), or undefined. */
  latestVersion(networkId: number, epoch: number): Promise<EpochVersionRef | undefined>;
  /** The latest version of an epoch with its stored status (pending|challenged|voided) and finalizesAt, cached per checkpoint. */
  epochState(networkId: number, epoch: number): Promise<EpochState | undefined>;
  /**
   * "Now" for statuses, in unix seconds: the chain head's timestamp (re-read at most once per second)
   * when a chain is configured and answers, else the wall clock. A pending version is final from its
   * finalizesAt on.
   */
  now(): Promise<number>;
}

/** An epoch's latest version as indexed, with its stored status and finality time. */
export interface EpochState extends EpochVersionRef {
  /** Stored status: pending | challenged | voided (see {@link effectiveStatus} for final). */
  status: string;
  /** Unix seconds from which a pending version is final (null when not pending). */
  finalizesAt: number | null;
}

/** The status as of `now`: a pending version whose finalizesAt has passed is final (the contract's rule). */
export function effectiveStatus(status: string, finalizesAt: number | null, now: number): string {
  return status === "pending" && finalizesAt !== null && finalizesAt <= now ? "final" : status;
}

/** How long a read of the checkpoint is reused (ms). */
export const CHECKPOINT_FRESH_MS = 1000;

/** A provider for a URL that never probes at startup (the chain may be down; /healthz says so). */
export function providerForUrl(url: string, chainId: number): JsonRpcProvider {
  checkRpcUrl(url);
  return new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: Network.from(chainId), batchMaxCount: 1 });
}

/**
 * The context of a store that was synced at least once; refuses an empty or unsynced store
 * (InvalidInputError naming it).
 */
export async function createContext(
  store: SqlStore,
  opts: { bundles?: string; provider?: Provider; publicRpc?: string; labels?: Labels; maxCachedRecords?: number; offThreadRecords?: number; freshMs?: number },
): Promise<ServerContext> {
  const meta = await store.meta();
  const first = await store.checkpoint();
  if (!meta || !first) throw new InvalidInputError(`${store.location} holds no synced chain: run \`workledger sync --db ${store.location}\` first`);
  const deployment: ServerDeployment = { chainId: Number(meta.chainId), workLedger: meta.workLedger, revenueLedger: meta.revenueLedger, fromBlock: meta.fromBlock };
  const freshMs = opts.freshMs ?? CHECKPOINT_FRESH_MS;
  let cp: Checkpoint = first;
  let cpAt = Date.now();
  let cpRead: Promise<Checkpoint> | undefined;
  // latest versions, valid for one checkpoint (a new block may correct or void an epoch)
  let versions = new Map<string, Promise<EpochState | undefined>>();
  let versionsAt = first.blockHash;
  const checkpoint = async (): Promise<Checkpoint> => {
    if (Date.now() - cpAt < freshMs) return cp;
    cpRead ??= store
      .checkpoint()
      .then((c) => {
        if (c) cp = c;
        cpAt = Date.now();
        return cp;
      })
      .finally(() => (cpRead = undefined));
    return cpRead;
  };
  const epochState = async (networkId: number, epoch: number): Promise<EpochState | undefined> => {
    const c = await checkpoint();
    if (c.blockHash !== versionsAt) {
      versions = new Map();
      versionsAt = c.blockHash;
    }
    const key = `${networkId}:${epoch}`;
    let p = versions.get(key);
    if (!p) {
      p = readEpochState(store, networkId, epoch);
      versions.set(key, p);
      p.catch(() => versions.delete(key));
      if (versions.size > 100_000) versions.clear();
    }
    return p;
  };
  let nowCache: { at: number; p: Promise<number> } | undefined;
  const now = (): Promise<number> => {
    const provider = opts.provider;
    const wall = () => Math.floor(Date.now() / 1000);
    if (!provider) return Promise.resolve(wall());
    if (nowCache && Date.now() - nowCache.at < freshMs) return nowCache.p;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timeout")), 2000);
    });
    const p = Promise.race([provider.getBlock("latest"), timeout])
      .then((b) => (b ? Number(b.timestamp) : wall()))
      .catch(() => wall())
      .finally(() => clearTimeout(timer));
    nowCache = { at: Date.now(), p };
    return p;
  };
  return {
    store,
    deployment,
    bundles: new EpochBundleCache(store, { dir: opts.bundles, maxRecords: opts.maxCachedRecords, offThreadRecords: opts.offThreadRecords }),
    provider: opts.provider,
    publicRpc: opts.publicRpc,
    labels: opts.labels,
    checkpoint,
    epochState,
    latestVersion: epochState,
    now,
  };
}

async function readEpochState(store: SqlStore, networkId: number, epoch: number): Promise<EpochState | undefined> {
  const ref = await store.latestEpochVersion(networkId, epoch);
  if (!ref) return undefined;
  const r = await store.db.selectFrom("epochs").select(["status", "finalizes_at"]).where("network_id", "=", networkId).where("epoch", "=", epoch).executeTakeFirst();
  return { ...ref, status: String(r?.status), finalizesAt: r?.finalizes_at === null || r?.finalizes_at === undefined ? null : Number(r.finalizes_at) };
}
