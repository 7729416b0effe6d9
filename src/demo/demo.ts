/**
 * The demo end to end: the on-chain story (./run.ts), then the indexer (SQLite in the out dir,
 * bundles imported), every report in every format under their fixed names, each verified against
 * the chain alone, and a short summary.
 */
import fs from "fs";
import path from "path";

import { CliContext } from "../cli/context";
import { CommandOutput, formatAmount, formatInt } from "../cli/output";
import { importBundles, openStore, writeReportFiles } from "../cli/sdkIndex";
import type { Report } from "../cli/sdkIndex";
import { syncStore } from "../cli/commands/sync";
import { buildStoreReport, REPORT_KINDS } from "../cli/commands/report";
import { readReportFile } from "../cli/commands/verify";
import { verifyReport } from "../verifier/report";
import type { EconomicsReport, JournalReport, SpendReport, UptimeReport } from "../report/types";
import { DemoOptions, demoPaths, runDemoChain } from "./run";

function removeDb(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

const pct = (bps: number | null | undefined) => (bps === null || bps === undefined ? "-" : `${(bps / 100).toFixed(2)}%`);

/** Run the whole demo and return its summary. */
export async function runDemo(ctx: CliContext, opts: DemoOptions): Promise<CommandOutput> {
  const started = Date.now();
  const chainResult = await runDemoChain(ctx, opts);
  const chain = await ctx.chain();
  const p = demoPaths(opts.out);
  const d = chainResult.deployment;

  // Index the chain and import the epoch bundles.
  removeDb(p.db);
  const store = openStore(p.db);
  const reports: Report[] = [];
  const written: string[] = [];
  let sync;
  let imports;
  try {
    sync = await syncStore(ctx, chain, d, store);
    imports = await importBundles(store, p.bundles);
    ctx.log.info(`indexed ${formatInt(store.eventCount())} events up to block ${sync.toBlock} into ${p.db}; imported ${imports.filter((i) => i.imported).length} bundles`);
    // Every report, every format, fixed names.
    ctx.progress.start(REPORT_KINDS.length, "writing reports");
    for (const kind of REPORT_KINDS) {
      const report = await buildStoreReport(ctx, store, kind, { fromBlock: d.fromBlock, toBlock: sync.toBlock });
      written.push(...(await writeReportFiles(report, opts.out, kind)));
      reports.push(report);
      ctx.progress.increment();
    }
    ctx.progress.stop();
  } finally {
    store.close();
  }

  // Verify each report JSON from the chain alone.
  const verified: Array<{ file: string; ok: boolean; differences: string[] }> = [];
  for (const kind of REPORT_KINDS) {
    const file = path.join(opts.out, `${kind}.json`);
    const r = await verifyReport(readReportFile(file), chain.provider);
    verified.push({ file, ok: r.ok, differences: r.differences.slice(0, 5) });
  }
  const allOk = verified.every((v) => v.ok);
  ctx.log.info(`verified ${verified.length} reports against the chain: ${allOk ? "all match" : "MISMATCHES"}`);

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
    voided: spend.totals.voided,
    refunded: spend.totals.refunded,
    closingFree: spend.totals.closingFree,
    closingHeld: spend.totals.closingHeld,
    uptimeBps: net?.uptimeBps ?? null,
    breaches: uptime.totals.breaches,
    incidents: net?.incidents.length ?? 0,
    journalEntries: journal.totals.entries,
    heldByContract: held ?? null,
    ledgerAssets: assets ?? null,
    payoutRoots: chainResult.payoutRoots,
    claims: chainResult.claims,
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
    headline,
    reports: written,
    verification: verified,
    database: p.db,
  };
  const rel = (f: string) => path.relative(process.cwd(), f) || f;
  const lines = [
    `WorkLedger demo: ${opts.nodes} nodes, ${opts.epochs} epochs on chain ${d.chainId} (${chain.embedded ? "embedded Hardhat" : chain.url}) in ${seconds.toFixed(1)} s, ${formatInt(chainResult.transactions)} transactions`,
    "",
    "Headline figures",
    `  revenue signed by the verifiers  ${amt(econ.totals.totalRevenue)}`,
    `  settled on chain (posted−refunds) ${amt(econ.totals.settledRevenue)}  (${pct(econ.totals.revenueBackedBps)} backed; the last epoch is still pending)`,
    `  customers deposited ${amt(spend.totals.deposited)}, charged ${amt(spend.totals.charged)}, voided ${amt(spend.totals.voided)}, refunded ${amt(spend.totals.refunded)} (SLA credits)`,
    `  network uptime ${pct(net?.uptimeBps)}; ${formatInt(uptime.totals.breaches)} node-epochs below the ${pct(uptime.parameters.slaBps)} SLA; ${net?.incidents.length ?? 0} incident windows`,
    `  epoch ${chainResult.timeline.challengedEpoch}: v1 challenged and voided (metering bug), corrected as v2; ${chainResult.timeline.outageRegion} outage in epoch${chainResult.timeline.outageEpochs.length > 1 ? "s" : ""} ${chainResult.timeline.outageEpochs.join(", ")}`,
    `  ${chainResult.payoutRoots} payout roots posted, ${chainResult.claims} payouts claimed (${amt(chainResult.claimedTotal)})`,
    `  journal: ${formatInt(journal.totals.entries)} entries; tokens held by the contract ${held ? amt(held) : "-"} = ledger assets ${assets ? amt(assets) : "-"}`,
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
    `  re-check any time: workledger verify ${rel(path.join(opts.out, "spend.json"))}${chain.embedded ? " --rpc <URL> (after `demo --rpc <URL>`: the embedded chain is gone when the demo exits)" : ` --rpc ${chain.url}`}`,
  ];
  void reportFiles;
  return { data, lines, exitCode: allOk ? 0 : 1 };
}
