/**
 * Benchmark of the reports over 1,000,000 records: a synthetic ReportInput (1 network, 10 epochs ×
 * 100,000 records with usage leaves of 2,000 customers, deposits, one billing statement per customer
 * over the 10 epochs (split per epoch by its usage leaves, each proof checked against the epoch's
 * usage root and the list against the statement's usageHash) and their double-entry postings) and its epoch bundles made with the writer (untimed); then, timed:
 * every report kind from the bundles' records and trees, and apart, rebuilding the trees from bare
 * records. Wall-clock seconds, and the process's CPU seconds beside them (the machine is shared).
 *
 * Run alone: npx ts-node --transpile-only scripts/bench/reports.ts
 */
import { getAddress, toBeHex } from "ethers";


import type { ChainEvent, EventValue } from "../../src/chain/events";
import { NO_EPOCH, WorkRecord } from "../../src/records/types";
import { buildReport, REPORT_KINDS } from "../../src/report/build";
import type { ReportInput } from "../../src/report/input";
import { AccountKind, encodeAccountId } from "../../src/report/journal";
import { buildEpochTree, epochFromBundle } from "../../src/merkle";
import { buildEpoch, EpochBundle } from "../../src/writer";
import { renderCsvTables } from "../../src/report/render/csv";
import type { UsageRecord } from "../../src/records/usage";
import { buildUsage, usageProof, usageRefsHash } from "../../src/records/usageTree";
import type { UsageRef } from "../../src/records/usageTree";
import { usageSourceFromLeaves } from "../../src/report/usageSource";

const EPOCHS = Number(process.env.BENCH_REPORT_EPOCHS ?? 10);
const RECORDS_PER_EPOCH = 100_000;
const CUSTOMERS = 2_000;
const LEDGER = getAddress("0x1000000000000000000000000000000000000001");
const REVENUE_LEDGER = getAddress("0x2000000000000000000000000000000000000002");
const TOKEN = getAddress("0x3000000000000000000000000000000000000003");

const word = Buffer.alloc(32);

/** A flat 0x-hex bytes32 of (salt, n). */
function hex32(n: number, salt: number): string {
  word.fill(0);
  word.writeUInt32BE(salt, 12);
  word.writeUInt32BE(n >>> 0, 28);
  return `0x${word.toString("hex")}`;
}

/** A node id that looks like a hash (its leading bytes spread out, as keccak ids are). */
function nodeIdOf(i: number): string {
  word.fill(0);
  word.writeUInt32BE(Math.imul(i + 1, 2654435761) >>> 0, 0);
  word.writeUInt32BE(i >>> 0, 28);
  return `0x${word.toString("hex")}`;
}

