/**
 * The demo end to end: the on-chain story (./run.ts), then the indexer (SQLite in the out dir,
 * bundles imported), every report in every format under their fixed names, each verified against
 * the chain alone, and a short summary.
 */
import fs from "fs";
import path from "path";
import { Signer } from "ethers";

import {
  InvalidInputError,
  REPORT_KINDS,
  Report,
  SqlStore,
  formatInteger as formatInt,
  importBundleDir,
  openStore,
  readLabels,
  reportFromStore,
  syncChain,
  verifyReport,
  writeReportFiles,
} from "../index";
import type { EconomicsReport, JournalReport, Labels, SpendReport, UptimeReport } from "../index";
import { DemoChain, DemoHooks, DemoOptions, demoPaths, runDemoChain, tokenAmount as formatAmount } from "./run";

/** What a demo run returns: the summary as data and as lines for a person, and whether every report verified. */
export interface DemoResult {
  ok: boolean;
  data: Record<string, unknown>;
  lines: string[];
}

function removeDb(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

/** A report of `kind` from the store over the demo's whole block range. */
async function storeReport(store: SqlStore, chain: DemoChain, d: { chainId: number; workLedger: string; revenueLedger: string }, kind: Report["kind"], range: { fromBlock: number; toBlock: number }, labels: Labels): Promise<Report> {
  try {
    return await reportFromStore(store, chain.provider, kind, { chainId: d.chainId, ledger: d.workLedger, revenueLedger: d.revenueLedger, ...range }, { networkId: null, customer: null, labels });
  } catch (e) {
    if ((e as Error).name === "MissingRecordsError") throw new InvalidInputError(`${(e as Error).message.split("\n")[0]} (the demo's bundles did not import)`);
    throw e;
  }
}

const pct = (bps: number | null | undefined) => (bps === null || bps === undefined ? "-" : `${(bps / 100).toFixed(2)}%`);

/**
 * Runs the whole demo on `chain` from `deployer` (see ./run.ts for the on-chain story), then indexes
 * the chain (SQLite in the out dir, bundles imported), writes every report in every format under its
 * fixed name, verifies each against the chain alone, and returns the summary.
 */
export async function runDemo(chain: DemoChain, deployer: Signer, opts: DemoOptions, hooks: DemoHooks): Promise<DemoResult> {
  const started = Date.now();
  const chainResult = await runDemoChain(chain, deployer, opts, hooks);
  const p = demoPaths(opts.out);
  const d = chainResult.deployment;
  const labels = readLabels(p.labels);

  // Index the chain and import the epoch bundles.
  removeDb(p.db);
  const store = await openStore(p.db);
  const reports: Report[] = [];
  const written: string[] = [];
  try {
    const sync = await syncChain({
      provider: chain.embedded ? chain.provider : chain.url,
      store,
      addresses: { workLedger: d.workLedger, revenueLedger: d.revenueLedger },
      fromBlock: d.fromBlock,
    });
    const imports = await importBundleDir(store, p.bundles);
    hooks.log(`indexed ${formatInt(await store.eventCount())} events up to block ${sync.toBlock} into ${p.db}; imported ${imports.imported.length} bundles`);
    // Every report, every format, fixed names.
    hooks.progress.start(REPORT_KINDS.length, "writing reports");
    for (const kind of REPORT_KINDS) {
      const report = await storeReport(store, chain, d, kind, { fromBlock: d.fromBlock, toBlock: sync.toBlock }, labels);
      written.push(...(await writeReportFiles(report, opts.out, kind)));
      reports.push(report);
      hooks.progress.increment();
    }
    hooks.progress.stop();
  } finally {
    await store.close();
  }

  // Verify each report JSON from the chain alone.
  const verified: Array<{ file: string; ok: boolean; differences: string[] }> = [];
  for (const kind of REPORT_KINDS) {
    const file = path.join(opts.out, `${kind}.json`);
    const r = await verifyReport(JSON.parse(fs.readFileSync(file, "utf8")) as Report, chain.provider);
    verified.push({ file, ok: r.ok, differences: r.differences.slice(0, 5) });
  }
  const allOk = verified.every((v) => v.ok);
  hooks.log(`verified ${verified.length} reports against the chain: ${allOk ? "all match" : "MISMATCHES"}`);

  // Headline figures.
  const spend = reports.find((r) => r.kind === "spend") as SpendReport;
  const uptime = reports.find((r) => r.kind === "uptime") as UptimeReport;
  const econ = reports.find((r) => r.kind === "economics") as EconomicsReport;
  const journal = reports.find((r) => r.kind === "journal") as JournalReport;
  const tok = spend.tokens[0] ?? { symbol: "mUSD", decimals: 6, address: d.token };
  const amt = (v: string | bigint) => formatAmount(BigInt(v), tok.decimals, tok.symbol);
  const net = uptime.totals.networks[0];
  const jt = journal.totals as JournalReport["totals"] & { heldByContract?: Record<string, string>; ledgerAssets?: Record<string, string> };
  const held = jt.heldByContract ? Object.values(jt.heldByContract)[0] : undefined;
  const assets = jt.ledgerAssets ? Object.values(jt.ledgerAssets)[0] : undefined;
  const seconds = (Date.now() - started) / 1000;
  const headline = {
    nodes: opts.nodes,
    epochs: opts.epochs,
    commits: chainResult.commits,
    transactions: chainResult.transactions,
    revenueRecorded: econ.totals.totalRevenue,
    revenueSettled: econ.totals.settledRevenue,
    revenueBackedBps: econ.totals.revenueBackedBps,
    deposited: spend.totals.deposited,
    charged: spend.totals.charged,
    posted: spend.totals.posted,
    refunded: spend.totals.refunded,
    withdrawn: spend.totals.withdrawn,
    closingFree: spend.totals.closingFree,
    closingThawing: (spend.totals as { closingThawing?: string }).closingThawing ?? null,
    statements: chainResult.statements.length,
    finalizedCount: chainResult.finalizedCount,
    uptimeBps: net?.uptimeBps ?? null,
    breaches: uptime.totals.breaches,
    incidents: net?.incidents.length ?? 0,
    journalEntries: journal.totals.entries,
    heldByContract: held ?? null,
    ledgerAssets: assets ?? null,
    payoutRoots: chainResult.payoutRoots.length,
    claims: chainResult.claims,
    claimed: chainResult.claimedTotal.toString(),
    challengedEpoch: chainResult.timeline.challengedEpoch,
    outageEpochs: chainResult.timeline.outageEpochs,
    pendingEpoch: chainResult.timeline.pendingEpoch,
  };
  const reportFiles = written.map((f) => path.relative(process.cwd(), f) || f);
  const data = {
    ok: allOk,
    out: opts.out,
    seconds: Math.round(seconds * 10) / 10,
    chainId: d.chainId,
    rpc: chain.url,
    deployment: d,
    networkId: Number(chainResult.networkId),
    actors: chainResult.actors,
    challenge: chainResult.challenge ? { ...chainResult.challenge, bond: chainResult.challenge.bond.toString() } : null,
    story: chainResult.story,
    billing: chainResult.billing,
    correctedVersionsBilled: chainResult.correctedVersionsBilled,
    statements: chainResult.statements.map((x) => ({ ...x, amount: x.amount.toString() })),
    refunds: chainResult.refunds.map((x) => ({ ...x, amount: x.amount.toString() })),
    payoutRoots: chainResult.payoutRoots.map((x) => ({ ...x, total: x.total.toString(), increase: x.increase.toString() })),
    withdrawal: chainResult.withdrawal ? { ...chainResult.withdrawal, amount: chainResult.withdrawal.amount.toString(), thawing: chainResult.withdrawal.thawing.toString() } : null,
    headline,
    reports: written,
    verification: verified,
    database: p.db,
    labels: p.labels,
  };
  const rel = (f: string) => path.relative(process.cwd(), f) || f;
  const lines = [
    `WorkLedger demo: ${opts.nodes} nodes, ${opts.epochs} epochs on chain ${d.chainId} (${chain.embedded ? "embedded Hardhat" : chain.url}) in ${seconds.toFixed(1)} s, ${formatInt(chainResult.transactions)} transactions`,
    "",
    "Headline figures",
    `  revenue signed by the verifiers  ${amt(econ.totals.totalRevenue)}`,
    `  settled on chain (posted−refunds) ${amt(econ.totals.settledRevenue)}  (${pct(econ.totals.revenueBackedBps)} backed; epoch ${chainResult.timeline.pendingEpoch} is still pending, unbilled)`,
    `  customers deposited ${amt(spend.totals.deposited)}, charged ${amt(spend.totals.charged)} in ${chainResult.statements.length} statements, refunded ${amt(spend.totals.refunded)} (SLA credit)`,
    `  network uptime ${pct(net?.uptimeBps)}; ${formatInt(uptime.totals.breaches)} node-epochs below the ${pct(uptime.manifest.sla?.slaBps)} SLA; ${net?.incidents.length ?? 0} incident windows`,
    `  ${chainResult.timeline.outageRegion} outage in epoch${chainResult.timeline.outageEpochs.length > 1 ? "s" : ""} ${chainResult.timeline.outageEpochs.join(", ")}`,
    `  ${chainResult.payoutRoots.length} cumulative payout root${chainResult.payoutRoots.length === 1 ? "" : "s"} posted, ${chainResult.claims} claims once at the end (${amt(chainResult.claimedTotal)})`,
    `  journal: ${formatInt(journal.totals.entries)} entries; tokens held by the contract ${held ? amt(held) : "-"} = ledger assets ${assets ? amt(assets) : "-"}`,
    "",
    "Trust (no single key rewrites history)",
    ...chainResult.story.map((l) => `  ${l}`),
    "",
    "Money (customers' caps, signed statements, cumulative payouts)",
    ...chainResult.billing.map((l) => `  ${l}`),
    "",
    `Reports (${written.length} files in ${rel(opts.out)}), each verified against the chain: ${allOk ? "all match" : "MISMATCH"}`,
    ...verified.map((v) => `  ${v.ok ? "ok      " : "MISMATCH"} ${rel(v.file)}${v.ok ? "" : `: ${v.differences[0]}`}`),
    "",
    "Where to look first",
    ...[
      ["economics.html", "revenue per epoch, and how much of it money on chain backs"],
      ["uptime.html", `the uptime heat-map: the ${chainResult.timeline.outageRegion} outage, the flaky node, the late joiner`],
      ["spend.pdf", `a customer statement; ${rel(path.join(opts.out, "journal.beancount"))} for the accountant`],
    ].map(([file, what]) => `  ${rel(path.join(opts.out, file)).padEnd(rel(path.join(opts.out, "economics.html")).length)}   ${what}`),
    ...(opts.serve && chain.embedded
      ? [] // the serve lines that follow name the loopback JSON-RPC to verify against
      : [`  re-check any time: workledger verify ${rel(path.join(opts.out, "spend.json"))}${chain.embedded ? " --rpc <URL> (after `demo --rpc <URL>`, or while `demo --serve` runs: the embedded chain is gone when the demo exits)" : ` --rpc ${chain.url}`}`]),
  ];
  void reportFiles;
  return { ok: allOk, data, lines };
}
