/**
 * Payout-round benchmark (added keys: payoutRoundSeconds, payoutRoundRecords, payoutRoundEpochs,
 * payoutRoundPeakHeapMiB, payoutRoundBaseHeapMiB).
 *
 * A cumulative payout root is rebuilt from epoch 0 every round (rule 7: the amounts are cumulative,
 * and a refund or a correction may change any earlier epoch's share), so its cost grows with the
 * network's history. This measures one round over a long history.
 *
 * Fixture (untimed), on the embedded in-process chain through the SDK's writer jobs: one network,
 * BENCH_PAYOUT_NODES registered nodes (default 1,000), BENCH_PAYOUT_EPOCHS epochs (default 400) in which
 * every node has a record with revenue and one customer has a usage leaf, each epoch 2-of-3 signed,
 * committed and its bundle written; the customer's usage charged in statements of up to 50 epochs
 * (2-of-3 signed, chargeStatement); every epoch Final and the finality cursor past the last.
 *
 * Timed: buildPayoutRound through the last epoch (reads every bundle, the chain's events and node
 * registry). payoutRoundPeakHeapMiB: the highest V8 heap plus array buffers sampled every 10 ms
 * during the round, minus payoutRoundBaseHeapMiB, the same just before it (after a GC when
 * --expose-gc is on): how much the round itself holds.
 *
 * Run alone: npx ts-node --transpile-only scripts/bench/payout.ts
 */
import fs from "fs";
import os from "os";
import path from "path";
import { Signer, keccak256, toUtf8Bytes } from "ethers";

import { advanceTime, connectEmbedded } from "../../src/cli/chain";
import type { WorkRecord } from "../../src/records/types";
import {
  advanceFinality,
  authorizeBilling,
  bundleFileName,
  buildEpoch,
  buildPayoutRound,
  chargeStatement,
  commitEpoch,
  createNetwork,
  deployContracts,
  deposit,
  grantRole,
  mintTestToken,
  registerNode,
  signEpoch,
  signStatement,
  writeBundle,
} from "../../src/writer";

const EPOCH_SECONDS = 3_600n;
const WINDOW = 3_600n;
const STATEMENT_EPOCHS = 50n;

