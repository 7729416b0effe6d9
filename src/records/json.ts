/**
 * Streaming JSON readers: a JSON array of row objects, and NDJSON (one object per line), feeding a
 * RowSink (node records, usage records: see ./rows). Each object is cut out of the byte stream,
 * parsed on its own and validated with the sink's zod schema (structure, e.g.
 * {@link RecordRowSchema}) and its field validators (values), so a file is never held as an array
 * of a million objects.
 *
 * Positions: NDJSON issues carry the physical line; JSON-array issues carry the record's index + 1
 * (as RecordIssue documents), and syntax errors name the physical line in their reason.
 * Integer fields may be JSON numbers (safe integers only) or decimal strings.
 */
import { z } from "zod";

import { notIntegerReason } from "./fields";
import { RowSink } from "./rows";

/** A JSON integer field: a number (safe integers only) or a decimal string. */
export const jsonIntLike = z.union([z.string(), z.number()]);
const intLike = jsonIntLike;

/** zod schema of one record object of a JSON / NDJSON records file (exactly the six columns). */
export const RecordRowSchema = z.strictObject({
  nodeId: z.string(),
  epoch: intLike,
  workUnits: intLike,
  uptimeBps: intLike,
  revenue: intLike,
  evidence: z.string(),
});

/** Validates one parsed JSON value as a row of the sink's columns and hands it to the sink. */
export function jsonRow(value: unknown, line: number, sink: RowSink): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    sink.issue(line, undefined, `expected a ${sink.rowNoun} object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`);
    return;
  }
  const columns = sink.columns;
  const parsed = sink.rowSchema.safeParse(value);
  const preset: (string | null)[] = columns.map(() => null);
  if (!parsed.success) {
    let structural = false;
    for (const iss of parsed.error.issues) {
      if (iss.code === "unrecognized_keys") {
        for (const k of iss.keys) sink.issue(line, k, `extra column "${k}"`);
        structural = true;
        continue;
      }
      const key = String(iss.path[0]);
      const col = columns.indexOf(key);
      if ((value as Record<string, unknown>)[key] === undefined) {
        sink.issue(line, key, "missing column");
        structural = true;
      } else if (col >= 0) {
        preset[col] = `${key} must be ${sink.textColumns[col] ? "a string" : "a decimal string or an integer"}`;
      }
    }
    if (structural) return;
  }
  const obj = value as Record<string, unknown>;
  const parts: Buffer[] = [];
  const starts = new Int32Array(columns.length);
  const ends = new Int32Array(columns.length);
  let at = 0;
  for (let c = 0; c < columns.length; c++) {
    const name = columns[c];
    const v = obj[name];
    let text = "";
    if (preset[c] === null) {
      if (typeof v === "number") {
        if (!Number.isInteger(v)) preset[c] = notIntegerReason(name, String(v));
        else if (v < 0) preset[c] = `negative ${name}: ${v}`;
        else if (!Number.isSafeInteger(v)) preset[c] = `${name} ${v} is not a safe JSON number; write it as a decimal string`;
        else text = String(v);
      } else if (typeof v === "string") {
        text = v;
      }
    }
    const b = Buffer.from(text, "utf8");
    parts.push(b);
    starts[c] = at;
    at += b.length;
    ends[c] = at;
  }
  const buf = Buffer.concat(parts);
  sink.row(line, columns.map(() => buf), starts, ends, preset);
}

/** NDJSON: one JSON object per line; empty lines are skipped. */
export class NdjsonRowReader {
  private carry: Buffer | null = null;
  private line = 1;
  private rows = 0;
  private started = false;

  constructor(private readonly sink: RowSink) {}

  push(chunk: Uint8Array): void {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.carry) buf = Buffer.concat([this.carry, buf]);
    let pos = 0;
    if (!this.started) {
      if (buf.length < 3) {
        this.carry = Buffer.from(buf);
        return;
      }
      this.started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
    }
    for (;;) {
      const nl = buf.indexOf(10, pos);
      if (nl === -1) break;
      this.lineText(buf.toString("utf8", pos, nl));
      pos = nl + 1;
    }
    this.carry = pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
  }

  end(): void {
    if (this.carry) {
      let text = this.carry.toString("utf8");
      if (!this.started && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.lineText(text);
    }
    this.carry = null;
    if (this.rows === 0) this.sink.issue(1, undefined, "empty file");
  }

  private lineText(text: string): void {
    const line = this.line++;
    if (text.trim() === "") return;
    this.rows++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.sink.issue(line, undefined, `invalid JSON: ${(e as Error).message}`);
      return;
    }
    jsonRow(value, line, this.sink);
  }
}

