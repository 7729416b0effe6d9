/**
 * WorkLedger + RevenueLedger activity on an external local chain (`hardhat node` or anvil), for the
 * reader tests: the real contracts, driven through the node's unlocked accounts.
 * - `base()` emits every event kind the reader derives rows from (networks and their trust terms,
 *   verifier sets, nodes, commits, a correction, an upheld, a rejected and an expired challenge with
 *   their bonds, the finality cursor, deposits, charges posted and voided, a refund, a payout root
 *   and a claim, a withdrawal, fees, runway alerts, pause, a signed rotation);
 * - `actions(n)` gives n more transactions that are valid in any state reached after `base()` (fresh
 *   nodes, deposits, charges, thresholds, withdrawals), usable as anvil_reorg replacements;
 * - `activity(n)` sends n transactions that also change earlier rows (deactivations, postings), so a
 *   rollback must restore them.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { AbiCoder, Interface, JsonRpcProvider, Wallet, ZeroHash, getAddress, keccak256, toUtf8Bytes } from "ethers";

import { MockStablecoin__factory, RevenueLedger__factory, WorkLedger__factory } from "../../src/contracts";
import type { LedgerAddresses } from "../../src/chain/events";
import { EPOCH_COMMIT_TYPES, VERIFIER_ROTATION_TYPES, workLedgerDomain } from "../../src/records/eip712";
import { EpochSummary, PAYOUT_LEAF_ENCODING, RECORD_LEAF_ENCODING, WorkRecord } from "../../src/records/types";

export const EPOCH_SECONDS = 3_600;
/** The contracts' shortest challenge window (MIN_CHALLENGE_WINDOW). */
export const CHALLENGE_WINDOW = 3_600;
const ARBITER_DEADLINE = 86_400; // MIN_ARBITER_DEADLINE
const MAX_STATEMENT_EPOCHS = 8;
const USD = 1_000_000n;
/** First challenge bond (MIN_BOND: one mock dollar); each further challenge of a version doubles it. */
const BOND = USD;

/** A transaction from an unlocked account (also the shape anvil_reorg takes). */
export interface TxRequest {
  from: string;
  to: string;
  data: string;
}

const wlIface: Interface = WorkLedger__factory.createInterface();
const rlIface: Interface = RevenueLedger__factory.createInterface();
const tokenIface: Interface = MockStablecoin__factory.createInterface();

/** The usage part of a summary without usage. */
const NO_USAGE = { usageRoot: ZeroHash, usageCount: 0n, totalUsage: 0n };

/** Fixed verifier keys (they only sign; they never send transactions). */
const VERIFIER_KEYS = ["0x" + "a1".repeat(32), "0x" + "b2".repeat(32), "0x" + "c3".repeat(32), "0x" + "d4".repeat(32)];

export class ReaderScenario {
  readonly networkId = 1;
  addresses!: LedgerAddresses;
  token!: string;
  deployBlock = 0;
  admin!: string;
  /** Rules on challenges (a network's arbiter may not be its admin). */
  arbiter!: string;
  customers: string[] = [];
  operators: string[] = [];
  /** Records of every committed (epoch, version), keyed "epoch:version". */
  readonly records = new Map<string, WorkRecord[]>();
  private verifiers = VERIFIER_KEYS.slice(0, 3).map((k) => new Wallet(k));
  private verifierSetId = 1;
  /** The last block before epoch 4's commit, challenge and expiry. */
  beforeExpiryBlock = 0;
  /** The next epoch number to commit (commits are in order). */
  nextEpoch = 0;
  private seq = 0;
  private activeNodes: string[] = [];
  private heldFinalCharges: string[] = [];
  private chainId = 0n;

  constructor(readonly provider: JsonRpcProvider) {}

