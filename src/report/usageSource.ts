/**
 * Usage sources for reports: a customer's usage leaf and proof in an epoch version, from the leaves
 * of an imported bundle (the index's `bundle_usage`), from bundle files at hand (matched by usage
 * root), or from the charge lines of a report being verified. Every leaf is checked against the
 * on-chain usage root by the report builders before it is used (./statements.ts).
 */
import type { UsageRecord } from "../records/usage";
import { buildUsage } from "../records/usageTree";
import { treeProof } from "../merkle/tree";
import type { UsageBuild } from "../records/usageTree";
import type { UsageLeafProof, UsageSource } from "./input";
import type { SpendLine } from "./types";

/** A bundle that may carry its usage tree (readBundle's result does). */
export interface UsageBundleLike {
  readonly usage?: UsageBuild | null;
}

/** A source over built usage trees, looked up by (networkId, epoch, version) or by usage root. */
function fromBuilds(find: (networkId: number, epoch: number, version: number, usageRoot: string) => UsageBuild | undefined): UsageSource {
  // customer (lowercase) -> [leaf index, sorted index], per tree, built once
  const index = new WeakMap<UsageBuild, Map<string, [number, number]>>();
  return (networkId, epoch, version, customer, usageRoot) => {
    const built = find(networkId, epoch, version, usageRoot);
    if (!built || built.leaves.length === 0) return undefined;
    let byCustomer = index.get(built);
    if (!byCustomer) {
      byCustomer = new Map();
      const { order } = built.tree;
      for (let k = 0; k < order.length; k++) byCustomer.set(built.leaves[order[k]].customer.toLowerCase(), [order[k], k]);
      index.set(built, byCustomer);
    }
    const at = byCustomer.get(customer.toLowerCase());
    if (!at) return undefined; // no leaf for that customer there
    return { leaf: built.leaves[at[0]], proof: treeProof(built.tree, at[1]) };
  };
}

/** A source over the usage leaves of epoch versions (e.g. the index's imported bundles), trees built once each. */
export function usageSourceFromLeaves(leaves: Map<string, UsageRecord[]>): UsageSource {
  const built = new Map<string, UsageBuild>();
  return fromBuilds((n, e, v) => {
    const k = `${n}:${e}:${v}`;
    let b = built.get(k);
    if (!b) {
      const l = leaves.get(k);
      if (!l || l.length === 0) return undefined;
      built.set(k, (b = buildUsage(l)));
    }
    return b;
  });
}

/** A source over bundle files at hand, matched by their usage root. */
export function usageSourceFromBundles(bundles: readonly UsageBundleLike[]): UsageSource {
  const byRoot = new Map<string, UsageBuild>();
  for (const b of bundles) if (b.usage && b.usage.leaves.length > 0) byRoot.set(b.usage.root.toLowerCase(), b.usage);
  return fromBuilds((_n, _e, _v, usageRoot) => byRoot.get(usageRoot.toLowerCase()));
}

/** A source over the usage leaves and proofs that a spend report's charge lines carry (untrusted: checked by the builder). */
export function usageSourceFromSpendLines(lines: readonly SpendLine[]): UsageSource {
  const by = new Map<string, UsageLeafProof>();
  for (const l of lines) {
    if (l?.kind !== "charge" || !Array.isArray(l.usage)) continue;
    for (const u of l.usage) {
      try {
        const leaf: UsageRecord = { customer: String(u.leaf.customer), epoch: BigInt(u.leaf.epoch), workUnits: BigInt(u.leaf.workUnits), amount: BigInt(u.leaf.amount), ref: String(u.leaf.ref).toLowerCase() };
        if (!Array.isArray(u.proof)) continue;
        by.set(`${l.networkId}:${leaf.epoch}:${leaf.customer.toLowerCase()}:${String(u.usageRoot).toLowerCase()}`, { leaf, proof: u.proof.map(String) });
      } catch {
        continue; // unreadable leaf: not used
      }
    }
  }
  return (networkId, epoch, _version, customer, usageRoot) => by.get(`${networkId}:${epoch}:${customer.toLowerCase()}:${usageRoot.toLowerCase()}`);
}

/** The first source that knows the leaf. */
export function firstUsageSource(...sources: (UsageSource | undefined)[]): UsageSource | undefined {
  const list = sources.filter((s): s is UsageSource => s !== undefined);
  if (list.length === 0) return undefined;
  return (...args) => {
    for (const s of list) {
      const got = s(...args);
      if (got) return got;
    }
    return undefined;
  };
}
