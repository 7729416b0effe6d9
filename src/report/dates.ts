/**
 * Periods by date: `--from 2026-11-01 --to 2026-11-30` resolved to the blocks whose timestamps
 * fall in the period (binary search on block timestamps, which never decrease).
 */
import type { Provider } from "ethers";

import { ChainMismatchError, InvalidInputError } from "../errors";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Normalizes an ISO-8601 date ("2026-11-01") or date-time ("2026-11-01T12:00Z", UTC unless an
 * offset is given) to "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ".
 * @throws InvalidInputError naming `what` (e.g. "--from")
 */
export function normalizeDate(value: string, what: string): string {
  const v = value.trim();
  const bad = () => new InvalidInputError(`${what}: ${JSON.stringify(value)} is not an ISO-8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z])`);
  if (DATE.test(v)) {
    const t = Date.parse(`${v}T00:00:00Z`);
    if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== v) throw bad();
    return v;
  }
  const m = DATE_TIME.exec(v);
  if (!m) throw bad();
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? "00"}${m[7] ? (m[7] === "Z" ? "Z" : m[7].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2")) : "Z"}`);
  if (Number.isNaN(t)) throw bad();
  return new Date(t).toISOString().replace(".000Z", "Z");
}

/** Unix seconds where a normalized `from` date starts (inclusive). */
export function periodStart(from: string): number {
  return Date.parse(DATE.test(from) ? `${from}T00:00:00Z` : from) / 1000;
}

/** Unix seconds where a normalized `to` date ends (exclusive): the next midnight for a date, one
 * second after a date-time (so the instant itself is in the period). */
export function periodEnd(to: string): number {
  return DATE.test(to) ? Date.parse(`${to}T00:00:00Z`) / 1000 + 86_400 : Date.parse(to) / 1000 + 1;
}

/** The first block in [lo, hi] whose timestamp is ≥ `t`, or hi + 1 when there is none. */
export async function firstBlockAtOrAfter(provider: Provider, t: number, lo: number, hi: number): Promise<number> {
  const ts = async (b: number) => {
    const block = await provider.getBlock(b);
    if (!block) throw new ChainMismatchError(`block ${b} not found`);
    return block.timestamp;
  };
  let a = lo;
  let b = hi + 1;
  while (a < b) {
    const mid = Math.floor((a + b) / 2);
    if ((await ts(mid)) >= t) b = mid;
    else a = mid + 1;
  }
  return a;
}

/**
 * The block range of a period by date, within [minBlock, maxBlock] (e.g. deployment to the index's
 * last block). Without `from` the range starts at minBlock; without `to` it ends at maxBlock.
 * @returns fromBlock: the first block at or after the start; toBlock: the last block before the end
 * @throws InvalidInputError when no block falls in the period, or `from` is after `to`
 * @example
 * const { fromBlock, toBlock } = await blocksForDates(provider, { from: "2026-11-01", to: "2026-11-30" }, 0, head);
 */
export async function blocksForDates(
  provider: Provider,
  dates: { from?: string | null; to?: string | null },
  minBlock: number,
  maxBlock: number,
): Promise<{ fromBlock: number; toBlock: number; fromDate: string | null; toDate: string | null }> {
  const fromDate = dates.from ? normalizeDate(dates.from, "--from") : null;
  const toDate = dates.to ? normalizeDate(dates.to, "--to") : null;
  if (fromDate && toDate && periodStart(fromDate) >= periodEnd(toDate)) throw new InvalidInputError(`--from ${fromDate} is not before --to ${toDate}`);
  const fromBlock = fromDate ? await firstBlockAtOrAfter(provider, periodStart(fromDate), minBlock, maxBlock) : minBlock;
  const toBlock = toDate ? (await firstBlockAtOrAfter(provider, periodEnd(toDate), minBlock, maxBlock)) - 1 : maxBlock;
  if (fromBlock > toBlock) {
    throw new InvalidInputError(`no block between ${fromDate ?? "the deployment"} and ${toDate ?? "the last indexed block"} (blocks ${minBlock}..${maxBlock})`);
  }
  return { fromBlock, toBlock, fromDate, toDate };
}
