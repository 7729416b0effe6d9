/**
 * API benchmark (keys: apiProofsPerSecond, apiProofP99Ms; added: apiFirstProofMs, apiNon2xx,
 * apiProofP50Ms, apiProofP90Ms, apiProofRequests, apiProofsPerSecond1k, apiProofP99Ms1k, …).
 *
 * Fixture (untimed): 1,000,000 random records (the build benchmark's CSV) built into an epoch, and a
 * 1,000-record epoch of a second network, each committed with 2-of-3 verifier signatures through the
 * SDK's writer jobs on the embedded in-process Hardhat chain (a commit costs the same gas for any
 * record count); the chain indexed into a fresh SQLite store with syncChain; both bundles written to
 * a bundles dir under their bundleFileName names.
 *
 * Timed: `workledger serve`'s server (startServer: rate limit off, no logger, 127.0.0.1, any port)
 * runs in a CHILD process, so the load generator does not share its event loop (on 2 cores: one for
 * the server, one for autocannon). The first GET of a record (it loads the bundle and its tree; the
 * server's background warming is off here; the bundle is read or rebuilt on the server's worker thread, whose
 * modules load under ts-node here, slower than an installed package's) is apiFirstProofMs (apiHealthzMaxMsDuringFirstProof:
 * the slowest /healthz answer meanwhile, i.e. how long the load blocks other requests); then autocannon (50 connections, pipelining 1, BENCH_API_SECONDS, default 10 s)
 * GETs /v1/networks/{id}/epochs/{epoch}/records/{nodeId} of random node ids of the epoch (a shuffled
 * list, never one cached URL). apiProofsPerSecond is the 2xx responses per second over the run,
 * apiProofP99Ms the latency p99. Any non-2xx response or connection error fails the benchmark. A
 * sample of responses (each checked against the bundle's record) must verify offline against the
 * root committed on chain. apiProofsPerServerCpuSecond: the same 2xx responses per CPU-second of the
 * server process (/proc/PID/stat), a figure less sensitive to whatever else runs on the 2 cores.
 *
 * Options: BENCH_API_RECORDS (default 1,000,000), BENCH_API_SECONDS (10), BENCH_API_CONNECTIONS (50),
 * BENCH_API_SMALL=0 skips the 1,000-record comparison, BENCH_API_IMPORTED=1 also serves the 1M epoch
 * from the index (bundle imported into SQLite, no bundles dir: keys apiProofsPerSecondImported, …),
 * BENCH_API_CPU_PROF=DIR writes the server child's CPU profile (node --cpu-prof) into DIR.
 *
 * Run alone: npx ts-node --transpile-only scripts/bench/api.ts
 */
import { ChildProcess, spawn } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { HDNodeWallet, Signer, Wallet } from "ethers";

import { Chain, advanceTime, connectEmbedded } from "../../src/cli/chain";
import { verifyRecordProof } from "../../src/merkle/proof";
import { importBundleDir, openStore, syncChain } from "../../src/reader";
import type { EpochSummary, WorkRecord } from "../../src/records/types";
import { parseProofFile } from "../../src/verifier/proofFile";
import { Deployment, EpochBundle, bundleFileName, buildEpoch, buildEpochFromFile, commitEpoch, createNetwork, deployContracts, signEpoch, writeBundle } from "../../src/writer";
import { writeCsv } from "./build";

const EPOCH_SECONDS = 3_600n;
/** Responses fetched one by one and checked (record = the bundle's, proof verifies against the chain's root). */
const CHECKED_SAMPLE = 200;
/** Distinct request paths in the shuffled list autocannon cycles through. */
const PATHS = 200_000;

function log(msg: string): void {
  process.stderr.write(`[bench:api] ${msg}\n`);
}

/** A committed epoch the server serves: its URL prefix, its root on chain and where its records are. */
interface ServedEpoch {
  label: string;
  networkId: bigint;
  epoch: bigint;
  root: string;
  bundle: EpochBundle;
}

/** The fixture's chain side: a deployment, a deployer and the 3 verifiers of every network. */
interface ChainFixture {
  chain: Chain;
  deployer: Signer;
  deployment: Deployment;
  verifiers: HDNodeWallet[];
}

