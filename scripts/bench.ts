/**
 * `npm run --silent bench`: runs every benchmark module in scripts/bench/*.ts that exports
 * `run(): Promise<Record<string, number>>`, one after another, and prints ONE JSON object with all
 * their keys as the last line of stdout (progress goes to stderr). A module that fails adds
 * `<module>Error: 1` and the others still run.
 *
 * Only files whose source exports `run` are imported; console.log output is sent to stderr.
 * Options: BENCH_ONLY=build,reports runs only the named modules.
 */
import fs from "fs";
import path from "path";
import { format } from "util";

type BenchModule = { run?: () => Promise<Record<string, number>> };

async function main(): Promise<void> {
  // stdout carries only the final JSON line: anything a module prints goes to stderr
  const toStderr = (...args: unknown[]) => process.stderr.write(format(...args) + "\n");
  console.log = toStderr;
  console.info = toStderr;
  const dir = path.join(__dirname, "bench");
  const only = (process.env.BENCH_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .sort();
  const merged: Record<string, number> = {};
  for (const f of files) {
    const name = f.replace(/\.ts$/, "");
    if (only.length && !only.includes(name)) continue;
    // import only benchmark modules: a stray script in the folder must not run at import time
    const source = fs.readFileSync(path.join(dir, f), "utf8");
    if (!/export\s+(async\s+)?function\s+run\s*\(|export\s+const\s+run\s*=/.test(source)) {
      process.stderr.write(`[bench] ${name}: skipped (no exported run())\n`);
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dir, f)) as BenchModule;
    if (typeof mod.run !== "function") continue;
    process.stderr.write(`[bench] ${name}: running\n`);
    const t0 = Date.now();
    try {
      const res = await mod.run();
      for (const [k, v] of Object.entries(res)) merged[k] = v;
      process.stderr.write(`[bench] ${name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s ${JSON.stringify(res)}\n`);
    } catch (e) {
      merged[`${name}Error`] = 1;
      process.stderr.write(`[bench] ${name}: FAILED ${(e as Error).stack ?? e}\n`);
    }
  }
  process.stdout.write(JSON.stringify(merged) + "\n");
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
