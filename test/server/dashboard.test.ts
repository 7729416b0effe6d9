/**
 * The live dashboard of `workledger serve` in Chromium (playwright-core driving /usr/bin/chromium):
 * a real server (startServer on 127.0.0.1, port 0) over a store synced from the report scenario,
 * and a real JSON-RPC endpoint of the same chain for the browser (`--public-rpc`: Hardhat's
 * JsonRpcServer over the in-process network). The page checks proofs against the chain itself, so
 * a proof tampered in flight must come out NOT verified.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { ethers, network } from "hardhat";
import { Interface, keccak256, toUtf8Bytes } from "ethers";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";

import { IWorkLedger__factory } from "../../typechain-types";
import { openStore } from "../../src/reader";
import type { SqlStore } from "../../src/reader/sqlStore";
import { syncChain } from "../../src/reader/sync";
import { recordLeafHash } from "../../src/records";
import { buildEpoch } from "../../src/writer";
import { bundleProof } from "../../src/writer/bundle";
import { buildReport } from "../../src/report/build";
import { reportInputFromStore } from "../../src/report/fromStore";
import type { Chart } from "../../src/report/render/charts";
import { revenueUtilizationChart } from "../../src/report/render/charts";
import { renderHtml } from "../../src/report/render/html";
import { renderMarkdown } from "../../src/report/render/markdown";
import { renderPdf } from "../../src/report/render/pdf";
import type { EconomicsReport } from "../../src/report/types";
import { startServer } from "../../src/server";
import type { RunningServer } from "../../src/server";
import { startEmbeddedRpc } from "../../src/testing";
import type { EmbeddedRpc } from "../../src/testing";
import { EPOCHS, Scenario } from "../helpers/reportScenario";
import { serverFixture } from "../helpers/serverFixture";
import type { ServerFixture } from "../helpers/serverFixture";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.join(os.tmpdir(), "workledger-dashboard");

interface Fixture {
  s: Scenario;
  sfx: ServerFixture;
  store: SqlStore;
  rpc: EmbeddedRpc;
  server: RunningServer;
  browser: Browser;
}

/**
 * Opens the dashboard and waits until its first load is drawn; collects console errors, failed
 * requests, and any request that leaves the server and the public RPC (the page loads nothing else).
 */