  /** Send one transaction from an unlocked account and wait until it is mined; throws if it reverted. */
  async send(tx: TxRequest): Promise<number> {
    const hash = (await this.provider.send("eth_sendTransaction", [tx])) as string;
    for (;;) {
      const r = (await this.provider.send("eth_getTransactionReceipt", [hash])) as { status: string; blockNumber: string; contractAddress?: string } | null;
      if (r) {
        if (r.status !== "0x1") throw new Error(`transaction ${hash} reverted`);
        return Number(r.blockNumber);
      }
      await new Promise((res) => setTimeout(res, 5));
    }
  }

  private async deploy(from: string, bytecode: string): Promise<string> {
    const hash = (await this.provider.send("eth_sendTransaction", [{ from, data: bytecode, gas: "0x1c9c380" }])) as string;
    for (;;) {
      const r = (await this.provider.send("eth_getTransactionReceipt", [hash])) as { status: string; contractAddress: string } | null;
      if (r) {
        if (r.status !== "0x1") throw new Error(`deployment ${hash} reverted`);
        return getAddress(r.contractAddress);
      }
      await new Promise((res) => setTimeout(res, 5));
    }
  }

  private async rpc(method: string, params: unknown[] = []): Promise<unknown> {
    return this.provider.send(method, params);
  }

  private wl(fn: string, args: unknown[], from = this.admin): TxRequest {
    return { from, to: this.addresses.workLedger, data: wlIface.encodeFunctionData(fn, args) };
  }

  private rl(fn: string, args: unknown[], from = this.admin): TxRequest {
    return { from, to: this.addresses.revenueLedger, data: rlIface.encodeFunctionData(fn, args) };
  }

  nodeId(label: string): string {
    return keccak256(toUtf8Bytes(`reader-node-${label}`));
  }

  private recordsFor(epoch: number, version: number): WorkRecord[] {
    return Array.from({ length: 4 }, (_, i) => ({
      nodeId: this.nodeId(String(i)),
      epoch: BigInt(epoch),
      workUnits: BigInt(1000 + 10 * i + version),
      uptimeBps: 9_900 + i + version,
      revenue: BigInt(50_000 + 1000 * i + epoch),
      evidence: keccak256(toUtf8Bytes(`evidence-${epoch}-${version}-${i}`)),
    }));
  }

  /** Summary of records (no usage): StandardMerkleTree root, totals, and a dataHash over the leaves. */
  static summaryOf(records: WorkRecord[]) {
    const leaves = records.map((r) => [r.nodeId, r.epoch, r.workUnits, r.uptimeBps, r.revenue, r.evidence]);
    const tree = StandardMerkleTree.of(leaves, [...RECORD_LEAF_ENCODING]);
    return {
      root: tree.root,
      recordCount: BigInt(records.length),
      activeNodes: BigInt(records.filter((r) => r.workUnits > 0n).length),
      totalWorkUnits: records.reduce((s, r) => s + r.workUnits, 0n),
      totalRevenue: records.reduce((s, r) => s + r.revenue, 0n),
      dataHash: keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32[]"], [leaves.map((l) => keccak256(AbiCoder.defaultAbiCoder().encode([...RECORD_LEAF_ENCODING], l)))])),
      ...NO_USAGE,
    };
  }

  private async commitTx(epoch: number, version: number, records: WorkRecord[], reason?: string): Promise<TxRequest> {
    this.records.set(`${epoch}:${version}`, records);
    return this.commitSummaryTx(epoch, version, ReaderScenario.summaryOf(records), reason);
  }

  /** Commit (version 1) or correct (version > 1) an epoch with a given summary, signed by 2 of the 3 verifiers. */
  async commitSummary(epoch: number, version: number, summary: EpochSummary, reason?: string): Promise<number> {
    return this.send(await this.commitSummaryTx(epoch, version, summary, reason));
  }

