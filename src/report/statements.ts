/**
 * How a charged billing statement settles per epoch (DESIGN rule 2): one post per covered epoch
 * with usage, its amount the customer's usage leaf in that epoch's version as charged, and its fee
 * floor(post × feeBps / 10000), the rounding remainder on the last epoch with usage (so Σ fees is
 * the statement's one fee entry). A leaf counts only when its proof leads to the on-chain usage root
 * of that version; the leaves count only when their UsageRef list hashes to the statement's signed
 * usageHash and they add up to its amount. Otherwise the statement is "unproven": its whole amount
 * settles on its last epoch (the leaves are not at hand: pass bundles).
 */
import type { UsageRecord } from "../records/usage";
import { usageLeafHash, usageRefsHash, verifyUsageProof } from "../records/usageTree";
import type { UsageRef } from "../records/usageTree";
import type { UsageSource } from "./input";
import type { StatementState } from "./state";

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

function checkedLeaf(st: StatementState, epoch: number, usageRoot: string, source: UsageSource | undefined, version: number): { leaf: UsageRecord; proof: string[] } | undefined {
  const found = source?.(st.networkId, epoch, version, st.customer, usageRoot);
  if (!found) return undefined;
  const { leaf, proof } = found;
  if (leaf.customer.toLowerCase() !== st.customer.toLowerCase() || leaf.epoch !== BigInt(epoch)) return undefined;
  try {
    return verifyUsageProof(leaf, proof, usageRoot) ? { leaf, proof: [...proof] } : undefined;
  } catch {
    return undefined;
  }
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
    refs.push({ epoch: c.epoch, version: c.version, usageRoot: c.usageRoot, leafHash: usageLeafHash(got.leaf) });
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

/** Settlements of every statement of a state, by chargeId (computed once per report). */
export function settleStatements(statements: Iterable<StatementState>, usage: UsageSource | undefined): Map<string, StatementSettlement> {
  const out = new Map<string, StatementSettlement>();
  for (const st of statements) out.set(st.chargeId, settleStatement(st, usage));
  return out;
}
