/**
 * The shared index end to end, through the built CLI (bin/workledger.js over dist/): the demo runs
 * on a local anvil without faults and writes its reports; then `sync --db postgres://…`, `report
 * --db postgres://… --no-sync` and `verify` run through a proxy that fails 30% of requests (the very
 * first one with HTTP 500). Every report from the PostgreSQL index equals the demo's byte for byte
 * (apart from generatedAt), and every one verifies against the chain through the faults.
 */
import { expect } from "chai";
import { execFile } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";

import { openStore } from "../../../src/reader";
import { LocalNode, startAnvil } from "../../helpers/node";
import { PostgresServer, acquirePostgres, releasePostgres } from "../../helpers/postgres";
import { RpcProxy, startRpcProxy } from "../../helpers/rpcProxy";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const BIN = path.join(ROOT, "bin", "workledger.js");
const KINDS = ["spend", "uptime", "economics", "journal"] as const;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI (asynchronously: the anvil child's output pipe must keep draining meanwhile). */
function workledger(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", timeout: 300_000, maxBuffer: 1 << 26 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("shared index: sync, report and verify through the CLI on PostgreSQL with a 30%-fault RPC", function () {
  this.timeout(300_000);
  let node: LocalNode;
  let pg: PostgresServer;
  let proxy: RpcProxy;
  let dir: string;

  before(async function () {
    if (!fs.existsSync(path.join(ROOT, "dist/src/cli/index.js"))) throw new Error("dist/ is missing: run `npm run build` before this test file alone (npm test builds it)");
    pg = await acquirePostgres();
    node = await startAnvil();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "shared-index-"));
    const demo = await workledger(["demo", "--rpc", node.url, "--nodes", "8", "--epochs", "4", "--out", dir]);
    expect(demo.code, demo.stderr).to.equal(0);
    proxy = await startRpcProxy({ upstream: node.url, seed: 3, failRate: 0.3, maxDelayMs: 5, decide: (_b, n) => (n === 1 ? "http500" : undefined) });
  });

  after(async function () {
    await proxy?.stop();
    await node?.stop();
    await releasePostgres();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("gives the demo's reports, byte for byte, and they verify", async function () {
    const db = await pg.createDatabase("cli");
    const deployment = path.join(dir, "deployment.json");
    const bundles = path.join(dir, "bundles");
    const sync = await workledger(["sync", "--rpc", proxy.url, "--db", db, "--deployment", deployment, "--bundles", bundles, "--json"]);
    expect(sync.code, sync.stderr).to.equal(0);
    const synced = JSON.parse(sync.stdout) as { totalEvents: number; bundlesImported: number; toBlock: number };
    const local = await openStore(path.join(dir, "workledger.sqlite"));
    try {
      expect(synced.totalEvents).to.equal(await local.eventCount());
      expect(synced.toBlock).to.equal((await local.checkpoint())!.blockNumber);
    } finally {
      await local.close();
    }
    expect(synced.bundlesImported).to.be.greaterThan(0);
    expect(proxy.stats.faults.http500, "the first call failed").to.be.at.least(1);

    for (const kind of KINDS) {
      const out = path.join(dir, `${kind}-pg.json`);
      const r = await workledger(["report", kind, "--format", "json", "--out", out, "--db", db, "--rpc", proxy.url, "--deployment", deployment, "--no-sync", "--bundles", bundles, "--labels", path.join(dir, "labels.csv")]);
      expect(r.code, `${kind}: ${r.stderr}`).to.equal(0);
      const ours = JSON.parse(fs.readFileSync(out, "utf8"));
      const demo = JSON.parse(fs.readFileSync(path.join(dir, `${kind}.json`), "utf8"));
      delete ours.manifest.generatedAt;
      delete demo.manifest.generatedAt;
      expect(JSON.stringify(ours), kind).to.equal(JSON.stringify(demo));
      const v = await workledger(["verify", out, "--rpc", proxy.url, "--bundles", bundles]);
      expect(v.code, `${kind}: ${v.stdout}${v.stderr}`).to.equal(0);
    }
    const failed = Object.values(proxy.stats.faults).reduce((a, b) => a + b, 0) - proxy.stats.faults.slow;
    expect(failed, "faults injected").to.be.greaterThan(30);
    expect(failed / proxy.stats.requests).to.be.within(0.15, 0.45);
  });
});
