/**
 * `demo --serve`: after the demo, keep its chain and index useful to a person. The embedded chain is
 * served over a loopback JSON-RPC (so other `workledger … --rpc http://127.0.0.1:8545` commands and
 * the dashboard's browser reach the same chain), the index keeps following the chain (new blocks and
 * new bundles in the demo's bundles dir), and `workledger serve`'s API and dashboard run over the
 * demo's SQLite index, bundles and labels. On an external chain (`demo --rpc URL`) that URL is the
 * public RPC and no loopback is opened.
 */
import fs from "fs";
import path from "path";

import { SyncResult, followChain, openStore, readLabels, startServer } from "../index";
import type { Deployment, Labels, RunningServer, SqlStore } from "../index";
import { startEmbeddedRpc } from "../testing";
import type { EmbeddedRpc } from "../testing";
import { DemoChain, demoPaths } from "./run";

/** Options of {@link serveDemo}. */
export interface DemoServeOptions {
  /** The demo's output directory (workledger.sqlite, bundles/, labels.csv). */
  out: string;
  /** The chain the demo ran on. */
  chain: DemoChain;
  /** The demo's deployment (deployment.json). */
  deployment: Deployment;
  /** The demo's network, for the sample proof URLs. */
  networkId: number;
  /** The epoch of the sample proof URLs (default 0). */
  sampleEpoch?: number;
  /** Interface of the API and of the loopback JSON-RPC (default 127.0.0.1). */
  host?: string;
  /** API port (default 8080; 0 = any). */
  port?: number;
  /** Loopback JSON-RPC port of the embedded chain (default 8545; 0 = any). Unused on an external chain. */
  rpcPort?: number;
  /** Requests per minute per client IP (the server's default when absent; 0 = off). */
  rateLimit?: number;
  /** Pause between index passes in ms (default 1000). */
  pollMs?: number;
  /** Progress lines (new blocks indexed, bundles imported, a passing RPC error). */
  log?: (message: string) => void;
}

/** A running `demo --serve`. */
export interface DemoServer {
  /** The dashboard (`/`). */
  dashboardUrl: string;
  /** The API's base URL. */
  apiUrl: string;
  /** The JSON-RPC the dashboard's browser and other commands use: the loopback, or the external chain's URL. */
  rpcUrl: string;
  /** Whether `rpcUrl` is the loopback of the embedded chain (opened here). */
  loopback: boolean;
  /** A record-with-proof URL of the demo (null when the epoch has no bundle in the index). */
  sampleProofUrl: string | null;
  /** A usage-with-proof URL of the demo (null when that epoch has no usage). */
  sampleUsageUrl: string | null;
  /** What a person should see: the URLs and commands to try. */
  lines: string[];
  /** The same as data. */
  data: Record<string, unknown>;
  /** Settles when following the chain stops: resolves after close(), rejects if it failed for good. */
  following: Promise<SyncResult>;
  /** Stops following, then closes the API, the index and the loopback JSON-RPC (idempotent). */
  close(): Promise<void>;
}

/** `http://0.0.0.0:P` is not an address a browser can open: show the loopback instead. */
function reachable(url: string): string {
  return url.replace(/^(https?:\/\/)(0\.0\.0\.0|\[::\])(?=[:/]|$)/, "$1127.0.0.1");
}

/** URL path segment of a node: its name from the labels when it has one (the API hashes names as the CLI does), else its 0x id. */
function nodeSegment(nodeId: string, labels: Labels): string {
  const name = labels.get(nodeId.toLowerCase())?.name;
  return name && !name.startsWith("0x") && /^[A-Za-z0-9._~-]+$/.test(name) ? name : nodeId;
}

/**
 * Serves a finished demo (see the module doc) until {@link DemoServer.close}. Ports already in use
 * are refused with an error naming the port (nothing is left running).
 *
 * @example
 * const served = await serveDemo({ out: "./workledger-demo", chain, deployment, networkId: 1 });
 * console.log(served.lines.join("\n"));
 * process.once("SIGINT", () => void served.close());
 * await served.following;
 */
