/**
 * `workledger verify REPORT.json [--rpc URL]`: re-derive the report from the chain alone (not the
 * local index) with verifier/report and compare every figure and line. Exit 0 only if all match;
 * otherwise each difference is printed and the exit code is 1.
 */
import fs from "fs";

import { InvalidInputError } from "../../errors";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { Report, verifyReport } from "../sdkIndex";

/** Read a report JSON file (one-line errors). */
export function readReportFile(file: string): Report {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new InvalidInputError(`report file not found: ${file}`);
  }
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`report ${file} is not JSON: ${(e as Error).message}`);
  }
  const r = j as Partial<Report>;
  if (!r || typeof r !== "object" || typeof r.kind !== "string" || !r.manifest) throw new InvalidInputError(`${file} is not a WorkLedger report (no kind or manifest)`);
  return r as Report;
}

/** Verify one report file against a provider. */
export async function verifyReportFile(ctx: CliContext, file: string) {
  const report = readReportFile(file);
  const chain = await ctx.chain();
  return { report, result: await verifyReport(report, chain.provider) };
}

/** The `verify` command. */
export async function verifyCommand(ctx: CliContext, _o: unknown, args: string[]): Promise<CommandOutput> {
  const file = args[0];
  if (!file) throw new InvalidInputError("missing REPORT.json");
  const { report, result } = await verifyReportFile(ctx, file);
  const head = `${result.ok ? "OK" : "MISMATCH"}: ${file} (${report.kind}, chain ${report.manifest.chainId}, blocks ${report.manifest.fromBlock}..${report.manifest.toBlock})`;
  const lines = result.ok
    ? [head, `every figure and line re-derived from the chain matches${result.unchecked?.length ? ` (${result.unchecked.length} figures not checkable from the chain alone)` : ""}`]
    : [head, ...result.differences.map((d) => `  - ${d}`)];
  return { data: { file, kind: report.kind, ok: result.ok, differences: result.differences, unchecked: result.unchecked ?? [] }, lines, exitCode: result.ok ? 0 : 1 };
}
