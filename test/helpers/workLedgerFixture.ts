/**
 * Named fixtures (for loadFixture) and record builders of the WorkLedger contract tests.
 * Also used by scripts/bench-gas.ts, so everything here works under `hardhat run` too.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { AbiCoder, Signer, TypedDataDomain, ZeroHash, getAddress, keccak256, toUtf8Bytes, concat } from "ethers";
import { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { MockStablecoin__factory, RevenueLedger__factory, WorkLedger, WorkLedger__factory } from "../../typechain-types";
import type { IWorkLedger } from "../../typechain-types/contracts/WorkLedger";
import { RECORD_LEAF_ENCODING, WorkRecord } from "../../src/records/types";
import {
  ARBITER_DEADLINE,
  BOND,
  CAPACITY_PER_NODE,
  CHALLENGE_WINDOW,
  EPOCH_SECONDS,
  LARGE_EPOCH_RECORDS,
  MAX_STATEMENT,
  ROLE,
  THAW_SECONDS,
  THRESHOLD,
} from "./constants";
import { EpochCommitMessage, EpochSummary, domainOf, signSorted } from "./eip712";

export type { EpochSummary };

/** A stand-in payment token address for networks whose bonds a test never touches. */
export const TOKEN = getAddress("0x" + "11".repeat(20));
/** A stand-in arbiter address for networks whose challenges a test never rules on. */
export const STAND_IN_ARBITER = getAddress("0x" + "a7".repeat(20));

/** The usage leaf encoding (DESIGN "Data model"): customer, epoch, workUnits, amount, ref. */
export const USAGE_LEAF_ENCODING = ["address", "uint64", "uint64", "uint128", "bytes32"] as const;
/** A usage leaf tuple. */
export type UsageLeaf = [string, bigint, bigint, bigint, string];
/** IWorkLedger.UsageRecord. */
export interface UsageRecord {
  customer: string;
  epoch: bigint;
  workUnits: bigint;
  amount: bigint;
  ref: string;
}

/** A StandardMerkleTree leaf tuple of a record, in RECORD_LEAF_ENCODING order. */
export type RecordLeaf = [string, bigint, bigint, number, bigint, string];

/** A built epoch: its records, tree and the summary verifiers sign. */
export interface BuiltEpoch {
  records: WorkRecord[];
  tree: StandardMerkleTree<RecordLeaf>;
  summary: EpochSummary;
}

/** The leaf tuple of a record. */
export function toLeaf(r: WorkRecord): RecordLeaf {
  return [r.nodeId, r.epoch, r.workUnits, r.uptimeBps, r.revenue, r.evidence];
}

/** Deterministic synthetic records: `count` nodes in `epoch`; every 7th node did no work. */
export function makeRecords(count: number, epoch: bigint, salt = "node"): WorkRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const workUnits = i % 7 === 0 ? 0n : BigInt(100 + (i % 3000));
    return {
      nodeId: keccak256(toUtf8Bytes(`${salt}-${i}`)),
      epoch,
      workUnits,
      uptimeBps: 9_000 + (i % 1_001),
      revenue: workUnits * 1_000n,
      evidence: keccak256(toUtf8Bytes(`evidence-${salt}-${i}-${epoch}`)),
    };
  });
}

/** The usage words of an epoch without usage. */
export const NO_USAGE = { usageRoot: ZeroHash, usageCount: 0n, totalUsage: 0n } as const;

/** The summary of an epoch without records: zero root and totals, dataHash of an empty file. */
export function emptySummary(): EpochSummary {
  return { root: ZeroHash, recordCount: 0n, activeNodes: 0n, totalWorkUnits: 0n, totalRevenue: 0n, dataHash: keccak256("0x"), ...NO_USAGE };
}

/** Deterministic usage records: `count` customers (synthetic addresses) in `epoch`. */
export function makeUsage(count: number, epoch: bigint, salt = "customer"): UsageRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    customer: "0x" + keccak256(toUtf8Bytes(`${salt}-${i}`)).slice(26),
    epoch,
    workUnits: BigInt(10 + i),
    amount: BigInt(1_000 + i) * 1_000n,
    ref: keccak256(toUtf8Bytes(`ref-${salt}-${i}-${epoch}`)),
  }));
}

