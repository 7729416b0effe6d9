/**
 * Payouts: splitting an epoch's available revenue over its nodes, payout files, and the jobs that
 * post a payout root and claim a leaf with its proof. Payout files: the (index, nodeId, operator, amount) leaves of an epoch's payout root, as JSON
 * `{ networkId, epoch, root, total, leafCount, leaves: [{ index, nodeId, operator, amount }] }` or
 * CSV `nodeId,operator,amount` (amounts in the token's smallest unit; index = row order from 0).
 * The tree is @openzeppelin/merkle-tree's StandardMerkleTree over PAYOUT_LEAF_ENCODING.
 */
import fs from "fs";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { ContractRunner, Signer, ZeroAddress, ZeroHash, getAddress, isAddress } from "ethers";

import { IRevenueLedger__factory, IWorkLedger__factory } from "../contracts";
import { InvalidInputError } from "../errors";
import { PAYOUT_LEAF_ENCODING } from "../records/types";
import { normalizeNodeId as nodeIdFromString } from "../records/nodeId";
import { Deployment } from "./deployment";
import { assertNetwork, epochStatusName } from "./network";
import { formatTokenAmount, networkToken } from "./revenue";
import { SendOptions, TxOutcome, sendCall } from "./tx";

/** One payout leaf. */
export interface PayoutLeaf {
  index: number;
  nodeId: string;
  operator: string;
  amount: bigint;
}

/** A payout set with its root. */
export interface PayoutSet {
  networkId: number | null;
  epoch: number | null;
  root: string;
  total: bigint;
  leaves: PayoutLeaf[];
}

/** Build the StandardMerkleTree of payout leaves. */
export function payoutTree(leaves: PayoutLeaf[]): StandardMerkleTree<[bigint, string, string, bigint]> {
  return StandardMerkleTree.of(
    leaves.map((l) => [BigInt(l.index), l.nodeId, l.operator, l.amount] as [bigint, string, string, bigint]),
    [...PAYOUT_LEAF_ENCODING],
  );
}

/** Make a payout set from leaves (root and total computed). */
export function makePayoutSet(networkId: number | null, epoch: number | null, leaves: PayoutLeaf[]): PayoutSet {
  if (leaves.length === 0) throw new InvalidInputError("a payout set needs at least one leaf");
  const tree = payoutTree(leaves);
  return { networkId, epoch, root: tree.root, total: leaves.reduce((s, l) => s + l.amount, 0n), leaves };
}

/** JSON form of a payout set (amounts as decimal strings). */
export function payoutSetJson(p: PayoutSet): Record<string, unknown> {
  return {
    networkId: p.networkId,
    epoch: p.epoch,
    root: p.root,
    total: p.total.toString(),
    leafCount: p.leaves.length,
    leaves: p.leaves.map((l) => ({ index: l.index, nodeId: l.nodeId, operator: l.operator, amount: l.amount.toString() })),
  };
}

function leafFrom(i: number, nodeId: unknown, operator: unknown, amount: unknown, where: string): PayoutLeaf {
  if (typeof nodeId !== "string" || nodeId === "") throw new InvalidInputError(`${where}: nodeId missing`);
  if (nodeId.startsWith("0x") && !/^0x[0-9a-fA-F]{64}$/.test(nodeId)) throw new InvalidInputError(`${where}: nodeId must be 32-byte hex, got "${nodeId}"`);
  if (typeof operator !== "string" || !isAddress(operator)) throw new InvalidInputError(`${where}: operator must be an address, got "${String(operator)}"`);
  const a = String(amount ?? "");
  if (!/^[0-9]+$/.test(a) || BigInt(a) === 0n) throw new InvalidInputError(`${where}: amount must be a positive integer (smallest unit), got "${a}"`);
  return { index: i, nodeId: nodeIdFromString(nodeId), operator: getAddress(operator), amount: BigInt(a) };
}

