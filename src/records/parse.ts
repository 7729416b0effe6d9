/**
 * Entry points of the records readers: a file path, a string/bytes, or any async iterable of
 * chunks, in CSV, JSON (array) or NDJSON (usage files go through the same driver: ./usage). The result is a RecordTable (packed rows, no object per
 * record); any bad row makes the whole read fail with one RecordsError listing every issue.
 */
import fs from "fs";
import path from "path";

import { InvalidInputError } from "../errors";
import { CsvRowReader } from "./csv";
import { JsonArrayRowReader, NdjsonRowReader } from "./json";
import { RowSink } from "./rows";
import { ParseRecordsOptions, RecordSink } from "./sink";
import { RecordTable } from "./table";

export type RecordsFormat = "csv" | "json" | "ndjson";

export interface ReadRecordsOptions extends ParseRecordsOptions {
  /** Format; by default from the file extension (.csv, .json, .ndjson/.jsonl) or sniffed from the first byte. */
  format?: RecordsFormat;
}

interface ChunkReader {
  push(chunk: Uint8Array): void;
  end(): void;
}

function readerFor(format: RecordsFormat, sink: RowSink): ChunkReader {
  switch (format) {
    case "csv":
      return new CsvRowReader(sink);
    case "json":
      return new JsonArrayRowReader(sink);
    case "ndjson":
      return new NdjsonRowReader(sink);
    default:
      throw new InvalidInputError(`unknown ${sink.fileKind} format "${String(format)}" (expected csv, json or ndjson)`);
  }
}

/** The format implied by a file name, if any. */
export function formatFromFileName(file: string): RecordsFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv") return "csv";
  if (ext === ".json") return "json";
  if (ext === ".ndjson" || ext === ".jsonl") return "ndjson";
  return undefined;
}

/** Guesses the format from the first non-blank byte: `[` JSON, `{` NDJSON, anything else CSV. */
export function sniffFormat(head: Uint8Array): RecordsFormat {
  let i = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 32 || head[i] === 9 || head[i] === 10 || head[i] === 13)) i++;
  if (head[i] === 0x5b) return "json";
  if (head[i] === 0x7b) return "ndjson";
  return "csv";
}

/**
 * Feeds chunks (a stream) in `format` (sniffed from the first non-blank byte if not given) to any
 * RowSink: the one streaming driver of the node-record and usage readers. `afterChunk` runs after
 * each chunk is consumed.
 */
export async function feedRows(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, sink: RowSink, format?: RecordsFormat, afterChunk?: () => void): Promise<void> {
  let reader: ChunkReader | null = format ? readerFor(format, sink) : null;
  let pending: Uint8Array[] = [];
  for await (const c of chunks as AsyncIterable<Uint8Array | string>) {
    const chunk = typeof c === "string" ? Buffer.from(c, "utf8") : c;
    if (!reader) {
      pending.push(chunk);
      const head = Buffer.concat(pending);
      if (head.toString("latin1").replace(/^\xef\xbb\xbf/, "").trim() === "") continue;
      reader = readerFor(sniffFormat(head), sink);
      for (const p of pending) reader.push(p);
      pending = [];
      afterChunk?.();
      continue;
    }
    reader.push(chunk);
    afterChunk?.();
  }
  reader ??= readerFor(format ?? "csv", sink);
  for (const p of pending) reader.push(p);
  reader.end();
}

/** A file as a stream of 4 MiB chunks, with its format (from the extension unless given); `kind` names it in the not-found error. */
export function openRowsFile(file: string, kind: string, format?: RecordsFormat): { chunks: AsyncIterable<Uint8Array>; format?: RecordsFormat } {
  if (!fs.existsSync(file)) throw new InvalidInputError(`${kind} file not found: ${file}`);
  return { chunks: fs.createReadStream(file, { highWaterMark: 4 * 1024 * 1024 }) as AsyncIterable<Buffer>, format: format ?? formatFromFileName(file) };
}

/**
 * Reads records from chunks (a stream). Throws RecordsError if any row is bad.
 *
 * @example
 * const table = await parseRecordStream(fs.createReadStream("epoch-7.csv"), { format: "csv", epoch: 7n });
 */
export async function parseRecordStream(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, options: ReadRecordsOptions = {}): Promise<RecordTable> {
  const sink = new RecordSink(options);
  const progress = options.onProgress;
  await feedRows(chunks, sink, options.format, progress && (() => progress(sink.table)));
  return sink.finish();
}

/** Reads records from an in-memory string or bytes. */
export async function parseRecords(input: string | Uint8Array, options: ReadRecordsOptions = {}): Promise<RecordTable> {
  return parseRecordStream([typeof input === "string" ? Buffer.from(input, "utf8") : input], options);
}

/**
 * Reads a records file (streaming, 4 MiB chunks).
 *
 * @example
 * const table = await readRecordsFile("epoch-7.csv", { epoch: 7n });
 * console.log(table.count, table.get(0));
 */
export async function readRecordsFile(file: string, options: ReadRecordsOptions = {}): Promise<RecordTable> {
  const { chunks, format } = openRowsFile(file, "records", options.format);
  return parseRecordStream(chunks, { ...options, format, file: options.file ?? file });
}