async function openDashboard(browser: Browser, url: string, viewport = { width: 1280, height: 900 }, rpcUrl?: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const origin = new URL(url).origin; // `url` may carry the page's query (the reader's pins)
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(origin + "/") && !(rpcUrl && u.startsWith(rpcUrl)) && !u.startsWith("data:")) errors.push(`request outside the server and the RPC: ${u}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  await page.goto(url);
  await page.waitForSelector("body[data-loaded]", { timeout: 30_000 });
  await page.waitForSelector("#chart-list figure svg", { timeout: 30_000 });
  return { page, errors };
}

async function lookup(page: Page, node: string, epoch: number): Promise<{ verdict: string; text: string }> {
  await page.selectOption("#lookup-network", "1");
  await page.fill("#lookup-node", node);
  await page.fill("#lookup-epoch", String(epoch));
  await page.click("#lookup-go");
  const v = await page.waitForSelector("#lookup-result [data-verdict]", { timeout: 30_000 });
  return { verdict: (await v.getAttribute("data-verdict")) ?? "", text: (await page.textContent("#lookup-result")) ?? "" };
}

describe("workledger serve: the live dashboard in Chromium", function () {
  this.timeout(240_000);
  let fx: Fixture | undefined;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`    skipped: ${CHROMIUM} is not installed (apt-get install -y chromium; CI installs it)`);
      this.skip();
    }
    const sfx = await serverFixture();
    const s = sfx.s;
    // the index stays open here: the refresh test syncs new blocks into it while the server reads it
    const store = await openStore(sfx.dbFile);
    const rpc = await startEmbeddedRpc({ port: 0, provider: network.provider });
    const server = await startServer({ db: store, bundles: sfx.bundlesDir, provider: ethers.provider, publicRpc: rpc.url, labels: sfx.labels, port: 0, rateLimit: 0 });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
    fs.mkdirSync(SHOTS, { recursive: true });
    fx = { s, sfx, store, rpc, server, browser };
  });

  after(async function () {
    if (!fx) return;
    await fx.browser.close();
    await fx.server.close();
    await fx.rpc.close();
    await fx.store.close();
    fx.sfx.cleanup();
  });

  it("loads with no console error and shows the scenario's epochs with their statuses, versions and incidents", async function () {
    const { page, errors } = await openDashboard(fx!.browser, fx!.server.url, undefined, fx!.rpc.url);
    try {
      await page.screenshot({ path: path.join(SHOTS, "dashboard-loaded.png"), fullPage: true });
      const rows = await page.$$eval("#network-list tr[data-epoch]", (trs) => trs.map((tr) => ({ epoch: Number(tr.getAttribute("data-epoch")), status: tr.getAttribute("data-status"), text: tr.textContent ?? "" })));
      expect(rows.map((r) => r.epoch).sort((a, b) => a - b)).to.deep.equal([...Array(EPOCHS).keys()]);
      const byEpoch = new Map(rows.map((r) => [r.epoch, r]));
      // The scenario: epochs 0..4 final (2 voided then corrected as v2; 4 corrected as v2), 5 pending.
      for (let e = 0; e < EPOCHS - 1; e++) expect(byEpoch.get(e)!.status, `epoch ${e}`).to.equal("final");
      expect(byEpoch.get(EPOCHS - 1)!.status).to.equal("pending");
      expect(byEpoch.get(2)!.text).to.contain("v2 (corrected)");
      expect(byEpoch.get(4)!.text).to.contain("v2 (corrected)");
      expect(byEpoch.get(1)!.text).to.match(/v1(?! \()/);
      expect(byEpoch.get(EPOCHS - 1)!.text).to.match(/final at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC unless challenged/);
      // the network by its label, and the incidents: both corrections
      expect(await page.textContent("#network-list h3")).to.equal("Scenario GPU (network 1)");
      // the incidents: the upheld challenge that voided epoch 2 v1, its correction, the rejected challenge of epoch 3, the correction of epoch 4
      const incidents = await page.$$eval("#incident-list li", (lis) => lis.map((li) => ({ epoch: Number(li.getAttribute("data-epoch")), kind: li.getAttribute("data-kind"), state: li.getAttribute("data-state"), text: li.textContent ?? "" })));
      const seen = incidents.map((i) => `${i.epoch}:${i.kind}:${i.state}`).sort();
      expect(seen).to.deep.equal(["2:challenge:upheld", "2:correction:corrected", "3:challenge:rejected", "4:correction:corrected"]);
      const text = (e: number, kind: string) => incidents.find((i) => i.epoch === e && i.kind === kind)!.text;
      expect(text(2, "correction")).to.contain("Epoch 2 corrected: version 2 stands and is final");
      expect(text(2, "challenge")).to.match(/Epoch 2 v1 challenge upheld: the version was voided.*bond 1\.000000 mUSD/);
      expect(text(3, "challenge")).to.contain("the bond is forfeited");
      // the header names the chain and the index position
      expect(await page.textContent("#chain-id")).to.equal(String((await ethers.provider.getNetwork()).chainId));
      const indexed = await page.textContent("#indexed-block");
      expect(indexed).to.equal((await fx!.store.checkpoint())!.blockNumber.toLocaleString("en-US"));
      expect(errors).to.deep.equal([]);
    } finally {
      await page.close();
    }
  });

  it("draws the revenue-per-active-node and utilization chart, and the report's charts, as SVG with marks", async function () {
    const { page, errors } = await openDashboard(fx!.browser, fx!.server.url, undefined, fx!.rpc.url);
    try {
      const figs = await page.$$eval("#chart-list figure", (fs) =>
        fs.map((f) => ({ id: f.getAttribute("data-chart"), marks: Number(f.getAttribute("data-marks")), rects: f.querySelectorAll("svg rect[data-series], svg rect[data-uptime]").length, lines: f.querySelectorAll("svg polyline").length, title: f.querySelector("figcaption")?.textContent ?? "" })),
      );
      const trend = figs.find((f) => f.id === "revenue-per-node-utilization");
      expect(trend, JSON.stringify(figs)).to.not.equal(undefined);
      // one bar per epoch and one utilization point per epoch with a value (the scenario declares capacity)
      const bars = await page.$$eval('#chart-list figure[data-chart="revenue-per-node-utilization"] rect[data-series="revenuePerActiveNode"]', (rs) => rs.map((r) => ({ epoch: Number(r.getAttribute("data-epoch")), status: r.getAttribute("data-status"), h: Number(r.getAttribute("height")) })));
      expect(bars.map((b) => b.epoch)).to.deep.equal([...Array(EPOCHS).keys()]);
      expect(bars.every((b) => b.h > 0)).to.equal(true);
      const points = await page.$$eval('#chart-list figure[data-chart="revenue-per-node-utilization"] rect[data-series="utilizationBps"]', (rs) => rs.length);
      expect(points).to.equal(EPOCHS);
      expect(trend!.marks).to.equal(bars.length + points);
      expect(trend!.lines).to.be.greaterThan(4); // grid lines and the utilization polyline
      expect(figs.map((f) => f.id)).to.include.members(["revenue-per-epoch", "uptime-heatmap"]);
      for (const f of figs) expect(f.marks, f.id!).to.be.greaterThan(0);
      expect(errors).to.deep.equal([]);
    } finally {
      await page.close();
    }
  });

  it("draws the charts from the same layouts as the economics report's HTML and PDF", async function () {
    const d = { ledger: await fx!.s.wl.getAddress(), revenueLedger: await fx!.s.rl.getAddress(), fromBlock: fx!.s.deployBlock };
    const input = await reportInputFromStore(fx!.store, ethers.provider, { ...d, toBlock: (await fx!.store.checkpoint())!.blockNumber });
    const report = buildReport("economics", input, { networkId: fx!.s.networkId, labels: fx!.sfx.labels }) as EconomicsReport;
    const trend = revenueUtilizationChart(report, fx!.s.networkId)!;
    const res = await fetch(`${fx!.server.url}/v1/charts?network=${fx!.s.networkId}`);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { charts: Chart[]; token: { symbol: string; decimals: number } };
    expect(body.token).to.include({ symbol: "mUSD", decimals: 6 });
    expect(body.charts.find((c) => c.id === trend.id)).to.deep.equal(JSON.parse(JSON.stringify(trend)));
    // one bar per epoch coloured by its status, one utilization point per epoch with a value
    expect(trend.marks).to.equal(report.lines.length + report.lines.filter((l) => l.utilizationBps !== null).length);
    const html = await renderHtml(report);
    expect(html).to.contain(`<figure id="${trend.id}" class="chart" data-marks="${trend.marks}"><figcaption>${trend.title}</figcaption>`);
    // the PDF draws it too: its title and axis captions are on the epochs page (poppler's pdftotext, as the report tests use)
    const pdfFile = path.join(fx!.sfx.dir, "economics.pdf");
    fs.writeFileSync(pdfFile, await renderPdf(report));
    const pdfText = execFileSync("pdftotext", ["-layout", pdfFile, "-"], { encoding: "utf8" });
    expect(pdfText).to.contain(trend.title);
    expect(pdfText).to.contain("utilization (right axis)");
    expect(renderMarkdown(report)).to.contain(`_Chart (in the HTML and PDF): ${trend.title}._`);
  });

  it("GET /v1/dashboard/config and /v1/charts: their answers, and errors in the API's shape", async function () {
    const get = async (url: string, base = fx!.server.url) => {
      const res = await fetch(base + url);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await get("/v1/dashboard/config")).to.deep.equal({
      status: 200,
      body: { chainId: fx!.sfx.chainId, workLedger: fx!.sfx.workLedger, revenueLedger: fx!.sfx.revenueLedger, fromBlock: fx!.s.deployBlock, publicRpc: fx!.rpc.url },
    });
    const bad: [string, number, string, string | null][] = [
      ["/v1/charts", 400, "missing_parameter", "network"],
      ["/v1/charts?network=x", 400, "bad_parameter", "network"],
      ["/v1/charts?network=0", 400, "out_of_range", "network"],
      ["/v1/charts?network=1&kind=pie", 400, "unknown_parameter", "kind"],
      ["/v1/charts?network=7", 404, "unknown_network", "network"],
      ["/v1/dashboard/config?x=1", 400, "unknown_parameter", "x"],
    ];
    for (const [url, status, code, param] of bad) {
      const r = await get(url);
      expect(r.status, url).to.equal(status);
      expect((r.body.error as { code: string }).code, url).to.equal(code);
      expect((r.body.error as { param: string | null }).param, url).to.equal(param);
    }
    // without a chain (no --rpc) the charts cannot be built: 503, and the page is told there is no public RPC
    const bare = await startServer({ db: fx!.store, port: 0, rateLimit: 0 });
    try {
      const r = await get("/v1/charts?network=1", bare.url);
      expect(r.status).to.equal(503);
      expect(r.body.error).to.deep.include({ code: "chain_unavailable", param: null });
      expect((await get("/v1/dashboard/config", bare.url)).body.publicRpc).to.equal(null);
    } finally {
      await bare.close();
    }
    // both are in the OpenAPI document
    const paths = Object.keys((await get("/openapi.json")).body.paths as object);
    expect(paths).to.include.members(["/v1/charts", "/v1/dashboard/config"]);
  });

  it("looks up a record by node name and says it is verified against the chain (leaf computed in the browser as the SDK does)", async function () {
    const { page, errors } = await openDashboard(fx!.browser, fx!.server.url, undefined, fx!.rpc.url);
    try {
      // the page's ABI fragments are WorkLedger's compiled ones
      const abi = await page.evaluate(() => (window as unknown as { WorkLedgerDashboard: { abi: string[] } }).WorkLedgerDashboard.abi);
      const mine = new Interface(abi);
      const compiled = IWorkLedger__factory.createInterface();
      for (const f of ["latestEpoch", "recordStatus"]) {
        expect(mine.getFunction(f)!.selector, f).to.equal(compiled.getFunction(f as "latestEpoch").selector);
        expect(mine.getFunction(f)!.outputs.map((o) => o.format()), f).to.deep.equal(compiled.getFunction(f as "latestEpoch").outputs.map((o) => o.format()));
      }
      // the leaf hash of the page equals the SDK's recordLeafHash
      const rec = fx!.s.recordsByKey.get("1:1:1")![1];
      const pageLeaf = await page.evaluate((r) => (window as unknown as { WorkLedgerDashboard: { leafHash(r: unknown): string } }).WorkLedgerDashboard.leafHash(r), { ...rec, epoch: rec.epoch.toString(), workUnits: rec.workUnits.toString(), revenue: rec.revenue.toString() });
      expect(pageLeaf).to.equal(recordLeafHash(rec));

      // by name (from the labels), a final epoch
      const byName = await lookup(page, "gpu-eu-west-01", 1);
      expect(byName.verdict, byName.text).to.equal("ok");
      expect(byName.text).to.contain("Verified against chain");
      expect(byName.text).to.contain("final");
      // work units and revenue as a person reads them (thousands separators, the token's 6 decimals)
      expect(byName.text).to.match(/Revenue\s*[\d,]+\.\d{6} /);
      // by the node id string (keccak256 of it), the corrected epoch 2 (v2)
      const corrected = await lookup(page, "scenario-node-3", 2);
      expect(corrected.verdict, corrected.text).to.equal("ok");
      expect(corrected.text).to.contain("latest version (v2)");
      await page.screenshot({ path: path.join(SHOTS, "dashboard-1280.png"), fullPage: true });
      expect(errors).to.deep.equal([]);
    } finally {
      await page.close();
    }
  });

  for (const tamper of ["a proof element", "the record's workUnits", "the record (another epoch's genuine one)"] as const) {
    it(`says NOT verified when ${tamper} is changed in the API's answer`, async function () {
      const { page, errors } = await openDashboard(fx!.browser, fx!.server.url, undefined, fx!.rpc.url);
      try {
        await page.route("**/v1/networks/*/epochs/*/records/*", async (route) => {
          if (tamper === "the record (another epoch's genuine one)") {
            // a valid proof file of epoch 1 (final, on chain) answered for epoch 3
            const res = await route.fetch({ url: route.request().url().replace("/epochs/3/", "/epochs/1/") });
            return route.fulfill({ response: res });
          }
          const res = await route.fetch();
          const j = (await res.json()) as { proof: string[]; record: { workUnits: string } };
          if (tamper === "a proof element") j.proof[0] = keccak256(toUtf8Bytes("not a sibling"));
          else j.record.workUnits = (BigInt(j.record.workUnits) + 1n).toString();
          await route.fulfill({ response: res, json: j });
        });
        const r = await lookup(page, keccak256(toUtf8Bytes("scenario-node-2")), 3);
        expect(r.verdict, r.text).to.equal("bad");
        expect(r.text).to.contain("NOT verified");
        if (tamper === "the record (another epoch's genuine one)") expect(r.text).to.match(/the server answered with the record of network 1, epoch 1, node 0x[0-9a-f]{6}…[0-9a-f]{4}, not the one asked for \(network 1, epoch 3/);
        else expect(r.text).to.contain("does not lead from this record to the root the chain holds");
        if (tamper === "a proof element") await page.screenshot({ path: path.join(SHOTS, "dashboard-tampered.png"), fullPage: true });
        expect(errors).to.deep.equal([]);
      } finally {
        await page.close();
      }
    });
  }

  it("takes the reader's own pins from the page URL: ?ledger= (a record under another ledger is NOT verified) and ?rpc= (the chain it reads)", async function () {
    const ledger = fx!.sfx.workLedger;
    // pinned to the deployment's ledger and RPC: verified, and the checks say both came from the reader
    const pinned = await openDashboard(fx!.browser, `${fx!.server.url}/?ledger=${ledger}&rpc=${encodeURIComponent(fx!.rpc.url)}`, undefined, fx!.rpc.url);
    try {
      const r = await lookup(pinned.page, "scenario-node-1", 1);
      expect(r.verdict, r.text).to.equal("ok");
      expect(r.text).to.contain("the ledger is the one you pinned in the page URL");
      expect(r.text).to.contain(`the chain is read through the RPC you pinned in the page URL (${fx!.rpc.url})`);
      expect(pinned.errors).to.deep.equal([]);
    } finally {
      await pinned.page.close();
    }
    // pinned to another ledger address: the server's genuine answer names a ledger the reader did not publish
    const other = "0x" + "12".repeat(20);
    const wrong = await openDashboard(fx!.browser, `${fx!.server.url}/?ledger=${other}`, undefined, fx!.rpc.url);
    try {
      const r = await lookup(wrong.page, "scenario-node-1", 1);
      expect(r.verdict, r.text).to.equal("bad");
      expect(r.text).to.contain(`not the ledger you pinned (${other})`);
      expect(wrong.errors).to.deep.equal([]);
    } finally {
      await wrong.page.close();
    }
    // unpinned: verified, and the checks say that the ledger and the RPC are the ones the server names
    const plain = await openDashboard(fx!.browser, fx!.server.url, undefined, fx!.rpc.url);
    try {
      const r = await lookup(plain.page, "scenario-node-1", 1);
      expect(r.verdict, r.text).to.equal("ok");
      expect(r.text).to.contain("is the one this server names: compare it with the network's published deployment");
      expect(r.text).to.contain("the public RPC this server names (pin your own node with ?rpc=URL");
    } finally {
      await plain.page.close();
    }
  });

  it("says NOT verified for a genuine proof of a superseded version (epoch 2 v1, voided and corrected), and names an unknown node", async function () {
    const { page, errors } = await openDashboard(fx!.browser, fx!.server.url, undefined, fx!.rpc.url);
    try {
      // the server answers with version 1's record and proof (a valid Merkle proof against v1's root)
      const v1 = await buildEpoch(fx!.s.recordsByKey.get("1:2:1")!, { epoch: 2, networkId: 1 });
      const node = keccak256(toUtf8Bytes("scenario-node-0"));
      const old = bundleProof(v1.bundle, node);
      await page.route("**/v1/networks/1/epochs/2/records/*", async (route) => {
        const res = await route.fetch();
        const j = (await res.json()) as Record<string, unknown>;
        const r = old.record;
        await route.fulfill({ response: res, json: { ...j, version: 1, root: old.root, proof: old.proof, record: { nodeId: r.nodeId, epoch: Number(r.epoch), workUnits: r.workUnits.toString(), uptimeBps: r.uptimeBps, revenue: r.revenue.toString(), evidence: r.evidence } } });
      });
      const r = await lookup(page, node, 2);
      expect(r.verdict, r.text).to.equal("bad");
      expect(r.text).to.contain("the proof is for version 1, the chain's latest version is 2");
      // genuine (it folds to the root the server sent), yet not what the chain holds now
      expect(await page.getAttribute('#lookup-result .checks li:has-text("folds to the root the server sent")', "class")).to.equal("pass");
      expect(errors).to.deep.equal([]);
      const missing = await lookup(page, "no-such-node", 1);
      expect(missing.verdict).to.equal("notfound");
      expect(missing.text).to.match(/The API says: node 0x[0-9a-f]{64} has no record in epoch 1/);
      expect(errors).to.deep.equal(["Failed to load resource: the server responded with a status of 404 (Not Found)"]);
    } finally {
      await page.close();
    }
  });

  it("says the chain check is unavailable when the server has no public RPC", async function () {
    const bare = await startServer({ db: fx!.store, provider: ethers.provider, port: 0, rateLimit: 0 });
    try {
      const { page, errors } = await openDashboard(fx!.browser, bare.url);
      try {
        const r = await lookup(page, "scenario-node-0", 0);
        expect(r.verdict, r.text).to.equal("unknown");
        expect(r.text).to.contain("the chain check is unavailable");
        expect(r.text).to.not.contain("Verified against chain");
        expect(errors).to.deep.equal([]);
      } finally {
        await page.close();
      }
    } finally {
      await bare.close();
    }
  });

  it("follows the chain as blocks are indexed: a new challenge shows as challenged (still verified, with a caution), the arbiter's ruling as voided (NOT verified)", async function () {
    const { page, errors } = await openDashboard(fx!.browser, fx!.server.url, undefined, fx!.rpc.url);
    const { s, store } = fx!;
    const sync = async () => {
      await syncChain({ provider: ethers.provider, store, addresses: { workLedger: await s.wl.getAddress(), revenueLedger: await s.rl.getAddress() }, fromBlock: s.deployBlock });
      return (await store.checkpoint())!.blockNumber;
    };
    const reloadedAt = (n: number) => page.waitForFunction((b) => document.body.getAttribute("data-loaded") === String(b), n, { timeout: 20_000 });
    const row = (e: number) => page.getAttribute(`#network-list tr[data-epoch="${e}"]`, "data-status");
    try {
      const last = EPOCHS - 1;
      expect(await row(last)).to.equal("pending");
      const pending = await lookup(page, "scenario-node-4", last);
      expect(pending.verdict, pending.text).to.equal("ok");
      expect(pending.text).to.match(/pending on chain: final at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC unless challenged/);

      // the admin challenges the pending epoch (posting the bond)
      const [admin, , , , , , , , , arbiter] = await ethers.getSigners();
      await s.token.mint(admin.address, 1_000_000n);
      await s.token.connect(admin).approve(await s.rl.getAddress(), 1_000_000n);
      await s.wl.connect(admin).challengeEpoch(s.networkId, last, keccak256(toUtf8Bytes("dashboard test")));
      let at = await sync();
      await reloadedAt(at);
      expect(await page.textContent("#indexed-block")).to.equal(at.toLocaleString("en-US"));
      expect(await row(last)).to.equal("challenged");
      expect(await page.textContent(`#network-list tr[data-epoch="${last}"]`)).to.contain("waits for the arbiter's ruling");
      const open = await page.textContent(`#incident-list li[data-epoch="${last}"][data-state="open"]`);
      expect(open).to.match(/challenged: the arbiter has not ruled yet.*ruling due by \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
      const challenged = await lookup(page, "scenario-node-4", last);
      expect(challenged.verdict, challenged.text).to.equal("ok");
      expect(challenged.text).to.contain("challenged on chain: the epoch is challenged, and the arbiter may still void it");

      // the arbiter upholds it: the epoch is voided, and its proof no longer counts
      await s.wl.connect(arbiter).resolveChallenge(s.networkId, last, true);
      at = await sync();
      await reloadedAt(at);
      expect(await row(last)).to.equal("voided");
      expect(await page.textContent(`#incident-list li[data-epoch="${last}"][data-kind="voided"]`)).to.contain(`Epoch ${last} is voided and awaits a correction`);
      const voided = await lookup(page, "scenario-node-4", last);
      expect(voided.verdict, voided.text).to.equal("bad");
      expect(voided.text).to.contain("the epoch's latest version is voided on chain");
      await page.screenshot({ path: path.join(SHOTS, "dashboard-voided.png"), fullPage: true });
      expect(errors).to.deep.equal([]);
    } finally {
      await page.close();
    }
  });

  it("fits a narrow screen (no sideways scrolling of the page)", async function () {
    const { page, errors } = await openDashboard(fx!.browser, fx!.server.url, { width: 390, height: 844 }, fx!.rpc.url);
    try {
      const r = await lookup(page, "gpu-eu-west-01", 1);
      expect(r.verdict).to.equal("ok");
      const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
      expect(widths.doc).to.be.at.most(widths.view);
      await page.screenshot({ path: path.join(SHOTS, "dashboard-narrow.png"), fullPage: true });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(SHOTS, "dashboard-narrow-top.png") });
      expect(errors).to.deep.equal([]);
    } finally {
      await page.close();
    }
  });
});
