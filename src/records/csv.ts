/**
 * Streaming CSV reader (RFC 4180): a header row naming the sink's columns (any order), then one
 * row per record (node records, usage records: see ./rows). Quoted fields (with `""` escapes and embedded newlines), a UTF-8 BOM and CRLF line
 * ends are accepted; empty lines are skipped. Rows without quotes take a fast path that never
 * builds strings. Line numbers are physical lines (a row with a quoted newline is reported at the
 * line it starts on).
 */
import { RowSink } from "./rows";

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;

/** Chunked RFC 4180 CSV reader feeding a RowSink (see the module doc). */
export class CsvRowReader {
  private carry: Buffer | null = null;
  private line = 1;
  private started = false;
  private header: number[] | null = null; // header position -> column index
  private headerBad = false;
  private readonly columns: readonly string[];
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private fs: number[] = [];
  private fe: number[] = [];
  private scratch = Buffer.alloc(1024);
  private readonly bufs: Buffer[] = [];

  constructor(private readonly sink: RowSink) {
    this.columns = sink.columns;
    this.starts = new Int32Array(this.columns.length);
    this.ends = new Int32Array(this.columns.length);
  }

  /** Feeds a chunk of the file. */
  push(chunk: Uint8Array): void {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.carry) buf = Buffer.concat([this.carry, buf]);
    const used = this.process(buf, false);
    this.carry = used < buf.length ? Buffer.from(buf.subarray(used)) : null;
  }

  /** Ends the input. */
  end(): void {
    if (this.carry) this.process(this.carry, true);
    this.carry = null;
    if (!this.header && !this.headerBad) this.sink.issue(1, undefined, `empty file: no header row (expected ${this.columns.join(",")})`);
  }

  private process(buf: Buffer, final: boolean): number {
    let pos = 0;
    if (!this.started) {
      if (buf.length < 3 && !final) return 0;
      this.started = true;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
    }
    const len = buf.length;
    let nextQuote = buf.indexOf(QUOTE, pos);
    while (pos < len) {
      const nl = buf.indexOf(LF, pos);
      if (nl === -1 && !final) break;
      const lineEnd = nl === -1 ? len : nl;
      if (nextQuote !== -1 && nextQuote < pos) nextQuote = buf.indexOf(QUOTE, pos);
      if (nextQuote !== -1 && nextQuote < lineEnd) {
        const r = this.parseQuotedRecord(buf, pos, final);
        if (r < 0) break; // incomplete: wait for more data
        pos = r;
        continue;
      }
      let e = lineEnd;
      if (e > pos && buf[e - 1] === CR) e--;
      if (e > pos) {
        const fs = this.fs;
        const fe = this.fe;
        let nf = 0;
        let s = pos;
        for (;;) {
          const c = buf.indexOf(COMMA, s);
          if (c === -1 || c >= e) {
            fs[nf] = s;
            fe[nf++] = e;
            break;
          }
          fs[nf] = s;
          fe[nf++] = c;
          s = c + 1;
        }
        this.record(buf, nf, this.line);
      }
      this.line++;
      pos = nl === -1 ? len : nl + 1;
    }
    return pos;
  }

  /** Parses one record containing quotes from `pos`; returns the position after it, or -1 if incomplete. */
  private parseQuotedRecord(buf: Buffer, pos: number, final: boolean): number {
    const len = buf.length;
    const startLine = this.line;
    let lines = 0;
    let i = pos;
    let nf = 0;
    let w = 0;
    const fs = this.fs;
    const fe = this.fe;
    let problem: string | null = null;
    const put = (c: number) => {
      if (w >= this.scratch.length) {
        const bigger = Buffer.alloc(this.scratch.length * 2);
        this.scratch.copy(bigger);
        this.scratch = bigger;
      }
      this.scratch[w++] = c;
    };
    for (;;) {
      fs[nf] = w;
      if (i < len && buf[i] === QUOTE) {
        i++;
        let closed = false;
        while (i < len) {
          const c = buf[i];
          if (c === QUOTE) {
            if (i + 1 >= len && !final) return -1;
            if (buf[i + 1] === QUOTE) {
              put(QUOTE);
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === LF) lines++;
          put(c);
          i++;
        }
        if (!closed) {
          if (!final) return -1;
          problem ??= "unterminated quoted field";
          fe[nf++] = w;
          break;
        }
        fe[nf++] = w;
        if (i >= len) {
          if (!final) return -1;
          break;
        }
        if (buf[i] === COMMA) {
          i++;
          continue;
        }
        if (buf[i] === LF || (buf[i] === CR && buf[i + 1] === LF)) break;
        if (buf[i] === CR && i + 1 >= len && !final) return -1;
        problem ??= `unexpected character '${String.fromCharCode(buf[i])}' after closing quote`;
        while (i < len && buf[i] !== LF) i++;
        if (i >= len && !final) return -1;
        break;
      }
      while (i < len && buf[i] !== COMMA && buf[i] !== LF) {
        if (buf[i] === QUOTE) problem ??= "quote inside an unquoted field";
        put(buf[i]);
        i++;
      }
      if (i >= len && !final) return -1;
      if (w > fs[nf] && (i >= len || buf[i] === LF) && this.scratch[w - 1] === CR) w--;
      fe[nf++] = w;
      if (i < len && buf[i] === COMMA) {
        i++;
        continue;
      }
      break;
    }
    // i is at the terminating LF (or CR LF) or at the end of the input
    if (i < len && buf[i] === CR) i++;
    if (i < len && buf[i] === LF) {
      i++;
      lines++;
    }
    this.line = startLine + lines;
    if (problem) {
      this.sink.issue(startLine, undefined, problem);
      if (!this.header) this.headerBad = true;
    } else {
      this.record(this.scratch, nf, startLine);
    }
    return i;
  }

  private record(buf: Buffer, nf: number, line: number): void {
    if (this.headerBad) return;
    if (!this.header) {
      this.parseHeader(buf, nf, line);
      return;
    }
    const h = this.header;
    if (nf !== h.length) {
      if (nf < h.length) this.sink.issue(line, this.columns[h[nf]], `missing column: row has ${nf} fields, header has ${h.length}`);
      else this.sink.issue(line, undefined, `extra column: row has ${nf} fields, header has ${h.length}`);
      return;
    }
    for (let p = 0; p < nf; p++) {
      this.starts[h[p]] = this.fs[p];
      this.ends[h[p]] = this.fe[p];
    }
    if (this.bufs[0] !== buf) for (let c = 0; c < this.columns.length; c++) this.bufs[c] = buf;
    this.sink.row(line, this.bufs, this.starts, this.ends);
  }

  private parseHeader(buf: Buffer, nf: number, line: number): void {
    const names: string[] = [];
    for (let p = 0; p < nf; p++) names.push(buf.toString("utf8", this.fs[p], this.fe[p]).trim());
    const map: number[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      const col = this.columns.indexOf(name);
      if (col < 0) {
        this.sink.issue(line, name, `unknown column "${name}" (expected ${this.columns.join(",")})`);
        this.headerBad = true;
      } else if (seen.has(name)) {
        this.sink.issue(line, name, `duplicate column "${name}"`);
        this.headerBad = true;
      }
      seen.add(name);
      map.push(col);
    }
    for (const name of this.columns) {
      if (!seen.has(name)) {
        this.sink.issue(line, name, "missing column in header");
        this.headerBad = true;
      }
    }
    if (!this.headerBad) this.header = map;
  }
}