/** Builds an epoch of `n` random records (the build benchmark's CSV), creates a network and commits the epoch on it, 2-of-3 signed. */
async function commitRandomEpoch(f: ChainFixture, dir: string, n: number, label: string): Promise<ServedEpoch> {
  const csv = path.join(dir, `${label}.csv`);
  writeCsv(csv, n);
  const head = fs.readFileSync(csv, "utf8").slice(0, 200).split("\n")[1];
  const epoch = BigInt(head.split(",")[1]);
  const admin = await f.deployer.getAddress();
  const { network } = await createNetwork(f.deployer, f.deployment, {
    admin,
    token: f.deployment.token,
    genesisTime: 0n,
    epochSeconds: EPOCH_SECONDS,
    challengeWindow: 86_400n,
    capacityPerNode: 0n,
    threshold: 2,
    name: `bench-${label}`,
    workUnit: "GPU-seconds",
    verifiers: f.verifiers.map((v) => v.address),
    arbiter: f.verifiers[2].address,
  });
  const networkId = network!.networkId;
  const { summary, bundle } = await buildEpochFromFile(csv, { epoch, networkId });
  fs.rmSync(csv);
  // the epoch must have ended on chain before it can be committed
  const now = BigInt((await f.chain.provider.getBlock("latest"))!.timestamp);
  const end = network!.genesisTime + (epoch + 1n) * EPOCH_SECONDS + 60n;
  if (now < end) await advanceTime(f.chain, end - now);
  // epochs are committed in order: the ones before it hold one record each
  for (let e = 0n; e < epoch; e++) {
    const one: WorkRecord = { nodeId: `0x${(e + 1n).toString(16).padStart(64, "0")}`, epoch: e, workUnits: 1n, uptimeBps: 10_000, revenue: 1n, evidence: `0x${"0".repeat(64)}` };
    await commitSigned(f, networkId, e, (await buildEpoch([one], { epoch: e, networkId })).summary);
  }
  const root = await commitSigned(f, networkId, epoch, summary);
  log(`${label}: ${n} records committed as network ${networkId} epoch ${epoch} (after ${epoch} one-record epochs)`);
  return { label, networkId, epoch, root, bundle };
}

/** Commits `summary` as version 1 of (networkId, epoch), signed by 2 of the 3 verifiers; returns the committed root. */
async function commitSigned(f: ChainFixture, networkId: bigint, epoch: bigint, summary: EpochSummary): Promise<string> {
  const ctx = { networkId, epoch, version: 1, chainId: f.deployment.chainId, workLedger: f.deployment.workLedger };
  const signatures = await Promise.all(f.verifiers.slice(0, 2).map((v) => signEpoch(summary, ctx, v)));
  const r = await commitEpoch({ signer: f.deployer, workLedger: f.deployment.workLedger, chainId: f.deployment.chainId, networkId, epoch, summary, signatures, pollMs: 10 });
  if (r.root !== summary.root) throw new Error(`network ${networkId} epoch ${epoch}: committed root ${r.root}, built ${summary.root}`);
  return r.root;
}

/** The server in a child process (this file with --server); resolves with its URL once it listens. */
async function startServerChild(db: string, bundles: string | null, profDir?: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const nodeArgs = ["-r", "ts-node/register/transpile-only"];
  if (profDir) nodeArgs.push("--cpu-prof", "--cpu-prof-dir", profDir);
  const child = spawn(process.execPath, [...nodeArgs, __filename, "--server", db, bundles ?? ""], {
    cwd: path.join(__dirname, "..", ".."),
    stdio: ["pipe", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`server child exited with ${code} before listening`)));
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** User + system CPU seconds of process `pid` so far (Linux /proc; clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // after "pid (comm) "
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14 and 15 of stat)
}

/** The record URL path of node id `nodeId` in `e`. */
function recordPath(e: ServedEpoch, nodeId: string): string {
  return `/v1/networks/${e.networkId}/epochs/${e.epoch}/records/${nodeId}`;
}

/** `count` record paths of random records of `e` (with replacement), and the indexes they came from. */
function randomPaths(e: ServedEpoch, count: number): { paths: string[]; indexes: number[] } {
  const n = e.bundle.recordCount;
  const indexes = Array.from({ length: count }, () => Math.floor(Math.random() * n));
  return { paths: indexes.map((i) => recordPath(e, e.bundle.record(i).nodeId)), indexes };
}

function sameRecord(a: WorkRecord, b: WorkRecord): boolean {
  return (
    a.nodeId.toLowerCase() === b.nodeId.toLowerCase() &&
    a.epoch === b.epoch &&
    a.workUnits === b.workUnits &&
    a.uptimeBps === b.uptimeBps &&
    a.revenue === b.revenue &&
    a.evidence.toLowerCase() === b.evidence.toLowerCase()
  );
}

