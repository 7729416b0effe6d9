/** How `sign` and `publish` show an epoch's usage words and warn when Σ usage ≠ Σ node revenue. */
import type { EpochSummary, UsageRevenueComparison } from "../index";
import type { CliContext } from "./context";
import { formatInt } from "./output";

/** Warns on stderr (unless --json) when Σ usage differs from Σ node revenue; returns the warning for the JSON output (null when none). */
export function warnUsageRevenue(ctx: CliContext, c: UsageRevenueComparison | null): string | null {
  if (!c?.message) return null;
  ctx.log.info(`warning: ${c.message}`);
  return c.message;
}

/** The usage rows of a summary for `kv` (none for an epoch without usage). */
export function usageLines(s: EpochSummary): [string, string][] {
  if (s.usageCount === 0n) return [];
  return [
    ["usage root", s.usageRoot],
    ["usage records", formatInt(s.usageCount)],
    ["total usage", formatInt(s.totalUsage)],
  ];
}
