/**
 * Payout files: the (index, nodeId, operator, amount) leaves of an epoch's payout root, as JSON
 * `{ networkId, epoch, root, total, leafCount, leaves: [{ index, nodeId, operator, amount }] }` or
 * CSV `nodeId,operator,amount` (amounts in the token's smallest unit; index = row order from 0).
 * The tree is @openzeppelin/merkle-tree's StandardMerkleTree over PAYOUT_LEAF_ENCODING.
 */
import fs from "fs";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, isAddress } from "ethers";

import { InvalidInputError } from "../errors";
import { PAYOUT_LEAF_ENCODING } from "../records/types";
import { normalizeNodeId as nodeIdFromString } from "../records/nodeId";

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