/** GETs a sample of random records one by one: each must be 200, the bundle's record, and verify offline against the committed root. */
async function checkSample(url: string, e: ServedEpoch, count: number): Promise<void> {
  const { paths, indexes } = randomPaths(e, count);
  for (const [k, p] of paths.entries()) {
    const res = await fetch(url + p);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as Record<string, unknown>;
    const file = parseProofFile(body);
    if (!sameRecord(file.record, e.bundle.record(indexes[k]))) throw new Error(`GET ${p}: the record differs from the bundle's`);
    if (file.root !== e.root.toLowerCase()) throw new Error(`GET ${p}: root ${file.root}, committed ${e.root}`);
    if (!verifyRecordProof(file.record, file.proof, e.root)) throw new Error(`GET ${p}: the proof does not verify against the committed root`);
    if (typeof body.status !== "string") throw new Error(`GET ${p}: no status in ${text.slice(0, 300)}`);
  }
}

/** The parts of autocannon's result used here. */
interface LoadResult {
  "2xx": number;
  non2xx: number;
  errors: number;
  timeouts: number;
  start: Date;
  finish: Date;
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
}

/** autocannon against `url`, cycling through `paths` from a random start per connection. */
async function load(url: string, paths: string[], seconds: number, connections: number): Promise<LoadResult> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- autocannon ships no types
  const autocannon = require("autocannon") as (opts: Record<string, unknown>) => Promise<LoadResult>;
  let next = 0;
  return autocannon({
    url,
    connections,
    pipelining: 1,
    duration: seconds,
    requests: [
      {
        method: "GET",
        setupRequest: (req: { path: string }) => {
          req.path = paths[next++ % paths.length];
          return req;
        },
      },
    ],
  });
}

/** Load figures of one run under `suffix` ("" for the 1M epoch from bundles). */
function figures(r: LoadResult, suffix: string): Record<string, number> {
  const seconds = (r.finish.getTime() - r.start.getTime()) / 1000;
  return {
    [`apiProofsPerSecond${suffix}`]: Math.round(r["2xx"] / seconds),
    [`apiProofP99Ms${suffix}`]: r.latency.p99,
    [`apiProofP50Ms${suffix}`]: r.latency.p50,
    [`apiProofP90Ms${suffix}`]: r.latency.p90,
    [`apiProofMaxMs${suffix}`]: r.latency.max,
    [`apiProofRequests${suffix}`]: r["2xx"],
    [`apiNon2xx${suffix}`]: r.non2xx,
    [`apiErrors${suffix}`]: r.errors,
  };
}