/** Read a payouts file (JSON or CSV). Throws one line naming the file, row and field. */
export function readPayoutFile(file: string): PayoutSet {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new InvalidInputError(`payouts file not found: ${file}`);
  }
  text = text.replace(/^\uFEFF/, "");
  let leaves: PayoutLeaf[];
  let networkId: number | null = null;
  let epoch: number | null = null;
  let declaredRoot: string | undefined;
  if (text.trimStart().startsWith("{") || text.trimStart().startsWith("[")) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new InvalidInputError(`payouts file ${file} is not valid JSON: ${(e as Error).message}`);
    }
    const obj = Array.isArray(raw) ? { leaves: raw } : (raw as Record<string, unknown>);
    if (!Array.isArray(obj.leaves)) throw new InvalidInputError(`payouts file ${file}: missing "leaves" array`);
    networkId = typeof obj.networkId === "number" ? obj.networkId : null;
    epoch = typeof obj.epoch === "number" ? obj.epoch : null;
    declaredRoot = typeof obj.root === "string" ? obj.root : undefined;
    leaves = (obj.leaves as Array<Record<string, unknown>>).map((l, i) => {
      if (l.index !== undefined && Number(l.index) !== i) throw new InvalidInputError(`${file}: leaf ${i + 1} has index ${String(l.index)}, expected ${i}`);
      return leafFrom(i, l.nodeId, l.operator, l.amount, `${file}: leaf ${i + 1}`);
    });
  } else {
    const rows = text.split(/\r?\n/);
    const header = rows[0]?.split(",").map((h) => h.trim());
    if (!header || header.join(",") !== "nodeId,operator,amount") throw new InvalidInputError(`${file}: line 1: expected header "nodeId,operator,amount"`);
    leaves = [];
    rows.slice(1).forEach((row, i) => {
      if (row.trim() === "") return;
      const cells = row.split(",").map((c) => c.trim());
      if (cells.length !== 3) throw new InvalidInputError(`${file}: line ${i + 2}: expected 3 columns, got ${cells.length}`);
      leaves.push(leafFrom(leaves.length, cells[0], cells[1], cells[2], `${file}: line ${i + 2}`));
    });
  }
  const set = makePayoutSet(networkId, epoch, leaves);
  if (declaredRoot && declaredRoot.toLowerCase() !== set.root.toLowerCase()) {
    throw new InvalidInputError(`payouts file ${file}: declared root ${declaredRoot} does not match its leaves (${set.root})`);
  }
  return set;
}

/** Writes a payout set as JSON (amounts as decimal strings). */
export function writePayoutFile(set: PayoutSet, file: string): void {
  fs.writeFileSync(file, JSON.stringify(payoutSetJson(set), null, 2) + "\n");
}

/**
 * Splits `available` over records in proportion to their revenue (floor: the remainder stays
 * unpaid, so the leaves never exceed what is available); records with nothing to pay get no leaf.
 */
export function splitPayouts(records: ReadonlyArray<{ nodeId: string; operator: string; revenue: bigint }>, available: bigint): PayoutLeaf[] {
  const total = records.reduce((s, r) => s + r.revenue, 0n);
  if (total === 0n) return [];
  const budget = available < total ? available : total;
  const leaves: PayoutLeaf[] = [];
  for (const r of records) {
    const amount = (budget * r.revenue) / total;
    if (amount > 0n) leaves.push({ index: leaves.length, nodeId: r.nodeId, operator: r.operator, amount });
  }
  return leaves;
}

type Ledgers = Pick<Deployment, "workLedger" | "revenueLedger">;

/**
 * The payout set of an epoch from its records: each node's operator read from WorkLedger, the
 * epoch's available revenue from RevenueLedger, split by {@link splitPayouts}.
 *
 * @example
 * const set = await buildPayouts(provider, deployment, { networkId: 1n, epoch: 0n, records: [...table] });
 * writePayoutFile(set, "payouts-0.json");
 */
export async function buildPayouts(
  runner: ContractRunner,
  deployment: Ledgers,
  p: { networkId: bigint; epoch: bigint; records: Iterable<{ nodeId: string; revenue: bigint }> },
): Promise<PayoutSet & { available: bigint }> {
  const wl = await assertNetwork(runner, deployment, p.networkId);
  const available = await IRevenueLedger__factory.connect(deployment.revenueLedger, runner).epochRevenue(p.networkId, p.epoch);
  if (available === 0n) throw new InvalidInputError(`epoch ${p.epoch} of network ${p.networkId} has no revenue available for payouts (post its charges first)`);
  const withOps = [];
  for (const r of p.records) {
    const [operator] = await wl.node(p.networkId, r.nodeId);
    if (operator === ZeroAddress) throw new InvalidInputError(`unknown node ${r.nodeId} on network ${p.networkId}`);
    withOps.push({ nodeId: r.nodeId, operator, revenue: r.revenue });
  }
  return { ...makePayoutSet(Number(p.networkId), Number(p.epoch), splitPayouts(withOps, available)), available };
}

