/**
 * `packInstallMiB`: what a user's `npm install --omit=dev` of the packed tarball takes on disk (the
 * package issue's limit is 200 MiB), with `packInstallPackages` and `packTarballKiB`. `npm pack`
 * runs `prepare` (contracts and dist/), as `npm publish` would; the install compiles better-sqlite3,
 * so this takes one to three minutes. Runs alone: `npx ts-node --transpile-only scripts/bench/pack.ts`.
 */
import { execFileSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";

const ROOT = path.join(__dirname, "..", "..");

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20, timeout: 600_000 });
}

/** Bytes of every file under `dir` (what `du --apparent-size` counts; symlinks not followed). */
function treeBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += treeBytes(p);
    else if (e.isFile()) n += fs.statSync(p).size;
  }
  return n;
}

export async function run(): Promise<Record<string, number>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "workledger-bench-pack-"));
  try {
    const packed = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", tmp], ROOT).replace(/^[^[]*/, "")) as { filename: string; size: number }[];
    const consumer = path.join(tmp, "consumer");
    fs.mkdirSync(consumer);
    fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    sh("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", path.join(tmp, packed[0].filename)], consumer);
    const nm = path.join(consumer, "node_modules");
    // disk usage as `du -sm` reports it (blocks), the figure the pack test holds to 200 MiB
    const mib = Number(sh("du", ["-sm", nm], consumer).split(/\s/)[0]);
    const lock = JSON.parse(fs.readFileSync(path.join(consumer, "package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
    return {
      packInstallMiB: mib,
      packInstallApparentMiB: Math.round((treeBytes(nm) / 2 ** 20) * 10) / 10,
      packInstallPackages: Object.keys(lock.packages).filter((k) => k.startsWith("node_modules/")).length,
      packTarballKiB: Math.round(packed[0].size / 1024),
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().then(
    (r) => process.stdout.write(JSON.stringify(r) + "\n"),
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
