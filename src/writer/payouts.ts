/**
 * Cumulative payouts (#16, DESIGN rule 7): the verifier-signed root over (nodeId, operator,
 * cumulativeAmount), its leaves file, the verifiers' signing, posting and claiming.
 *
 * A node's cumulativeAmount = Σ over epochs e ≤ throughEpoch of
 * floor(revenue_node,e × netPosted_e / totalRevenue_e), where
 * - revenue_node,e and totalRevenue_e come from the epoch's LATEST version's bundle
 *   (`network-N-epoch-E-vV.wlb`, checked against the root on chain);
 * - netPosted_e = Σ statement posts on e (the customer's usage leaf of e, rule 2) − their settledFee
 *   (floor(post × feeBps / 10000), the statement's rounding remainder on its last epoch with usage)
 *   − refunds naming e + bonds forfeited on e — all read from the RevenueLedger's events.
 * Leaves pay only registered nodes (the operator is read from the node registry now, so an
 * operator who changed address is covered by the next root). The leaves file
 * `network-N-payout-E.json` is written byte for byte the same by anyone who rebuilds it; its
 * keccak256 is the root's dataHash. "Never lowers" is checked against the previous root's file.
 */
import fs from "fs";
import path from "path";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { ContractRunner, Signer, ZeroAddress, ZeroHash, getAddress, keccak256, verifyTypedData } from "ethers";

import { mapInBatches } from "../chain/batches";
import { IRevenueLedger__factory, IWorkLedger__factory } from "../contracts";
import { InvalidInputError, VerificationError } from "../errors";
import { CUMULATIVE_PAYOUT_LEAF_ENCODING, PAYOUT_ROOT_TYPES, revenueLedgerDomain } from "../records/eip712";
import { normalizeNodeId } from "../records/nodeId";
import { UsageRecord } from "../records/usage";
import { UsageBuild, usageLeafHash, usageRefsHash } from "../records/usageTree";
import { BundleHeader, EpochBundle, readBundle, readBundleHeader } from "./bundle";
import { Deployment } from "./deployment";
import { revenueLedgerCall, revenueLedgerInterface } from "./calls";
import { assertNetwork } from "./network";
import { bundleFileName } from "./publish";
import { sendRefusable } from "./refusal";
import { epochShares } from "./statement";
import { SendOptions, TxOutcome, receiptEvents } from "./tx";

/** `kind` of a payout root file. */
export const PAYOUT_FILE_KIND = "workledger-payout-root";
/** `kind` of a payout root signature file. */
export const PAYOUT_SIGNATURE_KIND = "workledger-payout-signature";

/** File name of a payout root's leaves: `network-<N>-payout-<throughEpoch>.json` (**fixed**). */
export function payoutFileName(networkId: bigint | number, throughEpoch: bigint | number): string {
  return `network-${networkId}-payout-${throughEpoch}.json`;
}

/** One leaf of a cumulative payout root. */
export interface CumulativePayoutLeaf {
  nodeId: string;
  operator: string;
  cumulativeAmount: bigint;
}

/** Rule 7's figures for one epoch under a root. */
export interface PayoutEpochLine {
  epoch: bigint;
  /** The latest version (0 when the epoch was never committed). */
  version: number;
  totalRevenue: bigint;
  /** Σ statement posts (usage leaves) on the epoch. */
  posted: bigint;
  /** Σ settledFee of those posts. */
  fee: bigint;
  refunded: bigint;
  forfeited: bigint;
  /** posted − fee − refunded + forfeited (never below 0). */
  netPosted: bigint;
  /** payoutAllocated: Σ over nodes of this epoch's term. */
  allocated: bigint;
}

/** A payout root's leaves file, parsed. */
export interface PayoutRootFile {
  chainId: bigint;
  revenueLedger: string;
  networkId: bigint;
  throughEpoch: bigint;
  root: string;
  total: bigint;
  leaves: CumulativePayoutLeaf[];
  epochs: PayoutEpochLine[];
  /** keccak256 of the file's bytes. */
  dataHash: string;
  /** The file's exact text. */
  text: string;
}

/** The previous root as the chain holds it, with its file. */
export interface PreviousPayoutRoot {
  root: string;
  throughEpoch: bigint;
  total: bigint;
  dataHash: string;
  rootCount: number;
  file: PayoutRootFile;
}

/** A rebuilt payout round: the file to write and the figures behind it. */
export interface PayoutRound extends PayoutRootFile {
  previous: PreviousPayoutRoot | null;
  netRevenuePosted: bigint;
  finalizedCount: bigint;
  /** Nodes with revenue that are not registered on the network (no leaf; their share stays in revenue). */
  unregistered: string[];
}

type Ledgers = Pick<Deployment, "chainId" | "workLedger" | "revenueLedger"> & Partial<Pick<Deployment, "fromBlock">>;

/** The StandardMerkleTree of cumulative leaves (encoding ["bytes32","address","uint256"]). */
export function cumulativePayoutTree(leaves: readonly CumulativePayoutLeaf[]): StandardMerkleTree<[string, string, bigint]> {
  if (leaves.length === 0) throw new InvalidInputError("a payout root needs at least one leaf");
  return StandardMerkleTree.of(
    leaves.map((l) => [l.nodeId, l.operator, l.cumulativeAmount] as [string, string, bigint]),
    [...CUMULATIVE_PAYOUT_LEAF_ENCODING],
  );
}

