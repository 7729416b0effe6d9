/**
 * The report scenario on the in-process Hardhat network, with the real WorkLedger and RevenueLedger
 * (billing statements, cumulative payouts): one network, 5 nodes, 6 epochs with usage, 3 customers
 * who authorize billing before genesis; an outage (node 2 below target in epochs 3..5); a challenge
 * that voids epoch 2 (bond returned), corrected as version 2 with different usage; a rejected
 * challenge of epoch 3 (bond forfeited to revenue); a correction of epoch 4 (version 2). Epochs 0..4
 * become Final and the finality cursor advances; four verifier-signed statements (alice 0..2 and 3..4,
 * bob 0..4, carol 0..1) are charged with reference texts; SLA refunds name (chargeId, epoch); two
 * cumulative payout roots (through 1, through 4) built by DESIGN rule 7, with claims under each; carol
 * thaws and withdraws, bob's request is still thawing at the end; the protocol fee is withdrawn;
 * epoch 5 is left Pending. Epochs are built and signed with the writer (buildEpoch, signEpoch).
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Signer, keccak256, toUtf8Bytes } from "ethers";

import { MockStablecoin__factory, RevenueLedger__factory, WorkLedger__factory } from "../../typechain-types";
import type { MockStablecoin, RevenueLedger, WorkLedger } from "../../typechain-types";
import { EpochSummary, WorkRecord } from "../../src/records/types";
import type { UsageRecord, UsageRecordInput } from "../../src/records/usage";
import { usageProof, usageRefsHash } from "../../src/records/usageTree";
import type { UsageBuild } from "../../src/records/usageTree";
import type { RecordSource, UsageSource } from "../../src/report/input";
import { FAR_EXPIRY, chargeIdOf, payoutTree, proofOf, signRoot, signStatement } from "./revenueFixture";
import type { PayoutLeaf } from "./revenueFixture";
import { buildEpoch, signEpoch } from "../../src/writer";
import type { EpochSigningContext } from "../../src/writer";

export const SCENARIO_EPOCH_SECONDS = 3_600;
export const SCENARIO_CHALLENGE_WINDOW = 3_600; // WorkLedger.MIN_CHALLENGE_WINDOW
export const SCENARIO_ARBITER_DEADLINE = 86_400;
export const SCENARIO_MAX_STATEMENT_EPOCHS = 8;
export const SCENARIO_BOND = 1_000_000n; // 1 USD, WorkLedger.MIN_BOND
export const SCENARIO_CAPACITY = 3_600n;
export const SCENARIO_FEE_BPS = 100n;
export const USD = 1_000_000n;
export const NODE_COUNT = 5;
export const EPOCHS = 6;

/** Uptime (bps) of node i in epoch e for the version that stands at the end; default 9999. */
export const FINAL_UPTIME: Record<string, number> = {
  "1:1": 9_791, // node 1, epoch 1: breach, 25% tier (the 97.91% of issue #17)
  "2:3": 9_400, // node 2 outage: epochs 3..5
  "2:4": 9_300, // (version 2 of epoch 4; version 1 said 9000)
  "2:5": 9_980,
  "4:4": 9_950, // node 4, epoch 4: breach, 10% tier (only in version 2)
};

export interface Scenario {
  wl: WorkLedger;
  rl: RevenueLedger;
  token: MockStablecoin;
  networkId: number;
  admin: string; // the network admin, biller and (in the scenario) the challenger
  deployBlock: number;
  afterDepositsBlock: number;
  genesisTime: number;
  customers: { alice: HardhatEthersSigner; bob: HardhatEthersSigner; carol: HardhatEthersSigner };
  nodes: string[];
  /** Records of every committed (networkId, epoch, version). */
  records: RecordSource;
  recordsByKey: Map<string, WorkRecord[]>;
  /** Usage trees of every committed (networkId, epoch, version) with usage, and a source over them. */
  usageByKey: Map<string, UsageBuild>;
  usage: UsageSource;
  /** The statements charged: chargeId, customer name, range, reference text. */
  statements: { chargeId: string; customer: keyof Scenario["customers"]; fromEpoch: number; toEpoch: number; amount: bigint; referenceText: string }[];
  /** The payout roots posted (rule 7 as this helper computes it): throughEpoch, total, per-node cumulative amounts. */
  roots: { throughEpoch: number; total: bigint; amounts: Map<string, bigint> }[];
  operators: { op1: HardhatEthersSigner; op2: HardhatEthersSigner };
  thawSeconds: number;
}

