/**
 * `workledger serve [--db FILE|URL] [--bundles DIR] [--host 127.0.0.1] [--port 8080] [--public-rpc URL]
 * [--rate-limit N] [--labels FILE]`: the read-only HTTP API and dashboard over an index that
 * `workledger sync` keeps up to date (SDK: startServer). It never syncs, never writes the database
 * and never creates it: a missing SQLite file or an unsynced store is refused. --rpc names the chain
 * for /healthz's lag and for reports (the chain may be down: /healthz says so). Prints the URL, runs
 * until SIGINT/SIGTERM, then closes and exits 0.
 */
import fs from "fs";

import { InvalidInputError, Labels, readDeploymentFile, readLabels, startServer } from "../../index";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parsePort, parseUint } from "../parse";
import { EMBEDDED_RPC } from "../reportNames";
import { redactDb } from "../store";

export interface ServeFlags {
  db?: string;
  bundles?: string;
  host?: string;
  port?: string;
  publicRpc?: string;
  rateLimit?: string;
  labels?: string;
  trustProxy?: string | boolean;
}

function httpUrl(v: string, flag: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidInputError(`${flag} "${v}" is not a URL`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new InvalidInputError(`${flag} "${v}" must be an http:// or https:// URL`);
  return v;
}

/** --trust-proxy ADDRS: the proxies' comma-separated addresses or CIDRs. */
function proxyAddresses(v: string): string {
  if (/^[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*$/.test(v.replace(/\s+/g, ""))) return v.replace(/\s+/g, "");
  throw new InvalidInputError(`--trust-proxy "${v}": give the proxies' addresses or CIDRs, comma-separated (e.g. 10.0.0.1,10.0.0.0/8), or no value to trust every hop`);
}

export async function serveCommand(ctx: CliContext, o: ServeFlags): Promise<CommandOutput> {
  const db = o.db ?? "workledger.sqlite";
  const port = parsePort(o.port ?? "8080", "--port");
  const rateLimit = Number(parseUint(o.rateLimit ?? "600", "--rate-limit", 32));
  const host = o.host ?? "127.0.0.1";
  if (!host.trim()) throw new InvalidInputError("--host must not be empty");
  const publicRpc = o.publicRpc === undefined ? undefined : httpUrl(o.publicRpc, "--public-rpc");
  if (ctx.rpcUrl === EMBEDDED_RPC) throw new InvalidInputError(`--rpc ${EMBEDDED_RPC}: serve needs a chain that outlives this process; give its JSON-RPC URL (or omit --rpc)`);
  const rpc = httpUrl(ctx.rpcUrl, "--rpc");
  if (o.bundles !== undefined && !(fs.existsSync(o.bundles) && fs.statSync(o.bundles).isDirectory())) throw new InvalidInputError(`--bundles ${o.bundles}: no such directory`);
  const labels: Labels | undefined = o.labels === undefined ? undefined : readLabels(o.labels);
  if (!/^postgres(ql)?:\/\//i.test(db)) {
    if (!fs.existsSync(db)) throw new InvalidInputError(`--db ${db}: no such database; run \`workledger sync --db ${db}\` first (serve never creates one)`);
    if (fs.statSync(db).size === 0) throw new InvalidInputError(`--db ${db} is empty: run \`workledger sync --db ${db}\` first`);
  }
  // A deployment file given (or found at the default path) must be the one the index was synced from.
  const deployment = ctx.opts.deployment !== undefined || fs.existsSync(ctx.deploymentFile) ? readDeploymentFile(ctx.deploymentFile) : undefined;

  const trustProxy = o.trustProxy === undefined || o.trustProxy === false ? false : o.trustProxy === true ? true : proxyAddresses(o.trustProxy);
  const server = await startServer({ db, bundles: o.bundles, provider: rpc, publicRpc, labels, host, port, rateLimit, trustProxy });
  try {
    const served = (await server.app.inject({ method: "GET", url: "/healthz" })).json<{ chainId: number; ledger: string; indexedBlock: number; chain: string }>();
    if (deployment && (Number(deployment.chainId) !== served.chainId || deployment.workLedger.toLowerCase() !== served.ledger.toLowerCase())) {
      throw new InvalidInputError(
        `deployment file ${ctx.deploymentFile} (chain ${deployment.chainId}, WorkLedger ${deployment.workLedger}) is not what ${redactDb(db)} was synced from (chain ${served.chainId}, WorkLedger ${served.ledger})`,
      );
    }
    const line = ctx.json
      ? JSON.stringify({ url: server.url, db: redactDb(db), chainId: served.chainId, indexedBlock: served.indexedBlock, rateLimit })
      : `workledger serve: ${server.url} (dashboard /, API /v1, OpenAPI /openapi.json; index ${redactDb(db)} at block ${served.indexedBlock}, chain ${served.chainId} ${served.chain}) — Ctrl-C to stop`;
    process.stdout.write(`${line}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.removeListener("SIGINT", stop);
        process.removeListener("SIGTERM", stop);
        resolve();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  } finally {
    await server.close();
  }
  return { data: { url: server.url, stopped: true }, lines: [`stopped ${server.url}`] };
}