/** The proof of a node's leaf. */
export function cumulativePayoutProof(leaves: readonly CumulativePayoutLeaf[], nodeId: string): { leaf: CumulativePayoutLeaf; proof: string[]; root: string } {
  const id = normalizeNodeId(nodeId);
  const i = leaves.findIndex((l) => l.nodeId === id);
  if (i < 0) throw new InvalidInputError(`node ${nodeId} has no leaf in the payout root`);
  const tree = cumulativePayoutTree(leaves);
  return { leaf: leaves[i], proof: tree.getProof(i), root: tree.root };
}

/** The exact text of a payout root file (fixed key order, leaves by nodeId, epochs ascending). */
export function payoutFileText(f: Omit<PayoutRootFile, "dataHash" | "text">): string {
  const o = {
    kind: PAYOUT_FILE_KIND,
    chainId: f.chainId.toString(),
    revenueLedger: getAddress(f.revenueLedger),
    networkId: f.networkId.toString(),
    throughEpoch: f.throughEpoch.toString(),
    root: f.root,
    total: f.total.toString(),
    leafEncoding: [...CUMULATIVE_PAYOUT_LEAF_ENCODING],
    leaves: f.leaves.map((l) => ({ nodeId: l.nodeId, operator: l.operator, cumulativeAmount: l.cumulativeAmount.toString() })),
    epochs: f.epochs.map((e) => ({
      epoch: e.epoch.toString(),
      version: e.version,
      totalRevenue: e.totalRevenue.toString(),
      posted: e.posted.toString(),
      fee: e.fee.toString(),
      refunded: e.refunded.toString(),
      forfeited: e.forfeited.toString(),
      netPosted: e.netPosted.toString(),
      allocated: e.allocated.toString(),
    })),
  };
  return JSON.stringify(o, null, 2) + "\n";
}

const DEC = /^[0-9]+$/;