/**
 * Whether a colour ("#rrggbb" or "rgb(r, g, b)") reads as green: its hue in 75..165 degrees.
 * The heat-map checks use it (a breach must never be drawn green).
 */
export function isGreen(colour: string): boolean {
  const [r, g, b] = colour.startsWith("#") ? [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)) : colour.match(/\d+/g)!.map(Number);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max === min) return false;
  const d = max - min;
  const h = ((max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4) * 60 + 360) % 360;
  return h >= 75 && h <= 165;
}

/** Region of node i in the scenario's labels. */
export const NODE_GROUPS = ["eu-west", "eu-west", "us-east", "us-east", "ap-south"];
/** Names of the scenario's customers in its labels. */
export const CUSTOMER_NAMES = { alice: "Acme Analytics", bob: "Globex Render", carol: "Initech Labs" } as const;

/** The labels file rows of the scenario: its nodes (by their id strings), customers, network and invoice references. */
export function scenarioLabelRows(s: Pick<Scenario, "customers" | "networkId">): { id: string; name: string; group?: string }[] {
  const rows: { id: string; name: string; group?: string }[] = [];
  for (let i = 0; i < NODE_COUNT; i++) rows.push({ id: `scenario-node-${i}`, name: `gpu-${NODE_GROUPS[i]}-${String(i).padStart(2, "0")}`, group: NODE_GROUPS[i] });
  for (const [k, name] of Object.entries(CUSTOMER_NAMES)) rows.push({ id: s.customers[k as keyof typeof CUSTOMER_NAMES].address, name, group: k === "carol" ? "trial" : "enterprise" });
  rows.push({ id: String(s.networkId), name: "Scenario GPU", group: "compute" });
  for (const c of Object.keys(CUSTOMER_NAMES)) for (let e = 0; e < EPOCHS; e++) rows.push({ id: usageRef(c, e), name: `INV-${c.toUpperCase()}-${e}` });
  return rows;
}

/** The usage leaf reference of customer `c` (by name) in epoch e. */
export function usageRef(c: string, e: number): string {
  return keccak256(toUtf8Bytes(`usage-${c}-${e}`));
}

/** Usage (token units) of each customer per epoch and version; 0 = no leaf. Odd amounts make the fee round. */
export function scenarioUsage(c: "alice" | "bob" | "carol", epoch: number, version: number): bigint {
  if (c === "carol") return epoch < 2 ? 15n * USD + 3n : 0n;
  if (c === "bob") return 20n * USD + 11n;
  if (epoch === 2 && version === 2) return 45n * USD + 19n; // the corrected epoch bills less
  if (epoch === 4 && version === 2) return 48n * USD + 1n;
  return 50n * USD + 37n;
}

/** The customers' authorized caps per epoch. */
export const SCENARIO_CAPS = { alice: 60n * USD, bob: 25n * USD, carol: 20n * USD } as const;

function nodeId(i: number): string {
  return keccak256(toUtf8Bytes(`scenario-node-${i}`));
}

function makeRecords(epoch: number, uptime: (node: number) => number): WorkRecord[] {
  return Array.from({ length: NODE_COUNT }, (_, i) => {
    const u = uptime(i);
    return {
      nodeId: nodeId(i),
      epoch: BigInt(epoch),
      workUnits: i === 3 && epoch === 0 ? 0n : BigInt(Math.floor((3_000 * u) / 10_000) + i * 10),
      uptimeBps: u,
      revenue: (BigInt(u) * 1_000n + BigInt(i) * 7_000n) * 10n,
      evidence: keccak256(toUtf8Bytes(`telemetry-${epoch}-${i}-${u}`)),
    };
  });
}

/** Signatures of `signers` (sorted by address, as commitEpoch requires) made with the writer's signEpoch. */
async function sortedSignatures(signers: Signer[], summary: EpochSummary, ctx: EpochSigningContext): Promise<string[]> {
  const withAddr = await Promise.all(signers.map(async (s) => ({ s, a: BigInt(await s.getAddress()) })));
  withAddr.sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : 0));
  return Promise.all(withAddr.map(async ({ s }) => (await signEpoch(summary, ctx, s)).signature));
}

