/**
 * `workledger serve`: a read-only HTTP API over the index (SQLite file or PostgreSQL) on Fastify,
 * with an OpenAPI 3 document generated from the route schemas (`/openapi.json`), the dashboard at
 * `/`, and the error shape `{error: {code, message, param}}` for every failure. The server never
 * syncs, never writes the store and never sends a transaction; a record's proof it serves is checked
 * against the chain by whoever fetches it (`workledger check-proof URL`).
 *
 * @example
 * const server = await startServer({ db: "workledger.sqlite", bundles: "bundles/", provider: "http://127.0.0.1:8545", port: 0 });
 * console.log(server.url); // http://127.0.0.1:41234
 * await server.close();
 */
import fs from "fs";

import type { FastifyInstance } from "fastify";
import type { Provider } from "ethers";

import { InvalidInputError } from "../errors";
import type { Labels } from "../report/labels";
import { SqlStore, isPostgresUrl, openStore } from "../reader/sqlStore";
import { ServerContext, createContext, providerForUrl } from "./context";
import { errorSchema, installErrorHandlers, apiError } from "./errors";
import { staticRoutes } from "./static";
import { healthRoutes } from "./routes/health";
import { chartsRoutes } from "./routes/charts";
import { apiRoutes } from "./routes/api";

export interface ServeOptions {
  /** A path / postgres:// URL (opened and closed by the server) or an open store (left open). */
  db: string | SqlStore;
  /** DIR of epoch bundle files (bundleFileName names); else the index's imported bundle_records. */
  bundles?: string;
  /** The chain (head block for /healthz, block times for reports); optional. */
  provider?: Provider | string;
  /** The JSON-RPC URL the dashboard's browser uses to check proofs (sent to the page). */
  publicRpc?: string;
  /** Names for reports and the dashboard. */
  labels?: Labels;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080 (0 = any free port). */
  port?: number;
  /** Requests per minute per client IP; 0 = off (default 600). */
  rateLimit?: number;
  /** Fastify's request log (default off). */
  logger?: boolean;
  /** Most epoch records kept in the bundle cache (default 3,000,000). */
  bundleCacheRecords?: number;
  /** Epochs of at least this many records load on a worker thread, so requests keep being answered meanwhile (default 50,000; Infinity: never). */
  offThreadRecords?: number;
  /**
   * Take the client IP from X-Forwarded-For (Fastify's trustProxy: true trusts every hop, a string the
   * proxies' comma-separated addresses or CIDRs), so the rate limit counts clients behind a load
   * balancer one by one (default false).
   */
  trustProxy?: boolean | string;
  /** startServer: load the latest epoch's bundle of every network in the background once listening (default true). */
  warm?: boolean;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Default requests per minute per client IP. */
export const DEFAULT_RATE_LIMIT = 600;

/** Open the store of `db` for serving: refuses a SQLite file that does not exist (never creates one). */
async function openServedStore(db: string): Promise<SqlStore> {
  if (!isPostgresUrl(db) && db !== ":memory:" && !fs.existsSync(db)) {
    throw new InvalidInputError(`no database at ${db}: run \`workledger sync --db ${db}\` first (serve never creates one)`);
  }
  try {
    // read-only: SQLite's query_only / PostgreSQL's default_transaction_read_only refuse any write
    return await openStore(db, { readOnly: true });
  } catch (e) {
    throw new InvalidInputError(`cannot open database ${isPostgresUrl(db) ? "(postgres)" : db}: ${(e as Error).message.split("\n")[0]}`);
  }
}

/**
 * The server with every route registered, not listening (use `app.inject()` or `app.listen()`).
 * Refuses (InvalidInputError) a missing SQLite file and a store that was never synced.
 */
export async function buildServer(opts: ServeOptions): Promise<FastifyInstance> {
  const rateLimit = opts.rateLimit ?? DEFAULT_RATE_LIMIT;
  if (!Number.isSafeInteger(rateLimit) || rateLimit < 0) throw new InvalidInputError(`rateLimit must be a whole number of requests per minute (0 = off), got ${opts.rateLimit}`);
  if (opts.bundles !== undefined && !(fs.existsSync(opts.bundles) && fs.statSync(opts.bundles).isDirectory())) throw new InvalidInputError(`--bundles ${opts.bundles}: no such directory`);
  const ownStore = typeof opts.db === "string";
  const store = typeof opts.db === "string" ? await openServedStore(opts.db) : opts.db;
  let ctx: ServerContext;
  let ownProvider: { destroy(): void } | undefined;
  try {
    const meta = await store.meta();
    const chainId = Number(meta?.chainId ?? 0);
    let provider: Provider | undefined;
    if (typeof opts.provider === "string") {
      const p = providerForUrl(opts.provider, chainId);
      ownProvider = p;
      provider = p;
    } else provider = opts.provider;
    ctx = await createContext(store, { bundles: opts.bundles, provider, publicRpc: opts.publicRpc, labels: opts.labels, maxCachedRecords: opts.bundleCacheRecords, offThreadRecords: opts.offThreadRecords });
  } catch (e) {
    ownProvider?.destroy();
    if (ownStore) await store.close();
    throw e;
  }

  // Fastify is loaded on first use: the SDK and the CLI import this module without paying for it.
  const Fastify = (await import("fastify")).default;
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: opts.trustProxy ?? false,
    routerOptions: { maxParamLength: 512, ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false } },
  });
  app.addHook("onClose", async () => {
    await ctx.bundles.close();
    ownProvider?.destroy();
    if (ownStore) await store.close();
  });
  installErrorHandlers(app);
  app.addSchema(errorSchema);

  // @fastify/swagger first: it collects the schemas of the routes registered after it.
  await app.register((await import("@fastify/swagger")).default, {
    // shared schemas appear under their $id (components/schemas/RecordProof, …), not def-N
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "WorkLedger API",
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        version: (require("workledger/package.json") as { version: string }).version,
        description:
          "Read-only API over a WorkLedger index: networks, epochs, nodes, records with their Merkle proofs, usage proofs and reports. Check any proof against the chain (`workledger check-proof URL`): the chain decides, not this server.",
      },
    },
  });
  if (rateLimit > 0) {
    await app.register((await import("@fastify/rate-limit")).default, {
      max: rateLimit,
      timeWindow: 60_000,
      errorResponseBuilder: (_req, c) => apiError(429, "rate_limited", `rate limit of ${c.max} requests per minute exceeded; retry in ${c.after}`),
    });
  }
  app.addHook("onRequest", async (req, reply) => {
    if (req.method !== "GET" && req.method !== "HEAD") throw apiError(405, "method_not_allowed", `${req.method} is not allowed: the API is read-only (GET and HEAD only)`);
    // public, read-only data: any web page may read it (simple GETs need no preflight)
    reply.header("access-control-allow-origin", "*");
  });

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.register(async (i) => staticRoutes(i));
  await app.register(async (i) => healthRoutes(i, ctx));
  await app.register(async (i) => apiRoutes(i, ctx));
  await app.register(async (i) => chartsRoutes(i, ctx));
  contexts.set(app, ctx);
  return app;
}

