/**
 * How a charged billing statement settles per epoch (DESIGN rule 2): one post per covered epoch
 * with usage, its amount the customer's usage leaf in that epoch's version as charged, and its fee
 * floor(post × feeBps / 10000), the rounding remainder on the last epoch with usage (so Σ fees is
 * the statement's one fee entry). A leaf counts only when its proof leads to the on-chain usage root
 * of that version; the leaves count only when their UsageRef list hashes to the statement's signed
 * usageHash and they add up to its amount. Otherwise the statement is "unproven": its whole amount
 * settles on its last epoch (the leaves are not at hand: pass bundles).
 */
import { bytesToHex, hashPairInto, tryHexToBytesInto, writeUintBE } from "../records/codec";
import type { UsageRecord } from "../records/usage";
import { usageRefsHash } from "../records/usageTree";
import type { UsageRef } from "../records/usageTree";
import { keccakEngine } from "../merkle/keccak";
import type { ReportInput, UsageSource } from "./input";
import type { ChainState, StatementState } from "./state";

const ZERO_HASH = `0x${"0".repeat(64)}`;

/** One epoch's share of a statement. */
export interface StatementPost {
  epoch: number;
  version: number | null; // null on an unproven statement's single post
  amount: bigint; // the usage leaf's amount (gross)
  fee: bigint; // floor(amount × feeBps / 10000), + the remainder on the last post
  leaf: UsageRecord | null;
  usageRoot: string | null;
  proof: string[];
}

export interface StatementSettlement {
  statement: StatementState;
  /** The leaves hash to usageHash and add up to the amount. */
  proven: boolean;
  posts: StatementPost[];
  /** Why the statement is unproven (null when proven). */
  problem: string | null;
}

const LEAF_SIZE = 160; // abi.encode(address, uint64, uint64, uint128, bytes32)
const row = new Uint8Array(LEAF_SIZE);
const node = new Uint8Array(32);
const sibling = new Uint8Array(32);
const want = new Uint8Array(32);

/**
 * The StandardMerkleTree leaf hash of a usage record (keccak256(keccak256(abi.encode(leaf)))) and
 * whether `proof` folds it into `root`; null when a field is out of its ABI type's range or a hash is
 * malformed. (The records module's usageLeafHash/verifyUsageProof validate a file row each call;
 * reports check tens of thousands of leaves, so this encodes the one row directly.)
 */
function leafCheck(leaf: UsageRecord, proof: readonly string[], root: string): { leafHash: string; proved: boolean } | null {
  const u = (v: bigint, bits: bigint) => typeof v === "bigint" && v >= 0n && v < 1n << bits;
  if (!u(leaf.epoch, 64n) || !u(leaf.workUnits, 64n) || !u(leaf.amount, 128n) || !Array.isArray(proof)) return null;
  row.fill(0);
  if (!tryHexToBytesInto(leaf.customer, row, 12, 20) || !tryHexToBytesInto(leaf.ref, row, 128, 32)) return null;
  writeUintBE(row, 56, 8, leaf.epoch);
  writeUintBE(row, 88, 8, leaf.workUnits);
  writeUintBE(row, 112, 16, leaf.amount);
  if (!tryHexToBytesInto(root, want, 0, 32)) return null;
  const engine = keccakEngine();
  engine.mem.set(row, 0);
  engine.hashInPlace(LEAF_SIZE);
  engine.hashInPlace(32);
  node.set(engine.mem.subarray(0, 32));
  const leafHash = bytesToHex(node);
  for (const p of proof) {
    if (!tryHexToBytesInto(String(p), sibling, 0, 32)) return null;
    hashPairInto(engine, node, 0, sibling, 0, node, 0);
  }
  let proved = true;
  for (let i = 0; i < 32; i++) if (node[i] !== want[i]) proved = false;
  return { leafHash, proved };
}

function checkedLeaf(st: StatementState, epoch: number, usageRoot: string, source: UsageSource | undefined, version: number): { leaf: UsageRecord; proof: string[]; leafHash: string } | undefined {
  const found = source?.(st.networkId, epoch, version, st.customer, usageRoot);
  if (!found) return undefined;
  const { leaf, proof } = found;
  if (String(leaf.customer).toLowerCase() !== st.customer.toLowerCase() || leaf.epoch !== BigInt(epoch)) return undefined;
  const c = leafCheck(leaf, proof, usageRoot);
  return c?.proved ? { leaf, proof: [...proof], leafHash: c.leafHash } : undefined;
}

/** The per-epoch posts of a statement, proven from `usage` when it can be (see the module comment). */
export function settleStatement(st: StatementState, usage: UsageSource | undefined): StatementSettlement {
  const posts: StatementPost[] = [];
  const refs: UsageRef[] = [];
  let sum = 0n;
  for (const c of st.covered) {
    if (c.usageRoot === ZERO_HASH) continue;
    const got = checkedLeaf(st, c.epoch, c.usageRoot, usage, c.version);
    if (!got) continue;
    refs.push({ epoch: c.epoch, version: c.version, usageRoot: c.usageRoot, leafHash: got.leafHash });
    posts.push({ epoch: c.epoch, version: c.version, amount: got.leaf.amount, fee: (got.leaf.amount * st.feeBps) / 10_000n, leaf: got.leaf, usageRoot: c.usageRoot, proof: got.proof });
    sum += got.leaf.amount;
  }
  let problem: string | null = null;
  if (usageRefsHash(refs) !== st.usageHash.toLowerCase()) {
    problem = `the usage leaves at hand (${refs.length}) do not hash to the statement's usageHash ${st.usageHash}`;
  } else if (sum !== st.amount) {
    problem = `the signed usage leaves add up to ${sum}, the statement charged ${st.amount}`;
  }
  if (problem) {
    const single: StatementPost[] = st.amount > 0n ? [{ epoch: st.toEpoch, version: null, amount: st.amount, fee: st.fee, leaf: null, usageRoot: null, proof: [] }] : [];
    return { statement: st, proven: false, posts: single, problem };
  }
  const feeSum = posts.reduce((a, p) => a + p.fee, 0n);
  if (posts.length > 0) posts[posts.length - 1].fee += st.fee - feeSum;
  return { statement: st, proven: true, posts, problem: null };
}

/** Settlements of every statement of a state, by chargeId. */
export function settleStatements(statements: Iterable<StatementState>, usage: UsageSource | undefined): Map<string, StatementSettlement> {
  const out = new Map<string, StatementSettlement>();
  for (const st of statements) out.set(st.chargeId, settleStatement(st, usage));
  return out;
}

const settledCache = new WeakMap<object, { usage: UsageSource | undefined; toBlock: number; settled: Map<string, StatementSettlement> }>();

/**
 * The settlements of a report input's statements (`state` replayed from its events up to toBlock),
 * computed once per input: the spend and economics reports of one input share them.
 */
export function settleInputStatements(input: ReportInput, state: ChainState): Map<string, StatementSettlement> {
  const hit = settledCache.get(input.events);
  if (hit && hit.usage === input.usage && hit.toBlock === input.toBlock && hit.settled.size === state.statements.size) return hit.settled;
  const settled = settleStatements(state.statements.values(), input.usage);
  settledCache.set(input.events, { usage: input.usage, toBlock: input.toBlock, settled });
  return settled;
}
