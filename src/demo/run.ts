/**
 * `workledger demo`: the whole job on one chain. Deploys (and wires the two ledgers), creates a 2-of-3
 * network whose arbiter is independent of the admin, grants the registrar and biller roles
 * explicitly, registers the nodes; three customers deposit and authorize billing with per-epoch caps
 * (one cap too low). Every epoch's records and usage are signed by two of the three verifiers
 * independently (separate keys, separate signature files) and published; the bad-metering epoch is
 * challenged by a CUSTOMER with a bond from its own wallet, upheld by the arbiter, and corrected. Then
 * the finality cursor advances, and per billing period of up to 8 Final epochs each customer's
 * statement is signed by 2 of 3 verifiers and charged with an invoice reference (the capped
 * customer's is refused, it raises its cap, the statement is charged), an SLA credit is refunded and a
 * cumulative payout root (2 of 3) is posted; operators claim once at the end; a customer's withdrawal
 * thaws. ./demo.ts then syncs the indexer, writes every report in every format, verifies them and
 * summarises. The demo uses the SDK only (src/index.ts): every step is a call any integrator can make.
 */
import fs from "fs";
import path from "path";
import { AbstractProvider, Signer } from "ethers";

import {
  Deployment,
  IRevenueLedger__factory,
  InvalidInputError,
  IWorkLedger__factory,
  advanceFinality,
  authorizeBilling,
  bundleFileName,
  challengeEpoch,
  chargeStatement,
  claimPayout,
  createNetwork,
  deployContracts,
  deposit,
  finalizedCount,
  formatTokenAmount,
  grantRole,
  isoDate,
  mintTestToken,
  normalizeNodeId,
  payoutRound,
  publishEpoch,
  readBilling,
  readBundle,
  reasonHash,
  refundStatement,
  registerNode,
  requestWithdrawal,
  resolveChallenge,
  sendCall,
  signPayoutRoot,
  signStatement,
  verifyAndSignEpoch,
  writeDeploymentFile,
  writeLabels,
  writePayoutSignatureFile,
  writeSignatureFile,
  writeStatementSignature,
} from "../index";
import type { PayoutSignatureFile, StatementSignatureFile, TxOutcome } from "../index";
import { Actors, fundActors, makeActorWallets } from "./actors";
import {
  ARBITER_NAME,
  BILLING_PERIOD_EPOCHS,
  CAPACITY_PER_NODE,
  CAPPED_CUSTOMER,
  CHALLENGE_BOND,
  CHALLENGER_CUSTOMER,
  CHALLENGE_WINDOW,
  CUSTOMER_NAMES,
  DEMO_FEE_BPS,
  GENESIS_DELAY_SECONDS,
  DemoNode,
  EPOCH_SECONDS,
  NETWORK_NAME,
  PRICE_PER_UNIT,
  Timeline,
  VERIFIER_NAMES,
  WITHDRAWING_CUSTOMER,
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
  /** The chain stays up afterwards (`demo --serve`): the summary says so instead of "the chain is gone". */
  serve?: boolean;
}

