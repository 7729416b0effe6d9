/**
 * WorkLedger + RevenueLedger activity on an external local chain (`hardhat node` or anvil), for the
 * reader tests: the real contracts, driven through the node's unlocked accounts.
 * - `base()` emits every event kind the reader derives rows from (networks and their trust terms,
 *   verifier sets, nodes, commits, a correction, an upheld, a rejected and an expired challenge with
 *   their bonds, the finality cursor, deposits, billing authorizations (and a revoke), verifier-signed
 *   billing statements over epochs with usage, a refund naming (chargeId, epoch), a cumulative payout
 *   root and a claim, a thawed withdrawal, fees, runway alerts, pause, a signed rotation);
 * - `actions(n)` gives n more transactions that are valid in any state reached after `base()` (fresh
 *   nodes, deposits, cap changes, thresholds, withdrawal requests), usable as anvil_reorg replacements;
 * - `activity(n)` sends n transactions that also change earlier rows (deactivations, refunds that
 *   raise a statement's `refunded`, deposits that change balances), so a rollback must restore them.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { AbiCoder, Interface, JsonRpcProvider, Wallet, ZeroHash, getAddress, keccak256, toUtf8Bytes } from "ethers";

import { MockStablecoin__factory, RevenueLedger__factory, WorkLedger__factory } from "../../src/contracts";
import type { LedgerAddresses } from "../../src/chain/events";
import { BILLING_STATEMENT_TYPES, CUMULATIVE_PAYOUT_LEAF_ENCODING, EPOCH_COMMIT_TYPES, PAYOUT_ROOT_TYPES, VERIFIER_ROTATION_TYPES, revenueLedgerDomain, workLedgerDomain } from "../../src/records/eip712";
import { EpochSummary, RECORD_LEAF_ENCODING, WorkRecord } from "../../src/records/types";
import { buildUsage, usageProof, usageRefsHash } from "../../src/records/usageTree";
import type { UsageBuild } from "../../src/records/usageTree";

export const EPOCH_SECONDS = 3_600;
/** The contracts' shortest challenge window (MIN_CHALLENGE_WINDOW). */
export const CHALLENGE_WINDOW = 3_600;
const ARBITER_DEADLINE = 86_400; // MIN_ARBITER_DEADLINE
const MAX_STATEMENT_EPOCHS = 8;
const USD = 1_000_000n;
/** An expiry far ahead (2100-01-01). */
const FAR_EXPIRY = 4_102_444_800n;
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
  /** Statements charged in base(): the one refunds in activity() credit (epochs after the payout root). */
  statementIds: string[] = [];
  /** Usage trees of the committed (epoch, version)s that have usage, keyed "epoch:version". */
  readonly usage = new Map<string, UsageBuild>();
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

  private async commitTx(epoch: number, version: number, records: WorkRecord[], reason?: string, withUsage = false): Promise<TxRequest> {
    this.records.set(`${epoch}:${version}`, records);
    const summary: EpochSummary = ReaderScenario.summaryOf(records);
    if (withUsage) {
      // customers 0 and 1 used the network: (5 + epoch) and (6 + epoch) dollars
      const u = buildUsage(this.customers.slice(0, 2).map((c, i) => ({ customer: c, epoch: BigInt(epoch), workUnits: 100n + BigInt(i), amount: BigInt(5 + i + epoch) * USD, ref: keccak256(toUtf8Bytes(`usage-${c}-${epoch}`)) })));
      this.usage.set(`${epoch}:${version}`, u);
      Object.assign(summary, { usageRoot: u.root, usageCount: u.usageCount, totalUsage: u.totalUsage });
    }
    return this.commitSummaryTx(epoch, version, summary, reason);
  }

  /** A statement over [from, to] for `customer`, from the usage of the given versions, signed by 2 verifiers. */
  private async chargeTx(customer: string, from: number, to: number, versions: Record<number, number>, text: string): Promise<TxRequest> {
    const refs = [];
    let amount = 0n;
    for (let e = from; e <= to; e++) {
      const v = versions[e] ?? 1;
      const u = this.usage.get(`${e}:${v}`);
      if (!u) continue;
      const p = usageProof(u, customer);
      refs.push({ epoch: e, version: v, usageRoot: u.root, leafHash: p.leafHash });
      amount += p.leaf.amount;
    }
    const stmt = { networkId: BigInt(this.networkId), customer, fromEpoch: BigInt(from), toEpoch: BigInt(to), amount, usageHash: usageRefsHash(refs) };
    const domain = revenueLedgerDomain(this.chainId, this.addresses.revenueLedger);
    const sorted = [...this.verifiers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1)).slice(0, 2);
    const sigs = await Promise.all(sorted.map((w) => w.signTypedData(domain, BILLING_STATEMENT_TYPES, stmt)));
    this.statementIds.push(this.chargeId(customer, from));
    return this.rl("charge", [stmt, text, sigs]);
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

  /** bytes32(networkId << 224 | fromEpoch << 160 | customer), as RevenueLedger.chargeIdOf. */
  chargeId(customer: string, fromEpoch: number): string {
    return "0x" + ((BigInt(this.networkId) << 224n) | (BigInt(fromEpoch) << 160n) | BigInt(customer)).toString(16).padStart(64, "0");
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
    // Genesis ahead: customers authorize billing before epoch 0 starts (billing starts at epoch 0).
    const genesisTime = Math.ceil(now / EPOCH_SECONDS) * EPOCH_SECONDS + EPOCH_SECONDS;
    const thawSeconds = 2 * CHALLENGE_WINDOW + ARBITER_DEADLINE + MAX_STATEMENT_EPOCHS * EPOCH_SECONDS;
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
          thawSeconds,
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
      await this.send(this.rl("authorizeBilling", [this.networkId, 50n * USD, FAR_EXPIRY], c));
    }
    await this.send(this.rl("revokeBilling", [this.networkId], this.customers[2]));
    await this.send(this.rl("setRunwayThreshold", [this.networkId, 9_990n * USD], this.customers[0]));
    // Epochs 0..4 have ended; 0..3 committed with usage.
    await this.increaseTime(genesisTime + 5 * EPOCH_SECONDS + 10 - now);
    for (let e = 0; e <= 3; e++) await this.send(await this.commitTx(e, 1, this.recordsFor(e, 1), undefined, true));
    // Epoch 2 voided (the bond comes back) and corrected; epoch 3 challenged and rejected (the bond is forfeited).
    const challenger = this.customers[2];
    await this.send(this.wl("challengeEpoch", [this.networkId, 2, keccak256(toUtf8Bytes("bad telemetry"))], challenger));
    await this.send(this.wl("resolveChallenge", [this.networkId, 2, true], this.arbiter));
    await this.send(await this.commitTx(2, 2, this.recordsFor(2, 2), "re-read", true));
    await this.send(this.wl("challengeEpoch", [this.networkId, 3, keccak256(toUtf8Bytes("looks odd"))], challenger));
    await this.send(this.wl("resolveChallenge", [this.networkId, 3, false], this.arbiter));
    // Epoch 1 corrected.
    await this.send(await this.commitTx(1, 2, this.recordsFor(1, 2), "recount", true));
    await this.increaseTime(CHALLENGE_WINDOW + 1);
    await this.send(this.wl("advanceFinality", [this.networkId, 10], this.operators[1]));
    // Statements over the Final epochs (latest versions), a refund naming (chargeId, epoch).
    const versions = { 1: 2, 2: 2 };
    await this.send(await this.chargeTx(this.customers[0], 0, 1, versions, "invoice 2026-11 A"));
    await this.send(await this.chargeTx(this.customers[1], 0, 3, versions, "invoice 2026-11 B"));
    await this.send(this.rl("refund", [this.statementIds[0], 0, 1n * USD, keccak256(toUtf8Bytes("SLA credit"))]));
    // A cumulative payout root through epoch 1 (2 of 3 verifiers) and a claim by the node's operator.
    const leaves: [string, string, bigint][] = [
      [this.nodeId("0"), this.operators[0], 2n * USD],
      [this.nodeId("1"), this.operators[1], 1n * USD],
    ];
    const tree = StandardMerkleTree.of(leaves, [...CUMULATIVE_PAYOUT_LEAF_ENCODING]);
    const root = { networkId: BigInt(this.networkId), root: tree.root, throughEpoch: 1n, total: 3n * USD, dataHash: keccak256(toUtf8Bytes("payout-1")) };
    const domain = revenueLedgerDomain(this.chainId, this.addresses.revenueLedger);
    const sorted = [...this.verifiers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1)).slice(0, 2);
    const rootSigs = await Promise.all(sorted.map((w) => w.signTypedData(domain, PAYOUT_ROOT_TYPES, root)));
    await this.send(this.rl("postPayoutRoot", [root, rootSigs], this.operators[1]));
    await this.send(this.rl("claim", [this.networkId, this.nodeId("0"), 2n * USD, tree.getProof(0), this.operators[0]], this.operators[0]));
    // A withdrawal thaws, then leaves.
    await this.send(this.rl("requestWithdrawal", [this.networkId, 100n * USD], this.customers[2]));
    await this.increaseTime(thawSeconds + 1);
    await this.send(this.rl("withdraw", [this.networkId, this.customers[2]], this.customers[2]));
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
          out.push(this.rl("authorizeBilling", [this.networkId, 50n * USD + BigInt(k) * 1000n, FAR_EXPIRY], c));
          break;
        case 3:
          out.push(this.rl("setRunwayThreshold", [this.networkId, BigInt(k) * USD], c));
          break;
        default:
          out.push(this.rl("requestWithdrawal", [this.networkId, BigInt(k) * 1000n], c));
      }
    }
    return out;
  }

  /**
   * Send `n` transactions that also change rows created earlier: deactivate registered nodes and
   * refund part of a statement (raising its `refunded`), between the stateless actions.
   */
  async activity(n: number, salt = "act"): Promise<void> {
    for (let i = 0; i < n; i++) {
      const k = this.seq++;
      if (k % 4 === 0 && this.activeNodes.length > 0) {
        await this.send(this.wl("deactivateNode", [this.networkId, this.activeNodes.shift()!]));
      } else if (k % 4 === 1 && this.statementIds.length > 1) {
        // customer 1's statement covers epochs 0..3; the payout root covers 0..1
        await this.send(this.rl("refund", [this.statementIds[1], 2 + (k % 2), 1000n + BigInt(k), keccak256(toUtf8Bytes(`credit-${salt}-${k}`))]));
      } else if (k % 4 === 2) {
        // a deposit changes the customer's escrow account row (and the token assets row)
        await this.send(this.rl("deposit", [this.networkId, 2000n + BigInt(k)], this.customers[k % 2]));
      } else {
        const id = this.nodeId(`${salt}-${k}`);
        await this.send(this.wl("registerNode", [this.networkId, id, this.operators[k % 2]]));
        this.activeNodes.push(id);
      }
    }
  }

  /** After a reorg: forget pooled nodes that the new chain does not have in that state. */
  async refresh(): Promise<void> {
    const wl = WorkLedger__factory.connect(this.addresses.workLedger, this.provider);
    const nodes: string[] = [];
    for (const id of this.activeNodes) if ((await wl.node(this.networkId, id))[1]) nodes.push(id);
    this.activeNodes = nodes;
  }

  /** Mine `n` empty blocks. */
  async mine(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await this.rpc("evm_mine", []);
  }
}