export async function serveDemo(opts: DemoServeOptions): Promise<DemoServer> {
  const p = demoPaths(path.resolve(opts.out));
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => undefined);
  const labels = readLabels(p.labels);
  const { chain, deployment: d } = opts;

  let rpc: EmbeddedRpc | undefined;
  let server: RunningServer | undefined;
  let store: SqlStore | undefined;
  const ac = new AbortController();
  let following: Promise<SyncResult> | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      ac.abort();
      await following?.catch(() => undefined);
      await server?.close();
      await store?.close();
      await rpc?.close();
    })();
    return closing;
  };

  try {
    rpc = chain.embedded ? await startEmbeddedRpc({ host, port: opts.rpcPort ?? 8545 }) : undefined;
    const rpcUrl = rpc ? reachable(rpc.url) : chain.url;
    server = await startServer({
      db: p.db,
      bundles: p.bundles,
      provider: chain.embedded ? chain.provider : chain.url,
      publicRpc: rpcUrl,
      labels,
      host,
      port: opts.port ?? 8080,
      ...(opts.rateLimit !== undefined ? { rateLimit: opts.rateLimit } : {}),
    });
    const apiUrl = reachable(server.url).replace(/\/$/, "");

    // The follower writes through its own connection; the server reads through its own (SQLite WAL).
    store = await openStore(p.db);
    const openedStore = store;

    // Sample URLs: a record (and a usage leaf) of the sample epoch's latest version, from the index.
    const epoch = opts.sampleEpoch ?? 0;
    const version = await openedStore.latestEpochVersion(opts.networkId, epoch);
    const records = version ? await openedStore.bundleRecords(opts.networkId, epoch, version.version) : undefined;
    const usage = version ? await openedStore.bundleUsage(opts.networkId, epoch, version.version) : undefined;
    const epochUrl = `${apiUrl}/v1/networks/${opts.networkId}/epochs/${epoch}`;
    const sampleProofUrl = records && records.length > 0 ? `${epochUrl}/records/${nodeSegment(records[0].nodeId, labels)}` : null;
    const sampleUsageUrl = usage && usage.length > 0 ? `${epochUrl}/usage/${usage[0].customer}` : null;

    // Bundles the demo wrote are in the index already: say only what arrives while serving.
    const known = new Set(fs.existsSync(p.bundles) ? fs.readdirSync(p.bundles) : []);
    following = followChain({
      provider: chain.embedded ? chain.provider : chain.url,
      store: openedStore,
      addresses: { workLedger: d.workLedger, revenueLedger: d.revenueLedger },
      fromBlock: d.fromBlock,
      pollMs: opts.pollMs ?? 1000,
      signal: ac.signal,
      bundles: p.bundles,
      onPass: (r) => {
        if (r.events > 0) log(`indexed up to block ${r.toBlock} (+${r.events} events)`);
      },
      onBundle: (b) => {
        const name = path.basename(b.file);
        if (!b.imported) return;
        if (!known.has(name)) log(`imported bundle ${name} (network ${b.imported.networkId} epoch ${b.imported.epoch})`);
        known.add(name);
      },
      onError: (e) => log(`index: ${(e as Error).message.split("\n")[0]} (retrying)`),
    });
    // a failure is reported through `following`; never an unhandled rejection meanwhile
    following.catch(() => undefined);

    const rel = path.relative(process.cwd(), p.out) || ".";
    const deploymentFile = path.join(rel, "deployment.json");
    const rpcFlag = `--rpc ${rpcUrl}`;
    const data = {
      dashboardUrl: `${apiUrl}/`,
      pinnedDashboardUrl: `${apiUrl}/?rpc=${encodeURIComponent(rpcUrl)}&ledger=${d.workLedger}`,
      apiUrl,
      openapiUrl: `${apiUrl}/openapi.json`,
      healthUrl: `${apiUrl}/healthz`,
      rpcUrl,
      loopback: Boolean(rpc),
      chainId: Number(chain.chainId),
      sampleProofUrl,
      sampleUsageUrl,
      database: p.db,
      bundles: p.bundles,
    };
    const lines = [
      `Serving the demo${rpc ? " and its chain" : ""} until Ctrl-C (the index follows the chain: commands sent to ${rpcUrl} show up)`,
      `  dashboard     ${data.dashboardUrl}`,
      `                ${data.pinnedDashboardUrl}   (the same page, checking proofs against the chain and ledger you name, not the server's)`,
      `  API           ${apiUrl}/v1/networks   (OpenAPI: ${data.openapiUrl}, health: ${data.healthUrl})`,
      `  JSON-RPC      ${rpcUrl}   ${rpc ? `(the embedded chain ${chain.chainId}; its 20 dev accounts are unlocked: a dev chain only)` : "(the chain given by --rpc)"}`,
      ...(sampleProofUrl ? [`  sample proof  ${sampleProofUrl}`] : []),
      ...(sampleUsageUrl ? [`  sample usage  ${sampleUsageUrl}`] : []),
      "Try",
      ...(sampleProofUrl ? [`  workledger check-proof ${sampleProofUrl} ${rpcFlag} --deployment ${deploymentFile}`] : []),
      `  workledger epoch list --network ${opts.networkId} ${rpcFlag} --deployment ${deploymentFile}`,
      ...(rpc ? [`  workledger time advance --seconds 604800 ${rpcFlag}   (a week later: the pending epoch turns final on the dashboard)`] : []),
      `  workledger verify ${path.join(rel, "economics.json")} ${rpcFlag}`,
    ];
    return { dashboardUrl: data.dashboardUrl, apiUrl, rpcUrl, loopback: Boolean(rpc), sampleProofUrl, sampleUsageUrl, lines, data, following, close };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}
