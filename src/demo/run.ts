/**
 * `workledger demo`: the whole job on one chain. Deploys (and wires the two ledgers), creates a 2-of-3
 * network whose arbiter is independent of the admin, grants the registrar and biller roles
 * explicitly, registers the nodes, funds three customers, then for every epoch writes the records and
 * usage files, has two of the three verifiers sign them independently (separate keys, separate
 * signature files) and publishes, charges the customers; the bad-metering epoch is challenged by a
 * CUSTOMER with a bond from its own wallet and upheld by the arbiter, then corrected; then finalises,
 * posts the charges, refunds an SLA credit, posts payout roots and claims; ./demo.ts then syncs the indexer,
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
  formatTokenAmount,
  grantRole,
  isoDate,
  deposit,
  makePayoutSet,
  mintTestToken,
  normalizeNodeId,
  postPayoutRoot,
  publishEpoch,
  reasonHash,
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
  ARBITER_NAME,
  CAPACITY_PER_NODE,
  CHALLENGE_BOND,
  CHALLENGER_CUSTOMER,
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

/** The trust story of the demo: who challenged which epoch with what bond, and how the arbiter ruled. */
export interface DemoChallenge {
  epoch: number;
  version: number;
  challenger: string;
  challengerName: string;
  bond: bigint;
  deadline: string;
  arbiter: string;
  upheld: boolean;
  bondReturned: boolean;
  correctedVersion: number;
}

/** What the on-chain part of the demo did (the input of the reporting stage and the summary). */
export interface DemoChainResult {
  deployment: Deployment;
  networkId: bigint;
  nodes: DemoNode[];
  timeline: Timeline;
  actors: { deployer: string; arbiter: string; verifiers: string[]; customers: string[]; operators: string[] };
  challenge: DemoChallenge | null;
  /** Story lines of the trust model (arbiter, roles, the bonded challenge). */
  story: string[];
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
    usage: path.join(out, "usage"),
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
  for (const d of [p.records, p.usage, p.signatures, p.bundles, p.payouts]) fs.rmSync(d, { recursive: true, force: true });
  for (const d of [p.out, p.records, p.usage, p.signatures, p.bundles, p.payouts]) fs.mkdirSync(d, { recursive: true });
  const story: string[] = [];
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
  log(`deploying WorkLedger, RevenueLedger and MockStablecoin on ${chain.embedded ? "the embedded Hardhat chain" : chain.url} (chain ${chain.chainId}), wiring them for challenge bonds`);
  const { deployment, creations } = await deployContracts(deployer);
  txCount += creations.length;
  writeDeploymentFile(p.deployment, deployment);
  files.push(p.deployment);

