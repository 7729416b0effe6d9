/**
 * Pieces every report shares: the manifest, the parameters with their defaults, the token list,
 * and basis-point arithmetic on bigints.
 */
import { getAddress } from "ethers";

import type { ReportInput } from "./input";
import type { CreditTier, ReportManifest, ReportParameters, TokenInfo } from "./types";

/** 100% in basis points. */
export const BPS_DENOMINATOR = 10_000n;

/** The default SLA target: 99.9% uptime. */
export const DEFAULT_SLA_BPS = 9_990;

/** AWS-style service credits: < 99.9% → 10%, < 99% → 25%, < 95% → 100% of the epoch's charge. */
export const DEFAULT_CREDIT_TIERS: readonly CreditTier[] = [
  { belowBps: 9_990, creditBps: 1_000 },
  { belowBps: 9_900, creditBps: 2_500 },
  { belowBps: 9_500, creditBps: 10_000 },
];

// eslint-disable-next-line @typescript-eslint/no-require-imports
const PACKAGE_VERSION: string = require("../../package.json").version;

/** "workledger@<package.json version>". */
export const TOOL = `workledger@${PACKAGE_VERSION}`;

/** Options accepted by every report builder. */
export interface ReportOptions {
  networkId?: number | null;
  customer?: string | null;
  fromEpoch?: number | null;
  toEpoch?: number | null;
  slaBps?: number;
  creditTiers?: readonly CreditTier[];
  /** Fixed generation time (ISO); default now. */
  generatedAt?: string;
}

/** Parameters with defaults filled in, normalized (checksummed customer, tiers sorted). */
export function resolveParameters(options: ReportOptions = {}): ReportParameters {
  const tiers = [...(options.creditTiers ?? DEFAULT_CREDIT_TIERS)]
    .map((t) => ({ belowBps: t.belowBps, creditBps: t.creditBps }))
    .sort((a, b) => b.belowBps - a.belowBps);
  return {
    networkId: options.networkId ?? null,
    customer: options.customer ? getAddress(options.customer) : null,
    fromEpoch: options.fromEpoch ?? null,
    toEpoch: options.toEpoch ?? null,
    slaBps: options.slaBps ?? DEFAULT_SLA_BPS,
    creditTiers: tiers,
  };
}

/** Options that rebuild a report with the same parameters. */
export function optionsFromParameters(p: ReportParameters): ReportOptions {
  return { ...p, creditTiers: p.creditTiers };
}

/** The manifest of a report over `input`. */
export function makeManifest(input: ReportInput, generatedAt?: string): ReportManifest {
  return {
    chainId: input.chainId,
    ledger: getAddress(input.ledger),
    revenueLedger: getAddress(input.revenueLedger),
    fromBlock: input.fromBlock,
    toBlock: input.toBlock,
    toBlockHash: input.toBlockHash.toLowerCase(),
    generatedAt: generatedAt ?? new Date().toISOString(),
    tool: TOOL,
  };
}

/** Token metadata of the given addresses, sorted by address (unknown ones get a placeholder). */
export function tokenList(input: ReportInput, addresses: Iterable<string>): TokenInfo[] {
  const set = [...new Set(addresses)].sort();
  return set.map((a) => input.tokens[a] ?? { address: a, symbol: "TOKEN", decimals: 18 });
}

/** floor(10000 × num / den), or null when den is 0; capped at `cap` if given. */
export function ratioBps(numerator: bigint, denominator: bigint, cap?: number): number | null {
  if (denominator === 0n) return null;
  const r = Number((BPS_DENOMINATOR * numerator) / denominator);
  return cap !== undefined ? Math.min(cap, r) : r;
}

/** The credit in bps for an uptime under the tiers (sorted by belowBps descending): the last tier
 * the uptime is below wins (the deepest). */
export function creditFor(uptimeBps: number, tiers: readonly CreditTier[]): number {
  let credit = 0;
  for (const t of tiers) if (uptimeBps < t.belowBps) credit = t.creditBps;
  return credit;
}

/** Events up to toBlock (inputs may carry more). */
export function eventsUpTo<T extends { blockNumber: number }>(events: readonly T[], toBlock: number): T[] {
  let n = events.length;
  while (n > 0 && events[n - 1].blockNumber > toBlock) n--;
  return n === events.length ? (events as T[]) : events.slice(0, n);
}