/** Serves `epochs` from a server child, warms each, checks a sample, loads the first with autocannon (and the others after it). */
async function measure(db: string, bundles: string | null, epochs: { e: ServedEpoch; suffix: string }[], opts: { seconds: number; connections: number; profDir?: string }): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const s0 = Date.now();
  const server = await startServerChild(db, bundles, opts.profDir);
  try {
    out[`apiServerStartMs${epochs[0].suffix}`] = Date.now() - s0;
    for (const { e, suffix } of epochs) {
      const first = randomPaths(e, 1).paths[0];
      const t0 = process.hrtime.bigint();
      let loaded = false;
      const firstGet = fetch(server.url + first).then(async (r) => ({ res: r, body: await r.text() }));
      void firstGet.finally(() => (loaded = true)).catch(() => undefined);
      // meanwhile, /healthz one request at a time: its slowest answer is how long the load stalls other requests
      let stall = 0;
      while (!loaded) {
        const h0 = Date.now();
        await (await fetch(`${server.url}/healthz`)).text();
        stall = Math.max(stall, Date.now() - h0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const { res, body } = await firstGet;
      out[`apiFirstProofMs${suffix}`] = Math.round(Number(process.hrtime.bigint() - t0) / 1e6);
      out[`apiHealthzMaxMsDuringFirstProof${suffix}`] = stall;
      if (res.status !== 200) throw new Error(`first GET ${first}: ${res.status} ${body.slice(0, 300)}`);
      await checkSample(server.url, e, CHECKED_SAMPLE);
      const { paths } = randomPaths(e, Math.min(PATHS, e.bundle.recordCount * 4));
      // a short warm-up (JIT, connection setup), untimed
      await load(server.url, paths, 1, opts.connections);
      out[`apiLoadAverage1m${suffix}`] = Number(os.loadavg()[0].toFixed(2));
      const cpu0 = cpuSecondsOf(server.child.pid!);
      const client0 = process.cpuUsage();
      const r = await load(server.url, paths, opts.seconds, opts.connections);
      const cpu = cpuSecondsOf(server.child.pid!) - cpu0;
      const client = process.cpuUsage(client0);
      // autocannon's CPU time (this process): near 1 s per second means the load generator, not the server, set the pace
      out[`apiClientCpuSeconds${suffix}`] = Number(((client.user + client.system) / 1e6).toFixed(2));
      Object.assign(out, figures(r, suffix));
      // the server's own CPU time over the run: proofs per CPU-second depend less on what else the 2 cores run
      out[`apiServerCpuSeconds${suffix}`] = Number(cpu.toFixed(2));
      out[`apiProofsPerServerCpuSecond${suffix}`] = Math.round(r["2xx"] / cpu);
      log(`${e.label}${suffix ? ` (${suffix})` : ""}: ${JSON.stringify(figures(r, suffix))}, server CPU ${cpu.toFixed(2)} s, load average ${out[`apiLoadAverage1m${suffix}`]}`);
      if (r.non2xx !== 0 || r.errors !== 0 || r["2xx"] === 0) {
        throw new Error(`${e.label}: ${r.non2xx} non-2xx responses and ${r.errors} errors (${r.timeouts} timeouts) out of ${r.requests.total} requests`);
      }
    }
  } finally {
    await server.stop();
  }
  return out;
}

/** Runs the API benchmark (see the module doc). */
export async function run(): Promise<Record<string, number>> {
  const n = Number(process.env.BENCH_API_RECORDS ?? 1_000_000);
  const seconds = Number(process.env.BENCH_API_SECONDS ?? 10);
  const connections = Number(process.env.BENCH_API_CONNECTIONS ?? 50);
  const profDir = process.env.BENCH_API_CPU_PROF ? path.resolve(process.env.BENCH_API_CPU_PROF) : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-bench-api-"));
  const chain = await connectEmbedded();
  try {
    // Fixture, untimed.
    const f0 = Date.now();
    const deployer = (await chain.unlockedSigner(0))!;
    const { deployment } = await deployContracts(deployer);
    const f: ChainFixture = { chain, deployer, deployment, verifiers: [0, 1, 2].map(() => Wallet.createRandom()) };
    const big = await commitRandomEpoch(f, dir, n, "1M");
    const small = process.env.BENCH_API_SMALL === "0" ? null : await commitRandomEpoch(f, dir, 1_000, "1k");
    const db = path.join(dir, "index.db");
    const store = await openStore(db);
    try {
      const sync = await syncChain({ provider: chain.provider, store, addresses: { workLedger: deployment.workLedger, revenueLedger: deployment.revenueLedger }, fromBlock: deployment.fromBlock });
      log(`indexed ${sync.events} events up to block ${sync.toBlock}`);
    } finally {
      await store.close();
    }
    const bundles = path.join(dir, "bundles");
    fs.mkdirSync(bundles);
    for (const e of [big, small]) if (e) await writeBundle(e.bundle, path.join(bundles, bundleFileName(e.networkId, e.epoch, 1)));
    log(`fixture ready in ${((Date.now() - f0) / 1000).toFixed(1)} s`);

    const out: Record<string, number> = { apiRecords: n };
    const epochs = [{ e: big, suffix: "" }, ...(small ? [{ e: small, suffix: "1k" }] : [])];
    Object.assign(out, await measure(db, bundles, epochs, { seconds, connections, profDir }));

    if (process.env.BENCH_API_IMPORTED === "1") {
      const i0 = Date.now();
      const imported = await openStore(db);
      try {
        const r = await importBundleDir(imported, bundles);
        if (r.failed.length) throw r.failed[0].error;
      } finally {
        await imported.close();
      }
      out.apiImportSeconds = Number(((Date.now() - i0) / 1000).toFixed(1));
      Object.assign(out, await measure(db, null, [{ e: big, suffix: "Imported" }], { seconds, connections }));
    }
    return out;
  } finally {
    await chain.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The child: `startServer` on 127.0.0.1:0 (rate limit off, no logger); prints {"url"} and serves until SIGTERM or its stdin closes. */
async function serverChild(db: string, bundles: string): Promise<void> {
  const { startServer } = await import("../../src/server");
  // warm: false, so that apiFirstProofMs is the cold load of the epoch (read + check the bundle, or rebuild it from the index)
  const server = await startServer({ db, bundles: bundles || undefined, host: "127.0.0.1", port: 0, rateLimit: 0, logger: false, warm: false });
  process.stdout.write(JSON.stringify({ url: server.url }) + "\n");
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // a normal exit, so that --cpu-prof writes its profile
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.stdin.on("end", stop); // the parent went away
  process.stdin.resume();
}

if (require.main === module) {
  const main = process.argv[2] === "--server" ? serverChild(process.argv[3], process.argv[4]) : run().then((r) => void process.stdout.write(JSON.stringify(r) + "\n"));
  main.then(
    () => {
      if (process.argv[2] !== "--server") process.exit(0);
    },
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