/** Builds the scenario (a named function so that loadFixture can cache it). */
export async function reportScenario(): Promise<Scenario> {
  const [admin, v1, v2, v3, alice, bob, carol, op1, op2, arbiter] = await ethers.getSigners();
  const deployBlock = (await ethers.provider.getBlockNumber()) + 1;
  const token = await new MockStablecoin__factory(admin).deploy();
  const wl = await new WorkLedger__factory(admin).deploy();
  const rl = await new RevenueLedger__factory(admin).deploy(await wl.getAddress(), admin.address);
  await wl.setRevenueLedger(await rl.getAddress());
  const { chainId } = await ethers.provider.getNetwork();

  // Genesis in the future: the customers authorize billing before epoch 0 starts.
  const now = await time.latest();
  const genesisTime = Math.ceil(now / SCENARIO_EPOCH_SECONDS) * SCENARIO_EPOCH_SECONDS + SCENARIO_EPOCH_SECONDS;
  const thawSeconds = SCENARIO_CHALLENGE_WINDOW + SCENARIO_ARBITER_DEADLINE + SCENARIO_MAX_STATEMENT_EPOCHS * SCENARIO_EPOCH_SECONDS;
  await wl.createNetwork({
    admin: admin.address,
    token: await token.getAddress(),
    genesisTime,
    epochSeconds: SCENARIO_EPOCH_SECONDS,
    challengeWindow: SCENARIO_CHALLENGE_WINDOW,
    capacityPerNode: SCENARIO_CAPACITY,
    threshold: 2,
    name: "Scenario GPU",
    workUnit: "GPU-seconds",
    verifiers: [v1.address, v2.address, v3.address],
    arbiter: arbiter.address,
    bond: SCENARIO_BOND,
    thawSeconds,
    arbiterDeadline: SCENARIO_ARBITER_DEADLINE,
    maxStatementEpochs: SCENARIO_MAX_STATEMENT_EPOCHS,
  });
  const networkId = 1;
  for (const kind of ["REGISTRAR", "BILLER"]) await wl.grantRole(await wl.networkRole(networkId, keccak256(toUtf8Bytes(kind))), admin.address);
  const nodes = Array.from({ length: NODE_COUNT }, (_, i) => nodeId(i));
  for (let i = 0; i < NODE_COUNT; i++) await wl.registerNode(networkId, nodes[i], i % 2 === 0 ? op1.address : op2.address);
  await rl.setProtocolFee(SCENARIO_FEE_BPS);

  const customers = { alice, bob, carol };
  const recordsByKey = new Map<string, WorkRecord[]>();
  const usageByKey = new Map<string, UsageBuild>();
  const usageRows = (epoch: number, version: number): UsageRecordInput[] =>
    (["alice", "bob", "carol"] as const)
      .filter((c) => scenarioUsage(c, epoch, version) > 0n)
      .map((c) => ({ customer: customers[c].address, epoch: BigInt(epoch), workUnits: 1_000n + BigInt(epoch), amount: scenarioUsage(c, epoch, version), ref: usageRef(c, epoch) }));
  const commit = async (epoch: number, version: number, records: WorkRecord[], reason?: string) => {
    const built = await buildEpoch(records, { epoch, networkId, usage: usageRows(epoch, version) });
    const { summary } = built;
    const ctx = { chainId, workLedger: await wl.getAddress(), networkId, epoch, version };
    const sigs = await sortedSignatures([v1, v2], summary, ctx);
    if (version === 1) await wl.commitEpoch(networkId, epoch, summary, sigs);
    else await wl.correctEpoch(networkId, epoch, summary, sigs, keccak256(toUtf8Bytes(reason ?? "correction")));
    recordsByKey.set(`${networkId}:${epoch}:${version}`, records);
    if (built.usage) usageByKey.set(`${networkId}:${epoch}:${version}`, built.usage);
  };
  const uptime = (epoch: number) => (i: number) => FINAL_UPTIME[`${i}:${epoch}`] ?? 9_999;

  // Money in, and billing authorized before genesis (billing starts at epoch 0).
  const rlAddr = await rl.getAddress();
  for (const [c, amount] of [
    [alice, 1_000n * USD],
    [bob, 500n * USD],
    [carol, 200n * USD],
  ] as const) {
    await token.mint(c.address, amount);
    await token.connect(c).approve(rlAddr, amount);
    await rl.connect(c).deposit(networkId, amount);
  }
  await rl.connect(alice).authorizeBilling(networkId, SCENARIO_CAPS.alice, FAR_EXPIRY);
  await rl.connect(bob).authorizeBilling(networkId, SCENARIO_CAPS.bob, FAR_EXPIRY);
  await rl.connect(carol).authorizeBilling(networkId, SCENARIO_CAPS.carol, FAR_EXPIRY);
  const afterDepositsBlock = await ethers.provider.getBlockNumber();

  // Epochs 0..5 have ended. Epochs 0..4, version 1 (epoch 4's version 1 overstates node 2's outage and misses node 4's).
  await time.increaseTo(genesisTime + EPOCHS * SCENARIO_EPOCH_SECONDS + 10);
  for (let e = 0; e <= 4; e++) {
    const recs = makeRecords(e, e === 4 ? (i) => (i === 2 ? 9_000 : 9_995) : e === 2 ? (i) => (i === 3 ? 9_000 : 9_999) : uptime(e));
    await commit(e, 1, recs);
  }
  // Epoch 2 challenged (the admin posts the bond) and voided by the arbiter (bond back), then corrected as version 2.
  await token.mint(admin.address, 2n * SCENARIO_BOND);
  await token.approve(rlAddr, 2n * SCENARIO_BOND);
  await wl.challengeEpoch(networkId, 2, keccak256(toUtf8Bytes("telemetry mismatch")));
  await wl.connect(arbiter).resolveChallenge(networkId, 2, true);
  await commit(2, 2, makeRecords(2, uptime(2)), "telemetry re-read");
  // Epoch 3 challenged and the challenge rejected: the bond is forfeited to the network's revenue.
  await wl.challengeEpoch(networkId, 3, keccak256(toUtf8Bytes("looks low")));
  await wl.connect(arbiter).resolveChallenge(networkId, 3, false);
  // Epoch 4 corrected (version 2).
  await commit(4, 2, makeRecords(4, uptime(4)), "node 2 uptime recomputed");
  await time.increase(SCENARIO_CHALLENGE_WINDOW + 1);
  await wl.advanceFinality(networkId, 100);

  // Statements, signed by 2 of the 3 verifiers over the latest versions' usage leaves.
  const latestVersion = (e: number) => (e === 2 || e === 4 ? 2 : 1);
  const statements: Scenario["statements"] = [];
  const charge = async (c: keyof typeof customers, fromEpoch: number, toEpoch: number, referenceText: string) => {
    const refs = [];
    let amount = 0n;
    for (let e = fromEpoch; e <= toEpoch; e++) {
      const u = usageByKey.get(`${networkId}:${e}:${latestVersion(e)}`);
      if (!u || !u.leaves.some((l) => l.customer === customers[c].address)) continue;
      const p = usageProof(u, customers[c].address);
      refs.push({ epoch: e, version: latestVersion(e), usageRoot: u.root, leafHash: p.leafHash });
      amount += p.leaf.amount;
    }
    const stmt = { networkId: BigInt(networkId), customer: customers[c].address, fromEpoch: BigInt(fromEpoch), toEpoch: BigInt(toEpoch), amount, usageHash: usageRefsHash(refs) };
    await rl.charge(stmt, referenceText, await signStatement(rl, [v1, v2], stmt));
    statements.push({ chargeId: chargeIdOf(BigInt(networkId), customers[c].address, BigInt(fromEpoch)), customer: c, fromEpoch, toEpoch, amount, referenceText });
  };
  await charge("alice", 0, 2, "invoice 2026-11 Acme");
  await charge("bob", 0, 4, "invoice 2026-11 Globex");
  await charge("carol", 0, 1, "trial Initech");
  await charge("alice", 3, 4, "invoice 2026-12 Acme");
  // SLA credits: alice for epoch 1 (node 1 breach), bob for epoch 3 (node 2 down).
  await rl.refund(statements[0].chargeId, 1, 5n * USD, keccak256(toUtf8Bytes("SLA credit epoch 1")));
  await rl.refund(statements[1].chargeId, 3, 2n * USD, keccak256(toUtf8Bytes("SLA credit epoch 3")));

  // Cumulative payout roots by DESIGN rule 7, from the settled net per epoch.
  const fee = (x: bigint) => (x * SCENARIO_FEE_BPS) / 10_000n;
  const netPosted = new Map<number, bigint>();
  const addNet = (e: number, v: bigint) => netPosted.set(e, (netPosted.get(e) ?? 0n) + v);
  for (const st of statements) {
    const posts: { e: number; amount: bigint }[] = [];
    for (let e = st.fromEpoch; e <= st.toEpoch; e++) {
      const a = scenarioUsage(st.customer, e, latestVersion(e));
      if (a > 0n) posts.push({ e, amount: a });
    }
    let fees = 0n;
    for (const p of posts) fees += fee(p.amount);
    const remainder = fee(st.amount) - fees;
    posts.forEach((p, i) => addNet(p.e, p.amount - fee(p.amount) - (i === posts.length - 1 ? remainder : 0n)));
  }
  addNet(1, -5n * USD);
  addNet(3, -2n * USD + SCENARIO_BOND);
  const roots: Scenario["roots"] = [];
  const postRoot = async (throughEpoch: number) => {
    const amounts = new Map<string, bigint>();
    for (let e = 0; e <= throughEpoch; e++) {
      const recs = recordsByKey.get(`${networkId}:${e}:${latestVersion(e)}`)!;
      const total = recs.reduce((a, r) => a + r.revenue, 0n);
      for (const r of recs) amounts.set(r.nodeId, (amounts.get(r.nodeId) ?? 0n) + (r.revenue * (netPosted.get(e) ?? 0n)) / total);
    }
    const leaves: PayoutLeaf[] = nodes.map((n, i) => [n, i % 2 === 0 ? op1.address : op2.address, amounts.get(n) ?? 0n]);
    const tree = payoutTree(leaves);
    const total = leaves.reduce((a, l) => a + l[2], 0n);
    const msg = { networkId: BigInt(networkId), root: tree.root, throughEpoch: BigInt(throughEpoch), total, dataHash: keccak256(toUtf8Bytes(JSON.stringify(leaves.map((l) => [l[0], l[1], l[2].toString()])))) };
    await rl.postPayoutRoot(msg, await signRoot(rl, [v1, v2], msg));
    roots.push({ throughEpoch, total, amounts });
    return { tree, leaves };
  };
  const r1 = await postRoot(1);
  await rl.connect(op1).claim(networkId, nodes[0], r1.leaves[0][2], proofOf(r1.tree, nodes[0]), op1.address);
  const r2 = await postRoot(4);
  await rl.connect(op2).claim(networkId, nodes[1], r2.leaves[1][2], proofOf(r2.tree, nodes[1]), op2.address);
  await rl.connect(op1).claim(networkId, nodes[0], r2.leaves[0][2], proofOf(r2.tree, nodes[0]), op1.address);

  // Carol asks to withdraw 100, waits out the thaw and withdraws; bob's 50 is still thawing at the end.
  await rl.connect(carol).requestWithdrawal(networkId, 100n * USD);
  await time.increase(thawSeconds + 1);
  await rl.connect(carol).withdraw(networkId, carol.address);
  await rl.connect(bob).requestWithdrawal(networkId, 50n * USD);
  await rl.withdrawFees(networkId, admin.address);

  // Epoch 5: committed, still Pending.
  await commit(5, 1, makeRecords(5, uptime(5)));

  const usage: UsageSource = (n, e, v, customer) => {
    const u = usageByKey.get(`${n}:${e}:${v}`);
    if (!u || !u.leaves.some((l: UsageRecord) => l.customer === customer)) return undefined;
    const p = usageProof(u, customer);
    return { leaf: p.leaf, proof: p.proof };
  };
  return {
    wl,
    rl,
    token,
    networkId,
    admin: admin.address,
    deployBlock,
    afterDepositsBlock,
    genesisTime,
    customers,
    nodes,
    records: (n, e, v) => recordsByKey.get(`${n}:${e}:${v}`),
    recordsByKey,
    usageByKey,
    usage,
    statements,
    roots,
    operators: { op1, op2 },
    thawSeconds,
  };
}
