/**
 * `workledger serve` over the shared PostgreSQL index (a real server from test/helpers/postgres.ts):
 * the same scenario synced into PostgreSQL answers every read endpoint byte for byte as the SQLite
 * index does, and its proofs verify against the chain.
 */
import { expect } from "chai";
import path from "path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { FastifyInstance } from "fastify";

import { openStore } from "../../src/reader";
import { buildServer } from "../../src/server";
import { verifyProofFile } from "../../src/verifier/proofFile";
import { PostgresServer, acquirePostgres, releasePostgres } from "../helpers/postgres";
import { ServerFixture, serverFixture, syncScenarioInto } from "../helpers/serverFixture";

describe("workledger serve on PostgreSQL", function () {
  this.timeout(300_000);
  let fx: ServerFixture;
  let pg: PostgresServer;
  let onPg: FastifyInstance;
  let onSqlite: FastifyInstance;

  before(async function () {
    fx = await loadFixture(serverFixture);
    pg = await acquirePostgres();
    const url = await pg.createDatabase("serve");
    const store = await openStore(url);
    try {
      await syncScenarioInto(fx.s, store, path.join(fx.dir, "pg-bundles"));
    } finally {
      await store.close();
    }
    // the server opens (and closes) the postgres:// URL itself
    onPg = await buildServer({ db: url, provider: ethers.provider, labels: fx.labels, rateLimit: 0 });
    onSqlite = await buildServer({ db: fx.dbFile, provider: ethers.provider, labels: fx.labels, rateLimit: 0 });
  });

  after(async function () {
    await onPg?.close();
    await onSqlite?.close();
    if (pg) await releasePostgres();
  });

  it("answers every read endpoint exactly as the SQLite index does, and its proofs verify on chain", async function () {
    const customer = fx.s.customers.bob.address;
    const urls = [
      "/v1/networks",
      "/v1/networks/1",
      "/v1/networks/1/epochs?limit=4",
      "/v1/networks/1/epochs?status=final&order=desc",
      "/v1/networks/1/epochs/2",
      "/v1/networks/1/epochs/4",
      "/v1/networks/1/nodes?limit=2",
      `/v1/networks/1/nodes/${fx.s.nodes[1]}`,
      "/v1/networks/1/challenges",
      "/v1/networks/1/epochs/3/records/scenario-node-2",
      `/v1/networks/1/epochs/0/usage/${customer}`,
      "/v1/reports/economics?format=csv",
      "/v1/networks/1/epochs/99",
      "/v1/networks/1/epochs?limit=600",
    ];
    for (const url of urls) {
      const a = await onPg.inject({ method: "GET", url });
      const b = await onSqlite.inject({ method: "GET", url });
      expect(a.statusCode, url).to.equal(b.statusCode);
      expect(a.body, url).to.equal(b.body);
    }
    // walk the paginated nodes with the cursors PostgreSQL hands out
    let cursor: string | null = null;
    const seen: string[] = [];
    do {
      const page: { nodes: { nodeId: string }[]; nextCursor: string | null } = (await onPg.inject({ method: "GET", url: `/v1/networks/1/nodes?limit=2${cursor ? `&cursor=${cursor}` : ""}` })).json();
      seen.push(...page.nodes.map((n) => n.nodeId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).to.deep.equal([...fx.s.nodes].map((n) => n.toLowerCase()).sort());
    const proof = (await onPg.inject({ method: "GET", url: "/v1/networks/1/epochs/4/records/scenario-node-4" })).json();
    const check = await verifyProofFile(proof, { provider: ethers.provider });
    expect(check.problems).to.deep.equal([]);
    expect(check).to.deep.include({ ok: true, version: 2 });
    const h = (await onPg.inject({ method: "GET", url: "/healthz" })).json();
    expect(h).to.deep.include({ indexedBlock: fx.indexedBlock, chain: "ok" });
  });

  it("answers 503 store_unavailable (not 500) while PostgreSQL restarts, and recovers by itself", async function () {
    const seen: number[] = [];
    const bodies: string[] = [];
    const restart = pg.restart(2500);
    const t0 = Date.now();
    while (Date.now() - t0 < 2000) {
      const r = await onPg.inject({ method: "GET", url: "/v1/networks/1" });
      seen.push(r.statusCode);
      if (r.statusCode !== 200) bodies.push(r.body);
      await new Promise((res) => setTimeout(res, 100));
    }
    await restart;
    expect(seen).to.include(503);
    expect(seen.filter((c) => c !== 200 && c !== 503)).to.deep.equal([]);
    expect(JSON.parse(bodies[0]).error).to.deep.equal({ code: "store_unavailable", message: "the index database is unavailable right now; retry shortly", param: null });
    let back = 0;
    for (let i = 0; i < 50 && back !== 200; i++) {
      back = (await onPg.inject({ method: "GET", url: "/v1/networks/1" })).statusCode;
      if (back !== 200) await new Promise((res) => setTimeout(res, 200));
    }
    expect(back).to.equal(200);
  });
});
