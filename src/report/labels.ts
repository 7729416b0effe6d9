/**
 * Labels: human names and groups (e.g. regions) for the ids reports mention — node ids, customer
 * addresses, network ids and charge references — read from a CSV file `id,name,group`. Names are
 * the reader's own: reports carry them as `name`/`group` and verify ignores them (DESIGN.md rule 12).
 *
 * The `id` column takes a node id or reference (0x + 64 hex), an address (0x + 40 hex), a network
 * id (a decimal integer, or `network:N`), or any other string, taken as a node id string and hashed
 * as the CLI hashes it (keccak256 of its UTF-8 bytes), so a labels file may name nodes as the
 * records file does.
 */
import fs from "fs";
import path from "path";

import { getAddress, keccak256, toUtf8Bytes } from "ethers";

import { InvalidInputError } from "../errors";
import type { LabelJson } from "./types";

/** A label: the name and group of an id. */
export interface Label {
  name: string;
  group: string | null;
}

/** Labels by normalized id (see {@link labelKey}). */
export type Labels = ReadonlyMap<string, Label>;

/** One row to write with {@link writeLabels}. */
export interface LabelRow {
  id: string; // as the labels file takes it (see the module comment)
  name: string;
  group?: string | null;
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * The key an id is labelled under: lowercase 0x-hex for 32-byte ids, the checksummed address for
 * addresses, the decimal network id for networks, else keccak256(utf8(id)) (a node id string).
 */
export function labelKey(id: string | number): string {
  if (typeof id === "number") return String(id);
  const s = id.trim();
  if (HEX32.test(s)) return s.toLowerCase();
  if (ADDRESS.test(s)) return getAddress(s.toLowerCase());
  const net = /^(?:network:)?(\d{1,15})$/i.exec(s);
  if (net) return String(Number(net[1]));
  return keccak256(toUtf8Bytes(s));
}

/** Splits one CSV line (RFC 4180 quoting) into fields. */
function csvFields(line: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new InvalidInputError(`${where}: unterminated quoted field`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ",") throw new InvalidInputError(`${where}: text after a closing quote`);
    } else {
      const j = line.indexOf(",", i);
      field = j < 0 ? line.slice(i) : line.slice(i, j);
      i = j < 0 ? line.length : j;
    }
    out.push(field);
    if (i >= line.length) return out;
    i++; // the comma
  }
}

/**
 * Parses a labels CSV (header `id,name,group`; `group` may be empty or absent).
 * @param source the file name, for error messages
 * @throws InvalidInputError naming the line and column of the first bad row (a missing header,
 *   an empty id or name, or an id labelled twice)
 */
export function parseLabels(text: string, source = "labels"): Map<string, Label> {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = csvFields(lines[0] ?? "", `${source} line 1`).map((h) => h.trim().toLowerCase());
  const idCol = header.indexOf("id");
  const nameCol = header.indexOf("name");
  const groupCol = header.indexOf("group");
  if (idCol < 0 || nameCol < 0) throw new InvalidInputError(`${source} line 1: the header must name the columns id,name[,group] (got ${JSON.stringify(lines[0] ?? "")})`);
  const out = new Map<string, Label>();
  const seen = new Map<string, number>();
  for (let n = 1; n < lines.length; n++) {
    if (lines[n].trim() === "") continue;
    const where = `${source} line ${n + 1}`;
    const f = csvFields(lines[n], where);
    if (f.length > header.length) throw new InvalidInputError(`${where}: ${f.length} fields, the header has ${header.length}`);
    const id = (f[idCol] ?? "").trim();
    const name = (f[nameCol] ?? "").trim();
    const group = groupCol >= 0 ? (f[groupCol] ?? "").trim() : "";
    if (!id) throw new InvalidInputError(`${where}, column id: empty`);
    if (!name) throw new InvalidInputError(`${where}, column name: empty (id ${id})`);
    if (/^0x/i.test(id) && !HEX32.test(id) && !ADDRESS.test(id)) {
      throw new InvalidInputError(`${where}, column id: ${id} is neither a 32-byte id (0x + 64 hex) nor an address (0x + 40 hex)`);
    }
    const key = labelKey(id);
    const first = seen.get(key);
    if (first !== undefined) throw new InvalidInputError(`${where}, column id: ${id} is already labelled on line ${first}`);
    seen.set(key, n + 1);
    out.set(key, { name, group: group || null });
  }
  return out;
}

/**
 * Reads a labels file (CSV `id,name,group`).
 * @example
 * const labels = readLabels("out/labels.csv");
 * const report = buildReport("uptime", input, { labels });
 */
export function readLabels(file: string): Map<string, Label> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new InvalidInputError(`--labels ${file}: file not found`);
  }
  return parseLabels(text, path.basename(file));
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The labels CSV text of `rows` (header `id,name,group`, LF line ends). */
export function labelsCsv(rows: readonly LabelRow[]): string {
  return ["id,name,group", ...rows.map((r) => [r.id, r.name, r.group ?? ""].map(csvField).join(","))].join("\n") + "\n";
}

/**
 * Writes a labels file that {@link readLabels} reads back (and `--labels` takes).
 * @example
 * writeLabels("out/labels.csv", [{ id: "gpu-us-east-000", name: "gpu-us-east-000", group: "us-east" }]);
 */
export function writeLabels(file: string, rows: readonly LabelRow[]): void {
  const text = labelsCsv(rows);
  parseLabels(text, path.basename(file)); // refuse what could not be read back (nothing half-written)
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Collects the labels a report uses, and tags its lines and rows with `name`/`group`. */
export class LabelUse {
  private readonly used = new Map<string, Label>();
  constructor(private readonly labels: Labels | undefined) {}

  /** The label of `id` (recording that the report uses it), or undefined. */
  of(id: string | number): Label | undefined {
    if (!this.labels || this.labels.size === 0) return undefined;
    const key = typeof id === "number" ? String(id) : HEX32.test(id) ? id.toLowerCase() : id;
    const l = this.labels.get(key);
    if (l) this.used.set(key, l);
    return l;
  }

  /** Adds `name` and `group` to `target` when `id` is labelled. */
  tag<T extends object>(target: T, id: string | number): T {
    const l = this.of(id);
    if (l) Object.assign(target, { name: l.name, group: l.group });
    return target;
  }

  /** The labels used, sorted by id (undefined when no labels were given). */
  list(): LabelJson[] | undefined {
    if (!this.labels || this.labels.size === 0) return undefined;
    return [...this.used.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, l]) => ({ id, name: l.name, group: l.group }));
  }
}

/** The address a `--customer` value names: an address as is, else the one id whose label name matches. */
export function resolveCustomer(value: string, labels: Labels | undefined): string {
  if (ADDRESS.test(value.trim())) return getAddress(value.trim().toLowerCase());
  const matches = [...(labels ?? new Map<string, Label>()).entries()].filter(([id, l]) => ADDRESS.test(id) && l.name.toLowerCase() === value.trim().toLowerCase());
  if (matches.length === 1) return matches[0][0];
  if (matches.length > 1) throw new InvalidInputError(`--customer ${value}: ${matches.length} addresses carry that name in the labels`);
  throw new InvalidInputError(`--customer ${value}: not an address${labels ? " nor the name of a labelled address" : " (pass --labels FILE to use names)"}`);
}
