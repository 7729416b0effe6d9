/**
 * Runs the real `workledger` binary (node bin/workledger.js) as a child process for the CLI tests,
 * with hardhat node's well-known accounts as keys, and snapshots a directory to prove that a failed
 * command wrote nothing.
 */
import { execFile, spawn } from "child_process";
import fs from "fs";
import path from "path";
import { expect } from "chai";
import { HDNodeWallet, JsonRpcProvider } from "ethers";

export const ROOT = path.resolve(__dirname, "..", "..");
export const BIN = path.join(ROOT, "bin", "workledger.js");
const MNEMONIC = "test test test test test test test test test test test junk";

/** hardhat node's default account `i` (a funded dev key). */
export function devAccount(i: number): HDNodeWallet {
  return HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** Private key put in WORKLEDGER_PRIVATE_KEY (none when undefined). */
  key?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Asserts that a command succeeded (exit 0, no `workledger:` error on stderr) and returns it. */
export function expectOk(r: RunResult): RunResult {
  expect(r.stderr, `stderr of a successful command:\n${r.stderr}`).to.not.match(/workledger: /);
  expect(r.code, `exit code (stderr: ${r.stderr})`).to.equal(0);
  return r;
}

/** The `--json` output of a command that must succeed. */
export function okJson(r: RunResult): Record<string, unknown> {
  return JSON.parse(expectOk(r).stdout) as Record<string, unknown>;
}

/** Run `workledger ...args`. Never throws on a non-zero exit. */
export function runCli(args: string[], opts: RunOptions): Promise<RunResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("WORKLEDGER_")) env[k] = v;
  if (opts.key) env.WORKLEDGER_PRIVATE_KEY = opts.key;
  Object.assign(env, opts.env ?? {});
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: opts.cwd, env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A long-running `workledger` process (e.g. `sync --follow`) whose stderr can be waited on. */
export interface CliProcess {
  /** Resolves with the first stderr line matching `re` after `from` characters of stderr (rejects after timeoutMs). */
  waitFor(re: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Sends a signal and resolves with the exit code and the output. */
  stop(signal?: NodeJS.Signals): Promise<RunResult>;
}

/** Starts `workledger ...args` and leaves it running. */
export function spawnCli(args: string[], opts: RunOptions): CliProcess {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("WORKLEDGER_")) env[k] = v;
  if (opts.key) env.WORKLEDGER_PRIVATE_KEY = opts.key;
  Object.assign(env, opts.env ?? {});
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += String(d)));
  child.stderr.on("data", (d) => (err += String(d)));
  const exited = new Promise<number>((resolve) => child.on("exit", (code, sig) => resolve(code ?? (sig ? 128 : 1))));
  return {
    stderr: () => err,
    async waitFor(re, timeoutMs = 60_000, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = err.slice(from).match(re);
        if (m) return m;
        if (child.exitCode !== null) throw new Error(`workledger exited (${child.exitCode}) before ${re}: ${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; stderr so far:\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(signal = "SIGINT") {
      child.kill(signal);
      const code = await exited;
      return { code, stdout: out, stderr: err };
    },
  };
}

/** Every file under `dir` with its size and mtime (a failed command must not change it). */
export function snapshotDir(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)}:${st.size}:${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out.join("\n");
}

/** Block number and the nonces of some accounts (a failed command must not change them). */
export async function chainSnapshot(provider: JsonRpcProvider, addresses: string[]): Promise<string> {
  const block = await provider.getBlockNumber();
  const nonces = await Promise.all(addresses.map((a) => provider.getTransactionCount(a, "pending")));
  return `${block}:${nonces.join(",")}`;
}