/** Parses a payout root file's text; checks every field, that the leaves recompute to `root` and sum to `total`. */
export function parsePayoutFile(text: string, where = "payout file"): PayoutRootFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`${where} is not valid JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new InvalidInputError(`${where} must be a JSON object`);
  const o = raw as Record<string, unknown>;
  if (o.kind !== PAYOUT_FILE_KIND) throw new InvalidInputError(`${where}: kind must be "${PAYOUT_FILE_KIND}"`);
  const dec = (v: unknown, field: string): bigint => {
    if (typeof v !== "string" || !DEC.test(v)) throw new InvalidInputError(`${where}: ${field} must be a decimal string`);
    return BigInt(v);
  };
  const hex32 = (v: unknown, field: string): string => {
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(v)) throw new InvalidInputError(`${where}: ${field} must be 32-byte hex`);
    return v.toLowerCase();
  };
  const addr = (v: unknown, field: string): string => {
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v)) throw new InvalidInputError(`${where}: ${field} must be an address`);
    return getAddress(v);
  };
  if (JSON.stringify(o.leafEncoding) !== JSON.stringify(CUMULATIVE_PAYOUT_LEAF_ENCODING)) throw new InvalidInputError(`${where}: leafEncoding must be ${JSON.stringify(CUMULATIVE_PAYOUT_LEAF_ENCODING)}`);
  if (!Array.isArray(o.leaves) || o.leaves.length === 0) throw new InvalidInputError(`${where}: leaves must be a non-empty array`);
  const leaves = (o.leaves as unknown[]).map((l, i) => {
    const r = (l ?? {}) as Record<string, unknown>;
    return { nodeId: hex32(r.nodeId, `leaves[${i}].nodeId`), operator: addr(r.operator, `leaves[${i}].operator`), cumulativeAmount: dec(r.cumulativeAmount, `leaves[${i}].cumulativeAmount`) };
  });
  const epochs = (Array.isArray(o.epochs) ? (o.epochs as unknown[]) : []).map((l, i) => {
    const r = (l ?? {}) as Record<string, unknown>;
    const f = (k: string) => dec(r[k], `epochs[${i}].${k}`);
    return { epoch: f("epoch"), version: Number(r.version ?? 0), totalRevenue: f("totalRevenue"), posted: f("posted"), fee: f("fee"), refunded: f("refunded"), forfeited: f("forfeited"), netPosted: f("netPosted"), allocated: f("allocated") };
  });
  const file: PayoutRootFile = {
    chainId: dec(o.chainId, "chainId"),
    revenueLedger: addr(o.revenueLedger, "revenueLedger"),
    networkId: dec(o.networkId, "networkId"),
    throughEpoch: dec(o.throughEpoch, "throughEpoch"),
    root: hex32(o.root, "root"),
    total: dec(o.total, "total"),
    leaves,
    epochs,
    dataHash: keccak256(Buffer.from(text, "utf8")),
    text,
  };
  const root = cumulativePayoutTree(leaves).root;
  if (root !== file.root) throw new InvalidInputError(`${where}: root ${file.root} does not match its leaves (${root})`);
  const sum = leaves.reduce((s, l) => s + l.cumulativeAmount, 0n);
  if (sum !== file.total) throw new InvalidInputError(`${where}: total ${file.total} is not the sum of its leaves (${sum})`);
  return file;
}

/** Reads a payout root file (see {@link parsePayoutFile}). */
export function readPayoutRootFile(file: string): PayoutRootFile {
  if (!fs.existsSync(file)) throw new InvalidInputError(`payout file not found: ${file}`);
  return parsePayoutFile(fs.readFileSync(file, "utf8"), file);
}

/** The latest payout root of a network, as the chain holds it. */
export async function readPayoutState(runner: ContractRunner, deployment: Pick<Deployment, "revenueLedger">, networkId: bigint): Promise<{ root: string; throughEpoch: bigint; rootCount: number; total: bigint; dataHash: string }> {
  const p = await IRevenueLedger__factory.connect(deployment.revenueLedger, runner).payoutRoot(networkId);
  return { root: p.root.toLowerCase(), throughEpoch: p.throughEpoch, rootCount: Number(p.rootCount), total: p.total, dataHash: p.dataHash.toLowerCase() };
}

/** The latest root's file from `bundleDir`, checked against the chain (dataHash); null before the first root. */
export async function latestPayoutFile(runner: ContractRunner, deployment: Ledgers, networkId: bigint, bundleDir: string): Promise<PreviousPayoutRoot | null> {
  const state = await readPayoutState(runner, deployment, networkId);
  if (state.rootCount === 0) return null;
  const file = path.join(bundleDir, payoutFileName(networkId, state.throughEpoch));
  if (!fs.existsSync(file)) throw new InvalidInputError(`the latest payout root of network ${networkId} (through epoch ${state.throughEpoch}) has its leaves in ${file}, which is missing (--bundles DIR)`);
  const parsed = readPayoutRootFile(file);
  if (parsed.dataHash !== state.dataHash) throw new VerificationError(`${file} hashes to ${parsed.dataHash}, but the root on chain names dataHash ${state.dataHash}`);
  if (parsed.root !== state.root) throw new VerificationError(`${file} has root ${parsed.root}, but the root on chain is ${state.root}`);
  return { ...state, file: parsed };
}

/* ------------------------------------------------------------------ amounts ----------------- */

interface Logged {
  blockNumber: number;
  index: number;
}

function byPosition(a: Logged, b: Logged): number {
  return a.blockNumber - b.blockNumber || a.index - b.index;
}

/** Query a typed filter in chunks of blocks (RPCs cap log ranges). */
async function queryChunked<T extends Logged>(query: (from: number, to: number) => Promise<T[]>, fromBlock: number, toBlock: number, chunk = 50_000): Promise<T[]> {
  const out: T[] = [];
  for (let from = fromBlock; from <= toBlock; from += chunk) out.push(...(await query(from, Math.min(toBlock, from + chunk - 1))));
  return out.sort(byPosition);
}

/** An epoch's latest version on chain and what its bundle's header says (no records). */
interface EpochHead {
  version: number;
  root: string;
  usageRoot: string;
  /** The bundle file (undefined when the epoch has no records and no usage, so needs none). */
  file?: string;
  /** Its usage leaves, checked against the chain's usage root. */
  usage: UsageBuild | null;
}

/**
 * The network's bundles for a payout round. Headers (version, roots, usage leaves) are read once and
 * kept: they are small. Records are read when asked and NOT kept, so a round over a long history holds
 * one epoch's records at a time.
 */
class PayoutBundles {
  private heads = new Map<string, Promise<EpochHead>>();
  private readonly wl: ReturnType<typeof IWorkLedger__factory.connect>;
  constructor(
    runner: ContractRunner,
    workLedger: string,
    private readonly networkId: bigint,
    private readonly dir: string,
  ) {
    this.wl = IWorkLedger__factory.connect(workLedger, runner); // once: connect parses the ABI
  }

  /** The epoch's latest version and its bundle's header, checked against the chain. */
  head(epoch: bigint): Promise<EpochHead> {
    const key = epoch.toString();
    let p = this.heads.get(key);
    if (!p) {
      p = this.loadHead(epoch);
      this.heads.set(key, p);
    }
    return p;
  }

  private fileOf(epoch: bigint, version: number): string {
    return path.join(this.dir, bundleFileName(this.networkId, epoch, version));
  }

  private async loadHead(epoch: bigint): Promise<EpochHead> {
    const v = await this.wl.latestEpoch(this.networkId, epoch);
    const version = Number(v.version);
    const root = v.root.toLowerCase();
    const usageRoot = v.usageRoot.toLowerCase();
    if (version === 0) return { version, root, usageRoot, usage: null };
    const file = this.fileOf(epoch, version);
    if (!fs.existsSync(file)) {
      if (root === ZeroHash && usageRoot === ZeroHash) return { version, root, usageRoot, usage: null };
      throw new InvalidInputError(`epoch ${epoch} of network ${this.networkId}: its latest version ${version} needs the bundle ${file} (--bundles DIR)`);
    }
    const h = readBundleHeader(file);
    this.check(file, epoch, version, root, usageRoot, h);
    return { version, root, usageRoot, file, usage: h.usage };
  }

  private check(file: string, epoch: bigint, version: number, root: string, usageRoot: string, b: Pick<BundleHeader, "summary" | "networkId">): void {
    if (b.summary.root.toLowerCase() !== root) throw new VerificationError(`${file}: root ${b.summary.root} is not the root on chain of epoch ${epoch} v${version} (${root})`);
    if (b.summary.usageRoot.toLowerCase() !== usageRoot) throw new VerificationError(`${file}: usageRoot ${b.summary.usageRoot} is not the usage root on chain of epoch ${epoch} v${version} (${usageRoot})`);
    if (b.networkId !== undefined && b.networkId !== this.networkId) throw new VerificationError(`${file} is a bundle of network ${b.networkId}, not ${this.networkId}`);
  }

  /** The epoch's latest version bundle with its records (read, checked and recomputed now; not kept), or null when it has no records. */
  async records(epoch: bigint): Promise<{ bundle: EpochBundle | null; version: number }> {
    const h = await this.head(epoch);
    if (!h.file) return { bundle: null, version: h.version };
    const bundle = await readBundle(h.file);
    this.check(h.file, epoch, h.version, h.root, h.usageRoot, bundle);
    return { bundle, version: h.version };
  }
}

/** Per-epoch money of a network, from the RevenueLedger's events (rule 2 and rule 7). */
export interface EpochMoney {
  posted: bigint;
  fee: bigint;
  refunded: bigint;
  forfeited: bigint;
}

/**
 * Net posted per epoch for epochs ≤ `throughEpoch`, from StatementCharged (split per covered epoch
 * by the customer's usage leaves, checked against the signed usageHash), Refunded and
 * BondForfeited events; also Σ over ALL epochs (= the contract's netRevenuePosted).
 */
async function epochMoney(runner: ContractRunner, deployment: Ledgers, networkId: bigint, throughEpoch: bigint, bundles: PayoutBundles): Promise<{ perEpoch: Map<bigint, EpochMoney>; netAll: bigint; toBlock: number }> {
  const rl = IRevenueLedger__factory.connect(deployment.revenueLedger, runner);
  const provider = runner.provider;
  if (!provider) throw new InvalidInputError("payouts need a signer or provider connected to the chain");
  const toBlock = await provider.getBlockNumber();
  const fromBlock = deployment.fromBlock ?? 0;
  const statements = await queryChunked((a, b) => rl.queryFilter(rl.filters.StatementCharged(undefined, networkId), a, b), fromBlock, toBlock);
  const refunds = await queryChunked((a, b) => rl.queryFilter(rl.filters.Refunded(undefined, networkId), a, b), fromBlock, toBlock);
  const forfeits = await queryChunked((a, b) => rl.queryFilter(rl.filters.BondForfeited(networkId), a, b), fromBlock, toBlock);
  const feeSets = statements.length ? await queryChunked((a, b) => rl.queryFilter(rl.filters.ProtocolFeeSet(), a, b), fromBlock, toBlock) : [];

  const perEpoch = new Map<bigint, EpochMoney>();
  const at = (e: bigint): EpochMoney => {
    let m = perEpoch.get(e);
    if (!m) {
      m = { posted: 0n, fee: 0n, refunded: 0n, forfeited: 0n };
      perEpoch.set(e, m);
    }
    return m;
  };
  let netAll = 0n;
  for (const s of statements) {
    const { fromEpoch, toEpoch, amount, fee, customer, usageHash, chargeId } = s.args;
    netAll += amount - fee;
    if (fromEpoch > throughEpoch || amount === 0n) continue;
    // fee rate in force at the charge: the last ProtocolFeeSet before it (the contract starts at 0)
    let feeBps = 0n;
    for (const f of feeSets) if (byPosition(f, s) < 0) feeBps = BigInt(f.args.feeBps);
    if ((amount * feeBps) / 10_000n !== fee) throw new VerificationError(`statement ${chargeId}: fee ${fee} is not floor(${amount} × ${feeBps} / 10000) (fee rate history does not add up)`);
    const posts: { epoch: bigint; leaf: UsageRecord }[] = [];
    const refs = [];
    for (let e = fromEpoch; e <= toEpoch; e++) {
      const b = await bundles.head(e);
      if (b.usageRoot === ZeroHash) continue;
      if (!b.usage) throw new VerificationError(`epoch ${e}: the bundle carries no usage leaves but the chain has usage root ${b.usageRoot}`);
      const leaf = b.usage.leaves.find((l) => l.customer === getAddress(customer));
      if (!leaf) continue;
      posts.push({ epoch: e, leaf });
      refs.push({ epoch: e, version: b.version, usageRoot: b.usageRoot, leafHash: usageLeafHash(leaf) });
    }
    const sum = posts.reduce((x, p) => x + p.leaf.amount, 0n);
    if (sum !== amount) throw new VerificationError(`statement ${chargeId} (epochs ${fromEpoch}..${toEpoch}) charged ${amount}, but the customer's usage leaves in the bundles sum to ${sum}`);
    if (usageRefsHash(refs) !== usageHash.toLowerCase()) throw new VerificationError(`statement ${chargeId}: the usage leaves in the bundles do not hash to the signed usageHash ${usageHash}`);
    // rule 2: floor(post × feeBps / 10000) per epoch, the remainder on the last epoch with usage (the billing SDK's split)
    for (const share of epochShares(posts, feeBps, fee)) {
      if (share.epoch > throughEpoch) continue;
      const m = at(share.epoch);
      m.posted += share.amount;
      m.fee += share.fee;
    }
  }
  for (const r of refunds) {
    netAll -= r.args.amount;
    if (r.args.epoch <= throughEpoch) at(r.args.epoch).refunded += r.args.amount;
  }
  for (const f of forfeits) {
    netAll += f.args.amount;
    if (f.args.epoch <= throughEpoch) at(f.args.epoch).forfeited += f.args.amount;
  }
  return { perEpoch, netAll, toBlock };
}

