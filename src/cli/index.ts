/**
 * Entry point of the `workledger` CLI and the only place that exits the process: it parses the
 * arguments, runs one command, prints its output (human or --json) and turns any error into ONE
 * line on stderr and a non-zero exit code (the stack only with --verbose).
 */
import { CommanderError } from "commander";

import type * as Sdk from "../index";
import { printOutput } from "./output";
import { buildProgram, RunState } from "./program";

/** Exit codes: 0 ok, 1 failure (chain, verification), 2 bad input (flags, files). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function oneLine(s: string): string {
  return s
    .replace(/^error:\s*/i, "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join(" ");
}

/** Message and exit code of any error the CLI can meet. */
export function describeError(err: unknown): { message: string; exitCode: number } {
  // the SDK is loaded here only on the error path (a flag error must not wait for every module)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RecordsError, WorkLedgerError } = (err instanceof CommanderError ? {} : require("../index")) as Partial<typeof Sdk>;
  if (err instanceof CommanderError) {
    if (err.code === "commander.help") return { message: "missing subcommand: add --help to list them", exitCode: EXIT_USAGE };
    return { message: oneLine(err.message), exitCode: err.exitCode === 0 ? 0 : EXIT_USAGE };
  }
  // a records file's problems: one line per bad row (up to 20), not flattened
  if (RecordsError && err instanceof RecordsError) return { message: err.shortMessage, exitCode: err.exitCode };
  if (WorkLedgerError && err instanceof WorkLedgerError) return { message: oneLine(err.shortMessage), exitCode: err.exitCode };
  const e = err as { shortMessage?: string; message?: string; code?: string };
  if (e?.code === "ECONNREFUSED") return { message: `cannot reach RPC: ${e.message}`, exitCode: EXIT_FAILURE };
  return { message: oneLine(e?.shortMessage ?? e?.message ?? String(err)), exitCode: EXIT_FAILURE };
}

/** Run the CLI with `argv` (process.argv form) and exit. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const state: RunState = { output: null, json: false, verbose: argv.includes("--verbose"), context: null };
  const program = buildProgram(state);
  let code = EXIT_OK;
  try {
    await program.parseAsync(argv);
    if (state.output) {
      printOutput(state.output, state.json);
      code = state.output.exitCode ?? EXIT_OK;
    }
  } catch (err) {
    const { message, exitCode } = describeError(err);
    code = exitCode;
    if (exitCode !== 0) {
      process.stderr.write(`workledger: ${message}\n`);
      if (state.verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    }
  } finally {
    if (state.context) await state.context.close().catch(() => undefined);
  }
  // Flush stdout before exiting (piped output is asynchronous).
  await new Promise<void>((resolve) => (process.stdout.write("") ? resolve() : process.stdout.once("drain", () => resolve())));
  process.exit(code);
}

if (require.main === module) void main();
