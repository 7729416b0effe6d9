/**
 * How the problems of a records or usage file are shown to a person: every bad row up to a limit
 * (20 by default), each on its own line with its line number and column, so a file with several
 * bad rows can be fixed in one go (no `--verbose` needed, no stack trace).
 */
import type { RecordIssue } from "../errors";

/** How many issues a message lists before summing up the rest. */
export const LISTED_ISSUES = 20;

/** `line 3, column revenue: revenue is not an integer: 1.5` */
export function formatRecordIssue(issue: RecordIssue): string {
  return `line ${issue.line}${issue.column ? `, column ${issue.column}` : ""}: ${issue.reason}`;
}

/**
 * The message of a file's issues. One issue: a single line (`FILE: line 2, column x: reason`).
 * Several: a heading (`FILE: 3 problems in 2 rows`) and one indented line per issue, up to `limit`,
 * then `… and N more problems` when some are left out.
 *
 * @example
 * formatRecordIssues(err.issues, { file: "epoch-7.csv" });
 * // epoch-7.csv: 3 problems in 3 rows
 * //   line 2, column revenue: revenue is not an integer: 1.5 (…)
 * //   line 4, column uptimeBps: uptimeBps 10001 exceeds 10000
 * //   line 9, column nodeId: duplicate nodeId 0x… (first at line 3)
 */
export function formatRecordIssues(issues: readonly RecordIssue[], options: { file?: string; limit?: number } = {}): string {
  const prefix = options.file ? `${options.file}: ` : "";
  if (issues.length === 0) return `${prefix}no problems`;
  if (issues.length === 1) return prefix + formatRecordIssue(issues[0]);
  const limit = Math.max(1, options.limit ?? LISTED_ISSUES);
  const rows = new Set(issues.map((i) => i.line)).size;
  const lines = [`${prefix}${issues.length} problems in ${rows} ${rows === 1 ? "row" : "rows"}`];
  for (const issue of issues.slice(0, limit)) lines.push(`  ${formatRecordIssue(issue)}`);
  if (issues.length > limit) lines.push(`  … and ${issues.length - limit} more ${issues.length - limit === 1 ? "problem" : "problems"}`);
  return lines.join("\n");
}