/** Parameters of a payout round. */
export interface PayoutRoundParams {
  networkId: bigint;
  throughEpoch: bigint;
  /** Folder of the epoch bundles and the payout files. */
  bundleDir: string;
}

/**
 * Operators of nodes from the node registry (zero address: not registered): the NodeRegistered
 * events (one log query for any number of nodes; a node is registered once and its operator never
 * changes), and the node(id) view at `toBlock` for any node whose event lies before `fromBlock`
 * (asked once per node, 64 at a time).
 */
class NodeOperators {
  private readonly known = new Map<string, string>();
  private constructor(
    private readonly wl: ReturnType<typeof IWorkLedger__factory.connect>,
    private readonly networkId: bigint,
    private readonly toBlock: number,
  ) {}

  static async read(runner: ContractRunner, workLedger: string, networkId: bigint, fromBlock: number, toBlock: number): Promise<NodeOperators> {
    const wl = IWorkLedger__factory.connect(workLedger, runner);
    const o = new NodeOperators(wl, networkId, toBlock);
    const logs = await queryChunked((a, b) => wl.queryFilter(wl.filters.NodeRegistered(networkId), a, b), fromBlock, toBlock);
    for (const l of logs) o.known.set(l.args.nodeId.toLowerCase(), getAddress(l.args.operator));
    return o;
  }

