/**
 * `workledger verify REPORT.json|REPORT.pdf|REPORT.html|REPORT.csv [--rpc URL] [--bundles DIR]`:
 * re-derive the report from the chain alone (not the local index) with verifier/report and compare
 * every figure and line. A PDF or HTML is checked through the report JSON it embeds, and must show
 * exactly what that JSON renders; a CSV through its `.sha256` sidecar and the JSON it names. Exit 0
 * only if all match; otherwise each difference is printed and the exit code is 1.
 */
import fs from "fs";
import path from "path";

import { InvalidInputError, Report, VerifyReportResult, csvDifferences, embeddedReport, readBundle, sniffReportFormat as sniffFormat, verifyReport, verifyReportDocument } from "../../index";
import { CliContext } from "../context";
import { CommandOutput } from "../output";

function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    throw new InvalidInputError(`report file not found: ${file}`);
  }
}

/** Read a report from a .json, .pdf or .html file (one-line errors). */
export function readReportFile(file: string): Report {
  const bytes = readBytes(file);
  const found = embeddedReport(bytes, sniffFormat(bytes));
  if ("error" in found) throw new InvalidInputError(`${file}: ${found.error}`);
  return found.report;
}

/** The epoch bundles (`*.wlb`) of a directory (`--bundles DIR`). */
async function readBundleDir(dir: string): Promise<Awaited<ReturnType<typeof readBundle>>[]> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InvalidInputError(`--bundles ${dir}: no such directory`);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".wlb")).sort();
  return Promise.all(files.map((f) => readBundle(path.join(dir, f))));
}

/** Verify one report file (.json, .pdf, .html or .csv) against the chain; `bundles` (a directory) gives economics' concentration figures. */
export async function verifyReportFile(ctx: CliContext, file: string, bundles?: string): Promise<{ report?: Report; format: string; result: VerifyReportResult }> {
  const bytes = readBytes(file);
  const options = bundles ? { bundles: await readBundleDir(bundles) } : {};
  const chain = await ctx.chain();
  if (path.extname(file).toLowerCase() === ".csv") {
    const side = `${file}.sha256`;
    if (!fs.existsSync(side)) throw new InvalidInputError(`${file}: no ${path.basename(side)} sidecar beside it`);
    const sidecar = fs.readFileSync(side, "utf8");
    const jsonName = /^[0-9a-f]{64} [ *](.+)$/m.exec(sidecar.trim().split(/\r?\n/)[1] ?? "")?.[1];
    const jsonFile = jsonName ? path.join(path.dirname(file), path.basename(jsonName)) : undefined;
    const json = jsonFile && fs.existsSync(jsonFile) ? fs.readFileSync(jsonFile) : undefined;
    const found = json ? embeddedReport(json, "json") : undefined;
    const report = found && !("error" in found) ? found.report : undefined;
    const diffs = csvDifferences(bytes, sidecar, json, report);
    if (!report) return { report: undefined, format: "csv", result: { ok: false, differences: diffs.length ? diffs : [`csv: ${jsonName} is not a report`] } };
    const r = await verifyReport(report, chain.provider, options);
    const differences = [...diffs, ...r.differences];
    return { report, format: "csv", result: { ...r, ok: differences.length === 0, differences } };
  }
  const r = await verifyReportDocument(bytes, chain.provider, options);
  return { report: r.report, format: r.format, result: r };
}

/** The `verify` command. */
export async function verifyCommand(ctx: CliContext, o: { bundles?: string }, args: string[]): Promise<CommandOutput> {
  const file = args[0];
  if (!file) throw new InvalidInputError("missing REPORT.json|.pdf|.html|.csv");
  const { report, format, result } = await verifyReportFile(ctx, file, o?.bundles);
  const what = report ? `${format}, ${report.kind}, chain ${report.manifest?.chainId}, blocks ${report.manifest?.fromBlock}..${report.manifest?.toBlock}` : format;
  const head = `${result.ok ? "OK" : "MISMATCH"}: ${file} (${what})`;
  const shows = format === "pdf" || format === "html" ? "; the document shows exactly its embedded report" : format === "csv" ? "; the CSV and its JSON match the sidecar" : "";
  const lines = result.ok
    ? [head, `every figure and line re-derived from the chain matches${shows}${result.unchecked?.length ? ` (${result.unchecked.length} figures not checkable from the chain alone)` : ""}`]
    : [head, ...result.differences.map((d) => `  - ${d}`)];
  return { data: { file, format, kind: report?.kind ?? null, ok: result.ok, differences: result.differences, unchecked: result.unchecked ?? [] }, lines, exitCode: result.ok ? 0 : 1 };
}