function log(msg: string): void {
  process.stderr.write(`[bench:payout] ${msg}\n`);
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const heapNow = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Runs the payout-round benchmark (see the module doc). */
export async function run(): Promise<Record<string, number>> {
  const nodes = Number(process.env.BENCH_PAYOUT_NODES ?? 1_000);
  const epochs = BigInt(process.env.BENCH_PAYOUT_EPOCHS ?? 400);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-bench-payout-"));
  const bundleDir = path.join(dir, "bundles");
  fs.mkdirSync(bundleDir);
  const chain = await connectEmbedded();
  try {
    const f0 = Date.now();
    const [admin, v1, v2, v3, customer] = (await Promise.all([0, 1, 2, 3, 4].map((i) => chain.unlockedSigner(i)))) as Signer[];
    const addr = (s: Signer) => s.getAddress();
    const { deployment } = await deployContracts(admin);
    // far enough ahead that registering the nodes (a block, a second or more each) ends before it: billing starts at epoch 0
    const genesis = BigInt((await chain.provider.getBlock("latest"))!.timestamp) + 86_400n;
    const { network } = await createNetwork(admin, deployment, {
      admin: await addr(admin),
      token: deployment.token,
      genesisTime: genesis,
      epochSeconds: EPOCH_SECONDS,
      challengeWindow: WINDOW,
      capacityPerNode: 0n,
      threshold: 2,
      name: "bench-payout",
      workUnit: "GPU-seconds",
      verifiers: await Promise.all([v1, v2, v3].map(addr)),
      arbiter: await addr(v3),
    });
    const networkId = network!.networkId;
    for (const role of ["registrar", "biller"] as const) await grantRole(admin, deployment, { networkId, role, account: await addr(admin) });
    const ids = Array.from({ length: nodes }, (_, i) => keccak256(toUtf8Bytes(`bench-payout-node-${i}`)));
    const operator = await addr(v3);
    for (const nodeId of ids) await registerNode(admin, deployment, { networkId, nodeId, operator });
    log(`${nodes} nodes registered`);

    // one customer pays each epoch's usage: Σ revenue of the epoch, under a cap that fits it
    const perEpoch = BigInt(nodes) * 1_000n;
    const total = perEpoch * epochs;
    await mintTestToken(admin, deployment.token, { to: await addr(customer), amount: total });
    await deposit(customer, deployment, { networkId, amount: total });
    await authorizeBilling(customer, deployment, { networkId, capPerEpoch: perEpoch });
    const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
    await advanceTime(chain, genesis + epochs * EPOCH_SECONDS + 60n - now);

    const who = await addr(customer);
    const ctxOf = (epoch: bigint) => ({ networkId, epoch, version: 1, chainId: deployment.chainId, workLedger: deployment.workLedger });
    for (let epoch = 0n; epoch < epochs; epoch++) {
      const records: WorkRecord[] = ids.map((nodeId, i) => ({ nodeId, epoch, workUnits: BigInt(100 + i), uptimeBps: 10_000, revenue: 500n + BigInt((i * 7 + Number(epoch)) % 1000), evidence: `0x${"0".repeat(64)}` }));
      const usage = [{ customer: who, epoch, workUnits: 1n, amount: perEpoch - BigInt(Number(epoch) % 97), ref: `order-${epoch}` }];
      const { summary, bundle } = await buildEpoch(records, { epoch, networkId, usage });
      const signatures = await Promise.all([v1, v2].map((v) => signEpoch(summary, ctxOf(epoch), v)));
      await commitEpoch({ signer: admin, workLedger: deployment.workLedger, chainId: deployment.chainId, networkId, epoch, summary, signatures, pollMs: 10 });
      await writeBundle(bundle, path.join(bundleDir, bundleFileName(networkId, epoch, 1)));
      if ((epoch + 1n) % 100n === 0n) log(`${epoch + 1n} of ${epochs} epochs committed`);
    }
    await advanceTime(chain, 2n * WINDOW + 10n);
    for (let r = await advanceFinality(admin, deployment, networkId, 200n); r.toCount < epochs; r = await advanceFinality(admin, deployment, networkId, 200n)) {
      if (!r.advanced) throw new Error(`the finality cursor stopped at ${r.toCount} of ${epochs}`);
    }
    for (let from = 0n; from < epochs; from += STATEMENT_EPOCHS) {
      const to = from + STATEMENT_EPOCHS - 1n < epochs ? from + STATEMENT_EPOCHS - 1n : epochs - 1n;
      const p = { networkId, customer: who, fromEpoch: from, toEpoch: to, bundlesDir: bundleDir };
      const signatures = [await signStatement(v1, deployment, p), await signStatement(v2, deployment, p)];
      await chargeStatement(admin, deployment, { ...p, signatures });
    }
    log(`fixture ready in ${((Date.now() - f0) / 1000).toFixed(1)} s: ${epochs} epochs of ${nodes} records, charged`);

    (globalThis as { gc?: () => void }).gc?.();
    const base = heapNow();
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, heapNow())), 10);
    const t0 = process.hrtime.bigint();
    const round = await buildPayoutRound(chain.provider, deployment, { networkId, throughEpoch: epochs - 1n, bundleDir });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    peak = Math.max(peak, heapNow());
    if (round.leaves.length !== nodes) throw new Error(`the round pays ${round.leaves.length} nodes, expected ${nodes}`);
    const allocated = round.epochs.reduce((s, e) => s + e.allocated, 0n);
    if (round.total !== allocated) throw new Error(`the round's total ${round.total} is not the epochs' allocation ${allocated}`);
    return {
      payoutRoundSeconds: Math.round(seconds * 100) / 100,
      payoutRoundRecords: nodes * Number(epochs),
      payoutRoundEpochs: Number(epochs),
      payoutRoundPeakHeapMiB: mib(peak - base),
      payoutRoundBaseHeapMiB: mib(base),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + "\n");
      process.exit(0);
    },
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
