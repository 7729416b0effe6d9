/**
 * Output of the CLI: commands return a {@link CommandOutput}; the entry point prints either its
 * `data` as one JSON document (`--json`, exact integers as decimal strings) or its human lines
 * (token amounts with decimals and thousands separators).
 */
import type * as Sdk from "../index";

/** The SDK, loaded on first use: `workledger --help` and flag errors stay fast (index loads every module). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = (): typeof Sdk => require("../index") as typeof Sdk;

/** What a command returns: machine data and the lines a human sees. */
export interface CommandOutput {
  data: unknown;
  lines: string[];
  /** Process exit code when the command ran but its answer is "no" (e.g. verify found differences). */
  exitCode?: number;
}

/** JSON.stringify with bigints as decimal strings. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent);
}

/** 1234567 -> "1,234,567" (bigint or integer number): the SDK's formatInteger. */
export const formatInt = (v: bigint | number): string => sdk().formatInteger(v);

/** Token amount in units with separators: (1234500000n, 6) -> "1,234.50", at least 2 decimals: the SDK's formatTokenAmount. */
export const formatAmount = (v: bigint, decimals: number, symbol?: string): string => sdk().formatTokenAmount(v, decimals, symbol);

/** Aligned "label: value" lines. */
export function kv(rows: Array<[string, string | number | bigint | null | undefined]>): string[] {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.filter(([, v]) => v !== undefined).map(([k, v]) => `${(k + ":").padEnd(width + 2)}${v === null ? "-" : String(v)}`);
}

/** A small text table. */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

/** Print a command's output to stdout. */
export function printOutput(out: CommandOutput, json: boolean): void {
  if (json) process.stdout.write(toJson(out.data) + "\n");
  else if (out.lines.length > 0) process.stdout.write(out.lines.join("\n") + "\n");
}

/** Progress / status messages for humans: stderr, and silent with --json or --quiet. */
export interface Logger {
  info(msg: string): void;
}

export function makeLogger(enabled: boolean): Logger {
  const t0 = Date.now();
  const timing = process.env.WORKLEDGER_TIMING === "1";
  return {
    info: (msg) => (enabled ? process.stderr.write(`${timing ? `[+${((Date.now() - t0) / 1000).toFixed(1)}s] ` : ""}${msg}\n`) : undefined),
  };
}