/** A synthetic input of EPOCHS × RECORDS_PER_EPOCH records and matching events. */
export function syntheticInput(): { input: ReportInput; records: Map<string, WorkRecord[]> } {
  const events: ChainEvent[] = [];
  let block = 1;
  let log = 0;
  const push = (contract: ChainEvent["contract"], name: string, args: Record<string, EventValue>) => {
    events.push({ contract, address: contract === "WorkLedger" ? LEDGER : REVENUE_LEDGER, name, blockNumber: block, blockHash: hex32(block, 9), txHash: hex32(events.length, 7), logIndex: log++, args });
  };
  const nextBlock = () => {
    block++;
    log = 0;
  };
  const entry = (debit: string, credit: string, amount: bigint, epoch: bigint, ref: string) =>
    push("RevenueLedger", "EntryPosted", { networkId: "1", debitAccount: debit, creditAccount: credit, amount: amount.toString(), epoch: epoch.toString(), ref, debitBalance: "0", creditBalance: "0" });
  const genesis = 1_700_000_000;
  push("WorkLedger", "NetworkCreated", { networkId: "1", admin: LEDGER, token: TOKEN, name: "bench", workUnit: "GPU-seconds", genesisTime: String(genesis), epochSeconds: "3600", challengeWindow: "600", capacityPerNode: "3600" });
  nextBlock();
  const customers = Array.from({ length: CUSTOMERS }, (_, i) => getAddress(toBeHex(0x4000n + BigInt(i), 20)));
  const assets = encodeAccountId(AccountKind.Assets, 0, TOKEN);
  const revenue = encodeAccountId(AccountKind.Revenue, 1, "0x0000000000000000000000000000000000000000");
  for (const c of customers) {
    push("RevenueLedger", "Deposited", { networkId: "1", customer: c, from: c, amount: "100000000", requested: "100000000" });
    entry(assets, encodeAccountId(AccountKind.Escrow, 1, c), 100_000_000n, NO_EPOCH, `0x${"0".repeat(64)}`);
  }
  nextBlock();
  const records = new Map<string, WorkRecord[]>();
  const usageLeaves = new Map<string, UsageRecord[]>();
  const refs = new Map<string, UsageRef[]>(customers.map((c) => [c, []]));
  for (let e = 0; e < EPOCHS; e++) {
    const recs: WorkRecord[] = new Array(RECORDS_PER_EPOCH);
    let work = 0n;
    let rev = 0n;
    let active = 0;
    for (let i = 0; i < RECORDS_PER_EPOCH; i++) {
      const uptime = (i * 7919 + e * 104_729) % 97 === 0 ? 9_400 + ((i + e) % 500) : 9_990 + ((i + e) % 11);
      const r: WorkRecord = { nodeId: nodeIdOf(i), epoch: BigInt(e), workUnits: BigInt(3_000 + (i % 600)), uptimeBps: Math.min(10_000, uptime), revenue: BigInt(1_000_000 + ((i * 31) % 100_000)), evidence: hex32(i, 2 + e) };
      recs[i] = r;
      work += r.workUnits;
      rev += r.revenue;
      if (r.workUnits > 0n) active++;
    }
    records.set(`1:${e}:1`, recs);
    push("WorkLedger", "EpochCommitted", { networkId: "1", epoch: String(e), version: "1", root: "0x", recordCount: String(RECORDS_PER_EPOCH), activeNodes: String(active), totalWorkUnits: work.toString(), totalRevenue: rev.toString(), dataHash: hex32(e, 5), verifierSetId: "1", finalizesAt: String(genesis + (e + 2) * 3600), signers: [] });
    // The epoch's usage: every customer used 1 token (its leaf), committed with the epoch.
    const leaves: UsageRecord[] = customers.map((c) => ({ customer: c, epoch: BigInt(e), workUnits: 1_000n, amount: 1_000_000n, ref: hex32(e, 3) }));
    const usage = buildUsage(leaves);
    usageLeaves.set(`1:${e}:1`, usage.leaves);
    for (const c of customers) refs.get(c)!.push({ epoch: e, version: 1, usageRoot: usage.root, leafHash: usageProof(usage, c).leafHash });
    push("WorkLedger", "EpochUsageCommitted", { networkId: "1", epoch: String(e), version: "1", usageRoot: usage.root, usageCount: String(CUSTOMERS), totalUsage: usage.totalUsage.toString() });
    nextBlock();
  }
  // One statement per customer over every epoch: escrow -> revenue in one entry (fee 0).
  for (const [i, c] of customers.entries()) {
    const chargeId = toBeHex((1n << 224n) | BigInt(c), 32);
    const amount = BigInt(EPOCHS) * 1_000_000n;
    push("RevenueLedger", "StatementCharged", { chargeId, networkId: "1", customer: c, fromEpoch: "0", toEpoch: String(EPOCHS - 1), amount: amount.toString(), fee: "0", usageHash: usageRefsHash(refs.get(c)!), capPerEpoch: "2000000", signers: [], referenceText: `invoice ${i}` });
    entry(encodeAccountId(AccountKind.Escrow, 1, c), revenue, amount, BigInt(EPOCHS - 1), chargeId);
  }
  nextBlock();
  const toBlock = block;
  const input: ReportInput = {
    chainId: 31337,
    ledger: LEDGER,
    revenueLedger: REVENUE_LEDGER,
    fromBlock: 1,
    toBlock,
    toBlockHash: hex32(toBlock, 9),
    toBlockTimestamp: genesis + 100 * 3600,
    events,
    records: (n, e, v) => records.get(`${n}:${e}:${v}`),
    // The index's imported usage leaves (trees built when first asked, inside the timed reports).
    usage: usageSourceFromLeaves(usageLeaves),
    blockTimestamps: Object.fromEntries(Array.from({ length: toBlock }, (_, i) => [i + 1, genesis + i * 60])),
    tokens: { [TOKEN]: { address: TOKEN, symbol: "mUSD", decimals: 6 } },
    heldByContract: { [TOKEN]: BigInt(CUSTOMERS) * 100_000_000n },
  };
  return { input, records };
}

