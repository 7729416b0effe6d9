/**
 * JSON: the report object as it is (fixed fields of DESIGN.md "Report JSON"), two-space indent,
 * keys in construction order, so that the same range gives the same bytes.
 */
import type { Report } from "../types";

/** The report as JSON text (ends with a newline). */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
