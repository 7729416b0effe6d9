/**
 * The read-only HTTP API of `workledger serve` (src/server), through `app.inject()` (no port), over
 * the report scenario synced into SQLite (test/helpers/serverFixture.ts): each endpoint's content
 * against the chain and the store, proofs that verify against the chain, pagination without loss or
 * duplicates, the OpenAPI document, the error shape of 51 bad requests, the rate limit, read-only
 * methods and an untouched database file.
 */
import { expect } from "chai";
import { createHash } from "crypto";
import fs from "fs";
import path from "path";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, toUtf8Bytes } from "ethers";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";

import { openStore } from "../../src/reader";
import { buildReport } from "../../src/report/build";
import { reportInputFromStore } from "../../src/report/fromStore";
import { buildServer } from "../../src/server";
import { bundleFileName } from "../../src/writer/publish";
import { finalizedCount, listEpochs, readNetwork, readTrust, readVerifierStatus } from "../../src/writer";
import { verifyProofFile } from "../../src/verifier/proofFile";
import { EPOCHS, NODE_COUNT } from "../helpers/reportScenario";
import { ServerFixture, serverFixture } from "../helpers/serverFixture";

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

interface ErrorBody {
  error: { code: string; message: string; param: string | null };
}

describe("workledger serve: the HTTP API", function () {
  this.timeout(300_000);
  let fx: ServerFixture;
  let app: FastifyInstance;
  let dbHashBefore: string;
  const get = (url: string, a: FastifyInstance = app) => a.inject({ method: "GET", url });
  const json = async <T = Record<string, unknown>>(url: string, a: FastifyInstance = app): Promise<T> => {
    const r = await get(url, a);
    expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).to.equal(200);
    return r.json<T>();
  };

  before(async function () {
    fx = await loadFixture(serverFixture);
    dbHashBefore = sha256(fx.dbFile);
    app = await buildServer({ db: fx.dbFile, provider: ethers.provider, labels: fx.labels, rateLimit: 0 });
  });

  after(async function () {
    await app?.close();
    fx?.cleanup();
  });

  it("GET /healthz: the indexed block and hash, the chain head and the lag; 503 past ?maxLagBlocks", async function () {
    const h = await json("/healthz");
    const cp = (await ethers.provider.getBlock(fx.indexedBlock))!;
    const head = await ethers.provider.getBlockNumber();
    expect(h).to.deep.include({ ok: true, chainId: fx.chainId, ledger: fx.workLedger, indexedBlock: fx.indexedBlock, indexedBlockHash: cp.hash, headBlock: head, lagBlocks: head - fx.indexedBlock, chain: "ok", chainError: null });
    // the chain moves on; the index (never synced by the server) falls behind
    await mine(5);
    await new Promise((r) => setTimeout(r, 1100)); // the head is re-read at most once a second
    const behind = await json("/healthz?maxLagBlocks=100");
    expect(behind.lagBlocks).to.equal(head + 5 - fx.indexedBlock);
    const r = await get("/healthz?maxLagBlocks=2");
    expect(r.statusCode).to.equal(503);
    expect(r.json()).to.deep.include({ ok: false, lagBlocks: head + 5 - fx.indexedBlock });
    expect(r.json().error).to.deep.equal({ code: "lagging", message: `the index is ${head + 5 - fx.indexedBlock} blocks behind the chain head (maxLagBlocks 2)`, param: "maxLagBlocks" });
  });

  it("GET /healthz without a chain, or with one that is down: null head and lag, never a 500", async function () {
    const none = await buildServer({ db: fx.dbFile, rateLimit: 0 });
    const down = await buildServer({ db: fx.dbFile, provider: "http://127.0.0.1:9", rateLimit: 0 });
    try {
      const a = await json("/healthz?maxLagBlocks=0", none);
      expect(a).to.deep.include({ ok: true, indexedBlock: fx.indexedBlock, headBlock: null, lagBlocks: null, chain: "not_configured", chainError: null });
      const b = await json("/healthz?maxLagBlocks=0", down);
      expect(b).to.deep.include({ ok: true, indexedBlock: fx.indexedBlock, headBlock: null, lagBlocks: null, chain: "unreachable" });
      expect(b.chainError).to.match(/ECONNREFUSED|connect/);
      // reports need the chain: a 503 naming it, not a 500
      const rep = await get("/v1/reports/spend", none);
      expect(rep.statusCode).to.equal(503);
      expect(rep.json<ErrorBody>().error).to.deep.include({ code: "chain_unavailable", param: null });
      const t0 = Date.now();
      const repDown = await get("/v1/reports/spend", down);
      expect(repDown.statusCode, repDown.body).to.equal(503);
      expect(repDown.json<ErrorBody>().error.code).to.equal("chain_unavailable");
      expect(repDown.json<ErrorBody>().error.message).to.match(/^the chain did not answer: /);
      expect(Date.now() - t0).to.be.below(20_000);
      // proofs do not: the index and bundles suffice (the chain is the client's to ask)
      const proof = await json(`/v1/networks/1/epochs/0/records/${fx.s.nodes[0]}`, down);
      expect(proof.root).to.equal((await fx.s.wl.latestEpoch(1, 0)).root.toLowerCase());
    } finally {
      await none.close();
      await down.close();
    }
  });

  it("GET /v1/networks and /v1/networks/{id}: the network's terms, verifiers, counts and finality as on chain", async function () {
    const list = await json<{ networks: Record<string, unknown>[]; nextCursor: string | null }>("/v1/networks");
    expect(list.nextCursor).to.equal(null);
    expect(list.networks.map((n) => n.networkId)).to.deep.equal([1]);
    const n = await json("/v1/networks/1");
    const d = { workLedger: fx.workLedger, fromBlock: fx.s.deployBlock };
    const chain = await readNetwork(ethers.provider, d, 1n);
    const trust = await readTrust(ethers.provider, d, 1n);
    const vs = await readVerifierStatus(ethers.provider, d, 1n);
    expect(n).to.deep.include({
      networkId: 1,
      name: chain.name,
      label: "Scenario GPU",
      admin: chain.admin,
      token: chain.token,
      workUnit: chain.workUnit,
      genesisTime: Number(chain.genesisTime),
      epochSeconds: Number(chain.epochSeconds),
      challengeWindow: Number(chain.challengeWindow),
      capacityPerNode: chain.capacityPerNode.toString(),
      paused: chain.paused,
      threshold: chain.threshold,
      verifierCount: chain.verifierCount,
      verifierSetId: chain.verifierSetId,
      finalizedCount: Number(await finalizedCount(ethers.provider, d, 1n)),
    });
    expect(n.finalizedCount).to.equal(EPOCHS - 1);
    expect(n.trust).to.deep.equal({
      arbiter: trust.arbiter,
      bond: trust.bond.toString(),
      thawSeconds: Number(trust.thawSeconds),
      arbiterDeadline: Number(trust.arbiterDeadline),
      maxStatementEpochs: trust.maxStatementEpochs,
    });
    expect(n.verifiers).to.deep.equal(vs.verifiers);
    expect(n.counts).to.deep.equal({ epochs: EPOCHS, nodes: NODE_COUNT, activeNodes: NODE_COUNT });
    expect(n.epochsByStatus).to.deep.equal({ pending: 1, challenged: 0, final: EPOCHS - 1, voided: 0 });
    expect(n.challenges).to.deep.equal({ total: 2, open: 0 });
    const latest = n.latestEpoch as Record<string, unknown>;
    expect(latest).to.deep.include({ epoch: EPOCHS - 1, version: 1, status: "pending", root: (await fx.s.wl.latestEpoch(1, EPOCHS - 1)).root.toLowerCase() });
    // the list item is the same network (without the detail-only fields)
    expect(list.networks[0]).to.deep.equal(Object.fromEntries(Object.entries(n).filter(([k]) => !["trust", "verifiers", "verifierSets", "epochsByStatus", "challenges"].includes(k))));
  });

  it("GET /v1/networks/{id}/epochs: every epoch with the chain's latest version, root and status", async function () {
    const { epochs, nextCursor } = await json<{ epochs: Record<string, unknown>[]; nextCursor: string | null }>("/v1/networks/1/epochs?limit=500");
    expect(nextCursor).to.equal(null);
    const chain = await listEpochs(ethers.provider, { workLedger: fx.workLedger }, 1n);
    const latest = new Map<number, (typeof chain)[number]>();
    for (const v of chain) latest.set(Number(v.epoch), v);
    expect(epochs.map((e) => e.epoch)).to.deep.equal([...latest.keys()]);
    for (const e of epochs) {
      const c = latest.get(e.epoch as number)!;
      expect({ version: e.version, root: e.root, status: e.status }, `epoch ${e.epoch}`).to.deep.equal({ version: c.version, root: c.root.toLowerCase(), status: c.status });
      const recs = fx.s.recordsByKey.get(`1:${e.epoch}:${c.version}`)!;
      expect(e.recordCount).to.equal(recs.length);
      expect(e.totalRevenue).to.equal(recs.reduce((a, r) => a + r.revenue, 0n).toString());
    }
    // status filter and order
    const fin = await json<{ epochs: { epoch: number }[] }>("/v1/networks/1/epochs?status=final");
    expect(fin.epochs.map((e) => e.epoch)).to.deep.equal([0, 1, 2, 3, 4]);
    const pend = await json<{ epochs: { epoch: number }[] }>("/v1/networks/1/epochs?status=pending");
    expect(pend.epochs.map((e) => e.epoch)).to.deep.equal([5]);
    const voided = await json<{ epochs: { epoch: number }[] }>("/v1/networks/1/epochs?status=voided");
    expect(voided.epochs).to.deep.equal([]);
    const desc = await json<{ epochs: { epoch: number }[] }>("/v1/networks/1/epochs?order=desc&limit=3");
    expect(desc.epochs.map((e) => e.epoch)).to.deep.equal([5, 4, 3]);
  });

  it("pagination walks every page of epochs, nodes and challenges once, with no loss or duplicate", async function () {
    const walk = async (base: string, key: string, limit: number) => {
      const items: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const body: Record<string, unknown> = await json(`${base}${base.includes("?") ? "&" : "?"}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
        items.push(...(body[key] as unknown[]));
        cursor = body.nextCursor as string | null;
        expect(++pages).to.be.below(50);
      } while (cursor);
      return { items, pages };
    };
    for (const [base, key, total] of [
      ["/v1/networks/1/epochs", "epochs", EPOCHS],
      ["/v1/networks/1/epochs?order=desc", "epochs", EPOCHS],
      ["/v1/networks/1/epochs?status=final", "epochs", EPOCHS - 1],
      ["/v1/networks/1/nodes", "nodes", NODE_COUNT],
      ["/v1/networks/1/challenges", "challenges", 2],
      ["/v1/networks", "networks", 1],
    ] as const) {
      const all = (await json<Record<string, unknown[]>>(`${base}${base.includes("?") ? "&" : "?"}limit=500`))[key];
      expect(all.length, base).to.equal(total);
      for (const limit of [1, 2, 4]) {
        const { items, pages } = await walk(base, key, limit);
        expect(items, `${base} limit ${limit}`).to.deep.equal(all);
        expect(pages, `${base} limit ${limit}`).to.equal(Math.max(1, Math.ceil(total / limit)));
      }
    }
    // node ids come sorted, and are the scenario's nodes
    const { nodes } = await json<{ nodes: { nodeId: string; name: string; group: string; operator: string; active: boolean }[] }>("/v1/networks/1/nodes?limit=500");
    expect(nodes.map((n) => n.nodeId)).to.deep.equal([...fx.s.nodes].map((n) => n.toLowerCase()).sort());
    const n0 = nodes.find((n) => n.nodeId === fx.s.nodes[0].toLowerCase())!;
    expect(n0).to.deep.include({ name: "gpu-eu-west-00", group: "eu-west", active: true });
    for (const n of nodes) {
      const [operator, active] = await fx.s.wl.node(1, n.nodeId);
      expect({ operator: n.operator, active: n.active }).to.deep.equal({ operator, active });
    }
  });

  it("GET /v1/networks/{id}/epochs/{epoch}: every version with status and signers, status changes and the challenge", async function () {
    const e = await json<Record<string, unknown> & { versions: Record<string, unknown>[]; statusChanges: Record<string, unknown>[]; challenges: Record<string, unknown>[] }>("/v1/networks/1/epochs/2");
    const chain = (await listEpochs(ethers.provider, { workLedger: fx.workLedger }, 1n)).filter((v) => v.epoch === 2n);
    expect(e.versions.map((v) => ({ version: v.version, root: v.root }))).to.deep.equal(chain.map((v) => ({ version: v.version, root: v.root.toLowerCase() })));
    expect(e.versions.map((v) => v.status)).to.deep.equal(["voided", "final"]);
    expect(e.versions[0].supersededBy).to.equal(2);
    expect(e).to.deep.include({ networkId: 1, epoch: 2, version: 2, latestVersion: 2, status: "final" });
    // signers: the verifiers that signed, each a current verifier; the commit transaction is on chain
    const verifiers = (await readVerifierStatus(ethers.provider, { workLedger: fx.workLedger }, 1n)).verifiers;
    for (const v of e.versions) {
      expect((v.signers as string[]).length).to.be.at.least(2);
      for (const sgn of v.signers as string[]) expect(verifiers).to.include(sgn);
      const receipt = await ethers.provider.getTransactionReceipt(v.txHash as string);
      expect(receipt!.blockNumber).to.equal(v.blockNumber);
    }
    expect(e.statusChanges.map((c) => c.change)).to.include.members(["committed", "challenged", "resolved", "corrected"]);
    expect(e.challenges).to.have.length(1);
    const ch = e.challenges[0];
    expect(ch).to.deep.include({ epoch: 2, version: 1, state: "upheld", resolved: true, upheld: true, expired: false, reasonHash: keccak256(toUtf8Bytes("telemetry mismatch")), challenger: fx.s.admin });
    // the challenges list has the same challenge, and the rejected one of epoch 3
    const list = await json<{ challenges: Record<string, unknown>[] }>("/v1/networks/1/challenges");
    expect(list.challenges.map((c) => [c.epoch, c.state])).to.deep.equal([
      [2, "upheld"],
      [3, "rejected"],
    ]);
    expect(list.challenges[0]).to.deep.equal(ch);
    const rejected = await json<{ challenges: Record<string, unknown>[] }>("/v1/networks/1/challenges?state=rejected");
    expect(rejected.challenges.map((c) => c.epoch)).to.deep.equal([3]);
  });

  it("GET …/records/{nodeId}: a proof file of every node in every epoch that verifies against the chain, with the status", async function () {
    let checked = 0;
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      const version = fx.latestVersion.get(`1:${epoch}`)!;
      for (const rec of fx.s.recordsByKey.get(`1:${epoch}:${version}`)!) {
        const f = await json<Record<string, unknown> & { record: Record<string, unknown> }>(`/v1/networks/1/epochs/${epoch}/records/${rec.nodeId}`);
        expect(f).to.deep.include({ kind: "workledger-record-proof", chainId: fx.chainId, ledger: fx.workLedger, networkId: 1, epoch, version, status: epoch === EPOCHS - 1 ? "pending" : "final" });
        expect(f.record).to.deep.equal({ nodeId: rec.nodeId.toLowerCase(), epoch, workUnits: rec.workUnits.toString(), uptimeBps: rec.uptimeBps, revenue: rec.revenue.toString(), evidence: rec.evidence.toLowerCase() });
        const check = await verifyProofFile(f, { provider: ethers.provider });
        expect(check.problems).to.deep.equal([]);
        expect(check).to.deep.include({ ok: true, included: true, version, status: f.status });
        checked++;
      }
    }
    expect(checked).to.equal(EPOCHS * NODE_COUNT);
    // the CLI's nodeId rule: a text id is keccak256(utf8(text)); uppercase hex is the same node
    const byText = await json("/v1/networks/1/epochs/1/records/scenario-node-3");
    expect((byText.record as { nodeId: string }).nodeId).to.equal(keccak256(toUtf8Bytes("scenario-node-3")));
    const upper = await json(`/v1/networks/1/epochs/1/records/0x${fx.s.nodes[3].slice(2).toUpperCase()}`);
    expect(upper).to.deep.equal(byText);
    // caching: a final version's proof may be cached, a pending one not; any origin may read it
    const r0 = await get(`/v1/networks/1/epochs/0/records/${fx.s.nodes[0]}`);
    expect(r0.headers["cache-control"]).to.equal("public, max-age=300");
    expect(r0.headers["access-control-allow-origin"]).to.equal("*");
    expect((await get(`/v1/networks/1/epochs/5/records/${fx.s.nodes[0]}`)).headers["cache-control"]).to.equal("no-cache");
    // finalizesAt is the chain's
    const p5 = await json(`/v1/networks/1/epochs/5/records/${fx.s.nodes[0]}`);
    const v5 = await fx.s.wl.epochVersion(1, 5, 1);
    expect(p5.finalizesAt).to.equal(Number(v5.finalizesAt));
  });

  it("GET …?version=N: a superseded version's record and usage proofs from --bundles DIR, under that version's root; check-proof says it is not the latest", async function () {
    const files = await buildServer({ db: fx.dbFile, bundles: fx.bundlesDir, provider: ethers.provider, rateLimit: 0 });
    try {
      expect(fx.latestVersion.get("1:2"), "the scenario corrected epoch 2").to.equal(2);
      const v1 = await fx.s.wl.epochVersion(1, 2, 1);
      const node = fx.s.recordsByKey.get("1:2:1")![0];
      const r = await get(`/v1/networks/1/epochs/2/records/${node.nodeId}?version=1`, files);
      expect(r.statusCode, r.body).to.equal(200);
      const f = r.json<Record<string, unknown> & { record: Record<string, unknown>; proof: string[]; root: string }>();
      expect(f).to.deep.include({ networkId: 1, epoch: 2, version: 1, root: v1.root.toLowerCase(), status: "voided" });
      expect(f.record).to.deep.equal({ nodeId: node.nodeId.toLowerCase(), epoch: 2, workUnits: node.workUnits.toString(), uptimeBps: node.uptimeBps, revenue: node.revenue.toString(), evidence: node.evidence.toLowerCase() });
      const check = await verifyProofFile(f, { provider: ethers.provider });
      expect(check.ok).to.equal(false);
      expect(check.problems.join("; ")).to.include("the latest version is 2, the proof is for version 1");
      // the latest, named or not, is the same answer
      const latest = `/v1/networks/1/epochs/2/records/${fx.s.recordsByKey.get("1:2:2")![0].nodeId}`;
      expect((await get(`${latest}?version=2`, files)).body).to.equal((await get(latest, app)).body);
      // usage of the superseded version, under its usage root
      const leaf = fx.s.usageByKey.get("1:2:1")!.leaves[0];
      const u = await get(`/v1/networks/1/epochs/2/usage/${leaf.customer}?version=1`, files);
      expect(u.statusCode, u.body).to.equal(200);
      expect(u.json()).to.deep.include({ version: 1, usageRoot: v1.usageRoot.toLowerCase(), status: "voided" });
      // a bundles DIR without that version's file says which file it needs
      const none = await get(`/v1/networks/1/epochs/2/records/${node.nodeId}?version=1`);
      expect(none.json<ErrorBody>().error.message).to.include(bundleFileName(1, 2, 1));
    } finally {
      await files.close();
    }
  });

  it("GET …/usage/{customer}: a usage proof file that verifies against the chain, for every customer with usage", async function () {
    let checked = 0;
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      const version = fx.latestVersion.get(`1:${epoch}`)!;
      const usage = fx.s.usageByKey.get(`1:${epoch}:${version}`);
      for (const leaf of usage?.leaves ?? []) {
        const f = await json<Record<string, unknown> & { leaf: Record<string, unknown> }>(`/v1/networks/1/epochs/${epoch}/usage/${leaf.customer.toLowerCase()}`);
        expect(f).to.deep.include({ kind: "workledger-usage-proof", networkId: 1, epoch, version, usageRoot: usage!.root.toLowerCase(), status: epoch === EPOCHS - 1 ? "pending" : "final" });
        expect(f.leaf).to.deep.equal({ customer: leaf.customer, epoch, workUnits: leaf.workUnits.toString(), amount: leaf.amount.toString(), ref: leaf.ref.toLowerCase() });
        const check = await verifyProofFile(f, { provider: ethers.provider });
        expect(check.problems).to.deep.equal([]);
        expect(check.ok).to.equal(true);
        checked++;
      }
    }
    expect(checked).to.be.at.least(EPOCHS * 2);
  });

  it("GET /v1/networks/{id}/nodes/{nodeId}: registration history, claims and records of the latest versions", async function () {
    const node = fx.s.nodes[2];
    const d = await json<Record<string, unknown> & { history: Record<string, unknown>[]; claims: Record<string, unknown>[]; records: Record<string, unknown>[] }>(`/v1/networks/1/nodes/${node}`);
    expect(d).to.deep.include({ networkId: 1, nodeId: node.toLowerCase(), name: "gpu-us-east-02", group: "us-east", active: true });
    expect(d.history.map((h) => h.status)).to.deep.equal(["registered"]);
    expect(d.records.map((r) => r.epoch)).to.deep.equal([5, 4, 3, 2, 1, 0]);
    for (const r of d.records) {
      const rec = fx.s.recordsByKey.get(`1:${r.epoch}:${r.version}`)!.find((x) => x.nodeId.toLowerCase() === node.toLowerCase())!;
      expect(r).to.deep.equal({ epoch: r.epoch, version: fx.latestVersion.get(`1:${r.epoch}`), workUnits: rec.workUnits.toString(), uptimeBps: rec.uptimeBps, revenue: rec.revenue.toString(), evidence: rec.evidence.toLowerCase() });
    }
    // claims: the cumulative claimed matches the chain's
    const claimed = d.claims.length ? BigInt(d.claims[d.claims.length - 1].cumulativeClaimed as string) : 0n;
    expect(claimed).to.equal(await fx.s.rl.claimed(1, node));
  });

  for (const offThreadRecords of [undefined, 0]) {
    it(`serves the same proofs from --bundles DIR files, and refuses a bundle that does not match the index (500, never served)${offThreadRecords === 0 ? ", every bundle loaded on the worker thread" : ""}`, async function () {
      const fromFiles = await buildServer({ db: fx.dbFile, bundles: fx.bundlesDir, provider: ethers.provider, rateLimit: 0, offThreadRecords });
      const bad = path.join(fx.dir, "bad-bundles");
      fs.mkdirSync(bad, { recursive: true });
      // epoch 1's bundle under epoch 0's name: a valid bundle, of the wrong root
      fs.copyFileSync(path.join(fx.bundlesDir, bundleFileName(1, 1, 1)), path.join(bad, bundleFileName(1, 0, 1)));
      const wrong = await buildServer({ db: fx.dbFile, bundles: bad, provider: ethers.provider, rateLimit: 0, offThreadRecords });
      try {
        for (let epoch = 0; epoch < EPOCHS; epoch++) {
          const u = `/v1/networks/1/epochs/${epoch}/records/${fx.s.nodes[1]}`;
          expect((await get(u, fromFiles)).body).to.equal((await get(u, app)).body);
          const usage = `/v1/networks/1/epochs/${epoch}/usage/${fx.s.customers.alice.address}`;
          expect((await get(usage, fromFiles)).body).to.equal((await get(usage, app)).body);
        }
        const r = await get(`/v1/networks/1/epochs/0/records/${fx.s.nodes[1]}`, wrong);
        expect(r.statusCode).to.equal(500);
        expect(r.json<ErrorBody>().error.code).to.equal("bundle_mismatch");
        expect(r.json<ErrorBody>().error.message).to.match(/has root 0x[0-9a-f]{64} but the index has 0x[0-9a-f]{64}/);
        // an epoch with no file in DIR falls back to the index's imported records
        const fallback = `/v1/networks/1/epochs/3/records/${fx.s.nodes[1]}`;
        expect((await get(fallback, wrong)).body).to.equal((await get(fallback, app)).body);
      } finally {
        await fromFiles.close();
        await wrong.close();
      }
    });
  }

  it("GET /v1/reports/{kind}: the report of `workledger report` from the index, per format, with content type and disposition", async function () {
    const store = await openStore(fx.dbFile);
    try {
      const input = await reportInputFromStore(store, ethers.provider, { chainId: fx.chainId, ledger: fx.workLedger, revenueLedger: fx.revenueLedger, fromBlock: fx.s.deployBlock, toBlock: fx.indexedBlock });
      for (const kind of ["spend", "uptime", "economics", "journal"] as const) {
        const r = await get(`/v1/reports/${kind}?format=json`);
        expect(r.statusCode, r.body.slice(0, 300)).to.equal(200);
        expect(r.headers["content-type"]).to.equal("application/json; charset=utf-8");
        expect(r.headers["content-disposition"]).to.equal(`inline; filename="${kind}.json"`);
        const served = r.json();
        const direct = JSON.parse(JSON.stringify(buildReport(kind, input, { networkId: null, customer: null, labels: fx.labels }), (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
        served.manifest.generatedAt = direct.manifest.generatedAt = "x";
        expect(served).to.deep.equal(direct);
        expect(served.manifest.toBlock).to.equal(fx.indexedBlock);
      }
    } finally {
      await store.close();
    }
    const csv = await get("/v1/reports/uptime?format=csv&sla=99.5&creditTiers=99.5:10,95:50");
    expect(csv.headers["content-type"]).to.equal("text/csv; charset=utf-8");
    expect(csv.headers["content-disposition"]).to.equal('attachment; filename="uptime.csv"');
    expect(csv.body.split("\n")[0]).to.match(/^networkId,nodeId,epoch,version,status,uptimeBps,slaBps/);
    expect(csv.body).to.contain(",9950,"); // slaBps 99.5%
    const pdf = await get("/v1/reports/economics?format=pdf&network=1");
    expect(pdf.headers["content-type"]).to.equal("application/pdf");
    expect(pdf.headers["content-disposition"]).to.equal('attachment; filename="economics.pdf"');
    expect(pdf.rawPayload.subarray(0, 5).toString("latin1")).to.equal("%PDF-");
    const html = await get("/v1/reports/spend?format=html");
    expect(html.headers["content-type"]).to.equal("text/html; charset=utf-8");
    expect(html.body).to.contain('<script type="application/json" id="workledger-report">');
    const bean = await get("/v1/reports/journal?format=beancount");
    expect(bean.headers["content-type"]).to.equal("text/plain; charset=utf-8");
    expect(bean.body).to.match(/open Assets:/i);
    const md = await get("/v1/reports/uptime?format=md");
    expect(md.headers["content-type"]).to.equal("text/markdown; charset=utf-8");
    expect(md.headers["content-disposition"]).to.equal('inline; filename="uptime.md"');
    expect(md.body).to.match(/^# /m);
    // a period by date: the blocks whose timestamps fall on that day (UTC), as `report --from/--to` resolves them
    const day = new Date((await ethers.provider.getBlock(fx.s.afterDepositsBlock))!.timestamp * 1000).toISOString().slice(0, 10);
    const byDate = (await get(`/v1/reports/spend?from=${day}&to=${day}`)).json();
    expect(byDate.manifest.fromBlock).to.be.at.least(fx.s.deployBlock);
    expect(byDate.manifest.toBlock).to.be.at.most(fx.indexedBlock);
    for (const b of [byDate.manifest.fromBlock, byDate.manifest.toBlock]) {
      expect(new Date((await ethers.provider.getBlock(b))!.timestamp * 1000).toISOString().slice(0, 10)).to.equal(day);
    }
    // narrowing by customer (a label name) and by block range
    const alice = fx.s.customers.alice.address;
    const one = (await get(`/v1/reports/spend?customer=${encodeURIComponent("Acme Analytics")}`)).json();
    expect(new Set(one.lines.map((l: { customer: string }) => l.customer))).to.deep.equal(new Set([alice]));
    const early = (await get(`/v1/reports/spend?toBlock=${fx.s.afterDepositsBlock}`)).json();
    expect(early.manifest.toBlock).to.equal(fx.s.afterDepositsBlock);
    expect(early.lines.every((l: { kind: string }) => l.kind === "deposit")).to.equal(true);
  });

  it("GET /openapi.json: an OpenAPI 3 document listing every path with its parameters", async function () {
    const doc = await json<{ openapi: string; paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>> }>("/openapi.json");
    expect(doc.openapi).to.match(/^3\./);
    const paths = Object.keys(doc.paths).sort();
    expect(paths).to.include.members([
      "/healthz",
      "/v1/networks",
      "/v1/networks/{id}",
      "/v1/networks/{id}/epochs",
      "/v1/networks/{id}/epochs/{epoch}",
      "/v1/networks/{id}/epochs/{epoch}/records/{nodeId}",
      "/v1/networks/{id}/epochs/{epoch}/usage/{customer}",
      "/v1/networks/{id}/nodes",
      "/v1/networks/{id}/nodes/{nodeId}",
      "/v1/networks/{id}/challenges",
      "/v1/reports/{kind}",
    ]);
    expect(paths.filter((p) => p === "/" || p.startsWith("/assets") || p === "/openapi.json")).to.deep.equal([]);
    const rec = doc.paths["/v1/networks/{id}/epochs/{epoch}/records/{nodeId}"].get;
    expect(rec.parameters!.map((p) => `${p.in}:${p.name}`).sort()).to.deep.equal(["path:epoch", "path:id", "path:nodeId", "query:version"]);
    expect(Object.keys(rec.responses)).to.include.members(["200", "400", "404", "429"]);
    const components = (doc as unknown as { components: { schemas: Record<string, unknown> } }).components.schemas;
    expect(Object.keys(components)).to.include.members(["ApiError", "Health", "Network", "NetworkDetail", "EpochSummary", "EpochDetail", "Challenge", "Node", "NodeDetail", "RecordProof", "UsageProof"]);
    const rep = doc.paths["/v1/reports/{kind}"].get;
    expect(rep.parameters!.filter((p) => p.in === "query").map((p) => p.name).sort()).to.deep.equal(["creditTiers", "customer", "format", "from", "fromBlock", "network", "sla", "to", "toBlock"]);
  });

  // [url, status, error.code, error.param, message pattern]
  const BAD: [string, number, string, string | null, RegExp][] = [
    ["/v1/networks/abc", 400, "bad_parameter", "id", /^path parameter "id" must be an integer$/],
    ["/v1/networks/0", 400, "out_of_range", "id", /^path parameter "id" must be at least 1$/],
    ["/v1/networks/-1", 400, "out_of_range", "id", /must be at least 1/],
    ["/v1/networks/1.5", 400, "bad_parameter", "id", /"id" must be an integer/],
    ["/v1/networks/99999999999999999999", 400, "out_of_range", "id", /must be at most 9007199254740991/],
    ["/v1/networks/7", 404, "unknown_network", "id", /^no network 7 in the index$/],
    ["/v1/networks/9/epochs", 404, "unknown_network", "id", /no network 9/],
    ["/v1/networks/1/epochs/99", 404, "unknown_epoch", "epoch", /^epoch 99 of network 1 was never committed/],
    ["/v1/networks/1/epochs/x", 400, "bad_parameter", "epoch", /"epoch" must be an integer/],
    ["/v1/networks/1/epochs/-3", 400, "out_of_range", "epoch", /"epoch" must be at least 0/],
    ["/v1/networks/1/epochs/0?verbose=1", 400, "unknown_parameter", "verbose", /^unknown query parameter "verbose"$/],
    ["/v1/networks/1/epochs/0/records/0x1234", 400, "bad_node_id", "nodeId", /nodeId.*(32-byte|64 hex)/],
    [`/v1/networks/1/epochs/0/records/0x${"zz".repeat(32)}`, 400, "bad_node_id", "nodeId", /nodeId/],
    [`/v1/networks/1/epochs/0/records/0x${"ab".repeat(32)}`, 404, "unknown_node", "nodeId", /^node 0xabab.* has no record in epoch 0 v1 of network 1$/],
    ["/v1/networks/1/epochs/0/records/scenario-node-9", 404, "unknown_node", "nodeId", new RegExp(`node ${keccak256(toUtf8Bytes("scenario-node-9"))} has no record`)],
    ["/v1/networks/1/epochs/77/records/scenario-node-1", 404, "unknown_epoch", "epoch", /epoch 77/],
    ["/v1/networks/1/epochs/2/records/scenario-node-1?version=0", 400, "out_of_range", "version", /^query parameter "version" must be at least 1$/],
    ["/v1/networks/1/epochs/2/records/scenario-node-1?version=v1", 400, "bad_parameter", "version", /"version" must be an integer/],
    ["/v1/networks/1/epochs/2/records/scenario-node-1?version=9", 404, "unknown_version", "version", /^epoch 2 of network 1 has no version 9 \(its latest is 2\)$/],
    ["/v1/networks/1/epochs/2/records/scenario-node-1?version=1", 404, "bundle_unavailable", "version", /^version 1 of epoch 2 \(network 1\) was superseded by version 2; the index keeps the latest version's records only: start serve with --bundles DIR holding /],
    ["/v1/networks/1/epochs/0/usage/0x15d34aaf54267db7d7c367839aaf71a00a2c6a65?version=2", 404, "unknown_version", "version", /has no version 2 \(its latest is 1\)/],
    ["/v1/networks/1/epochs/0/usage/0x123", 400, "bad_address", "customer", /customer.*20-byte address/],
    ["/v1/networks/1/epochs/0/usage/0x15D34AAf54267DB7D7c367839AAf71A00a2C6A65", 400, "bad_address", "customer", /checksum/],
    [`/v1/networks/1/epochs/0/usage/0x${"12".repeat(20)}`, 404, "unknown_customer", "customer", /^customer 0x1212.* has no usage record in epoch 0 v1 of network 1$/],
    ["/v1/networks/1/epochs?limit=0", 400, "out_of_range", "limit", /^query parameter "limit" must be at least 1$/],
    ["/v1/networks/1/epochs?limit=501", 400, "out_of_range", "limit", /^query parameter "limit" must be at most 500$/],
    ["/v1/networks/1/epochs?limit=abc", 400, "bad_parameter", "limit", /"limit" must be an integer/],
    ["/v1/networks/1/epochs?cursor=not!a!cursor", 400, "bad_cursor", "cursor", /is not a cursor of this list/],
    [`/v1/networks/1/epochs?cursor=${Buffer.from(JSON.stringify(["nodes:1", "0x" + "00".repeat(32)])).toString("base64url")}`, 400, "bad_cursor", "cursor", /cursor/],
    [`/v1/networks/1/epochs?cursor=${Buffer.from(JSON.stringify(["epochs:1:asc:", -4])).toString("base64url")}`, 400, "bad_cursor", "cursor", /cursor/],
    ["/v1/networks/1/epochs?status=done", 400, "bad_parameter", "status", /"status" must be one of pending, challenged, final, voided/],
    ["/v1/networks/1/epochs?order=sideways", 400, "bad_parameter", "order", /must be one of asc, desc/],
    ["/v1/networks/1/epochs?foo=1", 400, "unknown_parameter", "foo", /unknown query parameter "foo"/],
    ["/v1/networks/1/nodes/0xabc", 400, "bad_node_id", "nodeId", /nodeId/],
    [`/v1/networks/1/nodes/0x${"cd".repeat(32)}`, 404, "unknown_node", "nodeId", /is not registered on network 1/],
    ["/v1/networks/1/challenges?state=pending", 400, "bad_parameter", "state", /must be one of open, upheld, rejected, expired/],
    ["/v1/reports/taxes", 400, "bad_parameter", "kind", /"kind" must be one of spend, uptime, economics, journal/],
    ["/v1/reports/spend?format=docx", 400, "bad_parameter", "format", /"format" must be one of json, csv, pdf, html, md, beancount/],
    ["/v1/reports/spend?format=beancount", 400, "bad_parameter", "format", /only for the journal report/],
    ["/v1/reports/spend?fromBlock=10&toBlock=5", 400, "bad_range", "fromBlock", /^fromBlock 10 is after toBlock 5$/],
    ["/v1/reports/spend?toBlock=999999", 400, "beyond_index", "toBlock", /toBlock 999999 is beyond the index \(block \d+\); the server never syncs/],
    ["/v1/reports/spend?sla=99", 400, "bad_parameter", "sla", /"sla" is for the uptime report/],
    ["/v1/reports/uptime?sla=abc", 400, "bad_parameter", "sla", /query parameter "sla"/],
    ["/v1/reports/uptime?creditTiers=99:x", 400, "bad_parameter", "creditTiers", /query parameter "creditTiers"/],
    ["/v1/reports/spend?from=2026-13-01", 400, "bad_parameter", "from", /query parameter "from": "2026-13-01" is not an ISO-8601 date/],
    ["/v1/reports/spend?from=2026-01-01&fromBlock=3", 400, "conflicting_parameters", "from", /by date \(from\) or by block \(fromBlock\), not both/],
    ["/v1/reports/spend?network=5", 404, "unknown_network", "network", /no network 5/],
    ["/v1/reports/spend?customer=nobody", 400, "bad_parameter", "customer", /query parameter "customer"/],
    ["/healthz?maxLagBlocks=-1", 400, "out_of_range", "maxLagBlocks", /at least 0/],
    ["/v1/nope", 404, "not_found", null, /^no such route: GET \/v1\/nope$/],
    ["/assets/../../package.json", 404, "not_found", null, /no such/],
  ];

  it(`answers ${BAD.length} bad requests with their status, error code, parameter and message`, async function () {
    expect(BAD.length).to.be.at.least(25);
    const seen = new Set<string>();
    for (const [url, status, code, param, message] of BAD) {
      expect(seen.has(url), `duplicate case ${url}`).to.equal(false);
      seen.add(url);
      const r: LightMyRequestResponse = await get(url);
      expect(r.statusCode, `${url}: ${r.body}`).to.equal(status);
      expect(r.headers["content-type"], url).to.equal("application/json; charset=utf-8");
      const body = r.json<ErrorBody>();
      expect(Object.keys(body), url).to.deep.equal(["error"]);
      expect(body.error.code, `${url}: ${body.error.message}`).to.equal(code);
      expect(body.error.param, `${url}: ${body.error.message}`).to.equal(param);
      expect(body.error.message, url).to.match(message);
    }
  });

  it("is read-only: POST, PUT, PATCH, DELETE and OPTIONS get 405 with Allow: GET, HEAD; HEAD works", async function () {
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const) {
      for (const url of ["/v1/networks", "/v1/networks/1/epochs/0", "/healthz", "/v1/nowhere"]) {
        const r = await app.inject({ method, url, payload: method === "OPTIONS" ? undefined : { x: 1 } });
        expect(r.statusCode, `${method} ${url}`).to.equal(405);
        expect(r.headers.allow).to.equal("GET, HEAD");
        expect(r.json<ErrorBody>().error).to.deep.equal({ code: "method_not_allowed", message: `${method} is not allowed: the API is read-only (GET and HEAD only)`, param: null });
      }
    }
    const head = await app.inject({ method: "HEAD", url: "/v1/networks/1" });
    expect(head.statusCode).to.equal(200);
    expect(head.body).to.equal("");
  });

  it("rate-limits per client (429 in the error shape, with Retry-After); 0 turns it off", async function () {
    const limited = await buildServer({ db: fx.dbFile, provider: ethers.provider, rateLimit: 3 });
    try {
      for (let i = 0; i < 3; i++) expect((await get("/v1/networks", limited)).statusCode).to.equal(200);
      const r = await get("/v1/networks/1", limited);
      expect(r.statusCode).to.equal(429);
      expect(r.headers["retry-after"]).to.match(/^\d+$/);
      expect(r.json<ErrorBody>().error).to.deep.equal({ code: "rate_limited", message: "rate limit of 3 requests per minute exceeded; retry in 1 minute", param: null });
      // another client is not limited
      expect((await limited.inject({ method: "GET", url: "/v1/networks", remoteAddress: "127.0.0.9" })).statusCode).to.equal(200);
    } finally {
      await limited.close();
    }
    // behind a load balancer (--trust-proxy) each forwarded client has its own budget; without it they share the balancer's
    const proxied = await buildServer({ db: fx.dbFile, rateLimit: 2, trustProxy: true });
    const plain = await buildServer({ db: fx.dbFile, rateLimit: 2 });
    try {
      const via = (a: FastifyInstance, client: string) => a.inject({ method: "GET", url: "/healthz", remoteAddress: "10.0.0.1", headers: { "x-forwarded-for": client } });
      const codes = async (a: FastifyInstance) => [await via(a, "1.1.1.1"), await via(a, "2.2.2.2"), await via(a, "3.3.3.3"), await via(a, "1.1.1.1"), await via(a, "1.1.1.1")].map((r) => r.statusCode);
      expect(await codes(proxied)).to.deep.equal([200, 200, 200, 200, 429]);
      expect(await codes(plain)).to.deep.equal([200, 200, 429, 429, 429]);
    } finally {
      await proxied.close();
      await plain.close();
    }
    for (let i = 0; i < 20; i++) expect((await get("/healthz")).statusCode).to.equal(200);
  });

  it("serves the dashboard at / and its assets, and ethers' browser build", async function () {
    const page = await get("/");
    expect(page.statusCode).to.equal(200);
    expect(page.headers["content-type"]).to.equal("text/html; charset=utf-8");
    expect(page.body).to.match(/<html/i);
    const eth = await get("/assets/ethers.umd.min.js");
    expect(eth.statusCode).to.equal(200);
    expect(eth.headers["content-type"]).to.equal("text/javascript; charset=utf-8");
    expect(eth.rawPayload.length).to.equal(fs.statSync(require.resolve("ethers").replace(/lib\.commonjs[\\/]index\.js$/, "dist/ethers.umd.min.js")).size);
  });

  it("refuses a missing database file (never creates it) and an unsynced store", async function () {
    const missing = path.join(fx.dir, "nope.sqlite");
    const refusal = (p: Promise<unknown>): Promise<Error | undefined> => p.then(() => undefined, (e: Error) => e);
    expect((await refusal(buildServer({ db: missing })))?.message).to.match(/^no database at .*nope\.sqlite: run `workledger sync --db .*` first \(serve never creates one\)$/);
    expect(fs.existsSync(missing)).to.equal(false);
    const empty = await openStore(":memory:");
    expect((await refusal(buildServer({ db: empty })))?.message).to.match(/holds no synced chain: run `workledger sync --db :memory:` first/);
    await empty.close();
  });

  it("left the database file byte-identical (the server never writes)", async function () {
    await app.close();
    expect(sha256(fx.dbFile)).to.equal(dbHashBefore);
    app = await buildServer({ db: fx.dbFile, provider: ethers.provider, labels: fx.labels, rateLimit: 0 });
  });
});
