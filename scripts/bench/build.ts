/**
 * Build benchmark (keys: build1MSeconds, build1MPeakRssMiB, ozBuild100kSeconds,
 * ourBuild100kSeconds, proofsVerifiedPerSecond).
 *
 * The parent writes a 1,000,000-record CSV into a temp dir (untimed), then runs the timed phases in
 * a fresh child process (this file with `--child`), so the peak RSS of the build
 * (process.resourceUsage().maxRSS, read right after the bundle is written) counts nothing from
 * earlier phases. Timed: read + validate the CSV, build the tree, totals and dataHash, write the
 * bundle. Then, in the same child: the same 100,000 records through StandardMerkleTree.of and
 * through our builder (roots compared), and 200,000 proofs of the 1M-record bundle verified offline
 * with verifyRecordProofs: proofsVerifiedPerSecond as the batch API runs them (upper nodes shared
 * by proofs of the batch are hashed once), and proofsVerifiedPerSecondNoSharing with every proof
 * hashed in full, as if each came from a different epoch.
 * BENCH_RECORDS overrides 1,000,000 (for a quick run).
 */
import { spawn } from "child_process";
import { randomBytes } from "crypto";
import fs from "fs";
import os from "os";
import path from "path";

const EPOCH = 42n;

function log(msg: string): void {
  process.stderr.write(`[bench:build] ${msg}\n`);
}

/** Writes `n` random valid records as CSV (hex nodeIds, mixed magnitudes). */
export function writeCsv(file: string, n: number): void {
  const fd = fs.openSync(file, "w");
  fs.writeSync(fd, "nodeId,epoch,workUnits,uptimeBps,revenue,evidence\n");
  const CHUNK = 10_000;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    const rnd = randomBytes(64 * m + 16 * m).toString("hex");
    let s = "";
    for (let k = 0; k < m; k++) {
      const o = k * 160;
      const idx = i + k;
      const work = idx % 17 === 0 ? "0" : String(rnd.charCodeAt(o + 128) * 1_000_003 + idx);
      const uptime = String((idx * 7919) % 10001);
      const revenue = String(BigInt("0x" + rnd.slice(o + 128, o + 148)));
      s += `0x${rnd.slice(o, o + 64)},${EPOCH},${work},${uptime},${revenue},0x${rnd.slice(o + 64, o + 128)}\n`;
    }
    fs.writeSync(fd, s);
  }
  fs.closeSync(fd);
}

async function child(csv: string, bundleFile: string): Promise<void> {
  const { buildEpochFromFile } = await import("../../src/writer/build");
  const { writeBundle } = await import("../../src/writer/bundle");
  const { buildRecordTree, treeRoot } = await import("../../src/merkle/tree");
  const { RecordTable } = await import("../../src/records/table");
  const { recordToLeafValues } = await import("../../src/records/codec");
  const { RECORD_LEAF_ENCODING } = await import("../../src/records/types");
  const { verifyRecordProofs } = await import("../../src/merkle/proof");
  const { StandardMerkleTree } = await import("@openzeppelin/merkle-tree");
  const out: Record<string, number> = {};

  out.buildLoadAverage1m = os.loadavg()[0]; // other processes on the 2 cores slow every figure here
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  // parse on this thread while the second thread hashes the leaves of the rows parsed so far
  const { summary, bundle } = await buildEpochFromFile(csv, { epoch: EPOCH });
  const t2 = process.hrtime.bigint();
  await writeBundle(bundle, bundleFile);
  const t3 = process.hrtime.bigint();
  out.build1MSeconds = Number(t3 - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  out.build1MCpuSeconds = (cpu.user + cpu.system) / 1e6; // both threads
  out.build1MPeakRssMiB = process.resourceUsage().maxRSS / 1024;
  out.build1MParseAndTreeSeconds = Number(t2 - t0) / 1e9;
  out.build1MWriteSeconds = Number(t3 - t2) / 1e9;
  out.build1MRecords = Number(summary.recordCount);
  log(`1M: ${JSON.stringify(out)}`);

  // proofs of the big bundle, verified offline
  const P = Math.min(200_000, bundle.recordCount);
  const items = [];
  for (let k = 0; k < P; k++) {
    const i = (k * 2654435761) % bundle.recordCount;
    items.push({ record: bundle.record(i), proof: bundle.proof(i), root: summary.root });
  }
  const vc0 = process.cpuUsage();
  const v0 = process.hrtime.bigint();
  const ok = await verifyRecordProofs(items);
  const v1 = process.hrtime.bigint();
  const vc = process.cpuUsage(vc0);
  out.proofsVerifiedPerCpuSecond = Math.round(P / ((vc.user + vc.system) / 1e6)); // both threads' CPU time
  if (!ok.every(Boolean)) throw new Error("a proof did not verify");
  out.proofsVerifiedPerSecond = Math.round(P / (Number(v1 - v0) / 1e9));
  // the same proofs, each hashed in full as if checked alone (no upper nodes shared in the batch)
  const u0 = process.hrtime.bigint();
  const okAlone = await verifyRecordProofs(items, { shareNodes: false });
  const u1 = process.hrtime.bigint();
  if (!okAlone.every(Boolean)) throw new Error("a proof did not verify (shareNodes: false)");
  out.proofsVerifiedPerSecondNoSharing = Math.round(P / (Number(u1 - u0) / 1e9));
  log(`proofs: ${out.proofsVerifiedPerSecond}/s over ${P} (${out.proofsVerifiedPerSecondNoSharing}/s without shared nodes)`);

  // same 100k records: OZ vs ours
  const n100 = Math.min(100_000, bundle.recordCount);
  const records = [];
  for (let i = 0; i < n100; i++) records.push(bundle.record((i * 7919) % bundle.recordCount));
  const values = records.map(recordToLeafValues);
  const o0 = process.hrtime.bigint();
  const oz = StandardMerkleTree.of(values, [...RECORD_LEAF_ENCODING]);
  const o1 = process.hrtime.bigint();
  const ours = await buildRecordTree(RecordTable.fromRecords(records));
  const o2 = process.hrtime.bigint();
  if (treeRoot(ours) !== oz.root) throw new Error(`100k roots differ: ours ${treeRoot(ours)}, OZ ${oz.root}`);
  out.ozBuild100kSeconds = Number(o1 - o0) / 1e9;
  out.ourBuild100kSeconds = Number(o2 - o1) / 1e9;
  log(`100k: OZ ${out.ozBuild100kSeconds.toFixed(2)} s, ours ${out.ourBuild100kSeconds.toFixed(3)} s`);
  process.stdout.write(JSON.stringify(out) + "\n");
}

/** Runs the build benchmark (see the module doc). */
export async function run(): Promise<Record<string, number>> {
  const n = Number(process.env.BENCH_RECORDS ?? 1_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-bench-build-"));
  try {
    const csv = path.join(dir, "records.csv");
    const g0 = Date.now();
    writeCsv(csv, n);
    log(`generated ${n} records (${(fs.statSync(csv).size / 1048576).toFixed(0)} MiB) in ${((Date.now() - g0) / 1000).toFixed(1)} s`);
    const res = await new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--child", csv, path.join(dir, "epoch.wlb")], {
        cwd: path.join(__dirname, "..", ".."),
        stdio: ["ignore", "pipe", "inherit"],
      });
      let stdout = "";
      c.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      c.on("error", reject);
      c.on("exit", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`bench child exited with ${code}`))));
    });
    const lines = res.trim().split("\n");
    return JSON.parse(lines[lines.length - 1]) as Record<string, number>;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2] === "--child") {
  child(process.argv[3], process.argv[4]).then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