/** Runs the benchmark; returns its figures (reports1MSeconds is the DESIGN.md key). */
export async function run(): Promise<Record<string, number>> {
  const { input, records } = syntheticInput();
  // Setup, untimed: the epoch bundles as the writer makes them (records in leaf order + tree).
  const bundles = new Map<string, EpochBundle>();
  for (const [k, recs] of records) {
    bundles.set(k, (await buildEpoch(recs, { epoch: Number(k.split(":")[1]), networkId: 1 })).bundle);
    records.delete(k); // keep one copy of the data in memory
  }
  for (const e of input.events) if (e.name === "EpochCommitted") e.args.root = bundles.get(`1:${e.args.epoch}:1`)!.root;

  // Records and trees from the bundles (what `report --bundles DIR` reads), timed apart.
  const l0 = process.hrtime.bigint();
  const fromBundles = new Map<string, ReturnType<typeof epochFromBundle>>();
  for (const [k, b] of bundles) fromBundles.set(k, epochFromBundle(b));
  const l1 = process.hrtime.bigint();
  const withTrees: ReportInput = {
    ...input,
    records: (n, e, v) => fromBundles.get(`${n}:${e}:${v}`)?.records,
    trees: (n, e, v) => fromBundles.get(`${n}:${e}:${v}`)?.tree,
  };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let lines = 0;
  const perKind: Record<string, number> = {};
  for (const kind of REPORT_KINDS) {
    const k0 = process.hrtime.bigint();
    const r = buildReport(kind, withTrees);
    lines += r.lines.length;
    if (kind !== "uptime") renderCsvTables(r);
    perKind[`reports1M_${kind}Seconds`] = Number((Number(process.hrtime.bigint() - k0) / 1e9).toFixed(3));
  }
  const t1 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);

  // The uptime report with every node and customer labelled (--labels), timed apart.
  const labels = new Map<string, { name: string; group: string | null }>();
  for (let i = 0; i < RECORDS_PER_EPOCH; i++) labels.set(nodeIdOf(i), { name: `node-${i}`, group: `region-${i % 8}` });
  const u0 = process.hrtime.bigint();
  buildReport("uptime", withTrees, { labels });
  const u1 = process.hrtime.bigint();

  // Rebuilding the trees from bare records instead (the store path when no bundle is at hand).
  const cpu1 = process.cpuUsage();
  const t2 = process.hrtime.bigint();
  for (const e of fromBundles.values()) await buildEpochTree(e.records);
  const t3 = process.hrtime.bigint();
  const cpuTrees = process.cpuUsage(cpu1);
  const s = (a: bigint, b: bigint) => Number(b - a) / 1e9;
  return {
    // Every report kind built (and the non-uptime ones rendered to CSV) over 1,000,000 records, from
    // a filled ReportInput (records and trees of the epoch bundles the writer made).
    reports1MSeconds: Number(s(t0, t1).toFixed(3)),
    // Filling it: reading records and trees out of the 10 bundles, apart.
    reports1MLoadBundlesSeconds: Number(s(l0, l1).toFixed(3)),
    // CPU seconds of the process over the same span: a figure less sensitive to a busy machine.
    reports1MCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
    // Rebuilding the 10 trees from bare records (reportInputFromStore without bundles), apart.
    reports1MTreeRebuildSeconds: Number(s(t2, t3).toFixed(3)),
    reports1MTreeRebuildCpuSeconds: Number(((cpuTrees.user + cpuTrees.system) / 1e6).toFixed(3)),
    reports1MLines: lines,
    // The uptime report over the same records with 100,000 node labels (name and group on every line).
    reports1M_uptimeLabelledSeconds: Number(s(u0, u1).toFixed(3)),
    ...perKind,
  };
}

if (require.main === module) {
  run()
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