/** The usage leaf tuple of a usage record. */
export function toUsageLeaf(u: UsageRecord): UsageLeaf {
  return [u.customer, u.epoch, u.workUnits, u.amount, u.ref];
}

/** The usage tree and the usage words of `usage` (at least one record). */
export function buildUsage(usage: UsageRecord[]) {
  const tree = StandardMerkleTree.of(usage.map(toUsageLeaf), [...USAGE_LEAF_ENCODING]);
  const words = { usageRoot: tree.root, usageCount: BigInt(usage.length), totalUsage: usage.reduce((a, u) => a + u.amount, 0n) };
  return { usage, tree, words };
}

/** Builds the tree and summary of `records` (at least one). dataHash hashes the concatenated ABI-encoded leaves. */
export function buildEpoch(records: WorkRecord[]): BuiltEpoch {
  const leaves = records.map(toLeaf);
  const tree = StandardMerkleTree.of(leaves, [...RECORD_LEAF_ENCODING]);
  const coder = AbiCoder.defaultAbiCoder();
  const encoded = leaves.map((l) => coder.encode([...RECORD_LEAF_ENCODING], l));
  const summary: EpochSummary = {
    root: tree.root,
    recordCount: BigInt(records.length),
    activeNodes: BigInt(records.filter((r) => r.workUnits > 0n).length),
    totalWorkUnits: records.reduce((a, r) => a + r.workUnits, 0n),
    totalRevenue: records.reduce((a, r) => a + r.revenue, 0n),
    dataHash: keccak256(concat(encoded)),
    ...NO_USAGE,
  };
  return { records, tree, summary };
}

/**
 * Network parameters of the test network (genesis = creation block, 1-hour epochs, 1-day window,
 * a 5-USD bond, a 2-day arbiter deadline, 720-epoch statements, the smallest thaw plus a day).
 */
export function networkParams(
  admin: string,
  verifiers: string[],
  threshold = THRESHOLD,
  token: string = TOKEN,
  arbiter: string = STAND_IN_ARBITER,
): IWorkLedger.NetworkParamsStruct {
  return {
    admin,
    token,
    genesisTime: 0n,
    epochSeconds: EPOCH_SECONDS,
    challengeWindow: CHALLENGE_WINDOW,
    capacityPerNode: CAPACITY_PER_NODE,
    threshold,
    name: "GPU Net",
    workUnit: "GPU-seconds",
    verifiers,
    arbiter,
    bond: BOND,
    thawSeconds: THAW_SECONDS,
    arbiterDeadline: ARBITER_DEADLINE,
    maxStatementEpochs: MAX_STATEMENT,
  };
}

/** Signs `message` with `signers` (sorted) and commits it (version 1) or corrects it (version > 1). */
export async function signAndCommit(
  ledger: WorkLedger,
  signers: Signer[],
  domain: TypedDataDomain,
  message: EpochCommitMessage,
  relayer?: Signer,
  reasonHash: string = ZeroHash,
) {
  const sigs = await signSorted(signers, domain, message);
  const l = relayer ? ledger.connect(relayer) : ledger;
  if (message.version === 1n) return l.commitEpoch(message.networkId, message.epoch, message.summary, sigs);
  return l.correctEpoch(message.networkId, message.epoch, message.summary, sigs, reasonHash);
}

/**
 * Deploys a WorkLedger, a MockStablecoin and a RevenueLedger (wired with setRevenueLedger) and creates
 * network 1: three verifiers, 2-of-3, `arbiter` as arbiter; the admin holds ADMIN and has granted
 * itself REGISTRAR. The challenger and the outsider hold 1,000 USD each, approved to the RevenueLedger.
 */