  // 2. Actors.
  const w = makeActorWallets(opts.seed, chain.provider);
  const actors: Actors = { deployer, deployerAddress, ...w };
  txCount += await fundActors(deployer, [...w.verifiers, ...w.customers, ...w.operators, w.arbiter]);

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
      // #13: the arbiter is independent of the admin (an insurer consortium's key); bonds are in the token
      arbiter: actors.arbiter.address,
      bond: CHALLENGE_BOND,
    }),
  );
  const networkId = network!.networkId;
  const genesis = Number(network!.genesisTime);
  const fmt = (v: bigint) => formatTokenAmount(v, 6, "mUSD");
  log(`network ${networkId}: 2-of-3 verifiers, ${EPOCH_SECONDS / 3600} h epochs, ${CHALLENGE_WINDOW / 3600} h challenge window, ${DEMO_FEE_BPS / 100}% protocol fee`);
  story.push(`arbiter ${actors.arbiter.address} (${ARBITER_NAME}) is independent of the admin ${deployerAddress}; challenges post a ${fmt(CHALLENGE_BOND)} bond`);
  // The admin holds only the ADMIN role: registrar and biller are granted explicitly (here to itself).
  for (const role of ["registrar", "biller"] as const) sent(await grantRole(deployer, deployment, { networkId, role, account: deployerAddress }));
  story.push(`the admin granted itself the registrar and biller roles explicitly (it holds only ADMIN at creation)`);
  log(story[story.length - 2]);

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
    { id: actors.arbiter.address, name: ARBITER_NAME, group: "arbiter" },
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
  let challenge: DemoChallenge | null = null;
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
  /** The epoch's usage file: each customer's share of the epoch's work and revenue (what it is charged). */
  const writeUsage = (epoch: number, version: number, recs: ReturnType<typeof epochRecords>): string => {
    const revenue = recs.reduce((a, r) => a + r.revenue, 0n);
    const work = recs.reduce((a, r) => a + r.workUnits, 0n);
    const amounts = customerCharges(revenue);
    const units = customerCharges(work);
    const rows = actors.customers
      .map((c, i) => ({ c, i }))
      .filter(({ i }) => amounts[i] > 0n)
      .map(({ c, i }) => `${c.address},${epoch},${units[i]},${amounts[i]},usage:${CUSTOMER_NAMES[i]}:epoch-${epoch}:v${version}`);
    const file = path.join(p.usage, `epoch-${epoch}${version > 1 ? `-v${version}` : ""}.csv`);
    fs.writeFileSync(file, ["customer,epoch,workUnits,amount,ref", ...rows].join("\n") + "\n");
    return file;
  };
  const publish = async (epoch: number, version: number, recordsFile: string, signerIdx: number[], usageFile: string, correction?: string) => {
    const signatures: string[] = [];
    for (const vi of signerIdx) {
      const out = path.join(p.signatures, `epoch-${epoch}-v${version}.${VERIFIER_NAMES[vi]}.json`);
      // Each verifier rebuilds the epoch from the records file on its own and signs with its own key.
      const sig = await verifyAndSignEpoch(recordsFile, { networkId, epoch: BigInt(epoch), version, chainId: deployment.chainId, workLedger: deployment.workLedger }, actors.verifiers[vi], { usageFile });
      writeSignatureFile(sig, out);
      signatures.push(out);
    }
    const r = await publishEpoch(deployer, deployment, {
      networkId,
      epoch: BigInt(epoch),
      recordsFile,
      usageFile,
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
      // Version 1 carries a metering bug. A CUSTOMER catches it and challenges with a bond from its own
      // wallet; the independent arbiter upholds it: v1 is voided, the bond returned, the held charges go
      // back to escrow, and a corrected version 2 (k-of-n signed, relayed by anyone) is published and charged.
      const faulty = epochRecords(opts.seed, nodes, e, t, true);
      const faultyFile = path.join(p.records, `epoch-${e}-v1-faulty.csv`);
      fs.writeFileSync(faultyFile, recordsCsv(faulty));
      const v1 = await publish(e, 1, faultyFile, signers, writeUsage(e, 1, faulty));
      await chargeEpoch(e, 1, v1.summary.totalRevenue);
      const who = actors.customers[CHALLENGER_CUSTOMER];
      sent(await mintTestToken(deployer, deployment.token, { to: who.address, amount: CHALLENGE_BOND })); // the bond is the customer's own money
      const reason = `${nodes[0].name} reported ${faulty[0].workUnits} GPU-seconds, above its capacity of ${CAPACITY_PER_NODE}`;
      const ch = await challengeEpoch(who, deployment, { networkId, epoch: BigInt(e), reasonHash: reasonHash(reason) });
      txCount += ch.transactions.length;
      const ruling = sent(await resolveChallenge(actors.arbiter, deployment, { networkId, epoch: BigInt(e), upheld: true }));
      for (const c of charges.filter((x) => x.epoch === e && x.version === 1)) {
        sent(await settleCharge(deployer, deployment, { chargeId: c.id, action: "void" }));
        c.status = "voided";
      }
      const v2 = await publish(e, 2, goodFile, signers, writeUsage(e, 2, good), "metering bug: node gpu-us-east-000 double-reported");
      await chargeEpoch(e, 2, v2.summary.totalRevenue);
      challenge = {
        epoch: e,
        version: ch.version!,
        challenger: who.address,
        challengerName: CUSTOMER_NAMES[CHALLENGER_CUSTOMER],
        bond: ch.bond,
        deadline: isoDate(ch.deadline!),
        arbiter: actors.arbiter.address,
        upheld: true,
        bondReturned: ruling.bond?.fate === "returned" && ruling.bond.paid,
        correctedVersion: 2,
      };
      story.push(
        `epoch ${e}: customer ${challenge.challengerName} challenged v1 (${reason}) with a ${fmt(ch.bond)} bond from its own wallet; the arbiter had until ${challenge.deadline}`,
        `epoch ${e}: the arbiter upheld it: v1 voided, bond ${challenge.bondReturned ? "returned" : "NOT returned"}, ${charges.filter((x) => x.epoch === e && x.version === 1).length} held charges voided back to escrow, corrected as v2`,
      );
      log(story[story.length - 2]);
      log(story[story.length - 1]);
    } else {
      const r = await publish(e, 1, goodFile, signers, writeUsage(e, 1, good));
      await chargeEpoch(e, 1, r.summary.totalRevenue);
    }
    progress.increment();
  }
  progress.stop();
  files.push(p.records, p.usage, p.signatures, p.bundles);
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
    challenge,
    story,
    actors: { deployer: deployerAddress, arbiter: actors.arbiter.address, verifiers: actors.verifiers.map((v) => v.address), customers: actors.customers.map((c) => c.address), operators: actors.operators.map((o) => o.address) },
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