  /** Learns the operator of each id not known yet (asked 64 at a time). */
  async learn(ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids.filter((id) => !this.known.has(id)))];
    const ops = await mapInBatches(missing, 64, (id) => this.wl.node(this.networkId, id, { blockTag: this.toBlock }));
    missing.forEach((id, j) => this.known.set(id, getAddress(ops[j][0])));
  }

  /** The operator of a learned id (ZeroAddress: not registered). */
  operatorOf(id: string): string {
    const op = this.known.get(id);
    if (op === undefined) throw new Error(`NodeOperators: ${id} was not learned`);
    return op;
  }
}

/**
 * Rebuilds a cumulative payout root on its own, from the bundles and the chain, and checks it:
 * throughEpoch < finalizedCount, above the previous root's, total ≤ the net revenue ever posted,
 * and no node lower than in the previous root's file. Writes nothing.
 *
 * @example
 * const round = await buildPayoutRound(provider, deployment, { networkId: 1n, throughEpoch: 5n, bundleDir: "bundles" });
 * round.root; round.total; round.leaves; round.epochs; round.text (the file's bytes)
 */
export async function buildPayoutRound(runner: ContractRunner, deployment: Ledgers, p: PayoutRoundParams): Promise<PayoutRound> {
  const { networkId, throughEpoch, bundleDir } = p;
  const wl = await assertNetwork(runner, deployment, networkId);
  if (!fs.existsSync(bundleDir) || !fs.statSync(bundleDir).isDirectory()) throw new InvalidInputError(`--bundles ${bundleDir}: no such directory`);
  const finalized = (await wl.network(networkId)).finalizedCount;
  if (throughEpoch >= finalized) {
    throw new InvalidInputError(`--through-epoch ${throughEpoch}: a payout root needs throughEpoch < the finality cursor, which is ${finalized} on network ${networkId} (advance it: workledger epoch advance)`);
  }
  const previous = await latestPayoutFile(runner, deployment, networkId, bundleDir);
  if (previous && throughEpoch <= previous.throughEpoch) {
    throw new InvalidInputError(`--through-epoch ${throughEpoch}: the latest payout root of network ${networkId} already covers through epoch ${previous.throughEpoch}; a new root must go further`);
  }
  const bundles = new PayoutBundles(runner, deployment.workLedger, networkId, bundleDir);
  const { perEpoch, netAll, toBlock } = await epochMoney(runner, deployment, networkId, throughEpoch, bundles);
  const rl = IRevenueLedger__factory.connect(deployment.revenueLedger, runner);
  const netRevenuePosted = await rl.netRevenuePosted(networkId, { blockTag: toBlock }); // the same block the events were read to
  if (netAll !== netRevenuePosted) {
    throw new VerificationError(`the RevenueLedger's events add up to ${netAll} of net revenue on network ${networkId}, but netRevenuePosted is ${netRevenuePosted} (deployment fromBlock too late, or logs missing)`);
  }

  const moneyOf = (e: bigint): EpochMoney => perEpoch.get(e) ?? { posted: 0n, fee: 0n, refunded: 0n, forfeited: 0n };
  const netOf = (m: EpochMoney): bigint => {
    const net = m.posted - m.fee - m.refunded + m.forfeited;
    return net < 0n ? 0n : net;
  };
  // versions of the epochs with nothing to share out, asked 64 at a time (their bundles are not needed)
  const idle: bigint[] = [];
  for (let e = 0n; e <= throughEpoch; e++) if (netOf(moneyOf(e)) === 0n) idle.push(e);
  const idleVersion = new Map<bigint, number>();
  const vs = await mapInBatches(idle, 64, (e) => wl.latestEpoch(networkId, e));
  idle.forEach((e, j) => idleVersion.set(e, Number(vs[j].version)));

  // one epoch's records at a time: each registered node's share of the epoch's net (rule 7); an
  // unregistered node's share stays in revenue (not allocated, no leaf)
  const operators = await NodeOperators.read(runner, deployment.workLedger, networkId, deployment.fromBlock ?? 0, toBlock);
  const amounts = new Map<string, bigint>();
  const unregisteredIds = new Set<string>();
  const epochs: PayoutEpochLine[] = [];
  for (let e = 0n; e <= throughEpoch; e++) {
    const m = moneyOf(e);
    const net = netOf(m);
    let allocated = 0n;
    let version: number;
    let totalRevenue = 0n;
    if (net > 0n) {
      const b = await bundles.records(e);
      version = b.version;
      if (b.bundle) {
        totalRevenue = b.bundle.summary.totalRevenue;
        if (totalRevenue > 0n) {
          const shares: [string, bigint][] = [];
          for (const r of b.bundle.records()) {
            if (r.revenue === 0n) continue;
            const share = (r.revenue * net) / totalRevenue;
            if (share > 0n) shares.push([r.nodeId, share]);
          }
          await operators.learn(shares.map(([id]) => id));
          for (const [id, share] of shares) {
            if (operators.operatorOf(id) === ZeroAddress) {
              unregisteredIds.add(id);
              continue;
            }
            amounts.set(id, (amounts.get(id) ?? 0n) + share);
            allocated += share;
          }
        }
      }
    } else {
      version = idleVersion.get(e)!;
    }
    epochs.push({ epoch: e, version, totalRevenue, ...m, netPosted: net, allocated });
  }

  const unregistered = [...unregisteredIds].sort();
  const leaves: CumulativePayoutLeaf[] = [...amounts.keys()].sort().map((id) => ({ nodeId: id, operator: operators.operatorOf(id), cumulativeAmount: amounts.get(id)! }));
  if (leaves.length === 0) throw new InvalidInputError(`nothing to pay through epoch ${throughEpoch} on network ${networkId}: no registered node has a share of posted revenue yet`);
  const total = leaves.reduce((s, l) => s + l.cumulativeAmount, 0n);
  if (total > netRevenuePosted) throw new InvalidInputError(`payout total ${total} exceeds the net revenue ever posted to network ${networkId} (${netRevenuePosted})`);
  if (previous) assertNeverLowers(previous.file, leaves);
  const root = cumulativePayoutTree(leaves).root;
  const body = { chainId: BigInt(deployment.chainId), revenueLedger: getAddress(deployment.revenueLedger), networkId, throughEpoch, root, total, leaves, epochs };
  const text = payoutFileText(body);
  return { ...body, text, dataHash: keccak256(Buffer.from(text, "utf8")), previous, netRevenuePosted, finalizedCount: finalized, unregistered };
}

