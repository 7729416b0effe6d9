/**
 * The reader against a real `hardhat node` on 127.0.0.1: a clean sync checked against the contracts'
 * own views, the same sync through a fault-injecting proxy (30% failures, refused ranges, delays,
 * dropped connections, foreign logs), resumption, idempotency, follow mode, and a sync in a child
 * process killed with SIGKILL at random points.
 */
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import fs from "fs";
import http from "http";
import type { AddressInfo } from "net";
import os from "os";
import path from "path";
import { pathToFileURL } from "url";
import { Interface, keccak256, toUtf8Bytes } from "ethers";

import { decodeLog } from "../../../src/chain/events";
import { RevenueLedger__factory, WorkLedger__factory } from "../../../src/contracts";
import { ChainMismatchError } from "../../../src/errors";
import { BundleMismatchError, SqliteStore, balanceAt, fetchEvents, followChain, importBundle, openStore, syncChain } from "../../../src/reader";
import type { WorkRecord } from "../../../src/records/types";
import { buildEpoch, writeBundle } from "../../../src/writer";
import { LocalNode, startHardhatNode } from "../../helpers/node";
import { ReaderScenario } from "../../helpers/readerScenario";
import { seededRandom } from "../../helpers/random";
import { startRpcProxy } from "../../helpers/rpcProxy";
import { transpileTree } from "../../helpers/transpileTree";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const FAST_RETRY = { retries: 20, baseDelayMs: 5, maxDelayMs: 100 };
// Heavier variants: READER_HEAVY=1 runs 8 proxy seeds and 10 crash rounds.
const HEAVY = process.env.READER_HEAVY === "1";
const CRASH_ROUNDS = Number(process.env.READER_CRASH_ROUNDS ?? (HEAVY ? 10 : 4));
const PROXY_SEEDS = HEAVY ? [42, 1, 2, 3, 4, 5, 6, 7] : [42];

