/**
 * Fills a ReportInput from the indexer's store (events and imported epoch bundles) plus the few
 * state reads pinned to toBlock (block hash and time, token metadata, balanceOf(revenueLedger)).
 */
import type { Provider } from "ethers";

import type { ChainEvent } from "../chain/events";
import { ChainMismatchError } from "../errors";
import type { WorkRecord } from "../records/types";
import type { UsageRecord } from "../records/usage";
import { UsageBundleLike, firstUsageSource, usageSourceFromBundles, usageSourceFromLeaves } from "./usageSource";
import { reportInputFromChain } from "./fromChain";
import type { ReportInput, ReportRange } from "./input";
import { BundleLike, EpochTree, buildEpochTree, epochFromBundle } from "../merkle";
import { replay } from "./state";
import { buildReport } from "./build";
import type { ReportOptions } from "./common";
import type { EconomicsOptions } from "./economics";
import type { Report, ReportKind } from "./types";

/** What reports need from the indexer's store (src/reader's store satisfies it). */
export interface ReportStore {
  events(range: { fromBlock: number; toBlock: number }): ChainEvent[] | Promise<ChainEvent[]>;
  bundleRecords(networkId: number, epoch: number, version: number): WorkRecord[] | undefined | Promise<WorkRecord[] | undefined>;
  /** Usage leaves of an imported bundle (statements' usage and per-epoch settlement). */
  bundleUsage?(networkId: number, epoch: number, version: number): UsageRecord[] | undefined | Promise<UsageRecord[] | undefined>;
}

/**
 * A ReportInput for `range` from `store`: every indexed event up to toBlock (earlier ones give the
 * opening state), the records of the latest version of every committed epoch, and their trees
 * (taken from `options.bundles` when one matches the epoch's root, else rebuilt from the store's records).
 * @example
 * const input = await reportInputFromStore(store, provider, { ledger, revenueLedger, fromBlock: 0 });
 * const report = buildSpendReport(input);
 */
export async function reportInputFromStore(
  store: ReportStore,
  provider: Provider,
  range: ReportRange,
  options: { bundles?: readonly (BundleLike & UsageBundleLike)[] } = {},
): Promise<ReportInput> {
  const toBlock = range.toBlock ?? (await provider.getBlockNumber());
  const events = await store.events({ fromBlock: 0, toBlock });
  const state = replay(events.filter((e) => e.blockNumber <= toBlock));
  const records = new Map<string, WorkRecord[]>();
  const trees = new Map<string, EpochTree>();
  // Bundles at hand (e.g. --bundles DIR) give records and trees with no hashing; matched by root.
  const byRoot = new Map<string, BundleLike>();
  for (const b of options.bundles ?? []) byRoot.set(b.root.toLowerCase(), b);
  for (const st of state.epochs.values()) {
    if (st.firstCommitBlock < range.fromBlock) continue;
    const v = st.latest;
    const bundle = v.recordCount > 0 ? byRoot.get(v.root) : undefined;
    if (bundle && bundle.recordCount === v.recordCount) {
      const e = epochFromBundle(bundle);
      records.set(`${v.networkId}:${v.epoch}:${v.version}`, e.records);
      trees.set(`${v.networkId}:${v.epoch}:${v.version}`, e.tree);
      continue;
    }
    const recs = await store.bundleRecords(v.networkId, v.epoch, v.version);
    if (!recs) continue;
    const key = `${v.networkId}:${v.epoch}:${v.version}`;
    records.set(key, recs);
    trees.set(key, await buildEpochTree(recs));
  }
  // Usage leaves of the epoch versions that statements cover (as charged), from the index's bundles.
  const usageLeaves = new Map<string, UsageRecord[]>();
  if (store.bundleUsage) {
    for (const st of state.statements.values()) {
      for (const c of st.covered) {
        const k = `${st.networkId}:${c.epoch}:${c.version}`;
        if (/^0x0+$/.test(c.usageRoot) || usageLeaves.has(k)) continue;
        const leaves = await store.bundleUsage(st.networkId, c.epoch, c.version);
        if (leaves) usageLeaves.set(k, leaves);
      }
    }
  }
  const input = await reportInputFromChain(provider, {
    ledger: range.ledger,
    revenueLedger: range.revenueLedger,
    fromBlock: range.fromBlock,
    toBlock,
    events,
    records: (n, e, v) => records.get(`${n}:${e}:${v}`),
    trees: (n, e, v) => trees.get(`${n}:${e}:${v}`),
    usage: firstUsageSource(options.bundles?.length ? usageSourceFromBundles(options.bundles) : undefined, usageLeaves.size ? usageSourceFromLeaves(usageLeaves) : undefined),
  });
  if (range.chainId !== undefined && range.chainId !== input.chainId) {
    throw new ChainMismatchError(`the provider is on chain ${input.chainId}, the deployment on ${range.chainId}`);
  }
  return input;
}

/**
 * A report of `kind` from the indexer's store: {@link reportInputFromStore} over `range`, then
 * buildReport with `options` (network, customer, labels, SLA terms, dates). What `workledger report`,
 * `workledger serve` (/v1/reports) and the demo each run once their own flags or query parameters are
 * checked. A missing epoch bundle throws MissingRecordsError (import the bundles first).
 * @example
 * const report = await reportFromStore(store, provider, "uptime", { ledger, revenueLedger, fromBlock: 0 }, { networkId: 1, slaBps: 9990 });
 */
export async function reportFromStore(
  store: ReportStore,
  provider: Provider,
  kind: ReportKind,
  range: ReportRange,
  options: ReportOptions & EconomicsOptions = {},
): Promise<Report> {
  return buildReport(kind, await reportInputFromStore(store, provider, range), options);
}