const WS = new Uint8Array(256);
WS[32] = WS[9] = WS[10] = WS[13] = 1;

/** A JSON array of row objects, read element by element. */
export class JsonArrayRowReader {
  private state: "start" | "between" | "value" | "done" | "failed" = "start";
  private needComma = false;
  private parts: Buffer[] = [];
  private depth = 0;
  private inString = false;
  private escape = false;
  private scalar = false;
  private index = 0;
  private physLine = 1;
  private valueLine = 1;
  private bomChecked = false;
  private sawArray = false;

  constructor(private readonly sink: RowSink) {}

  push(chunk: Uint8Array): void {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let i = 0;
    if (!this.bomChecked && buf.length > 0) {
      this.bomChecked = true;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    }
    let capStart = this.state === "value" ? i : -1;
    for (; i < buf.length; i++) {
      const c = buf[i];
      if (this.state === "value") {
        if (this.inString) {
          if (this.escape) this.escape = false;
          else if (c === 92) this.escape = true;
          else if (c === 34) this.inString = false;
          else if (c === 10) this.physLine++;
          continue;
        }
        if (this.scalar) {
          if (c === 44 || c === 93 || WS[c]) {
            this.parts.push(buf.subarray(capStart, i));
            this.emit();
            capStart = -1;
            i--; // re-read the delimiter
          }
          continue;
        }
        if (c === 34) this.inString = true;
        else if (c === 123 || c === 91) this.depth++;
        else if (c === 125 || c === 93) {
          this.depth--;
          if (this.depth === 0) {
            this.parts.push(buf.subarray(capStart, i + 1));
            this.emit();
            capStart = -1;
          }
        } else if (c === 10) this.physLine++;
        continue;
      }
      if (c === 10) this.physLine++;
      if (WS[c]) continue;
      if (this.state === "failed") return;
      if (this.state === "done") {
        this.fail("unexpected data after the closing ]");
        return;
      }
      if (this.state === "start") {
        if (c !== 91) {
          this.fail(`a JSON ${this.sink.fileKind} file must be an array of objects`);
          return;
        }
        this.sawArray = true;
        this.state = "between";
        continue;
      }
      // between elements
      if (c === 93) {
        this.state = "done";
        continue;
      }
      if (c === 44) {
        if (!this.needComma) {
          this.fail("unexpected ,");
          return;
        }
        this.needComma = false;
        continue;
      }
      if (this.needComma) {
        this.fail("missing , between array elements");
        return;
      }
      this.state = "value";
      this.valueLine = this.physLine;
      this.depth = c === 123 || c === 91 ? 1 : 0;
      this.inString = c === 34;
      this.scalar = this.depth === 0 && !this.inString;
      if (this.inString) this.scalar = false;
      capStart = i;
      if (this.inString) {
        // a string element: capture until its closing quote, handled as a scalar afterwards
        this.scalar = true;
      }
    }
    if (this.state === "value" && capStart >= 0) this.parts.push(Buffer.from(buf.subarray(capStart)));
  }

  end(): void {
    if (this.state === "value") {
      if (this.scalar && !this.inString) this.emit();
      else this.fail("unexpected end of file inside an array element");
    }
    if (!this.sawArray && this.state !== "failed") this.sink.issue(1, undefined, "empty file");
    else if (this.state !== "done" && this.state !== "failed") this.fail("unexpected end of file: missing ]");
  }

  private emit(): void {
    const text = Buffer.concat(this.parts).toString("utf8");
    this.parts = [];
    this.state = "between";
    this.needComma = true;
    const index = ++this.index;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.sink.issue(index, undefined, `invalid JSON at physical line ${this.valueLine}: ${(e as Error).message}`);
      return;
    }
    jsonRow(value, index, this.sink);
  }

  private fail(reason: string): void {
    this.state = "failed";
    this.sink.issue(this.index + 1, undefined, `${reason} (physical line ${this.physLine})`);
  }
}
