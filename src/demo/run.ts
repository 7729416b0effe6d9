/**
 * `workledger demo`: the whole job on one chain. Deploys, creates a 2-of-3 network, registers the
 * nodes, funds three customers, then for every epoch writes the records file, has two of the three
 * verifiers sign it independently (separate keys, separate signature files) and publishes it,
 * charges the customers; one epoch is challenged, voided and corrected; then finalises, posts the
 * charges, refunds an SLA credit, posts payout roots and claims, syncs the indexer, writes every
 * report in every format, verifies them and summarises.
 */
import fs from "fs";
import path from "path";
import { Contract, Interface, Signer, keccak256, toUtf8Bytes } from "ethers";

import { IRevenueLedger__factory, IWorkLedger__factory } from "../contracts";
import { InvalidInputError } from "../errors";
import { Chain, advanceTime } from "../cli/chain";
import { CliContext, ERC20_ABI } from "../cli/context";
import { Deployment, writeDeployment } from "../cli/deployment";
import { deployContracts } from "../cli/commands/deploy";
import { publishRecords, signRecords } from "../cli/commands/epochData";
import { splitPayouts } from "../cli/commands/money";
import { makePayoutSet, payoutSetJson, payoutTree } from "../cli/payouts";
import { toJson } from "../cli/output";
import { bundleFileName, nodeIdFromString } from "../cli/sdk";
import { execute } from "../cli/tx";
import { Actors, fundActors, makeActorWallets } from "./actors";
import {
  CAPACITY_PER_NODE,
  CHALLENGE_WINDOW,
  CUSTOMER_NAMES,
  DEMO_FEE_BPS,
  DemoNode,
  EPOCH_SECONDS,
  PRICE_PER_UNIT,
  Timeline,
  VERIFIER_NAMES,
  customerCharges,
  epochRecords,
  makeNodes,
  recordsCsv,
  timeline,
} from "./scenario";

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

const wl = (): Interface => IWorkLedger__factory.createInterface();
const rl = (): Interface => IRevenueLedger__factory.createInterface();

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
    db: path.join(out, "workledger.sqlite"),
  };
}

/** The deployer: WORKLEDGER_PRIVATE_KEY, else the node's first unlocked account. */
async function demoDeployer(ctx: CliContext, chain: Chain): Promise<Signer> {
  if (process.env.WORKLEDGER_PRIVATE_KEY) return ctx.signer();
  const s = await chain.unlockedSigner(0);
  if (!s) throw new InvalidInputError(`${chain.url} has no unlocked account: set WORKLEDGER_PRIVATE_KEY to a funded key`);
  return s;
}

