/**
 * `workledger report spend|uptime|economics|journal --format F --out FILE`: bring the index up to
 * date (one sync pass), import bundles, build the report (report/) and write it.
 */
import fs from "fs";
import path from "path";

import { blocksForDates, CreditTier, csvSidecar, InvalidInputError, Labels, parseCreditTiers, parseSla, readLabels, renderFormat, renderJson, Report, ReportFormat, reportFromStore, ReportKind, resolveCustomer } from "../../index";
import { CliContext } from "../context";
import { checkOutExtension, formatFromOut } from "../outputFile";
import { CommandOutput, kv } from "../output";
import { parseChoice, parseNetworkId, parseUint } from "../parse";
import { importBundles, openDb, syncStore } from "../store";

import { REPORT_FORMATS, REPORT_KINDS } from "../reportNames";

export { REPORT_FORMATS, REPORT_KINDS };


export interface ReportFlags {
  format?: string;
  out?: string;
  db?: string;
  bundles?: string;
  fromBlock?: string;
  toBlock?: string;
  network?: string;
  customer?: string;
  sync?: boolean;
  from?: string;
  to?: string;
  labels?: string;
  sla?: string;
  creditTiers?: string;
}

/** Options of a report built from the store (block range, narrowing, names, SLA terms). */
export interface StoreReportOptions {
  fromBlock: number;
  toBlock: number;
  networkId?: number;
  customer?: string;
  labels?: Labels;
  slaBps?: number;
  creditTiers?: CreditTier[];
  fromDate?: string | null;
  toDate?: string | null;
}

/**
 * Write `report` as `format` to `out` (extra CSV tables next to it: <out base>.<table>.csv). A CSV
 * also gets the report JSON beside it (<out base>.json) and a `.sha256` sidecar naming both.
 */
export async function writeReport(report: Report, format: ReportFormat, out: string): Promise<string[]> {
  const files = await renderFormat(report, format);
  const ext = path.extname(out);
  const base = ext ? out.slice(0, -ext.length) : out;
  const written: string[] = [];
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const outputs: [string, string | Buffer][] = Object.entries(files).map(([suffix, data]) => [suffix === `.${format}` ? out : `${base}${suffix}`, data]);
  if (format === "csv") {
    const jsonFile = `${base}.json`;
    const json = renderJson(report);
    if (!outputs.some(([f]) => f === jsonFile)) outputs.push([jsonFile, json]);
    outputs.push([`${out}.sha256`, csvSidecar(files[".csv"], path.basename(out), json, path.basename(jsonFile))]);
  }
  for (const [file, data] of outputs) {
    fs.writeFileSync(file, data);
    written.push(file);
  }
  return written;
}

/** The `report` command. */
export async function reportCommand(ctx: CliContext, o: ReportFlags, args: string[]): Promise<CommandOutput> {
  const kind = parseChoice<ReportKind>(args[0], "report kind", REPORT_KINDS);
  if (!o.out) throw new InvalidInputError("missing --out FILE");
  const format = o.format ? parseChoice(o.format, "--format", REPORT_FORMATS) : (formatFromOut(o.out) ?? "json");
  checkOutExtension(o.out, o.format === undefined ? undefined : format);
  if (format === "beancount" && kind !== "journal") throw new InvalidInputError("--format beancount is only for the journal report");
  const networkId = o.network === undefined ? undefined : Number(parseNetworkId(o.network));
  const labels = o.labels === undefined ? undefined : readLabels(o.labels);
  const customer = o.customer === undefined ? undefined : resolveCustomer(o.customer, labels);
  if (kind !== "uptime" && (o.sla !== undefined || o.creditTiers !== undefined)) throw new InvalidInputError("--sla and --credit-tiers are for the uptime report");
  const slaBps = o.sla === undefined ? undefined : parseSla(o.sla);
  const creditTiers = o.creditTiers === undefined ? undefined : parseCreditTiers(o.creditTiers);
  if ((o.from !== undefined && o.fromBlock !== undefined) || (o.to !== undefined && o.toBlock !== undefined)) throw new InvalidInputError("give the period by date (--from/--to) or by block (--from-block/--to-block), not both");
  const fromBlockArg = o.fromBlock === undefined ? undefined : Number(parseUint(o.fromBlock, "--from-block", 48));
  const toBlockArg = o.toBlock === undefined ? undefined : Number(parseUint(o.toBlock, "--to-block", 48));
  if (fromBlockArg !== undefined && toBlockArg !== undefined && fromBlockArg > toBlockArg) throw new InvalidInputError(`--from-block ${fromBlockArg} is after --to-block ${toBlockArg}`);
  const db = o.db ?? "workledger.sqlite";
  const { deployment, chain } = await ctx.ledgers();
  if (networkId !== undefined) await ctx.requireNetwork(BigInt(networkId));
  const store = await openDb(db);
  try {
    if (o.sync !== false) await syncStore(ctx, chain, deployment, store);
    if (o.bundles) await importBundles(store, o.bundles);
    const cp = await store.checkpoint();
    if (!cp) throw new InvalidInputError(`${db} is empty: run \`workledger sync --db ${db}\` first`);
    let toBlock = toBlockArg ?? cp.blockNumber;
    if (toBlock > cp.blockNumber) throw new InvalidInputError(`--to-block ${toBlock} is beyond the index (block ${cp.blockNumber}); run \`workledger sync\``);
    let fromBlock = fromBlockArg ?? deployment.fromBlock;
    let dates: { fromDate: string | null; toDate: string | null } = { fromDate: null, toDate: null };
    if (o.from !== undefined || o.to !== undefined) {
      const r = await blocksForDates(chain.provider, { from: o.from, to: o.to }, fromBlock, toBlock);
      ({ fromBlock, toBlock } = r);
      dates = { fromDate: r.fromDate, toDate: r.toDate };
    }
    const report = await buildStoreReport(ctx, store, kind, { fromBlock, toBlock, networkId, customer, labels, slaBps, creditTiers, ...dates });
    const written = await writeReport(report, format, o.out);
    return {
      data: { kind, format, files: written, manifest: report.manifest, totals: report.totals, lines: report.lines.length },
      lines: [`wrote ${kind} report (${report.lines.length} lines, blocks ${report.manifest.fromBlock}..${report.manifest.toBlock}, ${report.manifest.fromTime ?? "?"} to ${report.manifest.toTime})`, ...kv(written.map((f, i) => [i === 0 ? "file" : "", f]))],
    };
  } finally {
    await store.close();
  }
}

/** Build a report of `kind` from the store over a block range. */
export async function buildStoreReport(
  ctx: CliContext,
  store: Awaited<ReturnType<typeof openDb>>,
  kind: ReportKind,
  r: StoreReportOptions,
): Promise<Report> {
  const { deployment, chain } = await ctx.ledgers();
  const range = { chainId: deployment.chainId, ledger: deployment.workLedger, revenueLedger: deployment.revenueLedger, fromBlock: r.fromBlock, toBlock: r.toBlock };
  try {
    return await reportFromStore(store, chain.provider, kind, range, {
      networkId: r.networkId ?? null,
      customer: r.customer ?? null,
      labels: r.labels,
      slaBps: r.slaBps,
      creditTiers: r.creditTiers,
      fromDate: r.fromDate ?? null,
      toDate: r.toDate ?? null,
    });
  } catch (e) {
    if ((e as Error).name === "MissingRecordsError") {
      throw new InvalidInputError(`${(e as Error).message.split("\n")[0]} (import the epoch bundles with --bundles DIR)`);
    }
    throw e;
  }
}
