/**
 * The report scenario on the in-process Hardhat network, with the real WorkLedger and RevenueLedger:
 * one network, 5 nodes, 6 epochs, 3 customers; an outage (node 2 below target in epochs 3..5), a
 * challenge that voids epoch 2 (its charges voided), a correction of epoch 4 (version 2), SLA refunds,
 * payout roots and claims, a withdrawal, a protocol fee and its withdrawal; epoch 5 left Pending.
 * Epochs are built and signed with the writer (buildEpoch, signEpoch), as a network would.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Signer, keccak256, toUtf8Bytes } from "ethers";

import { MockStablecoin__factory, RevenueLedger__factory, WorkLedger__factory } from "../../typechain-types";
import type { MockStablecoin, RevenueLedger, WorkLedger } from "../../typechain-types";
import { EpochSummary, PAYOUT_LEAF_ENCODING, WorkRecord } from "../../src/records/types";
import type { RecordSource } from "../../src/report/input";
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
  "3:2": 9_000, // node 3, epoch 2: in the voided epoch (not an incident)
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
  for (const c of Object.keys(CUSTOMER_NAMES)) for (let e = 0; e < EPOCHS; e++) rows.push({ id: keccak256(toUtf8Bytes(`usage-${c}-${e}`)), name: `INV-${c.toUpperCase()}-${e}` });
  return rows;
}

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

  const now = await time.latest();
  const genesisTime = Math.floor(now / SCENARIO_EPOCH_SECONDS) * SCENARIO_EPOCH_SECONDS - EPOCHS * SCENARIO_EPOCH_SECONDS;
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
    thawSeconds: SCENARIO_CHALLENGE_WINDOW + SCENARIO_ARBITER_DEADLINE + SCENARIO_MAX_STATEMENT_EPOCHS * SCENARIO_EPOCH_SECONDS,
    arbiterDeadline: SCENARIO_ARBITER_DEADLINE,
    maxStatementEpochs: SCENARIO_MAX_STATEMENT_EPOCHS,
  });
  const networkId = 1;
  for (const kind of ["REGISTRAR", "BILLER"]) await wl.grantRole(await wl.networkRole(networkId, keccak256(toUtf8Bytes(kind))), admin.address);
  const nodes = Array.from({ length: NODE_COUNT }, (_, i) => nodeId(i));
  for (let i = 0; i < NODE_COUNT; i++) await wl.registerNode(networkId, nodes[i], i % 2 === 0 ? op1.address : op2.address);
  await rl.setProtocolFee(SCENARIO_FEE_BPS);

  const recordsByKey = new Map<string, WorkRecord[]>();
  const commit = async (epoch: number, version: number, records: WorkRecord[], reason?: string) => {
    const { summary } = await buildEpoch(records, { epoch, networkId });
    const ctx = { chainId, workLedger: await wl.getAddress(), networkId, epoch, version };
    const sigs = await sortedSignatures([v1, v2], summary, ctx);
    if (version === 1) await wl.commitEpoch(networkId, epoch, summary, sigs);
    else await wl.correctEpoch(networkId, epoch, summary, sigs, keccak256(toUtf8Bytes(reason ?? "correction")));
    recordsByKey.set(`${networkId}:${epoch}:${version}`, records);
  };
  const uptime = (epoch: number) => (i: number) => FINAL_UPTIME[`${i}:${epoch}`] ?? 9_999;

  // Money in.
  const tokenAddr = await rl.getAddress();
  for (const [c, amount] of [
    [alice, 1_000n * USD],
    [bob, 500n * USD],
    [carol, 200n * USD],
  ] as const) {
    await token.mint(c.address, amount);
    await token.connect(c).approve(tokenAddr, amount);
    await rl.connect(c).deposit(networkId, amount);
  }
  const afterDepositsBlock = await ethers.provider.getBlockNumber();

  // Epochs 0..4, version 1 (epoch 4's version 1 overstates node 2's outage and misses node 4's).
  for (let e = 0; e <= 4; e++) {
    const recs = makeRecords(e, e === 4 ? (i) => (i === 2 ? 9_000 : 9_995) : uptime(e));
    await commit(e, 1, recs);
  }
  const ref = (c: string, e: number) => keccak256(toUtf8Bytes(`usage-${c}-${e}`));
  const charge = async (c: HardhatEthersSigner, name: string, e: number, amount: bigint) =>
    rl.charge(networkId, c.address, e, amount, ref(name, e));
  const chargeId = (c: HardhatEthersSigner, name: string, e: number) =>
    keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "address", "uint64", "bytes32"], [networkId, c.address, e, ref(name, e)]));
  for (let e = 0; e <= 4; e++) {
    await charge(alice, "alice", e, 50n * USD);
    await charge(bob, "bob", e, 20n * USD);
    if (e < 2) await charge(carol, "carol", e, 15n * USD);
  }

  // Epoch 2 challenged (the admin posts the bond) and voided by the arbiter; its charges go back to escrow.
  await token.mint(admin.address, SCENARIO_BOND);
  await token.approve(tokenAddr, SCENARIO_BOND);
  await wl.challengeEpoch(networkId, 2, keccak256(toUtf8Bytes("telemetry mismatch")));
  await wl.connect(arbiter).resolveChallenge(networkId, 2, true);
  await rl.voidCharge(chargeId(alice, "alice", 2));
  await rl.voidCharge(chargeId(bob, "bob", 2));

  // Epoch 4 corrected (version 2).
  await commit(4, 2, makeRecords(4, uptime(4)), "node 2 uptime recomputed");

  await time.increase(SCENARIO_CHALLENGE_WINDOW + 1);
  for (const e of [0, 1, 3, 4]) {
    await rl.postCharge(chargeId(alice, "alice", e));
    await rl.postCharge(chargeId(bob, "bob", e));
    if (e < 2) await rl.postCharge(chargeId(carol, "carol", e));
  }
  // SLA credits: alice for epoch 3 (node 2 down), bob for epoch 1.
  await rl.refund(chargeId(alice, "alice", 3), 5n * USD, keccak256(toUtf8Bytes("SLA credit epoch 3")));
  await rl.refund(chargeId(bob, "bob", 1), 2n * USD, keccak256(toUtf8Bytes("SLA credit epoch 1")));

  // Payouts for epochs 0 and 1; op1 claims both of epoch 0, op2 one of epoch 1.
  for (const e of [0, 1]) {
    const leaves: [bigint, string, string, bigint][] = [
      [0n, nodes[0], op1.address, 30n * USD],
      [1n, nodes[1], op2.address, 20n * USD],
    ];
    const tree = StandardMerkleTree.of(leaves, [...PAYOUT_LEAF_ENCODING]);
    await rl.postPayoutRoot(networkId, e, tree.root, 50n * USD, 2);
    if (e === 0) await rl.connect(op1).claim(networkId, e, 0n, nodes[0], 30n * USD, tree.getProof(0), op1.address);
    if (e === 1) await rl.connect(op2).claim(networkId, e, 1n, nodes[1], 20n * USD, tree.getProof(1), op2.address);
  }

  // Epoch 5: committed and charged, still Pending (held).
  await commit(5, 1, makeRecords(5, uptime(5)));
  await charge(alice, "alice", 5, 50n * USD);
  await charge(bob, "bob", 5, 20n * USD);

  await rl.connect(carol).withdraw(networkId, 100n * USD, carol.address);
  await rl.withdrawFees(networkId, admin.address);

  return {
    wl,
    rl,
    token,
    networkId,
    admin: admin.address,
    deployBlock,
    afterDepositsBlock,
    genesisTime,
    customers: { alice, bob, carol },
    nodes,
    records: (n, e, v) => recordsByKey.get(`${n}:${e}:${v}`),
    recordsByKey,
  };
}