/** Run the on-chain part of the demo. */
export async function runDemoChain(ctx: CliContext, opts: DemoOptions): Promise<DemoChainResult> {
  const log = (m: string) => ctx.log.info(m);
  const chain = await ctx.chain();
  const p = demoPaths(opts.out);
  // A fresh run: clear the sub-directories the demo owns (files of an earlier, larger run would linger).
  for (const d of [p.records, p.signatures, p.bundles, p.payouts]) fs.rmSync(d, { recursive: true, force: true });
  for (const d of [p.out, p.records, p.signatures, p.bundles, p.payouts]) fs.mkdirSync(d, { recursive: true });
  const files: string[] = [];
  let txCount = 0;
  const send = async (signer: Signer, to: string, iface: Interface, method: string, args: unknown[], contract = "RevenueLedger") => {
    txCount++;
    return execute(signer, { contract, to, iface, method, args }, false);
  };

  // 1. Deploy.
  const deployer = await demoDeployer(ctx, chain);
  const deployerAddress = await deployer.getAddress();
  log(`deploying WorkLedger, RevenueLedger and MockStablecoin on ${chain.embedded ? "the embedded Hardhat chain" : chain.url} (chain ${chain.chainId})`);
  const { deployment } = await deployContracts(deployer, {}, false);
  txCount += 3;
  writeDeployment(p.deployment, deployment);
  files.push(p.deployment);
  ctx.useDeployment(p.deployment);

  // 2. Actors.
  const w = makeActorWallets(opts.seed, chain.provider);
  const actors: Actors = { deployer, deployerAddress, ...w };
  txCount += await fundActors(deployer, [...w.verifiers, ...w.customers, ...w.operators]);

  // 3. Protocol fee and the network.
  await send(deployer, deployment.revenueLedger, rl(), "setProtocolFee", [DEMO_FEE_BPS]);
  const t = timeline(opts.epochs);
  const nodes = makeNodes(opts.nodes, t);
  const created = await send(
    deployer,
    deployment.workLedger,
    wl(),
    "createNetwork",
    [
      {
        admin: deployerAddress,
        token: deployment.token,
        genesisTime: 0,
        epochSeconds: EPOCH_SECONDS,
        challengeWindow: CHALLENGE_WINDOW,
        capacityPerNode: CAPACITY_PER_NODE,
        threshold: 2,
        name: "Demo GPU Network",
        workUnit: "GPU-seconds",
        verifiers: actors.verifiers.map((v) => v.address),
      },
    ],
    "WorkLedger",
  );
  let networkId = 0n;
  for (const lg of created.receipt!.logs) {
    try {
      const d = wl().parseLog(lg);
      if (d?.name === "NetworkCreated") networkId = d.args.networkId as bigint;
    } catch {
      // other log
    }
  }
  const workLedger = IWorkLedger__factory.connect(deployment.workLedger, chain.provider);
  const revenueLedger = IRevenueLedger__factory.connect(deployment.revenueLedger, chain.provider);
  const genesis = Number((await workLedger.network(networkId)).genesisTime);
  log(`network ${networkId}: 2-of-3 verifiers, ${EPOCH_SECONDS / 3600} h epochs, ${CHALLENGE_WINDOW / 3600} h challenge window, ${DEMO_FEE_BPS / 100}% protocol fee`);

  // 4. Nodes (the late joiner registers later).
  fs.writeFileSync(
    p.nodes,
    ["name,nodeId,region,operator,joinEpoch,flaky", ...nodes.map((n) => `${n.name},${nodeIdFromString(n.name)},${n.region},${actors.operators[n.operator].address},${n.joinEpoch},${n.flaky}`)].join("\n") + "\n",
  );
  files.push(p.nodes);
  const register = async (n: DemoNode) => send(deployer, deployment.workLedger, wl(), "registerNode", [networkId, nodeIdFromString(n.name), actors.operators[n.operator].address], "WorkLedger");
  ctx.progress.start(nodes.length, "registering nodes");
  for (const n of nodes) {
    if (n.joinEpoch === 0) await register(n);
    ctx.progress.increment();
  }
  ctx.progress.stop();
  log(`registered ${nodes.filter((n) => n.joinEpoch === 0).length} nodes; ${nodes.filter((n) => n.joinEpoch > 0).length} will join at epoch ${t.lateJoinEpoch}`);

  // 5. Customers: mint, approve, deposit (about 1.3x their expected spend), a runway alert threshold.
  const expectedTotal = BigInt(nodes.length * opts.epochs * CAPACITY_PER_NODE) * PRICE_PER_UNIT * 3n / 4n;
  const token = new Contract(deployment.token, ERC20_ABI, chain.provider);
  const tokenIface = new Interface(ERC20_ABI);
  const deposits: bigint[] = [];
  for (const [i, c] of actors.customers.entries()) {
    const share = customerCharges(expectedTotal)[i];
    const amount = ((share * 13n) / 10n / 1_000_000n + 1n) * 1_000_000n;
    deposits.push(amount);
    await send(deployer, deployment.token, tokenIface, "mint", [c.address, amount], "MockStablecoin");
    await send(c, deployment.token, tokenIface, "approve", [deployment.revenueLedger, amount], "MockStablecoin");
    await send(c, deployment.revenueLedger, rl(), "deposit", [networkId, amount]);
    await send(c, deployment.revenueLedger, rl(), "setRunwayThreshold", [networkId, amount / 4n]);
  }
  void token;
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
      const o = await send(deployer, deployment.revenueLedger, rl(), "charge", [networkId, c.address, epoch, amounts[i], ref]);
      let id = "";
      for (const lg of o.receipt!.logs) {
        try {
          const d = rl().parseLog(lg);
          if (d?.name === "Charged") id = String(d.args.chargeId);
        } catch {
          // other log
        }
      }
      charges.push({ id, customer: i, epoch, version, amount: amounts[i], status: "held" });
    }
  };
  const publish = async (epoch: number, version: number, recordsFile: string, signerIdx: number[], correction?: string) => {
    const sigFiles: string[] = [];
    for (const vi of signerIdx) {
      const out = path.join(p.signatures, `epoch-${epoch}-v${version}.${VERIFIER_NAMES[vi]}.json`);
      // Each verifier rebuilds the epoch from the records file on its own and signs with its own key.
      await signRecords({ deployment, networkId, epoch: BigInt(epoch), version, recordsFile, out }, actors.verifiers[vi]);
      sigFiles.push(out);
    }
    const bundleOut = path.join(p.bundles, bundleFileName(networkId, epoch, version));
    const r = await publishRecords(
      ctx,
      { deployment, networkId, epoch: BigInt(epoch), recordsFile, signatureFiles: sigFiles, bundleOut, correction: correction !== undefined, reason: correction, dryRun: false },
      deployer,
    );
    txCount++;
    commits++;
    return r;
  };

  ctx.progress.start(opts.epochs, "simulating epochs");
  for (let e = 0; e < opts.epochs; e++) {
    // The epoch must have ended on chain before it can be committed.
    const now = (await chain.provider.getBlock("latest"))!.timestamp;
    const end = genesis + (e + 1) * EPOCH_SECONDS + 60;
    if (now < end) await advanceTime(chain, end - now);
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
      await send(deployer, deployment.workLedger, wl(), "challengeEpoch", [networkId, e, keccak256(toUtf8Bytes(`${nodes[0].name} reported ${faulty[0].workUnits} GPU-seconds, above its capacity of ${CAPACITY_PER_NODE}`))], "WorkLedger");
      await send(deployer, deployment.workLedger, wl(), "resolveChallenge", [networkId, e, true], "WorkLedger");
      for (const c of charges.filter((x) => x.epoch === e && x.version === 1)) {
        await send(deployer, deployment.revenueLedger, rl(), "voidCharge", [c.id]);
        c.status = "voided";
      }
      const v2 = await publish(e, 2, goodFile, signers, "metering bug: node gpu-us-east-000 double-reported");
      await chargeEpoch(e, 2, v2.summary.totalRevenue);
      log(`epoch ${e}: v1 challenged and voided (metering bug), corrected as v2`);
    } else {
      const r = await publish(e, 1, goodFile, signers);
      await chargeEpoch(e, 1, r.summary.totalRevenue);
    }
    ctx.progress.increment();
  }
  ctx.progress.stop();
  files.push(p.records, p.signatures, p.bundles);
  log(`published ${opts.epochs} epochs (${commits} commits, each signed by 2 of the 3 verifiers) and charged ${charges.length} times`);

  // 7. Finalise every epoch but the last, which stays pending with its charges held.
  const lastCommit = Number((await workLedger.latestEpoch(networkId, t.pendingEpoch)).committedAt);
  const target = lastCommit + CHALLENGE_WINDOW - 600;
  const now = (await chain.provider.getBlock("latest"))!.timestamp;
  if (now < target) await advanceTime(chain, target - now);

  // 8. Post the charges of final epochs.
  ctx.progress.start(charges.length, "posting charges");
  for (const c of charges) {
    if (c.status === "held" && c.epoch !== t.pendingEpoch) {
      await send(deployer, deployment.revenueLedger, rl(), "postCharge", [c.id]);
      c.status = "posted";
    }
    ctx.progress.increment();
  }
  ctx.progress.stop();

  // 9. SLA credits for the outage: the largest customer gets 10% of its charge back per outage epoch.
  const refunds: DemoChainResult["refunds"] = [];
  for (const e of t.outageEpochs) {
    const c = charges.find((x) => x.epoch === e && x.customer === 0 && x.status === "posted");
    if (!c) continue;
    const amount = c.amount / 10n;
    if (amount === 0n) continue;
    await send(deployer, deployment.revenueLedger, rl(), "refund", [c.id, amount, keccak256(toUtf8Bytes(`SLA credit: ${t.outageRegion} outage in epoch ${e}`))]);
    refunds.push({ epoch: e, customer: actors.customers[0].address, amount });
  }
  if (refunds.length) log(`refunded ${refunds.length} SLA credit${refunds.length > 1 ? "s" : ""} for the ${t.outageRegion} outage`);

  // 10. Payout roots for every final epoch; the operators claim epoch 0's payouts.
  let payoutRoots = 0;
  let claims = 0;
  let claimedTotal = 0n;
  const opOf = (name: string) => actors.operators[nodes.find((n) => n.name === name)!.operator];
  ctx.progress.start(opts.epochs - 1, "posting payout roots");
  for (let e = 0; e < opts.epochs; e++) {
    if (e === t.pendingEpoch) continue;
    const available = await revenueLedger.epochRevenue(networkId, e);
    const recs = recordsByEpoch.get(e)!;
    const leaves = splitPayouts(
      recs.map((r) => ({ nodeId: nodeIdFromString(r.node.name), operator: opOf(r.node.name).address, revenue: r.revenue })),
      available,
    );
    ctx.progress.increment();
    if (leaves.length === 0) continue;
    const set = makePayoutSet(Number(networkId), e, leaves);
    const file = path.join(p.payouts, `epoch-${e}.json`);
    fs.writeFileSync(file, toJson(payoutSetJson(set)) + "\n");
    await send(deployer, deployment.revenueLedger, rl(), "postPayoutRoot", [networkId, e, set.root, set.total, leaves.length]);
    payoutRoots++;
    if (e === 0) {
      const tree = payoutTree(leaves);
      for (const l of leaves) {
        const op = actors.operators.find((o) => o.address === l.operator)!;
        await send(op, deployment.revenueLedger, rl(), "claim", [networkId, e, l.index, l.nodeId, l.amount, tree.getProof(l.index), op.address]);
        claims++;
        claimedTotal += l.amount;
      }
    }
  }
  ctx.progress.stop();
  files.push(p.payouts);
  log(`posted ${payoutRoots} payout roots; operators claimed ${claims} payouts of epoch 0`);

  // 11. A customer withdraws part of its free escrow.
  const last = actors.customers[2];
  const free = (await revenueLedger.customer(networkId, last.address)).free;
  if (free > 10n) await send(last, deployment.revenueLedger, rl(), "withdraw", [networkId, free / 10n, last.address]);

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
