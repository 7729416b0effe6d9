/**
 * The package as a user gets it: `npm pack`, then `npm install --omit=dev` of the tarball into an
 * empty project in a temporary directory, and there: the SDK from ESM, CommonJS and a strict
 * TypeScript consumer (no skipLibCheck), the README's SDK snippet run as written, the CLI's
 * `--help`, and `workledger verify REPORT.json --rpc URL` against a `hardhat node` on 127.0.0.1
 * holding a deployment and reports made by the repository's own CLI (`demo --rpc`).
 *
 * npm runs against its local cache (--prefer-offline); the only slow step is better-sqlite3's
 * native build, which npm runs on install as it would for any user.
 */
import { expect } from "chai";
import { execFile, spawn } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";

import { LocalNode, startHardhatNode } from "../helpers/node";

const ROOT = path.resolve(__dirname, "..", "..");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const MIB_LIMIT = 200;
/** Build, test and chain tools: none of them may be installed by `--omit=dev`. */
const DEV_ONLY = [
  "hardhat",
  "mocha",
  "chai",
  "solhint",
  "solidity-coverage",
  "playwright-core",
  "@foundry-rs/anvil",
  "typechain",
  "@typechain/hardhat",
  "fast-check",
  "ts-node",
  "typescript",
  "solc",
  "eslint",
  "@types/mocha",
  "@types/chai",
  "@types/glob",
  "@ethereum-attestation-service/eas-contracts",
  "@openzeppelin/contracts",
  "@nomicfoundation/edr",
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; never throws on a non-zero exit. The environment has no WORKLEDGER_* nor NODE_PATH. */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number, extraEnv: Record<string, string> = {}): Promise<Run> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("WORKLEDGER_") && k !== "NODE_PATH" && !k.startsWith("npm_")) env[k] = v;
  Object.assign(env, extraEnv);
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; killed?: boolean }) | null;
      const code = !e ? 0 : typeof e.code === "number" ? e.code : 1;
      const note = e?.killed ? `\n[killed after ${timeoutMs} ms]` : "";
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + note });
    });
  });
}

function ok(r: Run, what: string): Run {
  expect(r.code, `${what} exited ${r.code}\nstdout:\n${r.stdout.slice(-4000)}\nstderr:\n${r.stderr.slice(-4000)}`).to.equal(0);
  return r;
}

/** The fenced block of `lang` that follows `heading` in README.md. */
function readmeBlock(heading: string, lang: string): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const at = readme.indexOf(heading);
  expect(at, `README.md has "${heading}"`).to.be.greaterThan(-1);
  const m = readme.slice(at).match(new RegExp("```" + lang + "\\n([\\s\\S]*?)```"));
  expect(m, `a \`\`\`${lang} block after "${heading}" in README.md`).to.not.equal(null);
  return m![1];
}

/** The records file the README's walkthrough writes (`cat > epoch-0.csv <<'CSV' ... CSV`). */
function readmeEpochCsv(): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const m = readme.match(/cat > epoch-0\.csv <<'CSV'\n([\s\S]*?)\nCSV\n/);
  expect(m, "README.md writes epoch-0.csv with a heredoc").to.not.equal(null);
  return m![1] + "\n";
}

/** Checks appended to the README's snippet: it must have built the epoch and verified its proofs. */
const SNIPPET_CHECKS = `
if (summary.recordCount !== 2n && Number(summary.recordCount) !== 2) throw new Error("recordCount " + String(summary.recordCount));
if (verifyRecordProof(record, proof, root) !== true) throw new Error("the proof of gpu-002 does not verify");
if (verifyRecordProof({ ...record, workUnits: record.workUnits + 1n }, proof, root) !== false) throw new Error("an altered record verifies");
if (ok.length !== bundle.recordCount || !ok.every((b) => b === true)) throw new Error("verifyRecordProofs: " + JSON.stringify(ok));
console.log("snippet ok " + root + " " + ok.length);
`;

