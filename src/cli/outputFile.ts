/**
 * `--out FILE` against `--format F`: the format an extension implies, and a refusal when they
 * disagree (`--out uptime.xlsx --format pdf` used to write a PDF named .xlsx; `--out uptime.xlsx`
 * alone used to write JSON).
 */
import path from "path";

import { InvalidInputError } from "../index";
import { REPORT_FORMATS } from "./reportNames";

/** Extension of each report format. */
export const FORMAT_EXTENSIONS: Record<(typeof REPORT_FORMATS)[number], string> = { json: ".json", csv: ".csv", md: ".md", html: ".html", pdf: ".pdf", beancount: ".beancount" };

/** The format `out`'s extension names, or null (no extension, or one that is no report format). */
export function formatFromOut(out: string): (typeof REPORT_FORMATS)[number] | null {
  const ext = path.extname(out).toLowerCase();
  const hit = (Object.entries(FORMAT_EXTENSIONS) as Array<[(typeof REPORT_FORMATS)[number], string]>).find(([, e]) => e === ext);
  return hit ? hit[0] : null;
}

/**
 * Throws InvalidInputError unless `out` may hold `format`: its extension must be that format's
 * (`.md` for md, …), or absent. `format` undefined: the extension alone must name a report format.
 *
 * @example
 * checkOutExtension("uptime.pdf", "pdf"); // ok
 * checkOutExtension("uptime.xlsx", "pdf"); // throws: --out uptime.xlsx has extension .xlsx but --format is pdf
 */
export function checkOutExtension(out: string, format: string | undefined): void {
  const ext = path.extname(out);
  if (format === undefined) {
    if (ext !== "" && formatFromOut(out) === null) {
      throw new InvalidInputError(`--out ${out}: extension ${ext} is no report format (${REPORT_FORMATS.map((f) => FORMAT_EXTENSIONS[f]).join(" ")}); pass --format or use one of them`);
    }
    return;
  }
  const want = FORMAT_EXTENSIONS[format as (typeof REPORT_FORMATS)[number]];
  if (ext !== "" && want !== undefined && ext.toLowerCase() !== want) {
    throw new InvalidInputError(`--out ${out} has extension ${ext} but --format is ${format}: use --out ${out.slice(0, -ext.length)}${want}`);
  }
}