describe("reader: sync against hardhat node", function () {
  this.timeout(180_000);
  let node: LocalNode;
  let sc: ReaderScenario;
  let clean: SqliteStore;
  let head: number;
  let tmp: string;

  before(async function () {
    node = await startHardhatNode();
    sc = new ReaderScenario(node.provider);
    await sc.base();
    await sc.activity(60);
    head = await node.provider.getBlockNumber();
    clean = openStore(":memory:");
    await syncChain({ provider: node.url, store: clean, addresses: sc.addresses, fromBlock: sc.deployBlock });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "reader-sync-"));
  });

  after(async function () {
    clean?.close();
    await node?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe("a clean sync", function () {
    it("stores every log of both contracts, and only theirs, exactly as fetchEvents decodes them", async function () {
      const raw = (await node.provider.send("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }])) as Record<string, string>[];
      const ours = raw.filter((l) =>
        [sc.addresses.workLedger, sc.addresses.revenueLedger].map((a) => a.toLowerCase()).includes(l.address.toLowerCase()),
      );
      expect(ours.length).to.be.greaterThan(150);
      expect(raw.length).to.be.greaterThan(ours.length); // the token's Transfer/Approval logs exist and are left out
      const stored = clean.events();
      expect(stored).to.have.length(ours.length);
      expect(stored).to.deep.equal(await fetchEvents(node.url, sc.addresses, sc.deployBlock, head));
      // ...and exactly as src/chain/events.ts decodeLog decodes the raw logs (the reader has its own fast decoder).
      const byDecodeLog = ours.map((l) =>
        decodeLog({ address: l.address, topics: l.topics as unknown as string[], data: l.data, blockNumber: Number(l.blockNumber), blockHash: l.blockHash, transactionHash: l.transactionHash, index: Number(l.logIndex) }, sc.addresses),
      );
      expect(stored).to.deep.equal(byDecodeLog);
      expect(clean.checkpoint()).to.deep.equal({ blockNumber: head, blockHash: (await node.provider.getBlock(head))!.hash });
    });

    it("derives account balances, charges, nodes, epochs and payouts that match the contracts' views", async function () {
      const rl = RevenueLedger__factory.connect(sc.addresses.revenueLedger, node.provider);
      const wl = WorkLedger__factory.connect(sc.addresses.workLedger, node.provider);
      const accounts = clean.db.prepare(`SELECT account_id, balance FROM accounts`).all() as { account_id: string; balance: string }[];
      expect(accounts.length).to.be.greaterThan(5);
      for (const a of accounts) expect((await rl.balanceOf(a.account_id)).toString(), a.account_id).to.equal(a.balance);
      const charges = clean.db.prepare(`SELECT charge_id, status, refunded FROM charges`).all() as { charge_id: string; status: string; refunded: string }[];
      const names = ["none", "held", "posted", "voided"];
      for (const c of charges) {
        const on = await rl.getCharge(c.charge_id);
        expect(names[Number(on.status)], c.charge_id).to.equal(c.status);
        expect(on.refunded.toString()).to.equal(c.refunded);
      }
      expect(new Set(charges.map((c) => c.status))).to.deep.equal(new Set(["held", "posted", "voided"]));
      const nodes = clean.db.prepare(`SELECT node_id, operator, active FROM nodes`).all() as { node_id: string; operator: string; active: number }[];
      for (const n of nodes) {
        const [operator, active] = await wl.node(sc.networkId, n.node_id);
        expect([operator, active]).to.deep.equal([n.operator, n.active === 1]);
      }
      expect(nodes.some((n) => n.active === 0)).to.equal(true);
      const statusNames = ["none", "pending", "challenged", "final", "voided"];
      const headTime = (await node.provider.getBlock(head))!.timestamp;
      const summaries = clean.epochSummaries(sc.networkId, headTime);
      expect(summaries.length).to.equal(4);
      for (const e of summaries) {
        const [status, version] = await wl.epochStatus(sc.networkId, e.epoch as number, { blockTag: head });
        expect(Number(version)).to.equal(e.latest_version);
        const onChain = statusNames[Number(status)];
        expect(onChain === "final" ? "pending" : onChain).to.equal(e.status);
        expect(e.effective_status).to.equal(onChain);
      }
      expect(summaries.map((e) => e.effective_status)).to.include.members(["final", "voided"]);
      const payout = await rl.payout(sc.networkId, 0);
      const p = clean.db.prepare(`SELECT claimed, total FROM payouts WHERE network_id = ? AND epoch = 0`).get(sc.networkId) as { claimed: string; total: string };
      expect([p.claimed, p.total]).to.deep.equal([payout.claimed.toString(), payout.total.toString()]);
    });

    it("answers the query helpers: epoch history, node history, customer entries, balances at a block", async function () {
      const h = clean.epochHistory(sc.networkId, 1);
      expect(h.versions.map((v) => [v.version, v.superseded_by])).to.deep.equal([
        [1, 2],
        [2, null],
      ]);
      expect(h.changes.map((c) => c.change)).to.deep.equal(["committed", "committed", "corrected"]);
      expect(clean.epochHistory(sc.networkId, 2).changes.map((c) => [c.change, c.status])).to.deep.equal([
        ["committed", "pending"],
        ["challenged", "challenged"],
        ["resolved", "voided"],
      ]);
      const deactivated = clean.db.prepare(`SELECT node_id FROM nodes WHERE active = 0 LIMIT 1`).get() as { node_id: string };
      expect(clean.nodeHistory(sc.networkId, deactivated.node_id).map((r) => r.status)).to.deep.equal(["registered", "deactivated"]);
      const entries = clean.customerEntries(sc.customers[0]);
      expect(entries.length).to.be.greaterThan(3);
      expect(entries[0].debit_kind).to.equal("assets"); // the first is the deposit
      // Balances at a block equal the contract's balanceOf read at that block.
      const rl = RevenueLedger__factory.connect(sc.addresses.revenueLedger, node.provider);
      const mid = (entries[2].block_number as number) + 0;
      for (const b of clean.balancesAt(mid)) {
        expect((await rl.balanceOf(b.accountId, { blockTag: mid })).toString()).to.equal(b.balance.toString());
      }
    });

    it("syncs the same through an ethers Provider as through a URL", async function () {
      const s = openStore(":memory:");
      try {
        await syncChain({ provider: node.provider, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: head, chunkSize: 25 });
        expect(s.dump()).to.deep.equal(clean.dump());
      } finally {
        s.close();
      }
    });

    it("reads token balances pinned to a block hash (EIP-1898)", async function () {
      const cp = clean.checkpoint()!;
      const held = await balanceAt(node.url, sc.token, sc.addresses.revenueLedger, cp.blockHash);
      const assets = clean.balancesAt().filter((b) => b.kind === "assets");
      expect(assets).to.have.length(1);
      expect(held).to.equal(assets[0].balance);
      const early = clean.events()[5];
      const iface = new Interface(["function balanceOf(address) view returns (uint256)"]);
      const atNumber = await node.provider.call({ to: sc.token, data: iface.encodeFunctionData("balanceOf", [sc.addresses.revenueLedger]), blockTag: early.blockNumber });
      expect(await balanceAt(node.provider, sc.token, sc.addresses.revenueLedger, early.blockHash)).to.equal(BigInt(atNumber));
    });
  });

  describe("through the fault-injecting proxy", function () {
    for (const seed of PROXY_SEEDS) {
    it(`ends with the same database as the clean sync: nothing lost, nothing doubled (seed ${seed})`, async function () {
      const proxy = await startRpcProxy({ upstream: node.url, seed, failRate: 0.3, maxLogRange: 32, maxLogResults: 12, maxDelayMs: 15 });
      const faulty = openStore(":memory:");
      try {
        const r = await syncChain({ provider: proxy.url, store: faulty, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: head, chunkSize: 64, retries: FAST_RETRY });
        expect(r.toBlock).to.equal(head);
        expect(faulty.dump()).to.deep.equal(clean.dump());
        // The faults really happened.
        const s = proxy.stats;
        if (process.env.READER_DEBUG) console.log(JSON.stringify(s));
        for (const [kind, n] of Object.entries(s.faults)) expect(n, kind).to.be.greaterThan(0);
        expect(s.refusedRanges).to.be.greaterThan(0);
        expect(s.refusedResults).to.be.greaterThan(0);
        expect(s.foreignLogs).to.be.greaterThan(0);
        const failed = Object.values(s.faults).reduce((a, b) => a + b, 0) - s.faults.slow;
        expect(failed / s.requests).to.be.within(0.15, 0.4);
      } finally {
        faulty.close();
        await proxy.stop();
      }
    });
    }

    it("fetchEvents through the proxy equals the stored events", async function () {
      const proxy = await startRpcProxy({ upstream: node.url, seed: 9, maxLogRange: 32, maxLogResults: 60 });
      try {
        expect(await fetchEvents(proxy.url, sc.addresses, sc.deployBlock, head, { chunkSize: 100, retries: FAST_RETRY })).to.deep.equal(clean.events());
      } finally {
        await proxy.stop();
      }
    });
  });

  describe("checkpoints", function () {
    it("resumes from the checkpoint and reaches the same database", async function () {
      const s = openStore(":memory:");
      try {
        const mid = sc.deployBlock + Math.floor((head - sc.deployBlock) / 2);
        const a = await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: mid, chunkSize: 7 });
        expect(a.toBlock).to.equal(mid);
        const b = await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: head, chunkSize: 7 });
        expect(b.fromBlock).to.equal(mid + 1);
        expect(a.events + b.events).to.equal(clean.eventCount());
        expect(s.dump()).to.deep.equal(clean.dump());
        const again = await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: head });
        expect(again.events).to.equal(0);
      } finally {
        s.close();
      }
    });

    it("stores a re-committed event once and derives from it once", function () {
      const s = openStore(":memory:");
      try {
        const events = clean.events();
        const cp = clean.checkpoint()!;
        expect(s.commit({ events, blocks: [], checkpoint: cp })).to.equal(events.length);
        const before = s.dump();
        expect(s.commit({ events: events.slice(10, 80), blocks: [], checkpoint: cp })).to.equal(0);
        expect(s.dump()).to.deep.equal(before);
      } finally {
        s.close();
      }
    });

    it("leaves `confirmations` blocks unread", async function () {
      const s = openStore(":memory:");
      try {
        const r = await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, confirmations: 5 });
        expect(r.toBlock).to.equal((await node.provider.getBlockNumber()) - 5);
      } finally {
        s.close();
      }
    });

    it("refuses a store synced from another deployment", async function () {
      const s = openStore(":memory:");
      try {
        await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: sc.deployBlock + 3 });
        const other = { workLedger: sc.addresses.revenueLedger, revenueLedger: sc.addresses.workLedger };
        let err: unknown;
        await syncChain({ provider: node.url, store: s, addresses: other, fromBlock: sc.deployBlock }).catch((e) => (err = e));
        expect(err).to.be.instanceOf(ChainMismatchError);
        expect(String(err)).to.match(/workLedger/);
      } finally {
        s.close();
      }
    });
  });

  describe("stopping", function () {
    it("ends a pass after the current transaction when the signal fires, and the next pass completes it", async function () {
      const proxy = await startRpcProxy({ upstream: node.url, seed: 11, failRate: 0.1, maxDelayMs: 40 });
      const s = openStore(":memory:");
      const ac = new AbortController();
      try {
        let commits = 0;
        const r = await syncChain({
          provider: proxy.url,
          store: s,
          addresses: sc.addresses,
          fromBlock: sc.deployBlock,
          toBlock: head,
          chunkSize: 4,
          retries: FAST_RETRY,
          signal: ac.signal,
          onProgress: () => {
            if (++commits === 3) ac.abort();
          },
        });
        expect(r.aborted).to.equal(true);
        expect(r.toBlock).to.be.below(head);
        expect(s.checkpoint()!.blockNumber).to.equal(r.toBlock);
        expect(s.events().every((e) => e.blockNumber <= r.toBlock)).to.equal(true);
        const rest = await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: head });
        expect(rest.fromBlock).to.equal(r.toBlock + 1);
        expect(s.dump()).to.deep.equal(clean.dump());
      } finally {
        s.close();
        await proxy.stop();
      }
    });
  });

  describe("follow mode", function () {
    it("indexes new blocks as they come and stops cleanly on abort", async function () {
      const file = path.join(tmp, "follow.db");
      const s = openStore(file);
      const ac = new AbortController();
      let passes = 0;
      try {
        const following = followChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, pollMs: 50, signal: ac.signal, onPass: () => passes++ });
        await sc.activity(8, "follow");
        const target = await node.provider.getBlockNumber();
        while ((s.checkpoint()?.blockNumber ?? 0) < target) await new Promise((r) => setTimeout(r, 50));
        ac.abort();
        const last = await following;
        expect(passes).to.be.greaterThan(1);
        expect(last.toBlock).to.be.at.least(target);
        const fresh = openStore(":memory:");
        await syncChain({ provider: node.url, store: fresh, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: s.checkpoint()!.blockNumber });
        expect(s.dump()).to.deep.equal(fresh.dump());
        fresh.close();
      } finally {
        ac.abort();
        s.close();
      }
    });
  });

  describe("epoch bundles", function () {
    const recordsOf = (epoch: number, salt: string): WorkRecord[] =>
      Array.from({ length: 12 }, (_, i) => ({
        nodeId: sc.nodeId(`bundle-${i}`),
        epoch: BigInt(epoch),
        workUnits: BigInt(i === 3 ? 0 : 500 + i),
        uptimeBps: 9_000 + i * 50,
        revenue: BigInt(1_000 * (i + 1)),
        evidence: keccak256(toUtf8Bytes(`${salt}-${i}`)),
      }));
    const byNode = (a: WorkRecord, b: WorkRecord) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0);

    it("imports a bundle from a path, file:// or http:// URI only when root and dataHash match the latest version", async function () {
      const epoch = 4;
      const good = recordsOf(epoch, "v1");
      const built = await buildEpoch(good, { epoch, networkId: sc.networkId });
      await sc.commitSummary(epoch, 1, built.summary);
      const goodFile = path.join(tmp, "e4-v1.wlb");
      await writeBundle(built.bundle, goodFile);
      const other = await buildEpoch(recordsOf(epoch, "forged"), { epoch, networkId: sc.networkId });
      const wrongFile = path.join(tmp, "e4-forged.wlb");
      await writeBundle(other.bundle, wrongFile);

      const s = openStore(":memory:");
      try {
        await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock });
        expect(s.missingBundles()).to.deep.include({ networkId: sc.networkId, epoch: 4n, version: 1 });
        expect(s.bundleRecords(sc.networkId, 4, 1)).to.equal(undefined);

        let err: unknown;
        await importBundle(s, wrongFile).catch((e) => (err = e));
        expect(err).to.be.instanceOf(BundleMismatchError);
        expect(String((err as Error).message)).to.include(`network ${sc.networkId} epoch 4 version 1`).and.include(built.summary.root).and.include(other.summary.root);
        expect(s.bundleRecords(sc.networkId, 4, 1)).to.equal(undefined);

        const r = await importBundle(s, pathToFileURL(goodFile).href);
        expect(r).to.include({ networkId: sc.networkId, epoch: 4n, version: 1, records: 12 });
        expect([...s.bundleRecords(sc.networkId, 4, 1)!].sort(byNode)).to.deep.equal([...good].sort(byNode));
        expect(s.epochRecords(sc.networkId, 4)).to.have.length(12);
        expect(s.missingBundles()).to.not.deep.include({ networkId: sc.networkId, epoch: 4n, version: 1 });

        // Over HTTP from a loopback server; re-importing replaces, never doubles.
        const server = http.createServer((_req, res) => res.end(fs.readFileSync(goodFile)));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
          const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/e4-v1.wlb`;
          expect((await importBundle(s, url)).records).to.equal(12);
          expect(s.bundleRecords(sc.networkId, 4, 1)).to.have.length(12);
        } finally {
          await new Promise((resolve) => server.close(resolve));
        }

        // A correction makes version 2 the latest: the old bundle no longer matches, version 2 is missing.
        const fixed = recordsOf(epoch, "v2");
        const built2 = await buildEpoch(fixed, { epoch, networkId: sc.networkId });
        await sc.commitSummary(epoch, 2, built2.summary, "recount");
        const file2 = path.join(tmp, "e4-v2.wlb");
        await writeBundle(built2.bundle, file2);
        err = undefined;
        await importBundle(s, file2, { provider: node.provider, addresses: sc.addresses }).catch((e) => (err = e));
        expect(String(err)).to.match(/store is behind the chain .* epoch 4/);
        await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock });
        expect(s.missingBundles()).to.deep.include({ networkId: sc.networkId, epoch: 4n, version: 2 });
        err = undefined;
        await importBundle(s, goodFile).catch((e) => (err = e));
        expect(String((err as Error).message)).to.include(`network ${sc.networkId} epoch 4 version 2`);
        await importBundle(s, file2, { provider: node.provider, addresses: sc.addresses });
        expect([...s.epochRecords(sc.networkId, 4)!].sort(byNode)).to.deep.equal([...fixed].sort(byNode));
        expect(s.bundleRecords(sc.networkId, 4, 1)).to.have.length(12); // history kept
      } finally {
        s.close();
      }
    });
  });

  describe("crash safety", function () {
    let childJs: string;
    before(function () {
      // Plain JavaScript for the child, so each spawn starts in well under a second.
      childJs = transpileTree(path.join(ROOT, "test/helpers/readerSyncChild.ts"), ROOT, path.join(tmp, "js"));
    });

    function runChild(db: string, url: string, onLine: (line: string, child: ChildProcess) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[]; stderr: string }> {
      const opts = { url, db, workLedger: sc.addresses.workLedger, revenueLedger: sc.addresses.revenueLedger, fromBlock: sc.deployBlock, toBlock: head, chunkSize: 2 };
      const child = spawn(process.execPath, [childJs, JSON.stringify(opts)], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") },
      });
      const lines: string[] = [];
      let stderr = "";
      let buf = "";
      child.stdout!.on("data", (d: Buffer) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          lines.push(line);
          onLine(line, child);
        }
      });
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, lines, stderr })));
    }

    it(`a sync killed with SIGKILL at ${CRASH_ROUNDS} random points resumes to the clean database`, async function () {
      const proxy = await startRpcProxy({ upstream: node.url, seed: 5, failRate: 0.3, maxDelayMs: 10 });
      const db = path.join(tmp, "crash.db");
      const rand = seededRandom(2024);
      const killedAt: number[] = [];
      try {
        for (let round = 0; round < CRASH_ROUNDS; round++) {
          const killAfter = 1 + Math.floor(rand() * 4);
          const delayMs = Math.floor(rand() * 40);
          let seen = 0;
          const r = await runChild(db, proxy.url, (line, child) => {
            if (line.startsWith("progress") && ++seen === killAfter) {
              setTimeout(() => child.kill("SIGKILL"), delayMs);
            }
          });
          if (r.lines.includes("done")) break; // finished before the kill landed: nothing left to interrupt
          expect(r.signal, `round ${round} should be killed mid-sync (exit ${r.code}): ${r.stderr}`).to.equal("SIGKILL");
          const s = openStore(db);
          killedAt.push(s.checkpoint()?.blockNumber ?? -1);
          s.close();
        }
        expect(killedAt.length, "kills that landed mid-sync").to.be.at.least(Math.min(CRASH_ROUNDS, 4));
        // Each round made progress from where the last one was killed.
        for (let i = 1; i < killedAt.length; i++) expect(killedAt[i]).to.be.at.least(killedAt[i - 1]);
        const last = await runChild(db, proxy.url, () => undefined);
        expect(last.code, last.stderr).to.equal(0);
        expect(last.lines).to.include("done");
        const s = openStore(db);
        try {
          expect(s.dump()).to.deep.equal(clean.dump());
        } finally {
          s.close();
        }
      } finally {
        await proxy.stop();
      }
    });
  });
});