const contexts = new WeakMap<FastifyInstance, ServerContext>();

/**
 * Load the latest epoch's bundle of every network into the cache (errors ignored: a request for that
 * epoch reports them), so the first proof request does not wait for a large epoch's tree.
 */
async function warmLatest(app: FastifyInstance): Promise<void> {
  const ctx = contexts.get(app);
  if (!ctx) return;
  const rows = await ctx.store.db
    .selectFrom("epochs")
    .select(["network_id", (eb) => eb.fn.max("epoch").as("epoch")])
    .where("record_count", ">", 0)
    .groupBy("network_id")
    .execute();
  for (const r of rows) {
    const v = await ctx.epochState(Number(r.network_id), Number(r.epoch));
    if (v) await ctx.bundles.get(v).catch((e: Error) => app.log.warn(`warming network ${v.networkId} epoch ${v.epoch}: ${e.message}`));
  }
}

/** Start the bundle cache's loading thread now when the index has an epoch large enough to need it, so its modules are loaded before the first such request. */
async function startLoaderIfLarge(app: FastifyInstance): Promise<void> {
  const ctx = contexts.get(app);
  if (!ctx || ctx.bundles.offThreadRecords === Infinity) return;
  const large = await ctx.store.db.selectFrom("epochs").select("epoch").where("record_count", ">=", ctx.bundles.offThreadRecords).limit(1).executeTakeFirst();
  if (large && app.server.listening) ctx.bundles.startWorker();
}

/** Build the server and listen on host:port (default 127.0.0.1:8080; port 0 = any free port). */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const app = await buildServer(opts);
  const host = opts.host ?? "127.0.0.1";
  const wanted = opts.port ?? 8080;
  try {
    await app.listen({ host, port: wanted });
  } catch (e) {
    await app.close();
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE") throw new InvalidInputError(`port ${wanted} on ${host} is already in use`);
    if (err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND") throw new InvalidInputError(`cannot listen on host ${host}: ${err.code}`);
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : wanted;
  void startLoaderIfLarge(app).catch(() => undefined);
  if (opts.warm !== false) void warmLatest(app).catch(() => undefined);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return { url: `http://${shownHost}:${port}`, app, close: () => app.close() };
}

export type { ServerContext, ServerDeployment } from "./context";
export { EpochBundleCache, BundleUnavailableError, BundleSourceError, DEFAULT_CACHE_RECORDS, DEFAULT_OFF_THREAD_RECORDS } from "./bundleCache";
export { ApiError, apiError } from "./errors";
export type { ApiErrorBody } from "./errors";
export { dashboardDir, ethersBrowserFile } from "./static";