/** Throws InvalidInputError when a node of the previous root is missing or lower in `leaves` ("never lowers", rule 7). */
export function assertNeverLowers(previous: Pick<PayoutRootFile, "leaves" | "throughEpoch">, leaves: readonly CumulativePayoutLeaf[]): void {
  const now = new Map(leaves.map((l) => [l.nodeId, l.cumulativeAmount]));
  for (const l of previous.leaves) {
    const a = now.get(l.nodeId) ?? 0n;
    if (a < l.cumulativeAmount) {
      throw new InvalidInputError(`node ${l.nodeId} would go down from ${l.cumulativeAmount} (root through epoch ${previous.throughEpoch}) to ${a}: a payout root never lowers a node's amount`);
    }
  }
}

/** Writes a round's file into `bundleDir` (temp name, then rename); returns its path. */
export function writePayoutRoundFile(round: Pick<PayoutRootFile, "networkId" | "throughEpoch" | "text">, bundleDir: string): string {
  const file = path.join(bundleDir, payoutFileName(round.networkId, round.throughEpoch));
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, round.text);
  fs.renameSync(tmp, file);
  return file;
}

/* ------------------------------------------------------------------ signatures --------------- */

/** A verifier's signature over a PayoutRoot (every value a string). */
export interface PayoutSignatureFile {
  kind: typeof PAYOUT_SIGNATURE_KIND;
  signer: string;
  signature: string;
  chainId: string;
  revenueLedger: string;
  networkId: string;
  root: string;
  throughEpoch: string;
  total: string;
  dataHash: string;
}

function payoutMessage(r: { networkId: bigint; root: string; throughEpoch: bigint; total: bigint; dataHash: string }) {
  return { networkId: r.networkId, root: r.root, throughEpoch: r.throughEpoch, total: r.total, dataHash: r.dataHash };
}

/**
 * A verifier rebuilds the root on its own (bundles + chain), checks it (including "never lowers"
 * against the previous root's file) and signs its EIP-712 PayoutRoot.
 *
 * @example
 * const sig = await signPayoutRoot(verifier, deployment, { networkId: 1n, throughEpoch: 5n, bundleDir: "bundles" });
 * writePayoutSignatureFile(sig, "payout-sig-a.json");
 */
export async function signPayoutRoot(signer: Signer, deployment: Ledgers, p: PayoutRoundParams): Promise<PayoutSignatureFile & { round: PayoutRound }> {
  const round = await buildPayoutRound(signer, deployment, p);
  const signature = await signer.signTypedData(revenueLedgerDomain(BigInt(deployment.chainId), getAddress(deployment.revenueLedger)), PAYOUT_ROOT_TYPES, payoutMessage(round));
  const sig: PayoutSignatureFile = {
    kind: PAYOUT_SIGNATURE_KIND,
    signer: getAddress(await signer.getAddress()),
    signature,
    chainId: BigInt(deployment.chainId).toString(),
    revenueLedger: getAddress(deployment.revenueLedger),
    networkId: round.networkId.toString(),
    root: round.root,
    throughEpoch: round.throughEpoch.toString(),
    total: round.total.toString(),
    dataHash: round.dataHash,
  };
  return Object.assign(sig, { round });
}

/** The address a payout signature recovers to (recomputed, not taken from the file). */
export function recoverPayoutSignature(sig: PayoutSignatureFile): string {
  return verifyTypedData(
    revenueLedgerDomain(BigInt(sig.chainId), sig.revenueLedger),
    PAYOUT_ROOT_TYPES,
    payoutMessage({ networkId: BigInt(sig.networkId), root: sig.root, throughEpoch: BigInt(sig.throughEpoch), total: BigInt(sig.total), dataHash: sig.dataHash }),
    sig.signature,
  );
}