/** Posts an epoch's payout root (the epoch must be final, with no root yet and enough revenue). */
export async function postPayoutRoot(signer: Signer, deployment: Ledgers, p: { networkId: bigint; epoch: bigint; set: PayoutSet }, options: SendOptions = {}): Promise<TxOutcome> {
  const { set } = p;
  if (set.networkId !== null && BigInt(set.networkId) !== p.networkId) throw new InvalidInputError(`the payout set is for network ${set.networkId}, not ${p.networkId}`);
  if (set.epoch !== null && BigInt(set.epoch) !== p.epoch) throw new InvalidInputError(`the payout set is for epoch ${set.epoch}, not ${p.epoch}`);
  const token = await networkToken(signer, deployment, p.networkId);
  const rl = IRevenueLedger__factory.connect(deployment.revenueLedger, signer);
  const [status] = await IWorkLedger__factory.connect(deployment.workLedger, signer).epochStatus(p.networkId, p.epoch);
  if (Number(status) !== 3) throw new InvalidInputError(`epoch ${p.epoch} of network ${p.networkId} is ${epochStatusName(status)}: payouts need a final epoch`);
  const existing = await rl.payout(p.networkId, p.epoch);
  if (existing.root !== ZeroHash) throw new InvalidInputError(`a payout root for epoch ${p.epoch} of network ${p.networkId} exists already (${existing.root})`);
  const available = await rl.epochRevenue(p.networkId, p.epoch);
  if (set.total > available) throw new InvalidInputError(`payout total ${formatTokenAmount(set.total, token.decimals, token.symbol)} exceeds the epoch's available revenue ${formatTokenAmount(available, token.decimals, token.symbol)}`);
  return sendCall(signer, { contract: "RevenueLedger", to: deployment.revenueLedger, iface: IRevenueLedger__factory.createInterface(), method: "postPayoutRoot", args: [p.networkId, p.epoch, set.root, set.total, set.leaves.length] }, options);
}

/** Claims a node's payout leaf with its Merkle proof (the operator's key); `to` defaults to the operator. */
export async function claimPayout(
  signer: Signer,
  deployment: Ledgers,
  p: { networkId: bigint; epoch: bigint; set: PayoutSet; nodeId: string; to?: string },
  options: SendOptions = {},
): Promise<{ leaf: PayoutLeaf; proof: string[]; to: string; outcome: TxOutcome }> {
  const nodeId = nodeIdFromString(p.nodeId);
  const leaf = p.set.leaves.find((l) => l.nodeId === nodeId);
  if (!leaf) throw new InvalidInputError(`node ${p.nodeId} has no leaf in the payout set`);
  const rl = IRevenueLedger__factory.connect(deployment.revenueLedger, signer);
  const onChain = await rl.payout(p.networkId, p.epoch);
  if (onChain.root === ZeroHash) throw new InvalidInputError(`no payout root posted for epoch ${p.epoch} of network ${p.networkId}`);
  if (onChain.root.toLowerCase() !== p.set.root.toLowerCase()) throw new InvalidInputError(`the payout set has root ${p.set.root} but epoch ${p.epoch} pays out under ${onChain.root}`);
  if (await rl.isClaimed(p.networkId, p.epoch, leaf.index)) throw new InvalidInputError(`payout of node ${nodeId} for epoch ${p.epoch} (leaf ${leaf.index}) was already claimed`);
  const from = await signer.getAddress();
  if (from !== leaf.operator) throw new InvalidInputError(`the signing key ${from} is not the leaf's operator ${leaf.operator}`);
  const proof = payoutTree(p.set.leaves).getProof(leaf.index);
  const to = p.to ?? from;
  const outcome = await sendCall(signer, { contract: "RevenueLedger", to: deployment.revenueLedger, iface: IRevenueLedger__factory.createInterface(), method: "claim", args: [p.networkId, p.epoch, leaf.index, nodeId, leaf.amount, proof, to] }, options);
  return { leaf, proof, to, outcome };
}
