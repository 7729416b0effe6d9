/**
 * `demo --serve` and `check-proof URL` with the real binary (#19): a small demo keeps its embedded
 * chain (loopback JSON-RPC) and the API up; the printed URLs answer; `check-proof URL --rpc loopback`
 * says VALID from the chain (not from the server's word) and INVALID for a tampered copy served
 * elsewhere; bad URLs, 404s and non-JSON answers are one clear error and exit 2; a command sent to
 * the loopback shows up in the index; `demo --rpc URL --serve` opens no loopback; the README's
 * replica recipe holds (a `sync --follow` writer into PostgreSQL, two `serve` readers with a
 * SELECT-only role, behind the README's HAProxy block); Ctrl-C closes both ports and exits 0. Only 127.0.0.1, free ports, bounded in time.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import fs from "fs";
import http from "http";
import type { AddressInfo } from "net";
import os from "os";
import path from "path";
import { chromium } from "playwright-core";

import { freePort } from "../helpers/node";
import { acquirePostgres, readOnlyRole, releasePostgres } from "../helpers/postgres";
import { CliProcess, ROOT, RunResult, runCli, spawnCli } from "./harness";

/** GET a URL: status, content type and body text (never throws on a status; rejects when nothing answers). */
async function get(url: string): Promise<{ status: number; type: string; text: string; json: () => Record<string, unknown> }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type") ?? "", text, json: () => JSON.parse(text) as Record<string, unknown> };
}

async function rpcCall(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  return ((await res.json()) as { result: unknown }).result;
}

