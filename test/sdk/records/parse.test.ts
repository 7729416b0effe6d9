import { expect } from "chai";
import fc from "fast-check";
import fs from "fs";
import os from "os";
import path from "path";
import { concat, keccak256, solidityPacked, toUtf8Bytes } from "ethers";

import { RecordIssue, RecordsError } from "../../../src/errors";
import { RECORD_PACKED_TYPES, canonicalDataHash } from "../../../src/records/canonical";
import { formatRecordIssues } from "../../../src/records/issues";
import { normalizeNodeId } from "../../../src/records/nodeId";
import { RecordsFormat, parseRecordStream, parseRecords, readRecordsFile } from "../../../src/records/parse";
import { WorkRecord } from "../../../src/records/types";

const HEADER = "nodeId,epoch,workUnits,uptimeBps,revenue,evidence";
const EV = "0x" + "ab".repeat(32);
const ID = "0x" + "11".repeat(32);
const ID2 = "0x" + "22".repeat(32);
const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;
const SMALLEST_UNIT = (example: string) => `amounts in files are integers in the token's smallest unit: ${example}; only CLI flags such as --amount take decimals`;

async function issuesOf(input: string | Buffer, opts: { epoch?: bigint; format?: RecordsFormat } = {}): Promise<RecordIssue[]> {
  try {
    await parseRecords(input, { epoch: 7n, ...opts });
  } catch (e) {
    expect(e).to.be.instanceOf(RecordsError);
    return (e as RecordsError).issues;
  }
  throw new Error("expected a RecordsError");
}

const csv = (...rows: string[]) => [HEADER, ...rows].join("\n") + "\n";
const row = (over: Partial<Record<"nodeId" | "epoch" | "workUnits" | "uptimeBps" | "revenue" | "evidence", string>> = {}) =>
  [over.nodeId ?? ID, over.epoch ?? "7", over.workUnits ?? "10", over.uptimeBps ?? "9000", over.revenue ?? "5", over.evidence ?? EV].join(",");