/** Parses a payout signature file object; checks its shape and that it recovers to its signer. */
export function parsePayoutSignature(j: unknown, where = "payout signature file"): PayoutSignatureFile {
  if (!j || typeof j !== "object") throw new InvalidInputError(`${where} must be a JSON object`);
  const o = j as Record<string, unknown>;
  if (o.kind !== PAYOUT_SIGNATURE_KIND) throw new InvalidInputError(`${where}: kind must be "${PAYOUT_SIGNATURE_KIND}"`);
  const str = (k: string, re: RegExp): string => {
    const v = o[k];
    if (typeof v !== "string" || !re.test(v)) throw new InvalidInputError(`${where}: field ${k} is missing or malformed`);
    return v;
  };
  const h32 = /^0x[0-9a-fA-F]{64}$/;
  const sig: PayoutSignatureFile = {
    kind: PAYOUT_SIGNATURE_KIND,
    signer: getAddress(str("signer", /^0x[0-9a-fA-F]{40}$/)),
    signature: str("signature", /^0x[0-9a-fA-F]{130}$/),
    chainId: str("chainId", DEC),
    revenueLedger: getAddress(str("revenueLedger", /^0x[0-9a-fA-F]{40}$/)),
    networkId: str("networkId", DEC),
    root: str("root", h32).toLowerCase(),
    throughEpoch: str("throughEpoch", DEC),
    total: str("total", DEC),
    dataHash: str("dataHash", h32).toLowerCase(),
  };
  const rec = recoverPayoutSignature(sig);
  if (rec !== sig.signer) throw new VerificationError(`${where}: signature recovers to ${rec}, not to the stated signer ${sig.signer}`);
  return sig;
}

/** Writes a payout signature file (pretty JSON, without the round). */
export function writePayoutSignatureFile(sig: PayoutSignatureFile, file: string): void {
  const { kind, signer, signature, chainId, revenueLedger, networkId, root, throughEpoch, total, dataHash } = sig;
  fs.writeFileSync(file, JSON.stringify({ kind, signer, signature, chainId, revenueLedger, networkId, root, throughEpoch, total, dataHash }, null, 2) + "\n");
}

/** Reads and checks a payout signature file. */
export function readPayoutSignatureFile(file: string): PayoutSignatureFile {
  let j: unknown;
  try {
    j = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new InvalidInputError(`cannot read payout signature file ${file}: ${(e as Error).message}`);
  }
  return parsePayoutSignature(j, file);
}

/* ------------------------------------------------------------------ post and claim ----------- */

/** What a posted root did on chain (from the PayoutRootPosted event). */
export interface PostedPayoutRoot {
  root: string;
  throughEpoch: bigint;
  total: bigint;
  /** What moved revenue -> payable. */
  increase: bigint;
  signers: string[];
  outcome: TxOutcome;
}

/**
 * Posts a rebuilt round with verifier signatures (anyone relays; works while paused). Each
 * signature must be over exactly this root (root, throughEpoch, total, dataHash, chain and
 * contract); they are sent sorted by signer.
 */
export async function postPayoutRoot(signer: Signer, deployment: Ledgers, p: { round: Pick<PayoutRootFile, "networkId" | "root" | "throughEpoch" | "total" | "dataHash">; signatures: PayoutSignatureFile[] }, options: SendOptions = {}): Promise<PostedPayoutRoot> {
  const { round } = p;
  if (p.signatures.length === 0) throw new InvalidInputError("--signatures: at least one payout signature is needed");
  const seen = new Set<string>();
  const sigs = [...p.signatures].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  for (const s of sigs) {
    const rec = recoverPayoutSignature(s);
    if (rec !== s.signer) throw new VerificationError(`payout signature of ${s.signer} recovers to ${rec}`);
    const mismatch =
      BigInt(s.chainId) !== BigInt(deployment.chainId) ? `chain ${s.chainId}` :
      getAddress(s.revenueLedger) !== getAddress(deployment.revenueLedger) ? `RevenueLedger ${s.revenueLedger}` :
      BigInt(s.networkId) !== round.networkId ? `network ${s.networkId}` :
      BigInt(s.throughEpoch) !== round.throughEpoch ? `throughEpoch ${s.throughEpoch}` :
      s.root !== round.root ? `root ${s.root}` :
      BigInt(s.total) !== round.total ? `total ${s.total}` :
      s.dataHash !== round.dataHash ? `dataHash ${s.dataHash}` : null;
    if (mismatch) throw new InvalidInputError(`the payout signature of ${s.signer} is over ${mismatch}, not this root (network ${round.networkId}, through epoch ${round.throughEpoch}, root ${round.root}, total ${round.total}, dataHash ${round.dataHash}): have it re-signed`);
    if (seen.has(s.signer)) throw new InvalidInputError(`two payout signatures of ${s.signer}`);
    seen.add(s.signer);
  }
  const struct = { networkId: round.networkId, root: round.root, throughEpoch: round.throughEpoch, total: round.total, dataHash: round.dataHash };
  const outcome = await sendRefusable(signer, revenueLedgerCall(deployment, "postPayoutRoot", [struct, sigs.map((s) => s.signature)]), options);
  const ev = receiptEvents(outcome.receipt, revenueLedgerInterface(), deployment.revenueLedger, "PayoutRootPosted")[0];
  return {
    root: round.root,
    throughEpoch: round.throughEpoch,
    total: round.total,
    increase: ev ? (ev.args.increase as bigint) : 0n,
    signers: ev ? (ev.args.signers as string[]).map((a) => getAddress(a)) : sigs.map((s) => s.signer),
    outcome,
  };
}

/** Result of {@link payoutRound}. */
export interface PayoutRoundResult {
  round: PayoutRound;
  /** Where the leaves file was written (null in a dry run). */
  file: string | null;
  /** The post (null without signatures). */
  posted: PostedPayoutRoot | null;
}