/** A billing statement the demo charged. */
interface DemoStatement {
  customer: number;
  from: number;
  to: number;
  chargeId: string;
  amount: bigint;
  referenceText: string;
  /** Refused first (cap too low), charged after the customer raised its cap. */
  refused: boolean;
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
  /** Story lines of the money: caps, the refused-then-charged statement, credits, roots, claims, the thaw. */
  billing: string[];
  epochsCommitted: number;
  /** The finality cursor when billing ran: epochs 0..finalizedCount-1 are Final. */
  finalizedCount: number;
  commits: number;
  /** Versions of the corrected epoch that statements billed (the latest only: [2]). */
  correctedVersionsBilled: number[];
  statements: Array<{ customer: string; fromEpoch: number; toEpoch: number; chargeId: string; amount: bigint; referenceText: string; refusedFirst: boolean }>;
  /** Σ statement amounts. */
  charged: bigint;
  refunds: Array<{ epoch: number; customer: string; amount: bigint; chargeId: string }>;
  payoutRoots: Array<{ throughEpoch: number; total: bigint; increase: bigint }>;
  claims: number;
  claimedTotal: bigint;
  withdrawal: { customer: string; amount: bigint; readyAt: string; thawFromEpoch: number; thawing: bigint } | null;
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
  for (const d of [p.records, p.usage, p.signatures, p.bundles]) fs.rmSync(d, { recursive: true, force: true });
  for (const d of [p.out, p.records, p.usage, p.signatures, p.bundles]) fs.mkdirSync(d, { recursive: true });
  const story: string[] = [];
  const billing: string[] = [];
  const files: string[] = [];
  let txCount = 0;
  /** Counts the transactions a job sent. */
  const sent = <T extends { outcome: TxOutcome } | TxOutcome>(r: T): T => {
    txCount++;
    return r;
  };
  const usageRef = (customer: number, epoch: number, version: number) => `usage:${CUSTOMER_NAMES[customer]}:epoch-${epoch}:v${version}`;
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
  // Epoch 0 starts a little after creation, so the customers can authorize billing before it (rule 3:
  // billing starts at the first epoch that starts after the first authorization).
  const genesisAt = BigInt((await chain.provider.getBlock("latest"))!.timestamp + GENESIS_DELAY_SECONDS);
  const { network } = sent(
    await createNetwork(deployer, deployment, {
      admin: deployerAddress,
      token: deployment.token,
      genesisTime: genesisAt,
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
  const fmt = (v: bigint) => tokenAmount(v, 6, "mUSD");
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
  const baseLabels = [
    { id: String(networkId), name: NETWORK_NAME, group: WORK_UNIT },
    ...nodes.map((n) => ({ id: normalizeNodeId(n.name), name: n.name, group: n.region })),
    ...actors.customers.map((c, i) => ({ id: c.address, name: CUSTOMER_NAMES[i], group: "customers" })),
    { id: actors.arbiter.address, name: ARBITER_NAME, group: "arbiter" },
  ];
  writeLabels(p.labels, baseLabels);
  files.push(p.labels);
  const register = async (n: DemoNode) => sent(await registerNode(deployer, deployment, { networkId, nodeId: n.name, operator: actors.operators[n.operator].address }));
  progress.start(nodes.length, "registering nodes");
  for (const n of nodes) {
    if (n.joinEpoch === 0) await register(n);
    progress.increment();
  }
  progress.stop();
  log(`registered ${nodes.filter((n) => n.joinEpoch === 0).length} nodes in ${new Set(nodes.map((n) => n.region)).size} regions (one more joins in epoch ${t.lateJoinEpoch})`);

  // 5. Customers: mint, approve and deposit (about 1.3x their expected spend), a runway alert threshold,
  // and each authorizes the network to bill it up to a per-epoch cap (rule 3) before epoch 0 starts.
  // One customer's cap is deliberately too low: its first statement is refused and it raises the cap.
  const epochRevenueExpected = (BigInt(nodes.length * CAPACITY_PER_NODE) * PRICE_PER_UNIT * 3n) / 4n;
  const caps: bigint[] = [];
  for (const [i, c] of actors.customers.entries()) {
    const share = customerCharges(epochRevenueExpected * BigInt(opts.epochs))[i];
    const amount = ((share * 13n) / 10n / 1_000_000n + 1n) * 1_000_000n;
    sent(await mintTestToken(deployer, deployment.token, { to: c.address, amount }));
    txCount += (await deposit(c, deployment, { networkId, amount })).transactions.length;
    sent(await sendCall(c, rlCall(deployment, "setRunwayThreshold", [networkId, amount / 4n])));
    const perEpoch = customerCharges(epochRevenueExpected)[i];
    caps.push(roundUp(i === CAPPED_CUSTOMER ? perEpoch / 2n : perEpoch * 2n));
    sent(await authorizeBilling(c, deployment, { networkId, capPerEpoch: caps[i] }));
  }
  log(`funded ${CUSTOMER_NAMES.length} customers (${CUSTOMER_NAMES.join(", ")}) with escrow deposits; each authorized billing with a per-epoch cap`);
  billing.push(`customers authorized billing before epoch 0: ${actors.customers.map((_, i) => `${CUSTOMER_NAMES[i]} ${fmt(caps[i])}/epoch`).join(", ")}`);

  // 6. Epochs: records and usage, signed by 2 of the 3 verifiers, published (nothing is charged per epoch).
  let challenge: DemoChallenge | null = null;
  let commits = 0;
  /** The epoch's usage file: each customer's share of the epoch's work and revenue (what it is billed). */
  const writeUsage = (epoch: number, version: number, recs: ReturnType<typeof epochRecords>): string => {
    const revenue = recs.reduce((a, r) => a + r.revenue, 0n);
    const work = recs.reduce((a, r) => a + r.workUnits, 0n);
    const amounts = customerCharges(revenue);
    const units = customerCharges(work);
    const rows = actors.customers
      .map((c, i) => ({ c, i }))
      .filter(({ i }) => amounts[i] > 0n)
      .map(({ c, i }) => `${c.address},${epoch},${units[i]},${amounts[i]},${usageRef(i, epoch, version)}`);
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
  progress.start(opts.epochs, "simulating epochs");
  for (let e = 0; e < opts.epochs; e++) {
    // The epoch must have ended on chain before it can be committed.
    const now = (await chain.provider.getBlock("latest"))!.timestamp;
    const end = genesis + (e + 1) * EPOCH_SECONDS + 60;
    if (now < end) await advanceChainTime(chain, end - now);
    for (const n of nodes) if (n.joinEpoch === e && e > 0) await register(n);
    const signers = [e % 3, (e + 1) % 3].sort();
    const good = epochRecords(opts.seed, nodes, e, t);
    const goodFile = path.join(p.records, `epoch-${e}.csv`);
    fs.writeFileSync(goodFile, recordsCsv(good));
    if (e === t.challengedEpoch) {
      // Version 1 carries a metering bug. A CUSTOMER catches it and challenges with a bond from its own
      // wallet; the independent arbiter upholds it: v1 is voided, the bond returned, and a corrected
      // version 2 (k-of-n signed, relayed by anyone) is published. Only v2's usage is ever billed.
      const faulty = epochRecords(opts.seed, nodes, e, t, true);
      const faultyFile = path.join(p.records, `epoch-${e}-v1-faulty.csv`);
      fs.writeFileSync(faultyFile, recordsCsv(faulty));
      await publish(e, 1, faultyFile, signers, writeUsage(e, 1, faulty));
      const who = actors.customers[CHALLENGER_CUSTOMER];
      sent(await mintTestToken(deployer, deployment.token, { to: who.address, amount: CHALLENGE_BOND })); // the bond is the customer's own money
      const reason = `${nodes[0].name} reported ${faulty[0].workUnits} GPU-seconds, above its capacity of ${CAPACITY_PER_NODE}`;
      const ch = await challengeEpoch(who, deployment, { networkId, epoch: BigInt(e), reasonHash: reasonHash(reason) });
      txCount += ch.transactions.length;
      const ruling = sent(await resolveChallenge(actors.arbiter, deployment, { networkId, epoch: BigInt(e), upheld: true }));
      await publish(e, 2, goodFile, signers, writeUsage(e, 2, good), "metering bug: node gpu-us-east-000 double-reported");
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
        `epoch ${e}: the arbiter upheld it: v1 voided (its usage is never billed), bond ${challenge.bondReturned ? "returned" : "NOT returned"}, corrected as v2`,
      );
      log(story[story.length - 2]);
      log(story[story.length - 1]);
    } else {
      await publish(e, 1, goodFile, signers, writeUsage(e, 1, good));
    }
    progress.increment();
  }
  progress.stop();
  files.push(p.records, p.usage, p.signatures, p.bundles);
  log(`published ${opts.epochs} epochs with their usage (${commits} commits, each signed by 2 of the 3 verifiers)`);

  // 7. Every epoch but the last becomes Final (its challenge window passes); anyone advances the cursor.
  const lastCommit = Number((await workLedger.latestEpoch(networkId, t.pendingEpoch)).committedAt);
  const target = lastCommit + CHALLENGE_WINDOW - 600;
  const now = (await chain.provider.getBlock("latest"))!.timestamp;
  if (now < target) await advanceChainTime(chain, target - now);
  sent(await advanceFinality(deployer, deployment, networkId, BigInt(opts.epochs)));
  const finalized = Number(await finalizedCount(chain.provider, deployment, networkId));
  log(`finality cursor advanced to ${finalized}: epochs 0-${finalized - 1} are Final, epoch ${t.pendingEpoch} is still pending`);

  // 8. Billing periods of up to 8 epochs, the last ending at the newest Final epoch. For each period:
  // every customer's statement is signed by 2 of the 3 verifiers (each from the bundles, on its own) and
  // charged by the biller with an invoice reference; then SLA credits, then a cumulative payout root.
  const periods = billingPeriods(finalized, BILLING_PERIOD_EPOCHS);
  const statements: DemoStatement[] = [];
  const refunds: DemoChainResult["refunds"] = [];
  const payoutRoots: DemoChainResult["payoutRoots"] = [];
  const labelRows: Array<{ id: string; name: string; group?: string }> = [];
  const refundEpoch = t.outageEpochs[0];
  /** Node ids with a positive amount in the latest root (what the operators claim at the end). */
  let owed: string[] = [];
  /** The version of the corrected epoch each statement over it billed (only its latest version may count). */
  const correctedVersionsBilled = new Set<number>();
  progress.start(periods.length * (actors.customers.length + 1), "billing and payout rounds");
  for (const [pi, [from, to]] of periods.entries()) {
    const verifierIdx = [pi % 3, (pi + 1) % 3].sort();
    for (const [i, c] of actors.customers.entries()) {
      const params = { networkId, customer: c.address, fromEpoch: BigInt(from), toEpoch: BigInt(to), bundlesDir: p.bundles };
      const signatures: StatementSignatureFile[] = [];
      for (const vi of verifierIdx) {
        const sig = await signStatement(actors.verifiers[vi], deployment, params);
        writeStatementSignature(sig, path.join(p.signatures, `statement-${CUSTOMER_NAMES[i]}-e${from}-${to}.${VERIFIER_NAMES[vi]}.json`));
        signatures.push(sig);
      }
      const referenceText = `INV-${CUSTOMER_NAMES[i]}-${isoDate(BigInt(genesis + from * EPOCH_SECONDS)).slice(0, 7)}-e${from}-${to}`;
      const chargeIt = () => chargeStatement(deployer, deployment, { ...params, signatures, referenceText });
      let charged: Awaited<ReturnType<typeof chargeIt>>;
      let refused = false;
      try {
        charged = sent(await chargeIt());
      } catch (err) {
        // The SDK names the limit in token units (an InvalidInputError ending "(RevenueLedgerCapExceeded)").
        const capExceeded = err instanceof InvalidInputError && /\(RevenueLedgerCapExceeded\)/.test(err.message);
        if (!capExceeded || i !== CAPPED_CUSTOMER || statements.some((s) => s.refused)) throw err;
        // The cap is too low for this period: refused, naming the limit. The customer raises its cap
        // (a raise binds every unbilled epoch) and the same signed statement is charged.
        refused = true;
        const refusal = `${CUSTOMER_NAMES[i]}'s statement for epochs ${from}-${to} was refused: ${err.message.replace(/ \(RevenueLedgerCapExceeded\)$/, "")}`;
        const raised = roundUp(caps[i] * 4n);
        sent(await authorizeBilling(c, deployment, { networkId, capPerEpoch: raised }));
        charged = sent(await chargeIt());
        billing.push(refusal, `${CUSTOMER_NAMES[i]} raised its cap from ${fmt(caps[i])} to ${fmt(raised)} per epoch; the same statement (signed by 2 of 3) was then charged: ${fmt(charged.statement.amount)} as "${referenceText}"`);
        log(billing[billing.length - 2]);
        log(billing[billing.length - 1]);
        caps[i] = raised;
      }
      for (const u of charged.usage) if (u.epoch === BigInt(t.challengedEpoch)) correctedVersionsBilled.add(u.version);
      statements.push({ customer: i, from, to, chargeId: charged.chargeId, amount: charged.statement.amount, referenceText, refused });
      labelRows.push({ id: charged.chargeId, name: referenceText, group: CUSTOMER_NAMES[i] });
      progress.increment();
    }
    // An SLA credit for the outage: the largest customer gets 10% of that epoch's usage back, naming (chargeId, epoch).
    if (refundEpoch !== undefined && refundEpoch >= from && refundEpoch <= to && refunds.length === 0) {
      const st = statements.find((s) => s.customer === 0 && s.from === from)!;
      const bundle = await readBundle(path.join(p.bundles, bundleFileName(networkId, refundEpoch, 1)));
      const leaf = bundle.usage?.leaves.find((l) => l.customer === actors.customers[0].address);
      const amount = (leaf?.amount ?? 0n) / 10n;
      if (amount > 0n) {
        const reason = `SLA credit: ${t.outageRegion} outage in epoch ${refundEpoch}`;
        sent(await refundStatement(deployer, deployment, { chargeId: st.chargeId, epoch: BigInt(refundEpoch), amount, reason, bundlesDir: p.bundles }));
        refunds.push({ epoch: refundEpoch, customer: actors.customers[0].address, amount, chargeId: st.chargeId });
        billing.push(`${CUSTOMER_NAMES[0]} got an SLA credit of ${fmt(amount)} on "${st.referenceText}" for epoch ${refundEpoch} (${t.outageRegion} outage)`);
        log(billing[billing.length - 1]);
      }
    }
    // A cumulative payout root through the period's last epoch: rebuilt and signed by 2 of the 3 verifiers, posted by anyone.
    const rootSigs: PayoutSignatureFile[] = [];
    for (const vi of verifierIdx) {
      const sig = await signPayoutRoot(actors.verifiers[vi], deployment, { networkId, throughEpoch: BigInt(to), bundleDir: p.bundles });
      writePayoutSignatureFile(sig, path.join(p.signatures, `payout-through-${to}.${VERIFIER_NAMES[vi]}.json`));
      rootSigs.push(sig);
    }
    const round = await payoutRound(deployer, deployment, { networkId, throughEpoch: BigInt(to), bundleDir: p.bundles, signatures: rootSigs });
    txCount++;
    payoutRoots.push({ throughEpoch: to, total: round.round.total, increase: round.posted?.increase ?? 0n });
    owed = round.round.leaves.filter((l) => l.cumulativeAmount > 0n).map((l) => l.nodeId.toLowerCase());
    progress.increment();
  }
  progress.stop();
  const charged = statements.reduce((s, x) => s + x.amount, 0n);
  log(`charged ${plural(statements.length, "statement")} (${fmt(charged)}) over ${plural(periods.length, "billing period")}; posted ${plural(payoutRoots.length, "cumulative payout root")}`);
  billing.push(
    `${plural(statements.length, "statement")} over ${periods.map(([a, b]) => `epochs ${a}-${b}`).join(", ")} (each signed by 2 of 3 verifiers), ${fmt(charged)} charged; the corrected epoch ${t.challengedEpoch} billed at ${[...correctedVersionsBilled].map((v) => `v${v}`).join(", ") || "no version"} only (its voided v1's usage never)`,
  );

  // 9. Operators claim ONCE, at the end, everything the latest root gives their nodes (all epochs).
  let claims = 0;
  let claimedTotal = 0n;
  const claimNodes = nodes.filter((n) => owed.includes(normalizeNodeId(n.name).toLowerCase()));
  progress.start(claimNodes.length, "claiming payouts");
  for (const n of claimNodes) {
    const op = actors.operators[n.operator];
    const r = sent(await claimPayout(op, deployment, { networkId, nodeId: normalizeNodeId(n.name), bundleDir: p.bundles }));
    claims++;
    claimedTotal += r.amount;
    progress.increment();
  }
  progress.stop();
  const lastRoot = payoutRoots[payoutRoots.length - 1];
  billing.push(
    `${plural(payoutRoots.length, "payout root")} through epoch${payoutRoots.length === 1 ? "" : "s"} ${payoutRoots.map((r) => r.throughEpoch).join(", ")} (cumulative, each signed by 2 of 3, total ${fmt(lastRoot?.total ?? 0n)}); ${plural(claims, "node")} claimed once at the end: ${fmt(claimedTotal)}`,
  );
  log(billing[billing.length - 1]);

  // 10. A customer asks for part of its free escrow back: it thaws first (rule 6) and pays only for
  // epochs that started before the request meanwhile.
  const leaving = actors.customers[WITHDRAWING_CUSTOMER];
  const status = await readBilling(chain.provider, deployment, networkId, leaving.address);
  let withdrawal: DemoChainResult["withdrawal"] = null;
  if (status.free > 10n) {
    const req = sent(await requestWithdrawal(leaving, deployment, { networkId, amount: status.free / 2n }));
    const after = await readBilling(chain.provider, deployment, networkId, leaving.address);
    withdrawal = { customer: leaving.address, amount: req.amount, readyAt: isoDate(req.readyAt), thawFromEpoch: Number(req.thawFromEpoch), thawing: after.thawing };
    billing.push(`${CUSTOMER_NAMES[WITHDRAWING_CUSTOMER]} requested a withdrawal of ${fmt(req.amount)}: thawing (${fmt(after.thawing)}) until ${withdrawal.readyAt}; meanwhile it pays only for epochs before ${withdrawal.thawFromEpoch}`);
    log(billing[billing.length - 1]);
  }

  // Labels: the invoices' references, so statements read like invoices.
  writeLabels(p.labels, [...baseLabels, ...labelRows]);

  return {
    deployment,
    networkId,
    nodes,
    timeline: t,
    challenge,
    story,
    billing,
    actors: { deployer: deployerAddress, arbiter: actors.arbiter.address, verifiers: actors.verifiers.map((v) => v.address), customers: actors.customers.map((c) => c.address), operators: actors.operators.map((o) => o.address) },
    epochsCommitted: opts.epochs,
    finalizedCount: finalized,
    commits,
    correctedVersionsBilled: [...correctedVersionsBilled].sort(),
    statements: statements.map((s) => ({ customer: actors.customers[s.customer].address, fromEpoch: s.from, toEpoch: s.to, chargeId: s.chargeId, amount: s.amount, referenceText: s.referenceText, refusedFirst: s.refused })),
    charged,
    refunds,
    payoutRoots,
    claims,
    claimedTotal,
    withdrawal,
    transactions: txCount,
    files,
  };
}

/** Rounds an amount up to the next cent of a 6-decimal token. */
function roundUp(v: bigint): bigint {
  return (v / 10_000n + 1n) * 10_000n;
}

/** A token amount with all of the token's decimals and thousands separators: "1,404.000000 mUSD". */
export function tokenAmount(v: bigint, decimals: number, symbol: string): string {
  const [whole, frac = ""] = formatTokenAmount(v, decimals).split(".");
  return `${whole}${decimals > 0 ? `.${frac.padEnd(decimals, "0")}` : ""} ${symbol}`;
}

/** "1 billing period", "3 billing periods". */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Billing periods over the Final epochs 0..finalized-1, of at most `size` epochs each, the last ending
 * at the newest Final epoch: [[0,7],[8,15],[16,22]] for 23 Final epochs and size 8.
 */
export function billingPeriods(finalized: number, size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let from = 0; from < finalized; from += size) out.push([from, Math.min(from + size, finalized) - 1]);
  return out;
}