  private async commitSummaryTx(epoch: number, version: number, s: EpochSummary, reason?: string): Promise<TxRequest> {
    const domain = workLedgerDomain(this.chainId, this.addresses.workLedger);
    const summary = { ...NO_USAGE, ...s };
    const value = { networkId: BigInt(this.networkId), epoch: BigInt(epoch), version: BigInt(version), ...summary };
    const sorted = [...this.verifiers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1)).slice(0, 2);
    const sigs = await Promise.all(sorted.map((w) => w.signTypedData(domain, EPOCH_COMMIT_TYPES, value)));
    return version === 1
      ? this.wl("commitEpoch", [this.networkId, epoch, summary, sigs])
      : this.wl("correctEpoch", [this.networkId, epoch, summary, sigs, keccak256(toUtf8Bytes(reason ?? "correction"))]);
  }

  private chargeId(customer: string, epoch: number, ref: string): string {
    return keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "address", "uint64", "bytes32"], [this.networkId, customer, epoch, ref]));
  }

  private async increaseTime(seconds: number): Promise<void> {
    await this.rpc("evm_increaseTime", [seconds]);
    await this.rpc("evm_mine", []);
  }

  /** Deploy the token and both ledgers. */
  async deployContracts(): Promise<void> {
    this.chainId = BigInt((await this.rpc("eth_chainId")) as string);
    const accounts = ((await this.rpc("eth_accounts")) as string[]).map((a) => getAddress(a));
    [this.admin] = accounts;
    this.customers = accounts.slice(1, 4);
    this.operators = accounts.slice(4, 6);
    this.arbiter = accounts[6];
    this.deployBlock = Number(BigInt((await this.rpc("eth_blockNumber")) as string)) + 1;
    this.token = await this.deploy(this.admin, MockStablecoin__factory.bytecode);
    const workLedger = await this.deploy(this.admin, WorkLedger__factory.bytecode);
    const rlDeploy = new RevenueLedger__factory().getDeployTransaction(workLedger, this.admin);
    const revenueLedger = await this.deploy(this.admin, (await rlDeploy).data);
    this.addresses = { workLedger, revenueLedger };
    await this.send(this.wl("setRevenueLedger", [revenueLedger]));
  }

  /** Every event kind, in about 70 blocks. */
  async base(): Promise<void> {
    if (!this.addresses) await this.deployContracts();
    const block = (await this.provider.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
    const now = Number(BigInt(block.timestamp));
    const genesisTime = Math.floor(now / EPOCH_SECONDS) * EPOCH_SECONDS - 40 * EPOCH_SECONDS;
    await this.send(
      this.wl("createNetwork", [
        {
          admin: this.admin,
          token: this.token,
          genesisTime,
          epochSeconds: EPOCH_SECONDS,
          challengeWindow: 2 * CHALLENGE_WINDOW,
          capacityPerNode: 5_000,
          threshold: 2,
          name: "Reader test network",
          workUnit: "GPU-seconds",
          verifiers: this.verifiers.map((v) => v.address),
          arbiter: this.arbiter,
          bond: BOND,
          thawSeconds: 2 * CHALLENGE_WINDOW + ARBITER_DEADLINE + MAX_STATEMENT_EPOCHS * EPOCH_SECONDS,
          arbiterDeadline: ARBITER_DEADLINE,
          maxStatementEpochs: MAX_STATEMENT_EPOCHS,
        },
      ]),
    );
    await this.send(this.wl("setChallengeWindow", [this.networkId, CHALLENGE_WINDOW]));
    // The admin registers nodes and bills customers itself: it grants itself both roles.
    for (const kind of ["REGISTRAR", "BILLER"]) {
      const role = AbiCoder.defaultAbiCoder().encode(["uint256", "bytes32"], [this.networkId, keccak256(toUtf8Bytes(kind))]);
      await this.send(this.wl("grantRole", [keccak256(role), this.admin]));
    }
    for (let i = 0; i < 6; i++) {
      const id = this.nodeId(String(i));
      await this.send(this.wl("registerNode", [this.networkId, id, this.operators[i % 2]]));
      this.activeNodes.push(id);
    }
    await this.send(this.rl("setProtocolFee", [100]));
    for (const c of this.customers) {
      await this.send({ from: this.admin, to: this.token, data: tokenIface.encodeFunctionData("mint", [c, 1_000_000n * USD]) });
      await this.send({ from: c, to: this.token, data: tokenIface.encodeFunctionData("approve", [this.addresses.revenueLedger, 2n ** 255n]) });
      await this.send(this.rl("deposit", [this.networkId, 10_000n * USD], c));
    }
    await this.send(this.rl("setRunwayThreshold", [this.networkId, 9_990n * USD], this.customers[0]));
    for (let e = 0; e <= 3; e++) await this.send(await this.commitTx(e, 1, this.recordsFor(e, 1)));
    const charges: { c: string; e: number; ref: string }[] = [];
    for (let e = 0; e <= 3; e++) {
      for (const c of this.customers.slice(0, 2)) {
        const ref = keccak256(toUtf8Bytes(`usage-${c}-${e}`));
        await this.send(this.rl("charge", [this.networkId, c, e, BigInt(5 + e) * USD, ref]));
        charges.push({ c, e, ref });
      }
    }
    // Epoch 2 voided (the bond comes back), its charges back to escrow; epoch 3 challenged and rejected (the bond is forfeited).
    const challenger = this.customers[2];
    await this.send(this.wl("challengeEpoch", [this.networkId, 2, keccak256(toUtf8Bytes("bad telemetry"))], challenger));
    await this.send(this.wl("resolveChallenge", [this.networkId, 2, true], this.arbiter));
    for (const ch of charges.filter((x) => x.e === 2)) await this.send(this.rl("voidCharge", [this.chargeId(ch.c, ch.e, ch.ref)]));
    await this.send(this.wl("challengeEpoch", [this.networkId, 3, keccak256(toUtf8Bytes("looks odd"))], challenger));
    await this.send(this.wl("resolveChallenge", [this.networkId, 3, false], this.arbiter));
    // Epoch 1 corrected.
    await this.send(await this.commitTx(1, 2, this.recordsFor(1, 2), "recount"));
    await this.increaseTime(CHALLENGE_WINDOW + 1);
    for (const ch of charges.filter((x) => x.e !== 2)) await this.send(this.rl("postCharge", [this.chargeId(ch.c, ch.e, ch.ref)]));
    await this.send(this.rl("refund", [this.chargeId(this.customers[0], 0, charges[0].ref), 1n * USD, keccak256(toUtf8Bytes("SLA credit"))]));
    const leaves: [bigint, string, string, bigint][] = [
      [0n, this.nodeId("0"), this.operators[0], 2n * USD],
      [1n, this.nodeId("1"), this.operators[1], 1n * USD],
    ];
    const tree = StandardMerkleTree.of(leaves, [...PAYOUT_LEAF_ENCODING]);
    await this.send(this.rl("postPayoutRoot", [this.networkId, 0, tree.root, 3n * USD, 2]));
    await this.send(this.rl("claim", [this.networkId, 0, 0n, this.nodeId("0"), 2n * USD, tree.getProof(0), this.operators[0]], this.operators[0]));
    await this.send(this.rl("withdraw", [this.networkId, 100n * USD, this.customers[2]], this.customers[2]));
    await this.send(this.rl("withdrawFees", [this.networkId, this.admin]));
    await this.send(this.wl("deactivateNode", [this.networkId, this.activeNodes.shift()!]));
    await this.send(this.wl("setPaused", [this.networkId, true]));
    await this.send(this.wl("setPaused", [this.networkId, false]));
    await this.send(await this.rotateTx(this.verifiers.map((v) => v.address).concat(new Wallet(VERIFIER_KEYS[3]).address), 2));
    // Epoch 4: challenged, the arbiter lets the deadline pass, anyone expires it (voided, bond back).
    this.beforeExpiryBlock = await this.send(await this.commitTx(4, 1, this.recordsFor(4, 1))) - 1;
    await this.send(this.wl("challengeEpoch", [this.networkId, 4, keccak256(toUtf8Bytes("silence"))], challenger));
    await this.increaseTime(ARBITER_DEADLINE + 1);
    await this.send(this.wl("expireChallenge", [this.networkId, 4], this.operators[0]));
    await this.send(this.wl("advanceFinality", [this.networkId, 10], this.operators[1]));
    this.nextEpoch = 5;
  }

  /** A verifier rotation signed by 2 of the current verifiers (in ascending address order). */
  private async rotateTx(verifiers: string[], threshold: number): Promise<TxRequest> {
    const next = this.verifierSetId + 1;
    const domain = workLedgerDomain(this.chainId, this.addresses.workLedger);
    const value = { networkId: BigInt(this.networkId), verifierSetId: next, verifiers, threshold };
    const sorted = [...this.verifiers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1)).slice(0, 2);
    const sigs = await Promise.all(sorted.map((w) => w.signTypedData(domain, VERIFIER_ROTATION_TYPES, value)));
    this.verifierSetId = next;
    return this.wl("rotateVerifiers", [this.networkId, verifiers, threshold, sigs]);
  }

  /** `n` transactions valid in any state after base(), each different (fresh ids and refs). */
  actions(n: number, salt = "a"): TxRequest[] {
    const out: TxRequest[] = [];
    for (let i = 0; i < n; i++) {
      const k = this.seq++;
      const c = this.customers[k % this.customers.length];
      switch (k % 5) {
        case 0:
          out.push(this.wl("registerNode", [this.networkId, this.nodeId(`${salt}-${k}`), this.operators[k % 2]]));
          break;
        case 1:
          out.push(this.rl("deposit", [this.networkId, BigInt(k + 1) * USD], c));
          break;
        case 2:
          out.push(this.rl("charge", [this.networkId, c, 0, BigInt(k + 1) * 1000n, keccak256(toUtf8Bytes(`ref-${salt}-${k}`))]));
          break;
        case 3:
          out.push(this.rl("setRunwayThreshold", [this.networkId, BigInt(k) * USD], c));
          break;
        default:
          out.push(this.rl("withdraw", [this.networkId, BigInt(k) * 1000n, c], c));
      }
    }
    return out;
  }

  /**
   * Send `n` transactions that also change rows created earlier: deactivate registered nodes and
   * post charges held on a final epoch, between the stateless actions.
   */
  async activity(n: number, salt = "act"): Promise<void> {
    for (let i = 0; i < n; i++) {
      const k = this.seq++;
      if (k % 4 === 0 && this.activeNodes.length > 0) {
        await this.send(this.wl("deactivateNode", [this.networkId, this.activeNodes.shift()!]));
      } else if (k % 4 === 1 && this.heldFinalCharges.length > 0) {
        await this.send(this.rl("postCharge", [this.heldFinalCharges.shift()!]));
      } else if (k % 4 === 2) {
        const c = this.customers[k % 2];
        const ref = keccak256(toUtf8Bytes(`held-${salt}-${k}`));
        await this.send(this.rl("charge", [this.networkId, c, 0, 3000n + BigInt(k), ref]));
        this.heldFinalCharges.push(this.chargeId(c, 0, ref));
      } else {
        const id = this.nodeId(`${salt}-${k}`);
        await this.send(this.wl("registerNode", [this.networkId, id, this.operators[k % 2]]));
        this.activeNodes.push(id);
      }
    }
  }

  /** After a reorg: forget pooled nodes and charges that the new chain does not have in that state. */
  async refresh(): Promise<void> {
    const wl = WorkLedger__factory.connect(this.addresses.workLedger, this.provider);
    const rl = RevenueLedger__factory.connect(this.addresses.revenueLedger, this.provider);
    const nodes: string[] = [];
    for (const id of this.activeNodes) if ((await wl.node(this.networkId, id))[1]) nodes.push(id);
    this.activeNodes = nodes;
    const held: string[] = [];
    for (const id of this.heldFinalCharges) if ((await rl.getCharge(id)).status === 1n) held.push(id);
    this.heldFinalCharges = held;
  }

  /** Mine `n` empty blocks. */
  async mine(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await this.rpc("evm_mine", []);
  }
}
