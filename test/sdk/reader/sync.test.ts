/**
 * The reader against a real `hardhat node` on 127.0.0.1, for both store engines (SQLite and a real
 * PostgreSQL server started by the test): a clean sync checked against the contracts' own views,
 * the same sync through a fault-injecting proxy (30% failures, refused ranges, delays, dropped
 * connections, foreign logs), resumption, idempotency, follow mode (with bundles imported as they
 * appear), two followers on one store in two processes, and a sync in a child process killed with
 * SIGKILL at random points. Every engine's store must equal the clean SQLite sync, table for table.
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
import { connectRpc } from "../../../src/chain/transport";
import { ChainMismatchError } from "../../../src/errors";
import { BundleMismatchError, CheckpointMovedError, DumpRow, SqlStore, isStoreUnavailable, balanceAt, fetchEvents, followChain, importBundle, openStore, syncChain } from "../../../src/reader";
import type { WorkRecord } from "../../../src/records/types";
import { REPORT_KINDS, buildReport } from "../../../src/report/build";
import { reportInputFromStore } from "../../../src/report/fromStore";
import { verifyReport } from "../../../src/verifier/report";
import { buildEpoch, writeBundle } from "../../../src/writer";
import { LocalNode, startHardhatNode } from "../../helpers/node";
import { ReaderScenario } from "../../helpers/readerScenario";
import { readOnlyRole, startPostgres } from "../../helpers/postgres";
import { ENGINES, EngineName, TestStores } from "../../helpers/readerStores";
import { seededRandom } from "../../helpers/random";
import { startRpcProxy } from "../../helpers/rpcProxy";

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
  const stores = new TestStores();
  /** The clean sync of each engine, and the clean SQLite dump every test compares with. */
  const clean = {} as Record<EngineName, SqlStore>;
  let cleanDump: Record<string, DumpRow[]>;
  let cleanEvents: Awaited<ReturnType<SqlStore["events"]>>;
  let head: number;
  let tmp: string;

  before(async function () {
    await stores.setup();
    node = await startHardhatNode();
    sc = new ReaderScenario(node.provider);
    await sc.base();
    await sc.activity(60);
    head = await node.provider.getBlockNumber();
    for (const engine of ENGINES) {
      clean[engine] = await stores.open(engine);
      await syncChain({ provider: node.url, store: clean[engine], addresses: sc.addresses, fromBlock: sc.deployBlock });
    }
    cleanDump = await clean.sqlite.dump();
    cleanEvents = await clean.sqlite.events();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "reader-sync-"));
  });

  after(async function () {
    await stores.teardown();
    await node?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe("a clean sync", function () {
    for (const engine of ENGINES) {
      it(`[${engine}] stores every log of both contracts, and only theirs, exactly as fetchEvents decodes them`, async function () {
        const raw = (await node.provider.send("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }])) as Record<string, string>[];
        const ours = raw.filter((l) =>
          [sc.addresses.workLedger, sc.addresses.revenueLedger].map((a) => a.toLowerCase()).includes(l.address.toLowerCase()),
        );
        expect(ours.length).to.be.greaterThan(150);
        expect(raw.length).to.be.greaterThan(ours.length); // the token's Transfer/Approval logs exist and are left out
        const stored = await clean[engine].events();
        expect(stored).to.have.length(ours.length);
        expect(stored).to.deep.equal(await fetchEvents(node.url, sc.addresses, sc.deployBlock, head));
        // ...and exactly as src/chain/events.ts decodeLog decodes the raw logs (the reader has its own fast decoder).
        const byDecodeLog = ours.map((l) =>
          decodeLog({ address: l.address, topics: l.topics as unknown as string[], data: l.data, blockNumber: Number(l.blockNumber), blockHash: l.blockHash, transactionHash: l.transactionHash, index: Number(l.logIndex) }, sc.addresses),
        );
        expect(stored).to.deep.equal(byDecodeLog);
        expect(await clean[engine].checkpoint()).to.deep.equal({ blockNumber: head, blockHash: (await node.provider.getBlock(head))!.hash });
        // The same schema meaning in both engines: every table equal to the SQLite sync's.
        expect(await clean[engine].dump()).to.deep.equal(cleanDump);
      });

      it(`[${engine}] derives account balances, statements, refunds, authorizations, withdrawals, nodes, epochs, payout roots and claims that match the contracts' views`, async function () {
        const s = clean[engine];
        const rl = RevenueLedger__factory.connect(sc.addresses.revenueLedger, node.provider);
        const wl = WorkLedger__factory.connect(sc.addresses.workLedger, node.provider);
        const accounts = await s.rows("accounts");
        expect(accounts.length).to.be.greaterThan(5);
        for (const a of accounts) expect((await rl.balanceOf(a.account_id as string)).toString(), a.account_id as string).to.equal(a.balance);
        // Statements with their covered epochs as charged, refunds, authorizations, thawing withdrawals.
        const statements = await s.rows("statements", {}, ["block_number"]);
        expect(statements.map((x) => [x.customer, x.from_epoch, x.to_epoch, x.reference_text])).to.deep.equal([
          [sc.customers[0], 0, 1, "invoice 2026-11 A"],
          [sc.customers[1], 0, 3, "invoice 2026-11 B"],
        ]);
        for (const x of statements) {
          const on = await rl.statement(x.charge_id as string);
          expect([on.customer, Number(on.fromEpoch), Number(on.toEpoch)]).to.deep.equal([x.customer, x.from_epoch, x.to_epoch]);
          expect(on.refundable).to.equal(BigInt(x.amount as string) - BigInt(x.fee as string) - BigInt(x.refunded as string));
          expect(JSON.parse(x.signers as string)).to.have.length(2);
        }
        const covered = await s.rows("statement_epochs", { charge_id: statements[1].charge_id as string }, ["epoch"]);
        expect(covered.map((c) => `${c.epoch}:v${c.version}`)).to.deep.equal(["0:v1", "1:v2", "2:v2", "3:v1"]);
        for (const c of covered) expect(c.usage_root).to.equal(sc.usage.get(`${c.epoch}:${c.version}`)!.root);
        const refunds = await s.rows("refunds", {}, ["block_number"]);
        expect([refunds[0].charge_id, refunds[0].epoch, refunds[0].amount]).to.deep.equal([statements[0].charge_id, 0, "1000000"]);
        const auths = await s.rows("billing_authorizations", {}, ["block_number"]);
        expect(auths.map((a) => a.cap_per_epoch)).to.deep.equal(["50000000", "50000000", "50000000", "0"]);
        for (const c of sc.customers) {
          const b = await rl.billing(sc.networkId, c);
          expect(auths.filter((a) => a.customer === c).pop()!.cap_per_epoch).to.equal(b.capPerEpoch.toString());
        }
        expect((await s.rows("withdrawal_requests", { customer: sc.customers[2] })).map((w) => [w.customer, w.amount])).to.deep.equal([[sc.customers[2], "100000000"]]);
        for (const c of sc.customers) {
          const last = (await s.rows("withdrawal_requests", { customer: c }, ["block_number"])).pop();
          const b = await rl.billing(sc.networkId, c);
          if (last && c !== sc.customers[2]) expect(last.amount, "the latest request is the thawing amount").to.equal(b.thawing.toString());
        }
        expect((await s.rows("withdrawals")).map((w) => [w.customer, w.amount])).to.deep.equal([[sc.customers[2], "100000000"]]);
        const nodes = await s.rows("nodes");
        for (const n of nodes) {
          const [operator, active] = await wl.node(sc.networkId, n.node_id as string);
          expect([operator, active]).to.deep.equal([n.operator, n.active === 1]);
        }
        expect(nodes.some((n) => n.active === 0)).to.equal(true);
        const statusNames = ["none", "pending", "challenged", "final", "voided"];
        const headTime = (await node.provider.getBlock(head))!.timestamp;
        const summaries = await s.epochSummaries(sc.networkId, headTime);
        expect(summaries.length).to.equal(5);
        for (const e of summaries) {
          const [status, version] = await wl.epochStatus(sc.networkId, e.epoch as number, { blockTag: head });
          expect(Number(version)).to.equal(e.latest_version);
          const onChain = statusNames[Number(status)];
          expect(onChain === "final" ? "pending" : onChain).to.equal(e.status);
          expect(e.effective_status).to.equal(onChain);
        }
        expect(summaries.map((e) => e.effective_status)).to.include.members(["final", "voided"]);
        // The trust terms, the finality cursor and the challenges with their bonds, as the contracts hold them.
        const [net] = await s.rows("networks", { network_id: sc.networkId });
        expect([net.arbiter, net.bond, net.arbiter_deadline, net.max_statement_epochs]).to.deep.equal([
          await wl.arbiterOf(sc.networkId),
          (await wl.bondOf(sc.networkId)).toString(),
          Number(await wl.arbiterDeadlineOf(sc.networkId)),
          Number(await wl.maxStatementEpochsOf(sc.networkId)),
        ]);
        expect(net.finalized_count).to.equal(Number(await wl.finalizedCount(sc.networkId, { blockTag: head })));
        expect(net.finalized_count).to.be.greaterThan(0);
        const challenges = await s.rows("challenges", {}, ["block_number"]);
        expect(challenges.map((c) => [c.epoch, c.resolved, c.upheld, c.expired, c.bond])).to.deep.equal([
          [2, 1, 1, 0, "1000000"],
          [3, 1, 0, 0, "1000000"],
          [4, 1, null, 1, "1000000"],
        ]);
        expect((await s.epochHistory(sc.networkId, 4)).changes.map((c) => [c.change, c.status])).to.deep.equal([
          ["committed", "pending"],
          ["challenged", "challenged"],
          ["expired", "voided"],
        ]);
        // Bonds move through the books: the challenger's bond account is back to zero.
        const bonds = (await s.balancesAt(head)).filter((b) => b.kind === "bond" || b.kind === "kind7");
        expect(bonds.length).to.equal(1);
        expect(bonds[0].balance).to.equal(0n);
        // The cumulative payout root and the claims under it.
        const payout = await rl.payoutRoot(sc.networkId);
        const roots = await s.rows("payout_roots", { network_id: sc.networkId });
        expect(roots.map((r) => [r.root, r.through_epoch, r.total, r.increase])).to.deep.equal([[payout.root, Number(payout.throughEpoch), payout.total.toString(), payout.total.toString()]]);
        const claims = await s.rows("claims", { network_id: sc.networkId });
        expect(claims.map((c) => [c.node_id, c.operator, c.amount, c.cumulative_claimed, c.through_epoch])).to.deep.equal([[sc.nodeId("0"), sc.operators[0], "2000000", (await rl.claimed(sc.networkId, sc.nodeId("0"))).toString(), 1]]);
      });

      it(`[${engine}] answers the query helpers: epoch history, node history, customer entries, balances at a block`, async function () {
        const s = clean[engine];
        const h = await s.epochHistory(sc.networkId, 1);
        expect(h.versions.map((v) => [v.version, v.superseded_by])).to.deep.equal([
          [1, 2],
          [2, null],
        ]);
        expect(h.changes.map((c) => c.change)).to.deep.equal(["committed", "committed", "corrected"]);
        expect((await s.epochHistory(sc.networkId, 2)).changes.map((c) => [c.change, c.status])).to.deep.equal([
          ["committed", "pending"],
          ["challenged", "challenged"],
          ["resolved", "voided"],
          ["committed", "pending"],
          ["corrected", "pending"],
        ]);
        const [deactivated] = await s.rows("nodes", { active: 0 });
        expect((await s.nodeHistory(sc.networkId, deactivated.node_id as string)).map((r) => r.status)).to.deep.equal(["registered", "deactivated"]);
        const entries = await s.customerEntries(sc.customers[0]);
        expect(entries.length).to.be.greaterThan(3);
        expect(entries[0].debit_kind).to.equal("assets"); // the first is the deposit
        expect(entries.every((e) => e.debit_holder === sc.customers[0] || e.credit_holder === sc.customers[0])).to.equal(true);
        // A customer's statements with the epochs they cover (as charged) and the refunds against them.
        const mine = await s.customerStatements(sc.customers[0], sc.networkId);
        expect(mine.map((x) => [x.from_epoch, x.to_epoch, (x.epochs as { epoch: number; version: number }[]).map((e) => `${e.epoch}:v${e.version}`), (x.refunds as { epoch: number }[]).map((r) => r.epoch)])).to.deep.equal([[0, 1, ["0:v1", "1:v2"], [0]]]);
        // Balances at a block equal the contract's balanceOf read at that block.
        const rl = RevenueLedger__factory.connect(sc.addresses.revenueLedger, node.provider);
        const mid = entries[2].block_number as number;
        const balances = await s.balancesAt(mid);
        expect(balances.length).to.be.greaterThan(3);
        for (const b of balances) {
          expect((await rl.balanceOf(b.accountId, { blockTag: mid })).toString()).to.equal(b.balance.toString());
          expect(await s.balanceAt(b.accountId, mid)).to.equal(b.balance);
        }
      });
    }

    it("syncs the same through an ethers Provider as through a URL", async function () {
      const s = await stores.open("sqlite");
      await syncChain({ provider: node.provider, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: head, chunkSize: 25 });
      expect(await s.dump()).to.deep.equal(cleanDump);
      await s.close();
    });

    it("reads token balances pinned to a block hash (EIP-1898)", async function () {
      const cp = (await clean.sqlite.checkpoint())!;
      const held = await balanceAt(node.url, sc.token, sc.addresses.revenueLedger, cp.blockHash);
      const assets = (await clean.sqlite.balancesAt()).filter((b) => b.kind === "assets");
      expect(assets).to.have.length(1);
      expect(held).to.equal(assets[0].balance);
      const early = cleanEvents[5];
      const iface = new Interface(["function balanceOf(address) view returns (uint256)"]);
      const atNumber = await node.provider.call({ to: sc.token, data: iface.encodeFunctionData("balanceOf", [sc.addresses.revenueLedger]), blockTag: early.blockNumber });
      expect(await balanceAt(node.provider, sc.token, sc.addresses.revenueLedger, early.blockHash)).to.equal(BigInt(atNumber));
    });

    it("gives byte-identical reports from a PostgreSQL store read through a 30%-fault RPC and from a SQLite store read directly; they verify through the faults", async function () {
      // Up to the block before the expired challenge: src/report does not replay ChallengeExpired yet (told H6).
      const range = { ledger: sc.addresses.workLedger, revenueLedger: sc.addresses.revenueLedger, fromBlock: sc.deployBlock, toBlock: sc.beforeExpiryBlock };
      const proxy = await startRpcProxy({ upstream: node.url, seed: 21, failRate: 0.3, maxDelayMs: 5 });
      const flaky = await connectRpc(proxy.url, { retries: 20, baseDelayMs: 5, maxDelayMs: 100 });
      const reports: Record<string, string[]> = {};
      try {
        for (const engine of ENGINES) {
          const s = await stores.open(engine);
          await syncChain({ provider: engine === "postgres" ? flaky : node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: range.toBlock });
          for (const [key, records] of sc.records) {
            const [epoch, version] = key.split(":").map(Number);
            const ref = await s.latestEpochVersion(sc.networkId, epoch);
            if (!ref) continue; // committed after the range
            if (ref.version === version && ref.blockNumber <= range.toBlock) await s.putBundle({ networkId: sc.networkId, epoch: BigInt(epoch), version, root: ref.root, dataHash: ref.dataHash, source: "test", records });
          }
          const input = await reportInputFromStore(s, engine === "postgres" ? flaky : node.provider, range);
          reports[engine] = REPORT_KINDS.map((kind) => JSON.stringify(buildReport(kind, input, { generatedAt: "x" })));
          await s.close();
        }
        expect(reports.postgres).to.deep.equal(reports.sqlite);
        expect(JSON.parse(reports.sqlite[1]).lines.length, "uptime lines").to.be.greaterThan(4);
        // ...and each verifies against the chain through the same faults.
        for (const [i, kind] of REPORT_KINDS.entries()) {
          const v = await verifyReport(JSON.parse(reports.postgres[i]), flaky);
          expect(v.differences, kind).to.deep.equal([]);
          expect(v.ok, kind).to.equal(true);
        }
        const failed = Object.values(proxy.stats.faults).reduce((a, b) => a + b, 0) - proxy.stats.faults.slow;
        expect(failed, "faults injected").to.be.greaterThan(5);
      } finally {
        flaky.destroy();
        await proxy.stop();
      }
    });

    it("packs the index: hashes and addresses as bytes, events as packed log words", async function () {
      const s = await stores.open("sqlite", { file: true });
      await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: head });
      const [e] = (await s.db.selectFrom("events").select(["tx_hash", "data"]).limit(1).execute()) as { tx_hash: Buffer; data: Buffer }[];
      expect(Buffer.isBuffer(e.tx_hash) && e.tx_hash.length).to.equal(32);
      expect(Buffer.isBuffer(e.data)).to.equal(true);
      await s.close();
    });
  });

  describe("through the fault-injecting proxy", function () {
    for (const engine of ENGINES) {
      for (const seed of PROXY_SEEDS) {
        it(`[${engine}] ends with the same database as the clean sync: nothing lost, nothing doubled (seed ${seed})`, async function () {
          const proxy = await startRpcProxy({ upstream: node.url, seed, failRate: 0.3, maxLogRange: 32, maxLogResults: 12, maxDelayMs: 15 });
          const faulty = await stores.open(engine);
          try {
            const r = await syncChain({ provider: proxy.url, store: faulty, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: head, chunkSize: 64, retries: FAST_RETRY });
            expect(r.toBlock).to.equal(head);
            expect(await faulty.dump()).to.deep.equal(cleanDump);
            // The faults really happened.
            const st = proxy.stats;
            if (process.env.READER_DEBUG) console.log(JSON.stringify(st));
            for (const [kind, n] of Object.entries(st.faults)) expect(n, kind).to.be.greaterThan(0);
            expect(st.refusedRanges).to.be.greaterThan(0);
            expect(st.refusedResults).to.be.greaterThan(0);
            expect(st.foreignLogs).to.be.greaterThan(0);
            const failed = Object.values(st.faults).reduce((a, b) => a + b, 0) - st.faults.slow;
            expect(failed / st.requests).to.be.within(0.15, 0.4);
          } finally {
            await faulty.close();
            await proxy.stop();
          }
        });
      }
    }

    it("fetchEvents through the proxy equals the stored events", async function () {
      const proxy = await startRpcProxy({ upstream: node.url, seed: 9, maxLogRange: 32, maxLogResults: 60 });
      try {
        expect(await fetchEvents(proxy.url, sc.addresses, sc.deployBlock, head, { chunkSize: 100, retries: FAST_RETRY })).to.deep.equal(cleanEvents);
      } finally {
        await proxy.stop();
      }
    });
  });

  describe("checkpoints", function () {
    for (const engine of ENGINES) {
      it(`[${engine}] resumes from the checkpoint and reaches the same database`, async function () {
        const s = await stores.open(engine);
        const mid = sc.deployBlock + Math.floor((head - sc.deployBlock) / 2);
        const a = await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: mid, chunkSize: 7 });
        expect(a.toBlock).to.equal(mid);
        const b = await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: head, chunkSize: 7 });
        expect(b.fromBlock).to.equal(mid + 1);
        expect(a.events + b.events).to.equal(cleanEvents.length);
        expect(await s.dump()).to.deep.equal(cleanDump);
        const again = await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: head });
        expect(again.events).to.equal(0);
        await s.close();
      });

      it(`[${engine}] stores a re-committed event once and derives from it once; refuses a batch that does not continue the checkpoint`, async function () {
        const s = await stores.open(engine);
        await s.setMeta((await clean.sqlite.meta())!);
        const cp = (await clean.sqlite.checkpoint())!;
        expect(await s.commit({ events: cleanEvents, blocks: [], checkpoint: cp })).to.equal(cleanEvents.length);
        const before = await s.dump();
        expect(await s.commit({ events: cleanEvents.slice(10, 80), blocks: [], checkpoint: cp })).to.equal(0);
        expect(await s.dump()).to.deep.equal(before);
        let err: unknown;
        await s.commit({ events: [], blocks: [], checkpoint: cp, parent: { blockNumber: cp.blockNumber - 1, blockHash: cp.blockHash } }).catch((e) => (err = e));
        expect(err).to.be.instanceOf(CheckpointMovedError);
        expect(await s.dump()).to.deep.equal(before);
        await s.close();
      });

      it(`[${engine}] refuses a store synced from another deployment`, async function () {
        const s = await stores.open(engine);
        await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: sc.deployBlock + 3 });
        const other = { workLedger: sc.addresses.revenueLedger, revenueLedger: sc.addresses.workLedger };
        let err: unknown;
        await syncChain({ provider: node.url, store: s, addresses: other, fromBlock: sc.deployBlock }).catch((e) => (err = e));
        expect(err).to.be.instanceOf(ChainMismatchError);
        expect(String(err)).to.match(/workLedger/);
        await s.close();
      });
    }

    it("leaves `confirmations` blocks unread", async function () {
      const s = await stores.open("sqlite");
      const r = await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, confirmations: 5 });
      expect(r.toBlock).to.equal((await node.provider.getBlockNumber()) - 5);
      await s.close();
    });

    it("[postgres] a role that may only SELECT opens the shared store and reads it; its writes are refused", async function () {
      const ro = await openStore(await readOnlyRole(clean.postgres.location, `reader_${process.pid}`));
      try {
        expect(await ro.events()).to.deep.equal(cleanEvents);
        expect(await ro.checkpoint()).to.deep.equal(await clean.postgres.checkpoint());
        let err: unknown;
        await ro.prune(head).catch((e) => (err = e));
        expect(String(err)).to.match(/permission denied/);
      } finally {
        await ro.close();
      }
    });

    it("refuses an index of an older schema version with a clear error", async function () {
      const file = await stores.location("sqlite", { file: true });
      const s = await openStore(file);
      await s.db.updateTable("meta").set({ value: "1" }).where("key", "=", "schema_version").execute();
      await s.close();
      let err: unknown;
      await openStore(file).catch((e) => (err = e));
      expect(String(err)).to.match(/schema version 1, expected 3/);
    });
  });

  describe("stopping", function () {
    for (const engine of ENGINES) {
      it(`[${engine}] ends a pass after the current transaction when the signal fires, and the next pass completes it`, async function () {
        const proxy = await startRpcProxy({ upstream: node.url, seed: 11, failRate: 0.1, maxDelayMs: 40 });
        const s = await stores.open(engine);
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
          expect((await s.checkpoint())!.blockNumber).to.equal(r.toBlock);
          expect((await s.events()).every((e) => e.blockNumber <= r.toBlock)).to.equal(true);
          const rest = await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: head });
          expect(rest.fromBlock).to.equal(r.toBlock + 1);
          expect(await s.dump()).to.deep.equal(cleanDump);
        } finally {
          await s.close();
          await proxy.stop();
        }
      });
    }
  });
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
  const until = async (what: string, cond: () => Promise<boolean> | boolean, ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  describe("a store that goes away", function () {
    it("[postgres] a connection ended by the server while checked out fails its work, not the process; the store goes on", async function () {
      const s = (await stores.open("postgres")) as SqlStore & { pool: import("pg").Pool };
      await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock });
      const before = await s.checkpoint();
      const uncaught: unknown[] = [];
      const onUncaught = (e: unknown) => uncaught.push(e);
      // Mocha's own handler would fail the test on an uncaught 'error' event; count them here instead.
      const mochaHandlers = process.listeners("uncaughtException");
      process.removeAllListeners("uncaughtException");
      process.on("uncaughtException", onUncaught);
      try {
        // A client held between two queries (as inside a transaction), then ended by the server (57P01).
        const held = await s.pool.connect();
        const pid = (await held.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
        const killer = await s.pool.connect();
        await killer.query("SELECT pg_terminate_backend($1)", [pid]);
        killer.release();
        await new Promise((r) => setTimeout(r, 300));
        let err: unknown;
        await held.query("SELECT 1").catch((e) => (err = e));
        held.release();
        expect(err, "the held client's next query").to.be.instanceOf(Error);
        expect(isStoreUnavailable(err) || /not queryable|terminat/i.test(String(err)), String(err)).to.equal(true);
      } finally {
        process.removeListener("uncaughtException", onUncaught);
        for (const h of mochaHandlers) process.on("uncaughtException", h);
      }
      expect(uncaught.map(String), "uncaught errors").to.deep.equal([]);
      // The pool dropped the dead client: the store reads and syncs on fresh connections.
      expect(await s.checkpoint()).to.deep.equal(before);
      await sc.activity(2, "after-terminate");
      await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock });
      expect((await s.checkpoint())!.blockNumber).to.equal(await node.provider.getBlockNumber());
    });

    it("[postgres] a follower waits out a database server restart and goes on where it was", async function () {
      const server = await startPostgres(); // its own server: the shared one stays up for the other tests
      const s = await openStore(await server.createDatabase("restart"));
      const ac = new AbortController();
      const errors: unknown[] = [];
      try {
        const target0 = await node.provider.getBlockNumber();
        const following = followChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock, pollMs: 50, signal: ac.signal, onError: (e) => errors.push(e) });
        await until("the first head", async () => ((await s.checkpoint().catch(() => null))?.blockNumber ?? 0) >= target0);
        await server.restart(800);
        await sc.activity(6, "restart");
        const target = await node.provider.getBlockNumber();
        await until("the head after the restart", async () => ((await s.checkpoint().catch(() => null))?.blockNumber ?? 0) >= target);
        ac.abort();
        await following;
        expect(errors.length, "passes that met the server down").to.be.greaterThan(0);
        expect(errors.every((e) => isStoreUnavailable(e)), String(errors[0])).to.equal(true);
        const fresh = await stores.open("sqlite");
        await syncChain({ provider: node.url, store: fresh, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: (await s.checkpoint())!.blockNumber });
        expect(await s.dump()).to.deep.equal(await fresh.dump());
        await fresh.close();
      } finally {
        ac.abort();
        await s.close();
        await server.stop();
      }
    });
  });

  describe("epoch bundles", function () {
    it("imports a bundle from a path, file:// or http:// URI only when root and dataHash match the latest version (both engines)", async function () {
      const epoch = sc.nextEpoch++;
      const good = recordsOf(epoch, "v1");
      const built = await buildEpoch(good, { epoch, networkId: sc.networkId });
      await sc.commitSummary(epoch, 1, built.summary);
      const goodFile = path.join(tmp, `e${epoch}-v1.wlb`);
      await writeBundle(built.bundle, goodFile);
      const other = await buildEpoch(recordsOf(epoch, "forged"), { epoch, networkId: sc.networkId });
      const wrongFile = path.join(tmp, `e${epoch}-forged.wlb`);
      await writeBundle(other.bundle, wrongFile);
      const fixed = recordsOf(epoch, "v2");
      const built2 = await buildEpoch(fixed, { epoch, networkId: sc.networkId });
      const file2 = path.join(tmp, `e${epoch}-v2.wlb`);
      await writeBundle(built2.bundle, file2);
      const all = await Promise.all(ENGINES.map((e) => stores.open(e)));
      const server = http.createServer((_req, res) => res.end(fs.readFileSync(goodFile)));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        for (const s of all) {
          await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock });
          expect(await s.missingBundles()).to.deep.include({ networkId: sc.networkId, epoch: BigInt(epoch), version: 1 });
          expect(await s.bundleRecords(sc.networkId, epoch, 1)).to.equal(undefined);

          let err: unknown;
          await importBundle(s, wrongFile).catch((e) => (err = e));
          expect(err).to.be.instanceOf(BundleMismatchError);
          expect(String((err as Error).message)).to.include(`network ${sc.networkId} epoch ${epoch} version 1`).and.include(built.summary.root).and.include(other.summary.root);
          expect(await s.bundleRecords(sc.networkId, epoch, 1)).to.equal(undefined);

          const r = await importBundle(s, pathToFileURL(goodFile).href);
          expect(r).to.include({ networkId: sc.networkId, epoch: BigInt(epoch), version: 1, records: 12 });
          expect([...(await s.bundleRecords(sc.networkId, epoch, 1))!].sort(byNode)).to.deep.equal([...good].sort(byNode));
          expect(await s.epochRecords(sc.networkId, epoch)).to.have.length(12);
          expect(await s.missingBundles()).to.not.deep.include({ networkId: sc.networkId, epoch: BigInt(epoch), version: 1 });

          // Over HTTP from a loopback server; re-importing replaces, never doubles.
          const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/e${epoch}-v1.wlb`;
          expect((await importBundle(s, url)).records).to.equal(12);
          expect(await s.bundleRecords(sc.networkId, epoch, 1)).to.have.length(12);
        }

        // A correction makes version 2 the latest: the old bundle no longer matches, version 2 is missing.
        await sc.commitSummary(epoch, 2, built2.summary, "recount");
        for (const s of all) {
          let err: unknown;
          await importBundle(s, file2, { provider: node.provider, addresses: sc.addresses }).catch((e) => (err = e));
          expect(String(err)).to.match(new RegExp(`store is behind the chain .* epoch ${epoch}`));
          await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock });
          expect(await s.missingBundles()).to.deep.include({ networkId: sc.networkId, epoch: BigInt(epoch), version: 2 });
          err = undefined;
          await importBundle(s, goodFile).catch((e) => (err = e));
          expect(String((err as Error).message)).to.include(`network ${sc.networkId} epoch ${epoch} version 2`);
          await importBundle(s, file2, { provider: node.provider, addresses: sc.addresses });
          expect([...(await s.epochRecords(sc.networkId, epoch))!].sort(byNode)).to.deep.equal([...fixed].sort(byNode));
          expect(await s.bundleRecords(sc.networkId, epoch, 1)).to.have.length(12); // history kept
        }
        expect(await all[1].dump()).to.deep.equal(await all[0].dump());
      } finally {
        await new Promise((resolve) => server.close(resolve));
        for (const s of all) await s.close();
      }
    });
  });

  describe("usage in bundles", function () {
    it("imports an epoch's usage records only when the bundle's usageRoot matches the commit (both engines)", async function () {
      const epoch = sc.nextEpoch++;
      const records = recordsOf(epoch, `usage-${epoch}`);
      const usage = sc.customers.map((customer, i) => ({ customer, epoch: BigInt(epoch), workUnits: BigInt(100 + i), amount: BigInt(5_000 * (i + 1)), ref: keccak256(toUtf8Bytes(`order-${i}`)) }));
      const built = await buildEpoch(records, { epoch, networkId: sc.networkId, usage });
      await sc.commitSummary(epoch, 1, built.summary);
      const file = path.join(tmp, `e${epoch}-usage.wlb`);
      await writeBundle(built.bundle, file);
      // Same records, other usage: root and dataHash match, usageRoot does not.
      const forged = await buildEpoch(records, { epoch, networkId: sc.networkId, usage: usage.map((u) => ({ ...u, amount: u.amount + 1n })) });
      const forgedFile = path.join(tmp, `e${epoch}-usage-forged.wlb`);
      await writeBundle(forged.bundle, forgedFile);
      const wl = WorkLedger__factory.connect(sc.addresses.workLedger, node.provider);
      const onChain = await wl.latestEpoch(sc.networkId, epoch);
      for (const engine of ENGINES) {
        const s = await stores.open(engine);
        try {
          await syncChain({ provider: node.url, store: s, addresses: sc.addresses, fromBlock: sc.deployBlock });
          const [v] = await s.rows("epoch_versions", { network_id: sc.networkId, epoch });
          expect([v.usage_root, v.usage_count, v.total_usage], engine).to.deep.equal([onChain.usageRoot.toLowerCase(), 3, "30000"]);
          let err: unknown;
          await importBundle(s, forgedFile).catch((e) => (err = e));
          expect(err).to.be.instanceOf(BundleMismatchError);
          expect((err as BundleMismatchError).field).to.equal("usageRoot");
          expect(await s.bundleUsage(sc.networkId, epoch, 1)).to.equal(undefined);
          expect((await importBundle(s, file)).usage).to.equal(3);
          const byCustomer = (a: { customer: string }, b: { customer: string }) => (a.customer.toLowerCase() < b.customer.toLowerCase() ? -1 : 1);
          expect(await s.bundleUsage(sc.networkId, epoch, 1)).to.deep.equal([...usage].sort(byCustomer));
          expect(await s.bundleUsage(sc.networkId, 0, 1)).to.equal(undefined); // no bundle imported for it
        } finally {
          await s.close();
        }
      }
    });
  });

  describe("follow mode", function () {
    ENGINES.forEach((engine) => {
      it(`[${engine}] indexes new blocks as they come, imports bundles from --bundles DIR as they appear, stops cleanly on abort`, async function () {
        const s = await stores.open(engine, { file: true });
        const dir = fs.mkdtempSync(path.join(tmp, "follow-bundles-"));
        const ac = new AbortController();
        let passes = 0;
        const imported: string[] = [];
        const failures: string[] = [];
        try {
          const following = followChain({
            provider: node.url,
            store: s,
            addresses: sc.addresses,
            fromBlock: sc.deployBlock,
            pollMs: 50,
            signal: ac.signal,
            bundles: dir,
            onPass: () => passes++,
            onBundle: (b) => (b.imported ? imported.push(path.basename(b.file)) : failures.push(path.basename(b.file))),
          });
          await sc.activity(8, `follow-${engine}`);
          // A bundle that lands before its commit is indexed, then the commit: imported once the commit is.
          // Epochs are committed in order.
          const epoch = sc.nextEpoch;
          sc.nextEpoch += 2;
          const early = await buildEpoch(recordsOf(epoch, `early-${engine}`), { epoch, networkId: sc.networkId });
          await writeBundle(early.bundle, path.join(dir, `e${epoch}.wlb`));
          // A bundle that will never match (other records for the same epoch): tried once the epoch is in, not at every pass.
          const stale = await buildEpoch(recordsOf(epoch, `stale-${engine}`), { epoch, networkId: sc.networkId });
          await writeBundle(stale.bundle, path.join(dir, `e${epoch}-stale.wlb`));
          await new Promise((r) => setTimeout(r, 200));
          await sc.commitSummary(epoch, 1, early.summary);
          await until("the early bundle", async () => (await s.bundleRecords(sc.networkId, epoch, 1)) !== undefined);
          // A bundle that appears after its commit was indexed.
          const late = await buildEpoch(recordsOf(epoch + 1, `late-${engine}`), { epoch: epoch + 1, networkId: sc.networkId });
          await sc.commitSummary(epoch + 1, 1, late.summary);
          await until("the late commit", async () => (await s.latestEpochVersion(sc.networkId, epoch + 1)) !== undefined);
          await writeBundle(late.bundle, path.join(dir, `e${epoch + 1}.wlb`));
          await until("the late bundle", async () => (await s.bundleRecords(sc.networkId, epoch + 1, 1)) !== undefined);
          // The stale bundle failed before its epoch was committed (retried as the chain moved), then
          // against the commit; after that, passes with new events do not read it again.
          const staleTries = failures.filter((f) => f === `e${epoch}-stale.wlb`).length;
          expect(staleTries).to.be.at.least(1);
          await sc.activity(3, `stale-${engine}`);
          const target = await node.provider.getBlockNumber();
          await until("the head", async () => ((await s.checkpoint())?.blockNumber ?? 0) >= target);
          await new Promise((r) => setTimeout(r, 200)); // a pass or two more
          expect(failures.filter((f) => f === `e${epoch}-stale.wlb`).length, "tries of the stale bundle").to.equal(staleTries);
          ac.abort();
          const last = await following;
          expect(passes).to.be.greaterThan(1);
          expect(last.toBlock).to.be.at.least(target);
          expect(imported).to.deep.equal([`e${epoch}.wlb`, `e${epoch + 1}.wlb`]);
          expect([...(await s.bundleRecords(sc.networkId, epoch, 1))!].sort(byNode)).to.deep.equal([...recordsOf(epoch, `early-${engine}`)].sort(byNode));
          const fresh = await stores.open("sqlite");
          await syncChain({ provider: node.url, store: fresh, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: (await s.checkpoint())!.blockNumber });
          const want = await fresh.dump();
          const got = await s.dump();
          for (const t of ["bundles", "bundle_records"]) got[t] = got[t].filter((r) => r.epoch !== epoch && r.epoch !== epoch + 1);
          expect(got).to.deep.equal(want);
          await fresh.close();
        } finally {
          ac.abort();
          await s.close();
        }
      });
    });
  });

  describe("processes", function () {
    let childJs: string;
    before(function () {
      // The child runs on the build (plain JavaScript: each spawn starts in well under a second); `npm test` builds first.
      childJs = path.join(ROOT, "test/helpers/readerSyncChild.js");
      const built = path.join(ROOT, "dist/src/reader/sqlStore.js");
      if (!fs.existsSync(built)) throw new Error("dist/ is missing: run `npm run build` before this test file alone (npm test builds it)");
      const newest = Math.max(...fs.readdirSync(path.join(ROOT, "src/reader")).map((f) => fs.statSync(path.join(ROOT, "src/reader", f)).mtimeMs));
      if (fs.statSync(built).mtimeMs < newest) throw new Error("dist/ is older than src/reader: run `npm run build` (npm test builds it)");
    });

    interface ChildRun {
      child: ChildProcess;
      lines: string[];
      done: Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[]; stderr: string }>;
    }

    function spawnChild(db: string, url: string, extra: Record<string, unknown>, onLine: (line: string, child: ChildProcess) => void = () => undefined): ChildRun {
      const opts = { url, db, workLedger: sc.addresses.workLedger, revenueLedger: sc.addresses.revenueLedger, fromBlock: sc.deployBlock, chunkSize: 2, ...extra };
      const child = spawn(process.execPath, [childJs, JSON.stringify(opts)], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") },
      });
      const lines: string[] = [];
      let stderr = "";
      let buf = "";
      child.stdout.on("data", (d: Buffer) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          lines.push(line);
          onLine(line, child);
        }
      });
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      return { child, lines, done: new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, lines, stderr }))) };
    }

    for (const engine of ENGINES) {
      it(`[${engine}] a sync killed with SIGKILL at ${CRASH_ROUNDS} random points resumes to the clean database`, async function () {
        const proxy = await startRpcProxy({ upstream: node.url, seed: 5, failRate: 0.3, maxDelayMs: 10 });
        const db = await stores.location(engine, { file: true });
        const rand = seededRandom(2024);
        const killedAt: number[] = [];
        try {
          for (let round = 0; round < CRASH_ROUNDS; round++) {
            const killAfter = 1 + Math.floor(rand() * 4);
            const delayMs = Math.floor(rand() * 40);
            let seen = 0;
            const r = await spawnChild(db, proxy.url, { toBlock: head }, (line, child) => {
              if (line.startsWith("progress") && ++seen === killAfter) {
                setTimeout(() => child.kill("SIGKILL"), delayMs);
              }
            }).done;
            if (r.lines.includes("done")) break; // finished before the kill landed: nothing left to interrupt
            expect(r.signal, `round ${round} should be killed mid-sync (exit ${r.code}): ${r.stderr}`).to.equal("SIGKILL");
            const s = await openStore(db);
            killedAt.push((await s.checkpoint())?.blockNumber ?? -1);
            await s.close();
          }
          expect(killedAt.length, "kills that landed mid-sync").to.be.at.least(Math.min(CRASH_ROUNDS, 4));
          // Each round made progress from where the last one was killed.
          for (let i = 1; i < killedAt.length; i++) expect(killedAt[i]).to.be.at.least(killedAt[i - 1]);
          const last = await spawnChild(db, proxy.url, { toBlock: head }).done;
          expect(last.code, last.stderr).to.equal(0);
          expect(last.lines).to.include("done");
          const s = await openStore(db);
          try {
            expect(await s.dump()).to.deep.equal(cleanDump);
          } finally {
            await s.close();
          }
        } finally {
          await proxy.stop();
        }
      });

      it(`[${engine}] two followers in two processes on one store never double-write; a reader sees whole batches only`, async function () {
        const db = await stores.location(engine, { file: true });
        // The store exists before both start (as after a first `sync`).
        const reader = await openStore(db);
        const runs = [spawnChild(db, node.url, { follow: true, chunkSize: 1 }), spawnChild(db, node.url, { follow: true, chunkSize: 2 })];
        try {
          await until("both followers", () => runs.every((r) => r.lines.includes("following")));
          await sc.activity(12, `two-${engine}`);
          const target = await node.provider.getBlockNumber();
          // While they race, every read sees a checkpoint whose events are all there (one transaction per batch).
          let checks = 0;
          await until(
            "both followers at the head",
            async () => {
              const cp = await reader.checkpoint();
              if (cp) {
                const n = (await reader.events({ toBlock: cp.blockNumber })).length;
                const expected = cleanEvents.filter((e) => e.blockNumber <= Math.min(cp.blockNumber, head)).length;
                if (cp.blockNumber <= head) expect(n, `events up to checkpoint ${cp.blockNumber}`).to.equal(expected);
                checks++;
              }
              return runs.every((r) => r.lines.some((l) => l.startsWith("pass ") && Number(l.slice(5)) >= target));
            },
            120_000,
          );
          for (const r of runs) r.child.kill("SIGTERM");
          const ends = await Promise.all(runs.map((r) => r.done));
          for (const e of ends) expect(e.code, e.stderr).to.equal(0);
          expect(checks, "reads while the followers raced").to.be.greaterThan(0);
          // Between them they committed every batch once: the result is one clean sync.
          expect(runs.some((r) => r.lines.some((l) => l.startsWith("progress")))).to.equal(true);
          const cp = (await reader.checkpoint())!;
          const fresh = await stores.open("sqlite");
          await syncChain({ provider: node.url, store: fresh, addresses: sc.addresses, fromBlock: sc.deployBlock, toBlock: cp.blockNumber });
          expect(await reader.dump()).to.deep.equal(await fresh.dump());
          await fresh.close();
        } finally {
          for (const r of runs) if (r.child.exitCode === null) r.child.kill("SIGKILL");
          await reader.close();
        }
      });
    }
  });
});
