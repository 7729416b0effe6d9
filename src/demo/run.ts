/**
 * `workledger demo`: the whole job on one chain. Deploys, creates a 2-of-3 network, registers the
 * nodes, funds three customers, then for every epoch writes the records file, has two of the three
 * verifiers sign it independently (separate keys, separate signature files) and publishes it,
 * charges the customers; one epoch is challenged, voided and corrected; then finalises, posts the
 * charges, refunds an SLA credit, posts payout roots and claims; ./demo.ts then syncs the indexer,
 * writes every report in every format, verifies them and summarises. The demo uses the SDK only
 * (src/index.ts): every step is a call any integrator can make.
 */
import fs from "fs";
import path from "path";
import { AbstractProvider, Signer, keccak256, toUtf8Bytes } from "ethers";

import {
  Deployment,
  IRevenueLedger__factory,
  IWorkLedger__factory,
  bundleFileName,
  challengeEpoch,
  charge,
  claimPayout,
  createNetwork,
  deployContracts,
  deposit,
  makePayoutSet,
  mintTestToken,
  normalizeNodeId,
  postPayoutRoot,
  publishEpoch,
  refundCharge,
  registerNode,
  resolveChallenge,
  sendCall,
  settleCharge,
  splitPayouts,
  verifyAndSignEpoch,
  withdraw,
  writeDeploymentFile,
  writeLabels,
  writePayoutFile,
  writeSignatureFile,
} from "../index";
import type { TxOutcome } from "../index";
import { Actors, fundActors, makeActorWallets } from "./actors";
import {
  CAPACITY_PER_NODE,
  CHALLENGE_WINDOW,
  CUSTOMER_NAMES,
  DEMO_FEE_BPS,
  DemoNode,
  EPOCH_SECONDS,
  NETWORK_NAME,
  PRICE_PER_UNIT,
  Timeline,
  VERIFIER_NAMES,
  WORK_UNIT,
  customerCharges,
  epochRecords,
  makeNodes,
  recordsCsv,
  timeline,
} from "./scenario";

/** The chain the demo runs on (the CLI passes its connection: embedded Hardhat or an RPC URL). */
export interface DemoChain {
  provider: AbstractProvider;
  chainId: bigint;
  /** The URL, or "embedded". */
  url: string;
  embedded: boolean;
  /** Raw JSON-RPC (evm_increaseTime, evm_mine: a dev chain's clock). */
  send(method: string, params: unknown[]): Promise<unknown>;
}

/** Where the demo reports what it does (the CLI: stderr lines and progress bars). */
export interface DemoHooks {
  log(message: string): void;
  progress: { start(total: number, label: string): void; increment(by?: number): void; stop(): void };
}

/** Moves a dev chain's clock forward by `seconds` and mines a block. */
export async function advanceChainTime(chain: DemoChain, seconds: number): Promise<void> {
  await chain.send("evm_increaseTime", [seconds]);
  await chain.send("evm_mine", []);
}

/** Options of a demo run. */
export interface DemoOptions {
  nodes: number;
  epochs: number;
  out: string;
  seed: string;
}

/** A charge the demo made. */
interface DemoCharge {
  id: string;
  customer: number;
  epoch: number;
  version: number;
  amount: bigint;
  status: "held" | "posted" | "voided";
}

/** What the on-chain part of the demo did (the input of the reporting stage and the summary). */
export interface DemoChainResult {
  deployment: Deployment;
  networkId: bigint;
  nodes: DemoNode[];
  timeline: Timeline;
  actors: { deployer: string; verifiers: string[]; customers: string[]; operators: string[] };
  epochsCommitted: number;
  commits: number;
  charges: number;
  chargesPosted: number;
  chargesVoided: number;
  refunds: Array<{ epoch: number; customer: string; amount: bigint }>;
  payoutRoots: number;
  claims: number;
  claimedTotal: bigint;
  revenueTotal: bigint;
  transactions: number;
  files: string[];
}


/** Directory layout of a demo run. */
export function demoPaths(out: string) {
  return {
    out,
    deployment: path.join(out, "deployment.json"),
    records: path.join(out, "records"),
    signatures: path.join(out, "signatures"),
    bundles: path.join(out, "bundles"),
    payouts: path.join(out, "payouts"),
    nodes: path.join(out, "nodes.csv"),
    labels: path.join(out, "labels.csv"),
    db: path.join(out, "workledger.sqlite"),
  };
}

