/**
 * Pieces every report shares: the manifest, the parameters with their defaults, the token list,
 * and basis-point arithmetic on bigints.
 */
import { getAddress } from "ethers";

import { InvalidInputError } from "../errors";
import type { ReportInput } from "./input";
import type { Labels } from "./labels";
import { isoUtc } from "./state";
import type { CreditTier, Report, ReportManifest, ReportParameters, SlaTerms, TokenInfo } from "./types";

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
const PACKAGE_VERSION: string = require("workledger/package.json").version;

/** "workledger@<package.json version>". */
export const TOOL = `workledger@${PACKAGE_VERSION}`;

/** Options accepted by every report builder. */
export interface ReportOptions {
  networkId?: number | null;
  customer?: string | null;
  fromEpoch?: number | null;
  toEpoch?: number | null;
  /** Uptime: the SLA target in bps (default 9990) and the credit tiers (default AWS-style). */
  slaBps?: number;
  creditTiers?: readonly CreditTier[];
  /** The period as asked by date (ISO-8601), recorded beside the block range it resolved to. */
  fromDate?: string | null;
  toDate?: string | null;
  /** Names and groups of ids (`--labels`): lines and rows get `name`/`group`. */
  labels?: Labels;
  /** Fixed generation time (ISO); default now. */
  generatedAt?: string;
}

/** Parameters with defaults filled in, normalized (checksummed customer). */
export function resolveParameters(options: ReportOptions = {}): ReportParameters {
  return {
    networkId: options.networkId ?? null,
    customer: options.customer ? getAddress(options.customer) : null,
    fromEpoch: options.fromEpoch ?? null,
    toEpoch: options.toEpoch ?? null,
    fromDate: options.fromDate ?? null,
    toDate: options.toDate ?? null,
  };
}

const isBps = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 10_000;

/**
 * The SLA terms of `options` (defaults filled in, tiers sorted by belowBps descending).
 * @throws InvalidInputError naming the bad value: a target or tier outside 0..10000 bps, or two
 *   tiers with the same threshold
 */
export function resolveSla(options: Pick<ReportOptions, "slaBps" | "creditTiers"> = {}): SlaTerms {
  const slaBps = options.slaBps ?? DEFAULT_SLA_BPS;
  if (!isBps(slaBps) || slaBps === 0) throw new InvalidInputError(`SLA target ${String(slaBps)} bps: must be an integer in 1..10000`);
  const tiers = [...(options.creditTiers ?? DEFAULT_CREDIT_TIERS)].map((t, i) => {
    if (!t || !isBps(t.belowBps) || t.belowBps === 0) throw new InvalidInputError(`credit tier ${i + 1}: belowBps ${String(t?.belowBps)} must be an integer in 1..10000`);
    if (!isBps(t.creditBps)) throw new InvalidInputError(`credit tier ${i + 1}: creditBps ${String(t.creditBps)} must be an integer in 0..10000`);
    return { belowBps: t.belowBps, creditBps: t.creditBps };
  });
  tiers.sort((a, b) => b.belowBps - a.belowBps);
  for (let i = 1; i < tiers.length; i++) {
    if (tiers[i].belowBps === tiers[i - 1].belowBps) throw new InvalidInputError(`credit tiers: two tiers below ${tiers[i].belowBps / 100}%`);
  }
  return { slaBps, creditTiers: tiers };
}

/** A percentage with at most two decimals ("99.9", "99.95%") in bps; `what` names the argument in errors. */
export function percentToBps(value: string, what: string): number {
  const m = /^\s*(\d{1,3})(?:\.(\d{1,2}))?\s*%?\s*$/.exec(value);
  const bps = m ? Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0")) : NaN;
  if (!m || bps > 10_000) throw new InvalidInputError(`${what}: ${JSON.stringify(value)} is not a percentage in 0..100 with at most two decimals`);
  return bps;
}

/** `--sla 99.9`: the target in bps (> 0). */
export function parseSla(value: string): number {
  const bps = percentToBps(value, "--sla");
  if (bps === 0) throw new InvalidInputError("--sla: the target must be above 0%");
  return bps;
}

/**
 * `--credit-tiers "99.9:10,99:25,95:100"`: below 99.9% uptime 10% of the charge is credited, below
 * 99% 25%, below 95% 100%. Tiers sorted by threshold, descending.
 * @throws InvalidInputError naming the tier
 */
export function parseCreditTiers(value: string): CreditTier[] {
  const parts = value.split(",").map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === "")) throw new InvalidInputError(`--credit-tiers: ${JSON.stringify(value)} has an empty tier (format "99.9:10,99:25,95:100")`);
  const tiers = parts.map((p, i) => {
    const [below, credit, extra] = p.split(":");
    if (credit === undefined || extra !== undefined) throw new InvalidInputError(`--credit-tiers tier ${i + 1} ${JSON.stringify(p)}: expected BELOW%:CREDIT%`);
    return { belowBps: percentToBps(below, `--credit-tiers tier ${i + 1} threshold`), creditBps: percentToBps(credit, `--credit-tiers tier ${i + 1} credit`) };
  });
  return resolveSla({ creditTiers: tiers }).creditTiers;
}

/** Options that rebuild `report` (its parameters and, for uptime, the SLA terms of its manifest). */
export function optionsFromReport(report: Report): ReportOptions {
  const sla = report.manifest.sla;
  return { ...report.parameters, ...(sla ? { slaBps: sla.slaBps, creditTiers: sla.creditTiers } : {}) };
}

/** The manifest of a report over `input` (with `sla`, the terms an uptime report applied). */
export function makeManifest(input: ReportInput, generatedAt?: string, sla?: SlaTerms): ReportManifest {
  return {
    chainId: input.chainId,
    ledger: getAddress(input.ledger),
    revenueLedger: getAddress(input.revenueLedger),
    fromBlock: input.fromBlock,
    toBlock: input.toBlock,
    toBlockHash: input.toBlockHash.toLowerCase(),
    generatedAt: generatedAt ?? new Date().toISOString(),
    tool: TOOL,
    fromTime: input.fromBlockTimestamp === undefined ? null : isoUtc(input.fromBlockTimestamp),
    toTime: isoUtc(input.toBlockTimestamp),
    ...(sla ? { sla } : {}),
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
