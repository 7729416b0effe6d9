/**
 * The real `workledger serve` binary (node bin/workledger.js → dist/, built by `npm test` first) on
 * 127.0.0.1 with port 0: it prints its URL, answers /healthz and a proof over HTTP (the chain reached
 * through a loopback JSON-RPC of the in-process Hardhat network), and exits 0 on SIGINT. Its refusals
 * (missing or empty database, unsynced store, bad flags) exit 2 with one line and create nothing.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import fs from "fs";
import path from "path";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import { openStore } from "../../src/reader";
import { startEmbeddedRpc } from "../../src/testing";
import type { EmbeddedRpc } from "../../src/testing";
import { BIN, runCli } from "../cli/harness";
import { ServerFixture, serverFixture } from "../helpers/serverFixture";

/** Start `workledger serve …` and resolve with its URL once it prints it. */
function startServe(args: string[], cwd: string): Promise<{ url: string; exited: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>; kill(sig: NodeJS.Signals): void }> {
  const child = spawn(process.execPath, [BIN, "serve", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve printed no URL within 60 s; stdout: ${stdout} stderr: ${stderr}`));
    }, 60_000);
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /^workledger serve: (http:\/\/127\.0\.0\.1:\d+) /m.exec(stdout) ?? /^\{"url":"(http:\/\/127\.0\.0\.1:\d+)"/m.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], exited, kill: (sig) => child.kill(sig) });
      }
    });
    void exited.then((r) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${r.code}) before printing a URL: ${r.stderr}`));
    });
  });
}

describe("workledger serve (the binary)", function () {
  this.timeout(240_000);
  let fx: ServerFixture;
  let rpc: EmbeddedRpc;

  before(async function () {
    fx = await loadFixture(serverFixture);
    rpc = await startEmbeddedRpc({ port: 0, provider: network.provider });
  });

  after(async function () {
    await rpc?.close();
  });

  it("prints its URL, answers /healthz and a proof over HTTP, and exits 0 on SIGINT", async function () {
    const s = await startServe(["--db", fx.dbFile, "--bundles", fx.bundlesDir, "--port", "0", "--rpc", rpc.url, "--rate-limit", "0", "--public-rpc", rpc.url], fx.dir);
    const h = (await (await fetch(`${s.url}/healthz`)).json()) as Record<string, unknown>;
    expect(h).to.deep.include({ ok: true, chainId: fx.chainId, indexedBlock: fx.indexedBlock, chain: "ok", headBlock: await ethers.provider.getBlockNumber() });
    const p = await fetch(`${s.url}/v1/networks/1/epochs/0/records/scenario-node-0`);
    expect(p.status).to.equal(200);
    expect(((await p.json()) as { root: string }).root).to.equal((await fx.s.wl.latestEpoch(1, 0)).root.toLowerCase());
    s.kill("SIGINT");
    const r = await s.exited;
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.equal("");
    expect(r.stdout).to.contain(`stopped ${s.url}`);
    // the port is closed again
    const again = await fetch(`${s.url}/healthz`).then(
      () => "answered",
      () => "refused",
    );
    expect(again).to.equal("refused");
  });

  it("SIGTERM stops it too (exit 0); a chain that is down is reported by /healthz, not fatal", async function () {
    const s = await startServe(["--db", fx.dbFile, "--port", "0", "--rpc", "http://127.0.0.1:9", "--json"], fx.dir);
    const h = (await (await fetch(`${s.url}/healthz`)).json()) as Record<string, unknown>;
    expect(h).to.deep.include({ headBlock: null, lagBlocks: null, chain: "unreachable" });
    s.kill("SIGTERM");
    const r = await s.exited;
    expect(r.code, r.stderr).to.equal(0);
    const first = JSON.parse(r.stdout.split("\n")[0]) as Record<string, unknown>;
    expect(first).to.deep.include({ url: s.url, chainId: fx.chainId, indexedBlock: fx.indexedBlock, rateLimit: 600 });
  });

  it("refuses a missing or empty database, an unsynced store and bad flags: exit 2, one line, nothing created", async function () {
    const cwd = fs.mkdtempSync(path.join(fx.dir, "refusals-"));
    const empty = path.join(cwd, "empty.sqlite");
    fs.writeFileSync(empty, "");
    const unsynced = path.join(cwd, "unsynced.sqlite");
    await (await openStore(unsynced)).close();
    const cases: [string[], RegExp][] = [
      [["--db", "missing.sqlite"], /^workledger: --db missing\.sqlite: no such database; run `workledger sync --db missing\.sqlite` first \(serve never creates one\)\n$/],
      [["--db", empty], /^workledger: --db .*empty\.sqlite is empty: run `workledger sync/],
      [["--db", unsynced], /^workledger: .*unsynced\.sqlite holds no synced chain: run `workledger sync --db .*unsynced\.sqlite` first\n$/],
      [["--db", fx.dbFile, "--port", "70000"], /^workledger: --port/],
      [["--db", fx.dbFile, "--rate-limit", "-1"], /^workledger: --rate-limit/],
      [["--db", fx.dbFile, "--public-rpc", "ftp://x"], /^workledger: --public-rpc "ftp:\/\/x" must be an http:\/\/ or https:\/\/ URL\n$/],
      [["--db", fx.dbFile, "--bundles", "nowhere"], /^workledger: --bundles nowhere: no such directory\n$/],
      [["--db", fx.dbFile, "--trust-proxy", "the balancer"], /^workledger: --trust-proxy "the balancer": give the proxies' addresses or CIDRs/],
      [["--db", fx.dbFile, "--rpc", "embedded"], /^workledger: --rpc embedded: serve needs a chain that outlives this process/],
    ];
    const before = fs.readdirSync(cwd).sort();
    for (const [args, message] of cases) {
      const r = await runCli(["serve", "--port", "0", ...args], { cwd, timeoutMs: 60_000 });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).to.equal(2);
      expect(r.stderr, args.join(" ")).to.match(message);
      expect(r.stdout).to.equal("");
    }
    expect(fs.readdirSync(cwd).sort()).to.deep.equal(before);
    expect(fs.statSync(empty).size).to.equal(0);
  });
});
