/**
 * JSON: the report object as it is (fixed fields of DESIGN.md "Report JSON"), two-space indent,
 * keys in construction order, so that the same range gives the same bytes. `jsonChunks` yields
 * the same text piece by piece, for reports too large for one string (a million uptime lines).
 */
import type { Report } from "../types";

/** The report as JSON text in pieces; their concatenation equals `renderJson(report)`. */
export function* jsonChunks(report: Report): Generator<string> {
  const { lines, ...head } = report;
  const top = JSON.stringify({ ...head, lines: [] }, null, 2);
  // `top` ends with `"lines": []\n}`: open the list there and emit each line as JSON.stringify would.
  const marker = '"lines": []';
  const at = top.lastIndexOf(marker);
  if (lines.length === 0) {
    yield `${top}\n`;
    return;
  }
  yield `${top.slice(0, at)}"lines": [\n`;
  for (let i = 0; i < lines.length; i++) {
    const body = JSON.stringify(lines[i], null, 2).replace(/\n/g, "\n    ");
    yield `    ${body}${i + 1 < lines.length ? "," : ""}\n`;
  }
  yield `  ]${top.slice(at + marker.length)}\n`;
}

/** The report as JSON text (ends with a newline). */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