/** Run the on-chain part of the demo, from `deployer` (a funded key or the node's unlocked account). */
export async function runDemoChain(chain: DemoChain, deployer: Signer, opts: DemoOptions, hooks: DemoHooks): Promise<DemoChainResult> {
  const { log, progress } = hooks;
  const p = demoPaths(opts.out);
  // A fresh run: clear the sub-directories the demo owns (files of an earlier, larger run would linger).
  for (const d of [p.records, p.signatures, p.bundles, p.payouts]) fs.rmSync(d, { recursive: true, force: true });
  for (const d of [p.out, p.records, p.signatures, p.bundles, p.payouts]) fs.mkdirSync(d, { recursive: true });
  const files: string[] = [];
  let txCount = 0;
  /** Counts the transactions a job sent. */
  const sent = <T extends { outcome: TxOutcome } | TxOutcome>(r: T): T => {
    txCount++;
    return r;
  };
  const rlCall = (d: Deployment, method: string, args: unknown[]) => ({ contract: "RevenueLedger", to: d.revenueLedger, iface: IRevenueLedger__factory.createInterface(), method, args });

  // 1. Deploy.
  const deployerAddress = await deployer.getAddress();
  log(`deploying WorkLedger, RevenueLedger and MockStablecoin on ${chain.embedded ? "the embedded Hardhat chain" : chain.url} (chain ${chain.chainId})`);
  const { deployment, creations } = await deployContracts(deployer);
  txCount += creations.length;
  writeDeploymentFile(p.deployment, deployment);
  files.push(p.deployment);

  // 2. Actors.
  const w = makeActorWallets(opts.seed, chain.provider);
  const actors: Actors = { deployer, deployerAddress, ...w };
  txCount += await fundActors(deployer, [...w.verifiers, ...w.customers, ...w.operators]);

  // 3. Protocol fee and the network.
  sent(await sendCall(deployer, rlCall(deployment, "setProtocolFee", [DEMO_FEE_BPS])));
  const t = timeline(opts.epochs);
  const nodes = makeNodes(opts.nodes, t);
  const { network } = sent(
    await createNetwork(deployer, deployment, {
      admin: deployerAddress,
      token: deployment.token,
      genesisTime: 0n,
      epochSeconds: BigInt(EPOCH_SECONDS),
      challengeWindow: BigInt(CHALLENGE_WINDOW),
      capacityPerNode: BigInt(CAPACITY_PER_NODE),
      threshold: 2,
      name: NETWORK_NAME,
      workUnit: WORK_UNIT,
      verifiers: actors.verifiers.map((v) => v.address),
    }),
  );
  const networkId = network!.networkId;
  const genesis = Number(network!.genesisTime);
  log(`network ${networkId}: 2-of-3 verifiers, ${EPOCH_SECONDS / 3600} h epochs, ${CHALLENGE_WINDOW / 3600} h challenge window, ${DEMO_FEE_BPS / 100}% protocol fee`);

  // 4. Nodes (the late joiner registers later), and the names a report can put on ids.
  fs.writeFileSync(
    p.nodes,
    ["name,nodeId,region,operator,joinEpoch,flaky", ...nodes.map((n) => `${n.name},${normalizeNodeId(n.name)},${n.region},${actors.operators[n.operator].address},${n.joinEpoch},${n.flaky}`)].join("\n") + "\n",
  );
  files.push(p.nodes);
  writeLabels(p.labels, [
    { id: String(networkId), name: NETWORK_NAME, group: WORK_UNIT },
    ...nodes.map((n) => ({ id: normalizeNodeId(n.name), name: n.name, group: n.region })),
    ...actors.customers.map((c, i) => ({ id: c.address, name: CUSTOMER_NAMES[i], group: "customers" })),
  ]);
  files.push(p.labels);
  const register = async (n: DemoNode) => sent(await registerNode(deployer, deployment, { networkId, nodeId: n.name, operator: actors.operators[n.operator].address }));
  progress.start(nodes.length, "registering nodes");
  for (const n of nodes) {
    if (n.joinEpoch === 0) await register(n);
    progress.increment();
  }
  progress.stop();
  log(`registered ${nodes.filter((n) => n.joinEpoch === 0).length} nodes in ${new Set(nodes.map((n) => n.region)).size} regions (one more joins in epoch ${t.lateJoinEpoch})`);

  // 5. Customers: mint, approve and deposit (about 1.3x their expected spend), a runway alert threshold.
  const expectedTotal = (BigInt(nodes.length * opts.epochs * CAPACITY_PER_NODE) * PRICE_PER_UNIT * 3n) / 4n;
  for (const [i, c] of actors.customers.entries()) {
    const share = customerCharges(expectedTotal)[i];
    const amount = ((share * 13n) / 10n / 1_000_000n + 1n) * 1_000_000n;
    sent(await mintTestToken(deployer, deployment.token, { to: c.address, amount }));
    txCount += (await deposit(c, deployment, { networkId, amount })).transactions.length;
    sent(await sendCall(c, rlCall(deployment, "setRunwayThreshold", [networkId, amount / 4n])));
  }
  log(`funded ${CUSTOMER_NAMES.length} customers (${CUSTOMER_NAMES.join(", ")}) with escrow deposits`);

  // 6. Epochs.
  const charges: DemoCharge[] = [];
  const recordsByEpoch = new Map<number, ReturnType<typeof epochRecords>>();
  let commits = 0;
  const chargeEpoch = async (epoch: number, version: number, total: bigint) => {
    const amounts = customerCharges(total);
    for (const [i, c] of actors.customers.entries()) {
      if (amounts[i] === 0n) continue;
      const ref = keccak256(toUtf8Bytes(`usage:${CUSTOMER_NAMES[i]}:epoch-${epoch}:v${version}`));
      const { chargeId } = sent(await charge(deployer, deployment, { networkId, customer: c.address, epoch: BigInt(epoch), amount: amounts[i], ref }));
      charges.push({ id: chargeId!, customer: i, epoch, version, amount: amounts[i], status: "held" });
    }
  };
  const publish = async (epoch: number, version: number, recordsFile: string, signerIdx: number[], correction?: string) => {
    const signatures: string[] = [];
    for (const vi of signerIdx) {
      const out = path.join(p.signatures, `epoch-${epoch}-v${version}.${VERIFIER_NAMES[vi]}.json`);
      // Each verifier rebuilds the epoch from the records file on its own and signs with its own key.
      const sig = await verifyAndSignEpoch(recordsFile, { networkId, epoch: BigInt(epoch), version, chainId: deployment.chainId, workLedger: deployment.workLedger }, actors.verifiers[vi]);
      writeSignatureFile(sig, out);
      signatures.push(out);
    }
    const r = await publishEpoch(deployer, deployment, {
      networkId,
      epoch: BigInt(epoch),
      recordsFile,
      signatures,
      bundleFile: path.join(p.bundles, bundleFileName(networkId, epoch, version)),
      correction: correction === undefined ? undefined : { reason: correction },
      nodeCheck: "skip", // the demo registers every node before its first record
      pollMs: 50,
    });
    txCount++;
    commits++;
    return r;
  };

  const workLedger = IWorkLedger__factory.connect(deployment.workLedger, chain.provider);
  const revenueLedger = IRevenueLedger__factory.connect(deployment.revenueLedger, chain.provider);
  progress.start(opts.epochs, "simulating epochs");
  for (let e = 0; e < opts.epochs; e++) {
    // The epoch must have ended on chain before it can be committed.
    const now = (await chain.provider.getBlock("latest"))!.timestamp;
    const end = genesis + (e + 1) * EPOCH_SECONDS + 60;
    if (now < end) await advanceChainTime(chain, end - now);
    for (const n of nodes) if (n.joinEpoch === e && e > 0) await register(n);
    const signers = [e % 3, (e + 1) % 3].sort();
    const good = epochRecords(opts.seed, nodes, e, t);
    recordsByEpoch.set(e, good);
    const goodFile = path.join(p.records, `epoch-${e}.csv`);
    fs.writeFileSync(goodFile, recordsCsv(good));
    if (e === t.challengedEpoch) {
      // Version 1 carries a metering bug; a challenger catches it, the arbiter voids it, the
      // held charges go back to escrow and a corrected version 2 is published and charged.
      const faulty = epochRecords(opts.seed, nodes, e, t, true);
      const faultyFile = path.join(p.records, `epoch-${e}-v1-faulty.csv`);
      fs.writeFileSync(faultyFile, recordsCsv(faulty));
      const v1 = await publish(e, 1, faultyFile, signers);
      await chargeEpoch(e, 1, v1.summary.totalRevenue);
      const why = keccak256(toUtf8Bytes(`${nodes[0].name} reported ${faulty[0].workUnits} GPU-seconds, above its capacity of ${CAPACITY_PER_NODE}`));
      sent(await challengeEpoch(deployer, deployment, { networkId, epoch: BigInt(e), reasonHash: why }));
      sent(await resolveChallenge(deployer, deployment, { networkId, epoch: BigInt(e), upheld: true }));
      for (const c of charges.filter((x) => x.epoch === e && x.version === 1)) {
        sent(await settleCharge(deployer, deployment, { chargeId: c.id, action: "void" }));
        c.status = "voided";
      }
      const v2 = await publish(e, 2, goodFile, signers, "metering bug: node gpu-us-east-000 double-reported");
      await chargeEpoch(e, 2, v2.summary.totalRevenue);
      log(`epoch ${e}: v1 challenged and voided (metering bug), corrected as v2`);
    } else {
      const r = await publish(e, 1, goodFile, signers);
      await chargeEpoch(e, 1, r.summary.totalRevenue);
    }
    progress.increment();
  }
  progress.stop();
  files.push(p.records, p.signatures, p.bundles);
  log(`published ${opts.epochs} epochs (${commits} commits, each signed by 2 of the 3 verifiers) and charged ${charges.length} times`);

  // 7. Finalise every epoch but the last, which stays pending with its charges held.
  const lastCommit = Number((await workLedger.latestEpoch(networkId, t.pendingEpoch)).committedAt);
  const target = lastCommit + CHALLENGE_WINDOW - 600;
  const now = (await chain.provider.getBlock("latest"))!.timestamp;
  if (now < target) await advanceChainTime(chain, target - now);

  // 8. Post the charges of final epochs.
  progress.start(charges.length, "posting charges");
  for (const c of charges) {
    if (c.status === "held" && c.epoch !== t.pendingEpoch) {
      sent(await settleCharge(deployer, deployment, { chargeId: c.id, action: "post" }));
      c.status = "posted";
    }
    progress.increment();
  }
  progress.stop();

  // 9. SLA credits for the outage: the largest customer gets 10% of its charge back per outage epoch.
  const refunds: DemoChainResult["refunds"] = [];
  for (const e of t.outageEpochs) {
    const c = charges.find((x) => x.epoch === e && x.customer === 0 && x.status === "posted");
    if (!c) continue;
    const amount = c.amount / 10n;
    if (amount === 0n) continue;
    sent(await refundCharge(deployer, deployment, { chargeId: c.id, amount, reasonHash: keccak256(toUtf8Bytes(`SLA credit: ${t.outageRegion} outage in epoch ${e}`)) }));
    refunds.push({ epoch: e, customer: actors.customers[0].address, amount });
  }
  if (refunds.length) log(`refunded ${refunds.length} SLA credit${refunds.length > 1 ? "s" : ""} for the ${t.outageRegion} outage`);

  // 10. Payout roots for every final epoch; the operators claim epoch 0's payouts.
  let payoutRoots = 0;
  let claims = 0;
  let claimedTotal = 0n;
  const opOf = (name: string) => actors.operators[nodes.find((n) => n.name === name)!.operator];
  progress.start(opts.epochs - 1, "posting payout roots");
  for (let e = 0; e < opts.epochs; e++) {
    if (e === t.pendingEpoch) continue;
    const available = await revenueLedger.epochRevenue(networkId, e);
    const recs = recordsByEpoch.get(e)!;
    const leaves = splitPayouts(
      recs.map((r) => ({ nodeId: normalizeNodeId(r.node.name), operator: opOf(r.node.name).address, revenue: r.revenue })),
      available,
    );
    progress.increment();
    if (leaves.length === 0) continue;
    const set = makePayoutSet(Number(networkId), e, leaves);
    writePayoutFile(set, path.join(p.payouts, `epoch-${e}.json`));
    sent(await postPayoutRoot(deployer, deployment, { networkId, epoch: BigInt(e), set }));
    payoutRoots++;
    if (e === 0) {
      for (const l of leaves) {
        const op = actors.operators.find((o) => o.address === l.operator)!;
        sent(await claimPayout(op, deployment, { networkId, epoch: BigInt(e), set, nodeId: l.nodeId }));
        claims++;
        claimedTotal += l.amount;
      }
    }
  }
  progress.stop();
  files.push(p.payouts);
  log(`posted ${payoutRoots} payout roots; operators claimed ${claims} payouts of epoch 0`);

  // 11. A customer withdraws part of its free escrow.
  const last = actors.customers[2];
  const free = (await revenueLedger.customer(networkId, last.address)).free;
  if (free > 10n) sent(await withdraw(last, deployment, { networkId, amount: free / 10n }));

  const revenueTotal = charges.filter((c) => c.status !== "voided").reduce((s, c) => s + c.amount, 0n);
  return {
    deployment,
    networkId,
    nodes,
    timeline: t,
    actors: { deployer: deployerAddress, verifiers: actors.verifiers.map((v) => v.address), customers: actors.customers.map((c) => c.address), operators: actors.operators.map((o) => o.address) },
    epochsCommitted: opts.epochs,
    commits,
    charges: charges.length,
    chargesPosted: charges.filter((c) => c.status === "posted").length,
    chargesVoided: charges.filter((c) => c.status === "voided").length,
    refunds,
    payoutRoots,
    claims,
    claimedTotal,
    revenueTotal,
    transactions: txCount,
    files,
  };
}