describe("package: npm pack, installed with --omit=dev into an empty project", function () {
  this.timeout(600_000);
  let tmp: string;
  let consumer: string;
  let lib: string;
  let node: LocalNode | undefined;
  let demoDir: string;
  let demo: Promise<{ run?: Run; error?: unknown }> | undefined;

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "workledger-pack-"));
    consumer = path.join(tmp, "consumer");
    fs.mkdirSync(consumer);
    // `npm pack` runs `prepare` (contracts and dist), as `npm publish` would.
    const t0 = Date.now();
    const packed = ok(await run("npm", ["pack", "--json", "--pack-destination", tmp], ROOT, 180_000), "npm pack");
    const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] }[];
    const tarball = path.join(tmp, info[0].filename);
    const files = info[0].files.map((f) => f.path);
    // src/ ships only the dashboard's static files (served by `workledger serve` as they are).
    expect(files.filter((f) => /^(test|\.ci|scripts|src|node_modules|artifacts|cache|typechain-types)\//.test(f) && !/^src\/server\/dashboard\/[a-z]+\.(html|js|css)$/.test(f)), "shipped files outside the whitelist").to.deep.equal([]);
    for (const f of ["package.json", "README.md", "LICENSE", "bin/workledger.js", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli/index.js", "dist/src/bindings.d.ts", "dist/src/testing.d.ts", "dist/typechain-types/index.d.ts", "contracts/interfaces/IWorkLedger.sol", "src/server/dashboard/index.html", "src/server/dashboard/app.js"]) {
      expect(files, `the tarball ships ${f}`).to.include(f);
    }
    const t1 = Date.now();
    // While npm installs (mostly compiling better-sqlite3), a hardhat node gets a deployment and reports
    // from the repository's own CLI, for the `verify` test below.
    demoDir = path.join(tmp, "demo");
    demo = (async () => {
      try {
        node = await startHardhatNode();
        const args = [path.join(ROOT, "bin", "workledger.js"), "demo", "--rpc", node.url, "--nodes", "4", "--epochs", "4", "--out", demoDir, "--json"];
        return { run: await run(process.execPath, args, tmp, 240_000) };
      } catch (error) {
        return { error };
      }
    })();
    fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }, null, 2));
    // JOBS=2: node-gyp compiles better-sqlite3's two sources in parallel (SQLite itself is most of the time).
    ok(await run("npm", ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", tarball], consumer, 300_000, { JOBS: "2" }), "npm install of the tarball");
    lib = path.join(consumer, "node_modules", "workledger");
    console.log(`      npm pack: ${((t1 - t0) / 1000).toFixed(1)} s (${(info[0].size / 1024).toFixed(0)} KiB, ${info[0].entryCount} files); npm install --omit=dev: ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  });

  after(async function () {
    if (demo) await demo;
    if (node) await node.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(`installs in at most ${MIB_LIMIT} MiB, with no build, test or chain tool`, async function () {
    const du = ok(await run("du", ["-sm", "node_modules"], consumer, 60_000), "du");
    const mib = Number(du.stdout.split(/\s/)[0]);
    const lock = JSON.parse(fs.readFileSync(path.join(consumer, "package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
    const count = Object.keys(lock.packages).filter((k) => k.startsWith("node_modules/")).length;
    const nm = path.join(consumer, "node_modules");
    const tops = fs.readdirSync(nm).flatMap((d) => (d.startsWith("@") ? fs.readdirSync(path.join(nm, d)).map((s) => `${d}/${s}`) : d.startsWith(".") ? [] : [d]));
    const sizes = ok(await run("du", ["-sm", ...tops], nm, 60_000), "du").stdout.trim().split("\n").map((l) => l.split("\t")).map(([s, p]) => ({ p, s: Number(s) }));
    const top5 = sizes.sort((a, b) => b.s - a.s).slice(0, 5).map((x) => `${x.p} ${x.s}`).join(", ");
    console.log(`      install: ${mib} MiB, ${count} packages; largest (MiB): ${top5}`);
    expect(mib).to.be.at.most(MIB_LIMIT);
    for (const p of DEV_ONLY) expect(fs.existsSync(path.join(nm, p)), `${p} is installed`).to.equal(false);
  });

  it("every module of dist/ loads in the lean install (none imports a dev tool when loaded)", async function () {
    const all: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith(".js")) all.push(path.join(d, e.name));
      }
    };
    walk(path.join(lib, "dist"));
    expect(all.length).to.be.greaterThan(50);
    fs.writeFileSync(path.join(consumer, "load-all.cjs"), `for (const f of ${JSON.stringify(all)}) require(f);\nconsole.log("loaded " + ${all.length});\n`);
    const r = ok(await run(process.execPath, ["load-all.cjs"], consumer, 60_000), "loading every dist module");
    expect(r.stdout).to.include(`loaded ${all.length}`);
  });

  it("the README's SDK snippet runs as written from an ES module (.mjs)", async function () {
    fs.writeFileSync(path.join(consumer, "epoch-0.csv"), readmeEpochCsv());
    const snippet = readmeBlock("## The SDK", "ts");
    expect(snippet).to.match(/from "workledger"/);
    fs.writeFileSync(path.join(consumer, "snippet.mjs"), snippet + SNIPPET_CHECKS);
    const r = ok(await run(process.execPath, ["snippet.mjs"], consumer, 60_000), "node snippet.mjs");
    expect(r.stdout).to.match(/^snippet ok 0x[0-9a-f]{64} 2$/m);
  });

  it("the same snippet type-checks as a strict TypeScript consumer without skipLibCheck, and runs compiled", async function () {
    fs.writeFileSync(path.join(consumer, "epoch-0.csv"), readmeEpochCsv());
    const snippet = readmeBlock("## The SDK", "ts");
    const subpaths = `
import { WorkLedger__factory, IWorkLedger__factory } from "workledger/contracts";
import type { WorkLedger } from "workledger/contracts";
import { MockStablecoin__factory } from "workledger/testing";
const abiNames: string[] = WorkLedger__factory.abi.filter((f) => f.type === "function").map((f) => f.name);
const typed: WorkLedger | null = null;
console.log("subpaths " + abiNames.includes("commitEpoch") + " " + (typeof IWorkLedger__factory.connect) + " " + (typeof MockStablecoin__factory) + " " + String(typed));
`;
    fs.writeFileSync(path.join(consumer, "snippet.ts"), snippet + SNIPPET_CHECKS + subpaths);
    fs.writeFileSync(
      path.join(consumer, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, skipLibCheck: false, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", outDir: "out" }, files: ["snippet.ts", "cjs.cts"] }, null, 2),
    );
    // A CommonJS TypeScript module (.cts: `import x = require(...)`) against the same declarations.
    fs.writeFileSync(
      path.join(consumer, "cjs.cts"),
      `import sdk = require("workledger");\nimport contracts = require("workledger/contracts");\nconst proofOf: typeof sdk.bundleProof = sdk.bundleProof;\nconst ok: boolean = sdk.verifyRecordProof.length >= 0;\nconsole.log("cts " + typeof proofOf + " " + String(ok) + " " + contracts.IRevenueLedger__factory.abi.length);\n`,
    );
    ok(await run(process.execPath, [TSC, "-p", "tsconfig.json"], consumer, 120_000), "tsc (strict, no skipLibCheck)");
    const r = ok(await run(process.execPath, [path.join("out", "snippet.js")], consumer, 60_000), "node out/snippet.js");
    expect(r.stdout).to.match(/^snippet ok 0x[0-9a-f]{64} 2$/m);
    expect(r.stdout).to.match(/^subpaths true function function null$/m);
    const c = ok(await run(process.execPath, [path.join("out", "cjs.cjs")], consumer, 60_000), "node out/cjs.cjs");
    expect(c.stdout).to.match(/^cts function true [1-9]\d*$/m);
  });

  it("CommonJS require: the SDK, workledger/contracts and workledger/testing (where the mock stablecoin lives)", async function () {
    const cjs = `
const sdk = require("workledger");
const contracts = require("workledger/contracts");
const testing = require("workledger/testing");
sdk.buildEpoch(
  [
    { nodeId: sdk.normalizeNodeId("gpu-001"), epoch: 0n, workUnits: 3240n, uptimeBps: 9995, revenue: 1078920n, evidence: "0x" + "11".repeat(32) },
    { nodeId: sdk.normalizeNodeId("gpu-002"), epoch: 0n, workUnits: 1800n, uptimeBps: 9420, revenue: 599400n, evidence: "0x" + "22".repeat(32) },
  ],
  { epoch: 0, networkId: 1 },
).then(({ summary, bundle }) => {
const { record, proof, root } = sdk.bundleProof(bundle, "gpu-001");
console.log(JSON.stringify({
  count: String(summary.recordCount),
  proof: sdk.verifyRecordProof(record, proof, root),
  mockInRoot: "MockStablecoin__factory" in sdk,
  mockInTesting: typeof testing.MockStablecoin__factory,
  factories: Object.keys(contracts).sort(),
  version: require("workledger/package.json").version,
}));
});
`;
    fs.writeFileSync(path.join(consumer, "sdk.cjs"), cjs);
    const r = ok(await run(process.execPath, ["sdk.cjs"], consumer, 60_000), "node sdk.cjs");
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(out).to.deep.equal({
      count: "2",
      proof: true,
      mockInRoot: false,
      mockInTesting: "function",
      factories: ["IRevenueLedger__factory", "IWorkLedger__factory", "RevenueLedger__factory", "WorkLedger__factory"],
      version: JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version,
    });
  });

  it("npx workledger --help lists the commands", async function () {
    const r = ok(await run("npx", ["--no", "--", "workledger", "--help"], consumer, 60_000), "npx workledger --help");
    for (const c of ["verify", "report", "sync", "check-proof", "sign", "publish", "demo"]) expect(r.stdout).to.match(new RegExp(`^\\s+${c}\\b`, "m"));
  });

  it("npx workledger demo without hardhat names the optional peer dependency it needs", async function () {
    const r = await run("npx", ["--no", "--", "workledger", "demo", "--out", "demo-out"], consumer, 60_000);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/^workledger: .*optional peer dependency "hardhat".*npm install --save-dev hardhat@/m);
    expect(fs.existsSync(path.join(consumer, "demo-out")), "demo-out was written").to.equal(false);
  });

  it("npx workledger verify REPORT.json --rpc URL checks the repository demo's reports against a hardhat node", async function () {
    // The repository's own CLI deployed, ran the demo's job on the node and wrote the reports (started in before()).
    const made = await demo!;
    if (made.error) throw made.error;
    ok(made.run!, "workledger demo --rpc (the repository's CLI)");
    if (!node) throw new Error("no hardhat node");
    for (const kind of ["spend", "uptime"]) {
      const r = ok(await run("npx", ["--no", "--", "workledger", "verify", path.join(demoDir, `${kind}.json`), "--rpc", node.url, "--json"], consumer, 120_000), `npx workledger verify ${kind}.json`);
      expect(JSON.parse(r.stdout).ok, r.stdout).to.equal(true);
    }
    // A report altered after the fact fails against the same chain.
    const spend = JSON.parse(fs.readFileSync(path.join(demoDir, "spend.json"), "utf8"));
    const altered = JSON.stringify(spend).replace(/"(\d{4,})"/, (_m, n: string) => `"${BigInt(n) + 1n}"`);
    expect(altered).to.not.equal(JSON.stringify(spend));
    fs.writeFileSync(path.join(tmp, "spend-altered.json"), altered);
    const bad = await run("npx", ["--no", "--", "workledger", "verify", path.join(tmp, "spend-altered.json"), "--rpc", node.url], consumer, 120_000);
    expect(bad.code, `${bad.stdout}\n${bad.stderr}`).to.equal(1);
  });

  it("sync, report (PDF, through the compiled better-sqlite3), prove and check-proof run from the lean install against the node", async function () {
    if (!node) throw new Error("no hardhat node: it failed to start (see the verify test above)");
    const wl = (args: string[]) => run("npx", ["--no", "--", "workledger", ...args], consumer, 120_000);
    const deployment = path.join(demoDir, "deployment.json");
    const db = path.join(consumer, "index.sqlite");
    const synced = JSON.parse(ok(await wl(["sync", "--rpc", node.url, "--deployment", deployment, "--db", db, "--bundles", path.join(demoDir, "bundles"), "--json"]), "sync").stdout);
    expect(Number(synced.totalEvents)).to.be.greaterThan(0);
    const pdf = path.join(consumer, "uptime.pdf");
    ok(await wl(["report", "uptime", "--rpc", node.url, "--deployment", deployment, "--db", db, "--format", "pdf", "--out", pdf]), "report uptime --format pdf");
    expect(fs.readFileSync(pdf).subarray(0, 5).toString()).to.equal("%PDF-");
    const proofFile = path.join(consumer, "proof.json");
    ok(await wl(["prove", "--network", "1", "--epoch", "0", "--node", "gpu-us-east-000", "--rpc", node.url, "--deployment", deployment, "--bundles", path.join(demoDir, "bundles"), "--out", proofFile]), "prove");
    const checked = ok(await wl(["check-proof", proofFile, "--rpc", node.url, "--deployment", deployment, "--json"]), "check-proof");
    expect(JSON.parse(checked.stdout).ok, checked.stdout).to.equal(true);
  });

  it("serve runs from the lean install: the dashboard and its assets, a record with its proof, and check-proof of that URL", async function () {
    if (!node) throw new Error("no hardhat node: it failed to start (see the verify test above)");
    const deployment = path.join(demoDir, "deployment.json");
    const db = path.join(consumer, "index.sqlite");
    expect(fs.existsSync(db), "the sync test above wrote the index").to.equal(true);
    // the installed bin itself (not through npx, so SIGINT reaches it and its exit code is its own)
    const bin = path.join(consumer, "node_modules", "workledger", "bin", "workledger.js");
    const child = spawn(process.execPath, [bin, "serve", "--db", db, "--rpc", node.url, "--deployment", deployment, "--port", "0", "--public-rpc", node.url], { cwd: consumer, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (m) {
            clearInterval(poll);
            resolve(m[1]);
          } else if (Date.now() - started > 60_000 || child.exitCode !== null) {
            clearInterval(poll);
            reject(new Error(`serve printed no URL: ${stdout} ${stderr}`));
          }
        }, 100);
      });
      const page = await fetch(`${url}/`);
      expect(page.status).to.equal(200);
      expect(page.headers.get("content-type")).to.match(/^text\/html/);
      const html = await page.text();
      for (const asset of ["app.js", "style.css", "ethers.umd.min.js"]) {
        expect(html, `the page loads ${asset}`).to.include(`assets/${asset}`);
        const a = await fetch(`${url}/assets/${asset}`);
        expect(a.status, asset).to.equal(200);
        expect((await a.text()).length, asset).to.be.greaterThan(100);
      }
      const recordUrl = `${url}/v1/networks/1/epochs/0/records/gpu-us-east-000`;
      const rec = (await (await fetch(recordUrl)).json()) as { kind: string; proof: string[] };
      expect(rec.kind).to.equal("workledger-record-proof");
      const checked = ok(await run("npx", ["--no", "--", "workledger", "check-proof", recordUrl, "--rpc", node.url, "--deployment", deployment, "--json"], consumer, 120_000), "check-proof URL");
      expect(JSON.parse(checked.stdout).ok, checked.stdout).to.equal(true);
      // the SDK's startServer with every epoch loaded on its worker thread (the compiled dist/ worker) answers the same
      const script = `const { startServer } = require("workledger");
        startServer({ db: ${JSON.stringify(db)}, provider: ${JSON.stringify(node.url)}, port: 0, offThreadRecords: 0, warm: false }).then(async (s) => {
          const r = await fetch(s.url + "/v1/networks/1/epochs/0/records/gpu-us-east-000");
          process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() }));
          await s.close();
        }, (e) => { console.error(e); process.exit(1); });`;
      const offThread = JSON.parse(ok(await run(process.execPath, ["-e", script], consumer, 120_000), "startServer with offThreadRecords 0").stdout);
      expect(offThread).to.deep.equal({ status: 200, body: rec });
    } finally {
      if (child.exitCode === null) child.kill("SIGINT");
    }
    expect(await exited, stderr).to.equal(0);
  });
});