export async function deployWorkLedgerFixture() {
  const [deployer, admin, v1, v2, v3, v4, outsider, operator, challenger, arbiter, relayer] = await ethers.getSigners();
  const ledger = await new WorkLedger__factory(deployer).deploy();
  const token = await new MockStablecoin__factory(deployer).deploy();
  const revenue = await new RevenueLedger__factory(deployer).deploy(await ledger.getAddress(), deployer.address);
  await ledger.setRevenueLedger(await revenue.getAddress());
  const tokenAddr = await token.getAddress();
  const verifiers: HardhatEthersSigner[] = [v1, v2, v3];
  const params = networkParams(admin.address, verifiers.map((v) => v.address), THRESHOLD, tokenAddr, arbiter.address);
  await ledger.createNetwork(params);
  const networkId = 1n;
  await ledger.connect(admin).grantRole(await ledger.networkRole(networkId, ROLE.REGISTRAR), admin.address);
  for (const who of [challenger, outsider]) {
    await token.mint(who.address, 1_000n * 10n ** 6n);
    await token.connect(who).approve(await revenue.getAddress(), ethers.MaxUint256);
  }
  const domain = await domainOf(ledger);
  return {
    ledger,
    revenue,
    token,
    deployer,
    admin,
    verifiers,
    v4,
    outsider,
    operator,
    challenger,
    arbiter,
    relayer,
    params,
    networkId,
    domain,
  };
}

/** The test network with epoch 0 over (block time past its end). */
export async function epochEndedFixture() {
  const f = await deployWorkLedgerFixture();
  await time.increase(EPOCH_SECONDS);
  const built = buildEpoch(makeRecords(5, 0n));
  return { ...f, built };
}

/** The test network with epoch 0 (5 records) committed as version 1 by verifiers 1 and 2. */
export async function committedEpochFixture() {
  const f = await epochEndedFixture();
  const message: EpochCommitMessage = { networkId: f.networkId, epoch: 0n, version: 1n, summary: f.built.summary };
  const tx = await signAndCommit(f.ledger, f.verifiers.slice(0, 2), f.domain, message, f.relayer);
  return { ...f, message, commitTx: tx };
}

/** Epoch 0 with LARGE_EPOCH_RECORDS records and epoch 1 with 8 other records, both committed and Final. */
export async function largeEpochFixture() {
  const f = await deployWorkLedgerFixture();
  await time.increase(2n * EPOCH_SECONDS);
  const large = buildEpoch(makeRecords(LARGE_EPOCH_RECORDS, 0n));
  const other = buildEpoch(makeRecords(8, 1n, "other"));
  const signers = f.verifiers.slice(0, 2);
  await signAndCommit(f.ledger, signers, f.domain, { networkId: f.networkId, epoch: 0n, version: 1n, summary: large.summary });
  await signAndCommit(f.ledger, signers, f.domain, { networkId: f.networkId, epoch: 1n, version: 1n, summary: other.summary });
  await time.increase(CHALLENGE_WINDOW);
  return { ...f, large, other };
}

/** What `deployWorkLedgerFixture` returns. */
export type WorkLedgerFixture = Awaited<ReturnType<typeof deployWorkLedgerFixture>>;

/**
 * Commits the next epoch of network 1 (waiting for its end if needed) with `count` records, signed by
 * verifiers 1 and 2, plus any usage words in `extra`. Returns the epoch and its built tree.
 */
export async function commitNext(f: WorkLedgerFixture, count = 3, extra: Partial<EpochSummary> = {}, signers: Signer[] = f.verifiers.slice(0, 2)) {
  const { nextEpoch: epoch, genesisTime, epochSeconds } = await f.ledger.network(f.networkId);
  const endsAt = genesisTime + (epoch + 1n) * epochSeconds;
  if (BigInt(await time.latest()) < endsAt) await time.increaseTo(endsAt);
  const built = buildEpoch(makeRecords(count, epoch, `e${epoch}`));
  const summary = { ...built.summary, ...extra };
  const tx = await signAndCommit(f.ledger, signers, f.domain, { networkId: f.networkId, epoch, version: 1n, summary });
  return { epoch, built: { ...built, summary }, tx };
}

/** Corrects `epoch` of network 1 to version `version` with new records, signed by `signers` (default verifiers 1 and 2). */
export async function correctNext(f: WorkLedgerFixture, epoch: bigint, version: bigint, signers: Signer[] = f.verifiers.slice(0, 2), salt = "fix") {
  const built = buildEpoch(makeRecords(4, epoch, `${salt}-${epoch}-${version}`));
  const tx = await signAndCommit(f.ledger, signers, f.domain, { networkId: f.networkId, epoch, version, summary: built.summary }, f.relayer);
  return { built, tx };
}