describe("records: parsing", () => {
  describe("valid files", () => {
    it("reads CSV, JSON and NDJSON of the same records into identical tables", async () => {
      const recs = [
        { nodeId: "hotspot-1", epoch: "7", workUnits: "18446744073709551615", uptimeBps: "10000", revenue: U128_MAX.toString(), evidence: EV },
        { nodeId: ID, epoch: "7", workUnits: "0", uptimeBps: "0", revenue: "0", evidence: EV },
      ];
      const c = await parseRecords(csv(...recs.map((r) => row(r))));
      const j = await parseRecords(JSON.stringify(recs, null, 2));
      const nd = await parseRecords(recs.map((r) => JSON.stringify(r)).join("\n"));
      expect(c.toArray()).to.deep.equal(j.toArray());
      expect(c.toArray()).to.deep.equal(nd.toArray());
      const first = c.get(0);
      expect(first.nodeId).to.equal(keccak256(toUtf8Bytes("hotspot-1")));
      expect(first.workUnits).to.equal(U64_MAX);
      expect(first.revenue).to.equal(U128_MAX);
      expect(c.get(1)).to.deep.equal({ nodeId: ID, epoch: 7n, workUnits: 0n, uptimeBps: 0, revenue: 0n, evidence: EV });
    });

    it("accepts a BOM, CRLF, quoted fields with commas, quotes and newlines, columns in any order", async () => {
      const text =
        "\ufeffevidence,nodeId,epoch,workUnits,uptimeBps,revenue\r\n" +
        `${EV},"node ""a"",\nwest",7,1,2,"3"\r\n` +
        `${EV},${ID2},7,4,5,6\r\n`;
      const t = await parseRecords(text);
      expect(t.count).to.equal(2);
      expect(t.get(0).nodeId).to.equal(keccak256(toUtf8Bytes('node "a",\nwest')));
      expect(t.get(0).revenue).to.equal(3n);
      expect(t.lines[1]).to.equal(4); // the quoted newline moves the next row to line 4
      expect(t.get(1)).to.deep.equal({ nodeId: ID2, epoch: 7n, workUnits: 4n, uptimeBps: 5, revenue: 6n, evidence: EV });
    });

    it("gives the same table whatever the chunking of the stream (1-byte chunks)", async () => {
      const text = "\ufeff" + csv(row(), `"q,1",7,1,2,3,${EV}`, row({ nodeId: ID2 })).replace(/\n/g, "\r\n");
      const whole = await parseRecords(text);
      const bytes = Buffer.from(text, "utf8");
      const oneByOne = await parseRecordStream(Array.from(bytes, (b) => Buffer.from([b])), { epoch: 7n, format: "csv" });
      expect(oneByOne.toArray()).to.deep.equal(whole.toArray());
      const json = JSON.stringify([{ nodeId: "x", epoch: 7, workUnits: 1, uptimeBps: 2, revenue: "3", evidence: EV }]);
      const jb = Buffer.from(json);
      const jsonChunks = await parseRecordStream(Array.from(jb, (b) => Buffer.from([b])), { epoch: 7n, format: "json" });
      expect(jsonChunks.get(0).nodeId).to.equal(keccak256(toUtf8Bytes("x")));
    });

    it("reads any uint128 revenue and uint64 workUnits exactly, with or without leading zeros (300 random values)", async () => {
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 0n, max: U128_MAX }), fc.bigInt({ min: 0n, max: U64_MAX }), fc.nat(5), async (rev, work, zeros) => {
          const t = await parseRecords(csv(row({ revenue: "0".repeat(zeros) + rev.toString(), workUnits: work.toString() })));
          expect(t.get(0).revenue).to.equal(rev);
          expect(t.get(0).workUnits).to.equal(work);
        }),
        { numRuns: 300, seed: 42 },
      );
    });

    it("reads a file from disk, format from the extension", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-records-"));
      try {
        fs.writeFileSync(path.join(dir, "e.ndjson"), JSON.stringify({ nodeId: ID, epoch: 7, workUnits: 1, uptimeBps: 2, revenue: 3, evidence: EV }) + "\n");
        const t = await readRecordsFile(path.join(dir, "e.ndjson"), { epoch: 7n });
        expect(t.get(0).workUnits).to.equal(1n);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("treats a header-only CSV and [] as an empty epoch", async () => {
      expect((await parseRecords(HEADER + "\n")).count).to.equal(0);
      expect((await parseRecords("[]")).count).to.equal(0);
    });

    it("applies the nodeId rule: 0x hex lowercased, anything else hashed", () => {
      expect(normalizeNodeId("0x" + "AB".repeat(32))).to.equal("0x" + "ab".repeat(32));
      expect(normalizeNodeId("gpu-7")).to.equal(keccak256(toUtf8Bytes("gpu-7")));
      expect(() => normalizeNodeId("0x1234")).to.throw(/32-byte hex/);
    });

    it("computes dataHash over the records sorted by nodeId, packed, whatever the file order", async () => {
      const a = await parseRecords(csv(row({ nodeId: ID2, workUnits: "1" }), row({ nodeId: ID, workUnits: "2" })));
      const b = await parseRecords(csv(row({ nodeId: ID, workUnits: "2" }), row({ nodeId: ID2, workUnits: "1" })));
      const sorted: WorkRecord[] = [b.get(0), b.get(1)];
      const expected = keccak256(concat(sorted.map((r) => solidityPacked([...RECORD_PACKED_TYPES], [r.nodeId, r.epoch, r.workUnits, r.uptimeBps, r.revenue, r.evidence]))));
      expect(canonicalDataHash(a)).to.equal(expected);
      expect(canonicalDataHash(b)).to.equal(expected);
    });
  });

  describe("malformed input: each reports its exact line, column and reason", () => {
    const cases: { name: string; input: string | Buffer; format?: RecordsFormat; epoch?: bigint; issues: RecordIssue[] }[] = [
      { name: "empty file", input: "", issues: [{ line: 1, reason: `empty file: no header row (expected ${HEADER})` }] },
      { name: "BOM and blank lines only", input: "\ufeff\n\n", issues: [{ line: 1, reason: `empty file: no header row (expected ${HEADER})` }] },
      { name: "empty NDJSON", input: "\n", format: "ndjson", issues: [{ line: 1, reason: "empty file" }] },
      { name: "empty JSON", input: "  ", format: "json", issues: [{ line: 1, reason: "empty file" }] },
      { name: "header misses a column", input: "nodeId,epoch,workUnits,uptimeBps,revenue\n", issues: [{ line: 1, column: "evidence", reason: "missing column in header" }] },
      {
        name: "header has an unknown column",
        input: HEADER + ",note\n",
        issues: [{ line: 1, column: "note", reason: 'unknown column "note" (expected nodeId,epoch,workUnits,uptimeBps,revenue,evidence)' }],
      },
      { name: "header repeats a column", input: "nodeId,epoch,workUnits,uptimeBps,revenue,evidence,epoch\n", issues: [{ line: 1, column: "epoch", reason: 'duplicate column "epoch"' }] },
      { name: "row misses a column", input: csv(row(), [ID2, "7", "1", "2", "3"].join(",")), issues: [{ line: 3, column: "evidence", reason: "missing column: row has 5 fields, header has 6" }] },
      { name: "row has an extra column", input: csv(row() + ",x"), issues: [{ line: 2, reason: "extra column: row has 7 fields, header has 6" }] },
      { name: "bad hex in evidence", input: csv(row({ evidence: "0x" + "zz".repeat(32) })), issues: [{ line: 2, column: "evidence", reason: "bad hex character 'z' in evidence" }] },
      { name: "short evidence", input: csv(row({ evidence: "0x1234" })), issues: [{ line: 2, column: "evidence", reason: "evidence must be 32-byte hex (64 hex digits), got 4 digits" }] },
      { name: "evidence without 0x", input: csv(row({ evidence: "ab".repeat(32) })), issues: [{ line: 2, column: "evidence", reason: "evidence must be 0x-prefixed 32-byte hex" }] },
      { name: "empty evidence", input: csv(row({ evidence: "" })), issues: [{ line: 2, column: "evidence", reason: "empty evidence" }] },
      { name: "0x nodeId of 31 bytes", input: csv(row({ nodeId: "0x" + "11".repeat(31) })), issues: [{ line: 2, column: "nodeId", reason: "nodeId must be 32-byte hex (64 hex digits), got 62 digits" }] },
      { name: "0x nodeId with a bad character", input: csv(row({ nodeId: "0x" + "1g".repeat(32) })), issues: [{ line: 2, column: "nodeId", reason: "bad hex character 'g' in nodeId" }] },
      { name: "empty nodeId", input: csv(row({ nodeId: "" })), issues: [{ line: 2, column: "nodeId", reason: "empty nodeId" }] },
      { name: "negative workUnits", input: csv(row({ workUnits: "-5" })), issues: [{ line: 2, column: "workUnits", reason: "negative workUnits: -5" }] },
      {
        name: "decimal revenue: the error says records hold the token's smallest unit",
        input: csv(row({ revenue: "1.078920" })),
        issues: [{ line: 2, column: "revenue", reason: `revenue is not an integer: 1.078920 (${SMALLEST_UNIT("1.078920 of a 6-decimal token is 1078920")})` }],
      },
      {
        name: "decimal revenue with 8 places: the example scales to 18 decimals",
        input: csv(row({ revenue: ".12345678" })),
        issues: [{ line: 2, column: "revenue", reason: `revenue is not an integer: .12345678 (${SMALLEST_UNIT(".12345678 of an 18-decimal token is 123456780000000000")})` }],
      },
      {
        name: "exponent revenue",
        input: csv(row({ revenue: "1e18" })),
        issues: [{ line: 2, column: "revenue", reason: `revenue is not an integer: 1e18 (${SMALLEST_UNIT("1.5 of a 6-decimal token is 1500000")})` }],
      },
      { name: "decimal workUnits (not an amount: no token hint)", input: csv(row({ workUnits: "2.5" })), issues: [{ line: 2, column: "workUnits", reason: "workUnits is not an integer: 2.5" }] },
      { name: "hex workUnits", input: csv(row({ workUnits: "0x10" })), issues: [{ line: 2, column: "workUnits", reason: "workUnits is not a decimal integer: 0x10" }] },
      { name: "workUnits with a space", input: csv(row({ workUnits: " 10" })), issues: [{ line: 2, column: "workUnits", reason: "workUnits is not a decimal integer:  10" }] },
      { name: "empty workUnits", input: csv(row({ workUnits: "" })), issues: [{ line: 2, column: "workUnits", reason: "empty workUnits" }] },
      { name: "workUnits overflows uint64", input: csv(row({ workUnits: (U64_MAX + 1n).toString() })), issues: [{ line: 2, column: "workUnits", reason: "workUnits 18446744073709551616 exceeds uint64 maximum" }] },
      {
        name: "revenue overflows uint128",
        input: csv(row({ revenue: (U128_MAX + 1n).toString() })),
        issues: [{ line: 2, column: "revenue", reason: `revenue ${U128_MAX + 1n} exceeds uint128 maximum` }],
      },
      { name: "revenue far beyond uint128", input: csv(row({ revenue: "9".repeat(60) })), issues: [{ line: 2, column: "revenue", reason: `revenue ${"9".repeat(60)} exceeds uint128 maximum` }] },
      { name: "epoch overflows uint64", input: csv(row({ epoch: "18446744073709551616" })), issues: [{ line: 2, column: "epoch", reason: "epoch 18446744073709551616 exceeds uint64 maximum" }] },
      { name: "uptime above 10000", input: csv(row({ uptimeBps: "10001" })), issues: [{ line: 2, column: "uptimeBps", reason: "uptimeBps 10001 exceeds 10000" }] },
      { name: "uptime above uint16", input: csv(row({ uptimeBps: "70000" })), issues: [{ line: 2, column: "uptimeBps", reason: "uptimeBps 70000 exceeds uint16 maximum" }] },
      { name: "negative uptime", input: csv(row({ uptimeBps: "-1" })), issues: [{ line: 2, column: "uptimeBps", reason: "negative uptimeBps: -1" }] },
      { name: "epoch mismatch with the expected epoch", input: csv(row(), row({ nodeId: ID2, epoch: "8" })), issues: [{ line: 3, column: "epoch", reason: "epoch mismatch: expected 7, got 8" }] },
      {
        name: "epoch mismatch with the first row when no epoch is given",
        input: csv(row({ epoch: "3" }), row({ nodeId: ID2, epoch: "4" })),
        epoch: undefined,
        issues: [{ line: 3, column: "epoch", reason: "epoch mismatch: expected 3 (the first row's), got 4" }],
      },
      {
        name: "duplicate nodeId (hex and the same hex in capitals)",
        input: csv(row(), row({ nodeId: ID2 }), row({ nodeId: ID.toUpperCase().replace("0X", "0x") })),
        issues: [{ line: 4, column: "nodeId", reason: `duplicate nodeId ${ID} (first at line 2)` }],
      },
      {
        name: "duplicate hashed nodeId, three times",
        input: csv(row({ nodeId: "n1" }), row({ nodeId: "n1" }), row({ nodeId: "n1" })),
        issues: [
          { line: 3, column: "nodeId", reason: `duplicate nodeId ${keccak256(toUtf8Bytes("n1"))} (first at line 2)` },
          { line: 4, column: "nodeId", reason: `duplicate nodeId ${keccak256(toUtf8Bytes("n1"))} (first at line 2)` },
        ],
      },
      { name: "unterminated quote", input: csv(`"abc,7,1,2,3,${EV}`), issues: [{ line: 2, reason: "unterminated quoted field" }] },
      { name: "text after a closing quote", input: csv(`"abc"x,7,1,2,3,${EV}`), issues: [{ line: 2, reason: "unexpected character 'x' after closing quote" }] },
      { name: "quote inside an unquoted field", input: csv(`ab"c,7,1,2,3,${EV}`), issues: [{ line: 2, reason: "quote inside an unquoted field" }] },
      {
        name: "several problems in one row, all reported in column order",
        input: csv(row({ workUnits: "-1", uptimeBps: "10001", revenue: "x" })),
        issues: [
          { line: 2, column: "workUnits", reason: "negative workUnits: -1" },
          { line: 2, column: "uptimeBps", reason: "uptimeBps 10001 exceeds 10000" },
          { line: 2, column: "revenue", reason: "revenue is not a decimal integer: x" },
        ],
      },
      { name: "CRLF row with a bad value keeps its line", input: csv(row(), row({ nodeId: ID2, uptimeBps: "10001" })).replace(/\n/g, "\r\n"), issues: [{ line: 3, column: "uptimeBps", reason: "uptimeBps 10001 exceeds 10000" }] },
      // NDJSON
      { name: "NDJSON: invalid JSON line", input: `{"nodeId":"a"\n`, format: "ndjson", issues: [{ line: 1, reason: "invalid JSON: Expected ',' or '}' after property value in JSON at position 13" }] },
      {
        name: "NDJSON: missing field",
        input: JSON.stringify({ nodeId: "a", epoch: 7, workUnits: 1, uptimeBps: 2, revenue: 3 }) + "\n",
        format: "ndjson",
        issues: [{ line: 1, column: "evidence", reason: "missing column" }],
      },
      {
        name: "NDJSON: extra field",
        input: "\n" + JSON.stringify({ nodeId: "a", epoch: 7, workUnits: 1, uptimeBps: 2, revenue: 3, evidence: EV, note: 1 }) + "\n",
        format: "ndjson",
        issues: [{ line: 2, column: "note", reason: 'extra column "note"' }],
      },
      {
        name: "NDJSON: unsafe JSON number",
        input: JSON.stringify({ nodeId: "a", epoch: 7, workUnits: 1, uptimeBps: 2, revenue: 3, evidence: EV }).replace('"revenue":3', '"revenue":18446744073709551616') + "\n",
        format: "ndjson",
        issues: [{ line: 1, column: "revenue", reason: "revenue 18446744073709552000 is not a safe JSON number; write it as a decimal string" }],
      },
      {
        name: "NDJSON: boolean where a number belongs",
        input: JSON.stringify({ nodeId: "a", epoch: 7, workUnits: true, uptimeBps: 2, revenue: 3, evidence: EV }) + "\n",
        format: "ndjson",
        issues: [{ line: 1, column: "workUnits", reason: "workUnits must be a decimal string or an integer" }],
      },
      {
        name: "NDJSON: negative and fractional JSON numbers",
        input: JSON.stringify({ nodeId: "a", epoch: 7, workUnits: -1, uptimeBps: 2.5, revenue: 3, evidence: EV }) + "\n",
        format: "ndjson",
        issues: [
          { line: 1, column: "workUnits", reason: "negative workUnits: -1" },
          { line: 1, column: "uptimeBps", reason: "uptimeBps is not an integer: 2.5" },
        ],
      },
      // JSON array (line = record index + 1)
      { name: "JSON: not an array", input: `{"a":1}`, format: "json", issues: [{ line: 1, reason: "a JSON records file must be an array of objects (physical line 1)" }] },
      { name: "JSON: element is not an object", input: `[1]`, format: "json", issues: [{ line: 1, reason: "expected a record object, got number" }] },
      { name: "JSON: missing ]", input: `[`, format: "json", issues: [{ line: 1, reason: "unexpected end of file: missing ] (physical line 1)" }] },
      {
        name: "JSON: second record has a bad uptime",
        input: JSON.stringify([
          { nodeId: "a", epoch: 7, workUnits: 1, uptimeBps: 2, revenue: 3, evidence: EV },
          { nodeId: "b", epoch: "7", workUnits: "1", uptimeBps: "20000", revenue: "3", evidence: EV },
        ]),
        format: "json",
        issues: [{ line: 2, column: "uptimeBps", reason: "uptimeBps 20000 exceeds 10000" }],
      },
      {
        name: "JSON: text after the array",
        input: `[] x`,
        format: "json",
        issues: [{ line: 1, reason: "unexpected data after the closing ] (physical line 1)" }],
      },
    ];

    for (const c of cases) {
      it(c.name, async () => {
        const issues = await issuesOf(c.input, { format: c.format, epoch: "epoch" in c ? c.epoch : 7n });
        expect(issues).to.deep.equal(c.issues);
      });
    }

    it("has at least 30 malformed cases", () => {
      expect(cases.length).to.be.at.least(30);
    });

    it("lists every bad row of a file, not just the first", async () => {
      const rows = [row()];
      for (let i = 0; i < 50; i++) rows.push(row({ nodeId: `n${i}`, uptimeBps: String(10001 + i) }));
      const issues = await issuesOf(csv(...rows));
      expect(issues.length).to.equal(50);
      expect(issues[49]).to.deep.equal({ line: 52, column: "uptimeBps", reason: "uptimeBps 10050 exceeds 10000" });
    });

    it("names the file in the error message", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-records-"));
      try {
        const f = path.join(dir, "bad.csv");
        fs.writeFileSync(f, csv(row({ uptimeBps: "10001" })));
        const err = await readRecordsFile(f, { epoch: 7n }).catch((e) => e);
        expect(err).to.be.instanceOf(RecordsError);
        expect(err.message).to.equal(`${f}: line 2, column uptimeBps: uptimeBps 10001 exceeds 10000`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe("records: how a file's problems are shown (issue #12: up to 20 bad rows, each with line and column)", () => {
  it("lists every bad row of a file with several, up to 20, each with its line and column, then sums up the rest", async () => {
    const rows = [row()];
    for (let i = 0; i < 23; i++) rows.push(row({ nodeId: `n${i}`, revenue: `${i}.5` }));
    const issues = await issuesOf(csv(...rows));
    const text = formatRecordIssues(issues, { file: "epoch-7.csv" });
    const lines = text.split("\n");
    expect(lines[0]).to.equal("epoch-7.csv: 23 problems in 23 rows");
    expect(lines.slice(1, 21)).to.deep.equal(
      Array.from({ length: 20 }, (_, i) => `  line ${i + 3}, column revenue: revenue is not an integer: ${i}.5 (${SMALLEST_UNIT(`${i}.5 of a 6-decimal token is ${BigInt(`${i}500000`)}`)})`),
    );
    expect(lines[21]).to.equal("  … and 3 more problems");
    expect(lines.length).to.equal(22);
  });

  it("shows three bad rows in full (not `… (and 2 more)`), and a single problem on one line", async () => {
    const issues = await issuesOf(csv(row({ uptimeBps: "10001" }), row({ nodeId: ID2, workUnits: "x", revenue: "-1" }), row({ nodeId: "n3", evidence: "0x12" })));
    expect(formatRecordIssues(issues)).to.equal(
      [
        "4 problems in 3 rows",
        "  line 2, column uptimeBps: uptimeBps 10001 exceeds 10000",
        "  line 3, column workUnits: workUnits is not a decimal integer: x",
        "  line 3, column revenue: negative revenue: -1",
        "  line 4, column evidence: evidence must be 32-byte hex (64 hex digits), got 2 digits",
      ].join("\n"),
    );
    expect(formatRecordIssues(issues.slice(0, 1), { file: "f.csv" })).to.equal("f.csv: line 2, column uptimeBps: uptimeBps 10001 exceeds 10000");
    expect(formatRecordIssues([{ line: 1, reason: "empty file" }], { limit: 20 })).to.equal("line 1: empty file");
  });
});
