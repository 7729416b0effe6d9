/**
 * Small JSON files of signed messages (statement signatures, billing authorizations): written
 * atomically, read back with every problem naming the file and the field.
 */
import fs from "fs";
import path from "path";

import { InvalidInputError } from "../errors";

/** Decimal integer (a JSON-safe uint). */
export const INT_RE = /^[0-9]+$/;
/** A 20-byte address in hex. */
export const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** Writes `value` as indented JSON to `file` (creating its directory; via a temp file and a rename). */
export function writeJsonFile(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

/**
 * Reads a JSON object whose `kind` must be `kind` (`what` names it in errors: "statement signature
 * file not found: F"). Returns the object and `str(field, re)`, which returns a string field matching
 * `re` or throws naming the file and the field.
 */
export function readKindedJson(file: string, kind: string, what: string): { raw: Record<string, unknown>; str: (k: string, re: RegExp) => string } {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new InvalidInputError(`${what} file not found: ${file}`);
    throw new InvalidInputError(`${file} is not JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new InvalidInputError(`${file} is not a JSON object`);
  if (raw.kind !== kind) throw new InvalidInputError(`${file} is not a ${what} (kind "${String(raw.kind)}")`);
  const str = (k: string, re: RegExp): string => {
    const v = raw[k];
    if (typeof v !== "string" || !re.test(v)) throw new InvalidInputError(`${file}: field "${k}" is missing or malformed`);
    return v;
  };
  return { raw, str };
}
