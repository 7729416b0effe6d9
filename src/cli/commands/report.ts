/**
 * `workledger report spend|uptime|economics|journal --format F --out FILE`: bring the index up to
 * date (one sync pass), import bundles, build the report (report/) and write it.
 */
import fs from "fs";
import path from "path";

import { InvalidInputError } from "../../errors";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";
import { parseAddress, parseChoice, parseNetworkId, parseUint } from "../parse";
import { Report, ReportFormat, ReportKind, buildReport, importBundles, renderFormat, reportInputFromStore } from "../sdkIndex";
import { openDb, syncStore } from "./sync";

import { REPORT_FORMATS, REPORT_KINDS } from "../reportNames";

export { REPORT_FORMATS, REPORT_KINDS };

const EXT: Record<string, ReportFormat> = { ".json": "json", ".csv": "csv", ".md": "md", ".html": "html", ".pdf": "pdf", ".beancount": "beancount" };

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
}

/** Write `report` as `format` to `out` (extra CSV tables next to it: <out base>.<table>.csv). */
export async function writeReport(report: Report, format: ReportFormat, out: string): Promise<string[]> {
  const files = await renderFormat(report, format);
  const ext = path.extname(out);
  const base = ext ? out.slice(0, -ext.length) : out;
  const written: string[] = [];
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  for (const [suffix, data] of Object.entries(files)) {
    const file = suffix === `.${format === "md" ? "md" : format}` ? out : `${base}${suffix}`;
    fs.writeFileSync(file, data);
    written.push(file);
  }
  return written;
}

/** The `report` command. */
export async function reportCommand(ctx: CliContext, o: ReportFlags, args: string[]): Promise<CommandOutput> {
  const kind = parseChoice(args[0], "report kind", REPORT_KINDS) as ReportKind;
  if (!o.out) throw new InvalidInputError("missing --out FILE");
  const format = (o.format ? parseChoice(o.format, "--format", REPORT_FORMATS) : EXT[path.extname(o.out).toLowerCase()] ?? "json") as ReportFormat;
  if (format === "beancount" && kind !== "journal") throw new InvalidInputError("--format beancount is only for the journal report");
  const networkId = o.network === undefined ? undefined : Number(parseNetworkId(o.network));
  const customer = o.customer === undefined ? undefined : parseAddress(o.customer, "--customer");
  const fromBlockArg = o.fromBlock === undefined ? undefined : Number(parseUint(o.fromBlock, "--from-block", 48));
  const toBlockArg = o.toBlock === undefined ? undefined : Number(parseUint(o.toBlock, "--to-block", 48));
  if (fromBlockArg !== undefined && toBlockArg !== undefined && fromBlockArg > toBlockArg) throw new InvalidInputError(`--from-block ${fromBlockArg} is after --to-block ${toBlockArg}`);
  const db = o.db ?? "workledger.sqlite";
  const { deployment, chain } = await ctx.ledgers();
  if (networkId !== undefined) await ctx.requireNetwork(BigInt(networkId));
  const store = openDb(db);
  try {
    if (o.sync !== false) await syncStore(ctx, chain, deployment, store);
    if (o.bundles) await importBundles(store, o.bundles);
    const cp = store.checkpoint();
    if (!cp) throw new InvalidInputError(`${db} is empty: run \`workledger sync --db ${db}\` first`);
    const toBlock = toBlockArg ?? cp.blockNumber;
    if (toBlock > cp.blockNumber) throw new InvalidInputError(`--to-block ${toBlock} is beyond the index (block ${cp.blockNumber}); run \`workledger sync\``);
    const fromBlock = fromBlockArg ?? deployment.fromBlock;
    const report = await buildStoreReport(ctx, store, kind, { fromBlock, toBlock, networkId, customer });
    const written = await writeReport(report, format, o.out);
    return {
      data: { kind, format, files: written, manifest: report.manifest, totals: report.totals, lines: report.lines.length },
      lines: [`wrote ${kind} report (${report.lines.length} lines, blocks ${report.manifest.fromBlock}..${report.manifest.toBlock})`, ...kv(written.map((f, i) => [i === 0 ? "file" : "", f]))],
    };
  } finally {
    store.close();
  }
}

/** Build a report of `kind` from the store over a block range. */
export async function buildStoreReport(
  ctx: CliContext,
  store: ReturnType<typeof openDb>,
  kind: ReportKind,
  r: { fromBlock: number; toBlock: number; networkId?: number; customer?: string },
): Promise<Report> {
  const { deployment, chain } = await ctx.ledgers();
  const input = await reportInputFromStore(store, chain.provider, {
    chainId: deployment.chainId,
    ledger: deployment.workLedger,
    revenueLedger: deployment.revenueLedger,
    fromBlock: r.fromBlock,
    toBlock: r.toBlock,
  });
  try {
    return buildReport(kind, input, { networkId: r.networkId ?? null, customer: r.customer ?? null });
  } catch (e) {
    if ((e as Error).name === "MissingRecordsError") {
      throw new InvalidInputError(`${(e as Error).message.split("\n")[0]} (import the epoch bundles with --bundles DIR)`);
    }
    throw e;
  }
}