/**
 * `payout round`: rebuild the root, write `bundleDir/network-N-payout-E.json`, and with signatures
 * post it. A dry run writes nothing and sends nothing (it simulates the post).
 *
 * @example
 * const { round, file } = await payoutRound(provider, deployment, { networkId: 1n, throughEpoch: 5n, bundleDir });
 * // verifiers sign (signPayoutRoot) …
 * const { posted } = await payoutRound(anyone, deployment, { networkId: 1n, throughEpoch: 5n, bundleDir, signatures: [a, b] });
 */
export async function payoutRound(runner: Signer | ContractRunner, deployment: Ledgers, p: PayoutRoundParams & { signatures?: PayoutSignatureFile[] }, options: SendOptions = {}): Promise<PayoutRoundResult> {
  const round = await buildPayoutRound(runner, deployment, p);
  if (!p.signatures || p.signatures.length === 0) {
    return { round, file: options.dryRun ? null : writePayoutRoundFile(round, p.bundleDir), posted: null };
  }
  const signer = runner as Signer;
  if (typeof signer.signTypedData !== "function") throw new InvalidInputError("posting a payout root needs a signer (any key: anyone relays)");
  // the simulation refuses first (nothing written); the file is in place before the root is live
  await postPayoutRoot(signer, deployment, { round, signatures: p.signatures }, { dryRun: true });
  if (options.dryRun) return { round, file: null, posted: await postPayoutRoot(signer, deployment, { round, signatures: p.signatures }, options) };
  const file = writePayoutRoundFile(round, p.bundleDir);
  const posted = await postPayoutRoot(signer, deployment, { round, signatures: p.signatures }, options);
  return { round, file, posted };
}

/** Result of {@link claimPayout}. */
export interface ClaimResult {
  networkId: bigint;
  nodeId: string;
  operator: string;
  to: string;
  /** Paid now: cumulativeAmount − claimedBefore. */
  amount: bigint;
  cumulativeAmount: bigint;
  claimedBefore: bigint;
  throughEpoch: bigint;
  root: string;
  proof: string[];
  outcome: TxOutcome;
}

/**
 * The node's operator claims everything its latest-root leaf adds over what it claimed before
 * (one claim for any number of epochs; works while paused). The leaf and proof come from the
 * latest root's file in `bundleDir` (or `file`), checked against the chain.
 *
 * @example
 * const c = await claimPayout(operator, deployment, { networkId: 1n, nodeId: "hotspot-42", bundleDir: "bundles" });
 * c.amount; c.cumulativeAmount; c.outcome.txHash
 */
export async function claimPayout(signer: Signer, deployment: Ledgers, p: { networkId: bigint; nodeId: string; bundleDir?: string; file?: string; to?: string }, options: SendOptions = {}): Promise<ClaimResult> {
  const nodeId = normalizeNodeId(p.nodeId);
  const state = await readPayoutState(signer, deployment, p.networkId);
  if (state.rootCount === 0) throw new InvalidInputError(`no payout root posted on network ${p.networkId} yet: nothing to claim`);
  let file: PayoutRootFile;
  if (p.file) {
    file = readPayoutRootFile(p.file);
    if (file.dataHash !== state.dataHash || file.root !== state.root) {
      throw new InvalidInputError(`${p.file} is not the latest payout root of network ${p.networkId} (through epoch ${state.throughEpoch}, root ${state.root}): only the latest root pays`);
    }
  } else {
    const latest = await latestPayoutFile(signer, deployment, p.networkId, p.bundleDir ?? ".");
    file = latest!.file;
  }
  if (file.networkId !== p.networkId) throw new InvalidInputError(`the payout file is for network ${file.networkId}, not ${p.networkId}`);
  if (!file.leaves.some((l) => l.nodeId === nodeId)) {
    throw new InvalidInputError(`node ${p.nodeId}${p.nodeId === nodeId ? "" : ` (${nodeId})`} has no leaf in the latest payout root of network ${p.networkId} (through epoch ${state.throughEpoch}): it has no share of posted revenue yet, or is not registered`);
  }
  const { leaf, proof } = cumulativePayoutProof(file.leaves, nodeId);
  const from = getAddress(await signer.getAddress());
  if (from !== leaf.operator) throw new InvalidInputError(`the signing key ${from} is not the operator of node ${nodeId} in the latest payout root (${leaf.operator}): the operator's key claims`);
  const rl = IRevenueLedger__factory.connect(deployment.revenueLedger, signer);
  const claimedBefore = await rl.claimed(p.networkId, nodeId);
  if (claimedBefore >= leaf.cumulativeAmount) {
    throw new InvalidInputError(`node ${nodeId} has nothing to claim: it claimed ${claimedBefore} of its cumulative ${leaf.cumulativeAmount} (root through epoch ${state.throughEpoch}); wait for the next root`);
  }
  const to = p.to ? getAddress(p.to) : from;
  const outcome = await sendRefusable(signer, revenueLedgerCall(deployment, "claim", [p.networkId, nodeId, leaf.cumulativeAmount, proof, to]), options);
  const ev = receiptEvents(outcome.receipt, revenueLedgerInterface(), deployment.revenueLedger, "PayoutClaimed")[0];
  return {
    networkId: p.networkId,
    nodeId,
    operator: from,
    to,
    amount: ev ? (ev.args.amount as bigint) : leaf.cumulativeAmount - claimedBefore,
    cumulativeAmount: leaf.cumulativeAmount,
    claimedBefore,
    throughEpoch: state.throughEpoch,
    root: state.root,
    proof,
    outcome,
  };
}