/** A one-route http server on 127.0.0.1 that answers `body` with `type` (a copy of a proof, tampered or not). */
async function serveOnce(type: string, body: string, status = 200): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(status, { "content-type": type });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/proof`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `url` until it answers 200 (a server starting up), for at most `ms`. */
async function waitUp(url: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The README's HAProxy block as a runnable config for this machine: bound to 127.0.0.1:`port`, its
 * first servers pointed at the `replicas` ports (the others dropped), checks every 200 ms instead of
 * 5 s, after a `defaults` section with the timeouts any HAProxy config sets.
 */
function haproxyConfigFromReadme(port: number, replicas: number[]): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const m = /```haproxy\n([\s\S]*?)```/.exec(readme);
  expect(m, "README has a haproxy block").to.not.equal(null);
  const lines = m![1].split("\n").map((l) => l.replace(/^ {3}/, ""));
  const servers = lines.filter((l) => /^\s*server /.test(l));
  expect(servers.length, "the recipe names enough servers").to.be.at.least(replicas.length);
  let n = 0;
  const out = lines
    .map((l) => {
      if (/^\s*bind :80$/.test(l)) return l.replace("bind :80", `bind 127.0.0.1:${port}`);
      if (/^\s*server /.test(l)) return n < replicas.length ? l.replace(/\S+:8080/, `127.0.0.1:${replicas[n++]}`) : null;
      if (/default-server inter 5s/.test(l)) return l.replace("inter 5s", "inter 200ms");
      return l;
    })
    .filter((l): l is string => l !== null);
  expect(out.join("\n")).to.include(`bind 127.0.0.1:${port}`).and.include("inter 200ms");
  return ["defaults", "    timeout connect 5s", "    timeout client 30s", "    timeout server 30s", "", ...out, ""].join("\n");
}

/** The one-line error of a refused command. */
function refusedWith(r: RunResult, code: number): string {
  expect(r.code, `exit code (stdout: ${r.stdout}; stderr: ${r.stderr})`).to.equal(code);
  const line = r.stderr.split("\n").find((l) => l.startsWith("workledger: "));
  expect(line, r.stderr).to.be.a("string");
  return line!;
}

describe("CLI: demo --serve and check-proof URL (real binary)", function () {
  this.timeout(300_000);
  let dir: string;
  let demo: CliProcess;
  let urls: { dashboard: string; api: string; rpc: string; proof: string; usage: string | null };
  // two `serve` readers of one PostgreSQL index, left running by the replica test for the balancer test
  let replicas: { procs: CliProcess[]; ports: number[]; recordPath: string; body: Record<string, unknown> } | undefined;
  let pgHeld = false; // the shared PostgreSQL server, held from the replica test to the end

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-serve-"));
    demo = spawnCli(["demo", "--nodes", "5", "--epochs", "4", "--out", path.join(dir, "out"), "--serve", "--port", "0", "--rpc-port", "0"], { cwd: dir });
    await demo.waitFor(/^Try$/m, 280_000);
    const err = demo.stderr();
    const grab = (label: string) => new RegExp(`^  ${label}\\s+(http\\S+)`, "m").exec(err)?.[1] ?? null;
    const dashboard = grab("dashboard")!;
    urls = { dashboard, api: dashboard.replace(/\/$/, ""), rpc: grab("JSON-RPC")!, proof: grab("sample proof")!, usage: grab("sample usage") };
    expect(grab("API"), err).to.equal(`${urls.api}/v1/networks`);
    for (const [k, v] of Object.entries(urls)) if (k !== "usage") expect(v, `${k} URL in:\n${err}`).to.match(/^http:\/\/127\.0\.0\.1:\d+/);
  });

  after(async function () {
    // the last test stops it; this is for a failure on the way
    for (const p of replicas?.procs ?? []) await p.stop("SIGKILL").catch(() => undefined);
    if (pgHeld) await releasePostgres();
    if (demo) await demo.stop("SIGKILL").catch(() => undefined);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("prints the dashboard, API, RPC and sample proof URLs and a check-proof line; each answers", async function () {
    expect(demo.stderr()).to.include(`workledger check-proof ${urls.proof} --rpc ${urls.rpc} --deployment ${path.join("out", "deployment.json")}`);
    expect(urls.proof).to.match(new RegExp(`^${urls.api}/v1/networks/1/epochs/\\d+/records/\\S+$`));
    const health = await get(`${urls.api}/healthz`);
    expect(health.status).to.equal(200);
    expect(health.json()).to.include({ lagBlocks: 0 });
    expect(await rpcCall(urls.rpc, "eth_chainId")).to.equal("0x7a69");
    const page = await get(urls.dashboard);
    expect(page.status).to.equal(200);
    expect(page.type).to.match(/text\/html/);
    const proof = await get(urls.proof);
    expect(proof.status, proof.text).to.equal(200);
    expect(proof.json()).to.include({ kind: "workledger-record-proof", networkId: 1 });
    expect(proof.json().status).to.be.oneOf(["pending", "challenged", "final"]);
  });

  it("the README's endpoint table lists exactly the paths of /openapi.json, plus / and /openapi.json itself", async function () {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Serve: "), readme.indexOf("### Many `serve` replicas"));
    const documented = new Set<string>();
    for (const row of section.split("\n").filter((l) => l.startsWith("| `/"))) {
      const first = row.split(" | ")[0];
      for (const m of first.matchAll(/`([^`]+)`/g)) documented.add(m[1].replace(/\?.*$/, ""));
    }
    const openapi = (await get(`${urls.api}/openapi.json`)).json() as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).to.match(/^3\./);
    expect([...documented].sort()).to.deep.equal([...Object.keys(openapi.paths), "/", "/openapi.json"].sort());
  });

  it("check-proof URL --rpc <loopback>: VALID, status and version from the chain", async function () {
    const r = await runCli(["check-proof", urls.proof, "--rpc", urls.rpc], { cwd: dir });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(new RegExp(`^VALID: ${urls.proof.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(node 0x[0-9a-f]{64}, network 1, epoch \\d+ v\\d+\\)`));
    const j = JSON.parse((await runCli(["check-proof", urls.proof, "--rpc", urls.rpc, "--json", "--deployment", path.join(dir, "out", "deployment.json")], { cwd: dir })).stdout) as Record<string, unknown>;
    expect(j).to.include({ ledgerPinnedBy: path.join(dir, "out", "deployment.json"), ledgerMatches: true });
    const served = (await get(urls.proof)).json();
    expect(j).to.include({ ok: true, source: "url", matchesRequest: true, included: true, onChain: true, servedStatus: served.status, status: served.status, version: served.version });
    if (urls.usage) {
      const u = await runCli(["check-proof", urls.usage, "--rpc", urls.rpc], { cwd: dir });
      expect(u.code, u.stderr).to.equal(0);
      expect(u.stdout).to.match(/^VALID: .*\(usage of customer 0x[0-9a-fA-F]{40}, network 1, epoch \d+ v\d+\)/);
    }
  });

  it("a tampered copy served elsewhere is INVALID (exit 1), so is another node's genuine proof; a false status claim changes nothing", async function () {
    const served = (await get(urls.proof)).json() as { record: { workUnits: string }; status: string };
    const tampered = { ...served, record: { ...served.record, workUnits: (BigInt(served.record.workUnits) + 1n).toString() } };
    const copy = await serveOnce("application/json", JSON.stringify(tampered));
    try {
      const r = await runCli(["check-proof", copy.url, "--rpc", urls.rpc], { cwd: dir });
      expect(r.code, r.stderr).to.equal(1);
      expect(r.stdout).to.match(/^INVALID: /);
      expect(r.stdout).to.include("the proof does not lead from the record to the root");
    } finally {
      await copy.close();
    }
    // a genuine proof of another node than the URL asks for is not an answer to it
    const other = await serveOnce("application/json", JSON.stringify(served));
    try {
      const [, epoch] = /\/epochs\/(\d+)\//.exec(urls.proof)!;
      const asked = `${other.url.replace(/\/proof$/, "")}/v1/networks/1/epochs/${epoch}/records/another-node`;
      const r = await runCli(["check-proof", asked, "--rpc", urls.rpc], { cwd: dir });
      expect(r.code, r.stderr).to.equal(1);
      expect(r.stdout).to.match(/^INVALID: /);
      expect(r.stdout).to.match(/matches the URL:\s+no/);
      expect(r.stdout).to.match(/the answer is the record of node 0x[0-9a-f]{64}, the request was node 0x[0-9a-f]{64}/);
    } finally {
      await other.close();
    }
    // the server's `status` is never the answer: claiming "voided" does not make a good proof fail
    const liar = await serveOnce("application/json", JSON.stringify({ ...served, status: "voided" }));
    try {
      const j = JSON.parse((await runCli(["check-proof", liar.url, "--rpc", urls.rpc, "--json"], { cwd: dir })).stdout) as Record<string, unknown>;
      expect(j).to.include({ ok: true, servedStatus: "voided", status: served.status });
    } finally {
      await liar.close();
    }
  });

  it("a bad URL, a 404, a non-JSON answer and an unreachable server: one clear error, exit 2", async function () {
    const missing = `${urls.api}/v1/networks/1/epochs/0/records/no-such-node`;
    expect(refusedWith(await runCli(["check-proof", missing, "--rpc", urls.rpc], { cwd: dir }), 2)).to.match(new RegExp(`^workledger: ${missing} answered HTTP 404 Not Found: \\S+`));
    expect(refusedWith(await runCli(["check-proof", urls.dashboard, "--rpc", urls.rpc], { cwd: dir }), 2)).to.match(/^workledger: http:\S+ did not answer JSON \(text\/html/);
    expect(refusedWith(await runCli(["check-proof", "ftp://127.0.0.1/proof.json", "--rpc", urls.rpc], { cwd: dir }), 2)).to.equal("workledger: proof URL must be http(s): ftp://127.0.0.1/proof.json");
    const gone = await serveOnce("application/json", "{}");
    await gone.close();
    expect(refusedWith(await runCli(["check-proof", gone.url, "--rpc", urls.rpc], { cwd: dir }), 2)).to.equal(`workledger: cannot fetch ${gone.url}: ECONNREFUSED`);
  });

  it("a second demo --serve on a taken port is refused at once, naming the port (exit 2)", async function () {
    const apiPort = new URL(urls.api).port;
    const r = await runCli(["demo", "--nodes", "5", "--epochs", "4", "--out", path.join(dir, "second"), "--serve", "--port", apiPort, "--rpc-port", "0"], { cwd: dir, timeoutMs: 60_000 });
    expect(refusedWith(r, 2)).to.equal(`workledger: port ${apiPort} is in use (127.0.0.1:${apiPort}): stop what listens there or pick another port (--port)`);
    expect(fs.existsSync(path.join(dir, "second"))).to.equal(false);
    // and the serve flags are checked before anything runs
    const bad: Array<[string[], string]> = [
      [["--port", "8080"], "workledger: --port needs --serve"],
      [["--serve", "--port", "http"], 'workledger: --port must be a port 0..65535 (0 = any free port), got "http"'],
      [["--serve", "--rpc-port", "70000"], 'workledger: --rpc-port must be a port 0..65535 (0 = any free port), got "70000"'],
      [["--serve", "--port", "18545", "--rpc-port", "18545"], "workledger: --port and --rpc-port are both 18545: pick two ports"],
    ];
    for (const [flags, message] of bad) expect(refusedWith(await runCli(["demo", "--out", path.join(dir, "second"), ...flags], { cwd: dir }), 2)).to.equal(message);
    expect(fs.existsSync(path.join(dir, "second"))).to.equal(false);
  });

  it("a command sent to the loopback RPC shows up in the index (the API's /healthz follows)", async function () {
    const before = (await get(`${urls.api}/healthz`)).json() as { indexedBlock: number };
    const r = await runCli(["time", "advance", "--seconds", "60", "--rpc", urls.rpc], { cwd: dir });
    expect(r.code, r.stderr).to.equal(0);
    const head = Number(await rpcCall(urls.rpc, "eth_blockNumber"));
    expect(head).to.be.greaterThan(before.indexedBlock);
    const deadline = Date.now() + 30_000;
    let h = before;
    while (Date.now() < deadline && h.indexedBlock < head) {
      await new Promise((res) => setTimeout(res, 250));
      h = (await get(`${urls.api}/healthz`)).json() as { indexedBlock: number };
    }
    expect(h.indexedBlock).to.equal(head);
  });

  it("replicas (README): a sync --follow writer into PostgreSQL and two serve readers with a SELECT-only role serve the same proof", async function () {
    const pg = await acquirePostgres();
    pgHeld = true;
    const procs: CliProcess[] = [];
    try {
      const db = await pg.createDatabase("serve");
      const out = path.join(dir, "out");
      const common = ["--rpc", urls.rpc, "--deployment", path.join(out, "deployment.json")];
      const writer = spawnCli(["sync", "--follow", "--db", db, "--bundles", path.join(out, "bundles"), ...common], { cwd: dir });
      procs.push(writer);
      const epoch = /\/epochs\/(\d+)\//.exec(urls.proof)![1];
      await writer.waitFor(new RegExp(`imported bundle \\S*network-1-epoch-${epoch}-v\\d+\\.wlb`), 60_000);
      // the readers' role may only SELECT (after the writer created the tables)
      const readerDb = await readOnlyRole(db, `api_${process.pid}`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Client } = require("pg") as typeof import("pg");
      const reader = new Client({ connectionString: readerDb });
      await reader.connect();
      try {
        let refused: unknown;
        await reader.query("INSERT INTO meta (key, value) VALUES ('x', 'y')").catch((e: unknown) => (refused = e));
        expect(String(refused)).to.match(/permission denied/);
      } finally {
        await reader.end();
      }
      const ports = [await freePort(), await freePort()];
      for (const port of ports) procs.push(spawnCli(["serve", "--db", readerDb, "--port", String(port), "--rate-limit", "0", "--public-rpc", urls.rpc, ...common], { cwd: dir }));
      const bases = ports.map((port) => `http://127.0.0.1:${port}`);
      for (const b of bases) await waitUp(`${b}/healthz?maxLagBlocks=0`);
      const recordPath = urls.proof.slice(urls.api.length);
      const bodies = await Promise.all(bases.map(async (b) => (await get(`${b}${recordPath}`)).json()));
      expect(bodies[1]).to.deep.equal(bodies[0]);
      expect(bodies[0]).to.deep.equal((await get(urls.proof)).json()); // and the demo's own SQLite index agrees
      const r = await runCli(["check-proof", `${bases[1]}${recordPath}`, "--rpc", urls.rpc], { cwd: dir });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^VALID: /);
      replicas = { procs: procs.splice(0), ports, recordPath, body: bodies[0] }; // the balancer test goes on with them
    } finally {
      for (const p of procs) await p.stop("SIGKILL").catch(() => undefined);
    }
  });

  it("replicas behind the README's HAProxy recipe: the same proof through it, a stopped replica taken out by its /healthz check, 429 above 600 requests a minute per IP", async function () {
    if (!replicas) throw new Error("the replica test above did not leave its readers running");
    const { procs, ports, recordPath, body } = replicas;
    const haproxy = ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"].find((f) => fs.existsSync(f));
    if (!haproxy) {
      // .ci/run installs it; on a machine without it, say so instead of passing
      console.warn("    haproxy is not installed (apt-get install haproxy): the balancer recipe was not run");
      this.skip();
    }
    const port = await freePort();
    const cfg = path.join(dir, "haproxy.cfg");
    fs.writeFileSync(cfg, haproxyConfigFromReadme(port, ports));
    const check = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const c = spawn(haproxy, ["-c", "-f", cfg]);
      let err = "";
      c.stderr.on("data", (d: Buffer) => (err += d.toString()));
      c.stdout.on("data", (d: Buffer) => (err += d.toString()));
      c.on("exit", (code) => resolve({ code, err }));
    });
    expect(check.code, `haproxy -c: ${check.err}`).to.equal(0);
    const lb = spawn(haproxy, ["-db", "-f", cfg], { stdio: ["ignore", "pipe", "pipe"] });
    let lbLog = "";
    lb.stdout.on("data", (d: Buffer) => (lbLog += d.toString()));
    lb.stderr.on("data", (d: Buffer) => (lbLog += d.toString()));
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitUp(`${base}/healthz`);
      // through the balancer (round robin over both), the same proof as each replica gives
      for (let i = 0; i < 6; i++) {
        const r = await fetch(`${base}${recordPath}`, { signal: AbortSignal.timeout(20_000) });
        expect(r.status, lbLog).to.equal(200);
        expect(await r.json()).to.deep.equal(body);
      }
      // one replica stops: after its failed checks the balancer sends everything to the other
      const stopped = procs.splice(1, 1)[0]; // [writer, reader 1, reader 2]: reader 1 goes
      expect((await stopped.stop("SIGINT")).code).to.equal(0);
      // its checks fail (fall 3 at inter 200 ms) and HAProxy says it took it out
      for (const deadline = Date.now() + 30_000; !/serve1 is DOWN/.test(lbLog); await new Promise((r) => setTimeout(r, 100))) {
        if (Date.now() > deadline) throw new Error(`HAProxy never took the stopped replica out:\n${lbLog}`);
      }
      for (let i = 0; i < 6; i++) {
        const r = await fetch(`${base}${recordPath}`, { signal: AbortSignal.timeout(20_000) });
        expect(r.status, `request ${i} after a replica stopped: ${lbLog}`).to.equal(200);
      }
      // the per-IP limit of the recipe: 600 a minute, then 429 from the balancer
      const statuses: number[] = [];
      for (let i = 0; i < 620; i += 20) {
        statuses.push(...(await Promise.all(Array.from({ length: 20 }, async () => (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(20_000) })).status))));
      }
      expect(statuses.filter((x) => x === 429).length, "429s above 600 a minute").to.be.greaterThan(0);
      expect(statuses.slice(0, 500).every((x) => x === 200), "the first 500 pass").to.equal(true);
    } finally {
      const gone = new Promise((r) => lb.once("exit", r));
      lb.kill("SIGTERM");
      await gone;
      for (const p of procs.splice(0).reverse()) expect((await p.stop("SIGINT")).code).to.equal(0);
      replicas = undefined;
    }
  });

  it("demo --rpc URL --serve: that chain is the public RPC and no loopback opens (--json: the URLs in the output); its proofs fail against the first deployment's ledger", async function () {
    expect(refusedWith(await runCli(["demo", "--rpc", urls.rpc, "--serve", "--rpc-port", "0"], { cwd: dir }), 2)).to.equal(
      `workledger: --rpc-port opens a loopback JSON-RPC of the embedded chain: drop it with --rpc ${urls.rpc}`,
    );
    const ext = spawnCli(["demo", "--rpc", urls.rpc, "--nodes", "4", "--epochs", "4", "--out", path.join(dir, "external"), "--serve", "--port", "0", "--json"], { cwd: dir });
    try {
      await ext.waitFor(/^Try$/m, 240_000);
      expect(ext.stderr()).to.match(new RegExp(`^  JSON-RPC\\s+${urls.rpc.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+\\(the chain given by --rpc\\)`, "m"));
      expect(ext.stderr()).to.not.match(/^Serving the demo and its chain/m);
      // A second deployment on the same chain is a look-alike of the first: its genuine proofs pass on
      // chain, so only the ledger the reader trusts tells them apart.
      const lookAlike = /^ {2}sample proof\s+(http\S+)/m.exec(ext.stderr())![1];
      const first = path.join(dir, "out", "deployment.json");
      const trusted = await runCli(["check-proof", lookAlike, "--rpc", urls.rpc, "--deployment", first], { cwd: dir });
      expect(trusted.code, trusted.stdout + trusted.stderr).to.equal(1);
      expect(trusted.stdout).to.match(/^INVALID: /).and.match(/the proof is under ledger 0x[0-9a-fA-F]{40}, not the ledger you trust \(0x[0-9a-fA-F]{40}\)/);
      expect(trusted.stdout).to.match(new RegExp(`ledger:\\s+0x[0-9a-fA-F]{40} \\(NOT the one in ${first.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\)`));
      const own = await runCli(["check-proof", lookAlike, "--rpc", urls.rpc, "--json"], { cwd: dir });
      expect(JSON.parse(own.stdout)).to.include({ ok: true, ledgerPinnedBy: null, ledgerMatches: null });
      const ownHuman = await runCli(["check-proof", lookAlike, "--rpc", urls.rpc], { cwd: dir });
      expect(ownHuman.stdout).to.match(/ledger:\s+0x[0-9a-fA-F]{40} \(the proof's own word: pin it with --ledger or --deployment\)/);
      const ledgerB = (JSON.parse(own.stdout) as { ledger: string }).ledger;
      expect(JSON.parse((await runCli(["check-proof", lookAlike, "--rpc", urls.rpc, "--ledger", ledgerB, "--json"], { cwd: dir })).stdout)).to.include({ ok: true, ledgerPinnedBy: "--ledger", ledgerMatches: true });
    } finally {
      const r = await ext.stop("SIGTERM");
      expect(r.code, r.stderr).to.equal(0);
      const j = JSON.parse(r.stdout) as { ok: boolean; serve: { loopback: boolean; rpcUrl: string; stoppedBy: string; sampleProofUrl: string } };
      expect(j.ok).to.equal(true);
      expect(j.serve).to.include({ loopback: false, rpcUrl: urls.rpc, stoppedBy: "SIGTERM" });
      expect(j.serve.sampleProofUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/v1\/networks\/1\/epochs\/\d+\/records\//);
    }
  });

  it("the dashboard a new user opens (pinned to the loopback chain and the demo's ledger): the sample record verified in Chromium", async function () {
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      const failed: string[] = [];
      page.on("requestfailed", (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ""}`));
      // the pinned form the banner prints: the page checks against the chain and ledger in its own URL
      const pinned = /^ {16}(http\S+\?rpc=\S+&ledger=0x[0-9a-fA-F]{40})\s/m.exec(demo.stderr())?.[1];
      expect(pinned, demo.stderr()).to.be.a("string");
      expect(pinned!.startsWith(urls.dashboard)).to.equal(true);
      await page.goto(pinned!);
      await page.waitForSelector("body[data-loaded]", { timeout: 30_000 });
      expect(await page.textContent("#network-list")).to.match(/epoch/i);
      const [, epoch, node] = /\/epochs\/(\d+)\/records\/([^/]+)$/.exec(urls.proof)!;
      await page.selectOption("#lookup-network", "1");
      await page.fill("#lookup-node", decodeURIComponent(node));
      await page.fill("#lookup-epoch", epoch);
      await page.click("#lookup-go");
      const v = await page.waitForSelector("#lookup-result [data-verdict]", { timeout: 30_000 });
      const text = (await page.textContent("#lookup-result")) ?? "";
      expect(await v.getAttribute("data-verdict"), text).to.equal("ok");
      expect(text).to.contain("Verified against chain");
      expect(text).to.contain("the ledger is the one you pinned in the page URL");
      expect(text).to.contain("the chain is read through the RPC you pinned in the page URL");
      expect(failed, "failed requests (the loopback JSON-RPC must answer the browser: CORS)").to.deep.equal([]);
    } finally {
      await browser.close();
    }
  });

  it("Ctrl-C (SIGINT) closes the API and the loopback RPC and exits 0", async function () {
    const r = await demo.stop("SIGINT");
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/stopped \(SIGINT\): closed the API and the loopback JSON-RPC/);
    expect(r.stdout).to.match(/^WorkLedger demo: 5 nodes, 4 epochs/);
    for (const url of [`${urls.api}/healthz`, urls.rpc]) {
      let err: unknown;
      try {
        await fetch(url, { signal: AbortSignal.timeout(5_000) });
      } catch (e) {
        err = e;
      }
      expect((err as { cause?: { code?: string } })?.cause?.code, url).to.equal("ECONNREFUSED");
    }
  });
});
