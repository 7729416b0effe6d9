/**
 * One entry point for every report kind.
 */
import type { ReportOptions } from "./common";
import { buildEconomicsReport, EconomicsOptions } from "./economics";
import type { ReportInput } from "./input";
import { buildJournalReport } from "./journal";
import { buildSpendReport } from "./spend";
import type { Report, ReportKind } from "./types";
import { buildUptimeReport } from "./uptime";

export const REPORT_KINDS: readonly ReportKind[] = ["spend", "uptime", "economics", "journal"];

/**
 * Builds a report of `kind` over `input`.
 * @example
 * const uptime = buildReport("uptime", input, { networkId: 1, slaBps: 9990 });
 */
export function buildReport(kind: ReportKind, input: ReportInput, options: ReportOptions & EconomicsOptions = {}): Report {
  switch (kind) {
    case "spend":
      return buildSpendReport(input, options);
    case "uptime":
      return buildUptimeReport(input, options);
    case "economics":
      return buildEconomicsReport(input, options);
    case "journal":
      return buildJournalReport(input, options);
    default:
      throw new Error(`unknown report kind ${String(kind)}`);
  }
}
