import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { getAddress, keccak256, toUtf8Bytes } from "ethers";

import { InvalidInputError, RecordIssue, RecordsError } from "../../../src/errors";
import { RecordsFormat } from "../../../src/records/parse";
import { UsageRecord, parseUsage, parseUsageStream, readUsageFile } from "../../../src/records/usage";

const HEADER = "customer,epoch,workUnits,amount,ref";
// checksummed (mixed case) addresses; A_BAD is A with the case of one letter flipped
const A = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const B = "0xdAC17F958D2ee523a2206206994597C13D831ec7";
const A_BAD = "0x8ba1f109551Bd432803012645Ac136ddd64DBA72";
const REF = "0x" + "cd".repeat(32);
const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;
const SMALLEST_UNIT = (example: string) => `amounts in files are integers in the token's smallest unit: ${example}; only CLI flags such as --amount take decimals`;

type Field = "customer" | "epoch" | "workUnits" | "amount" | "ref";
const row = (over: Partial<Record<Field, string>> = {}) => [over.customer ?? A, over.epoch ?? "7", over.workUnits ?? "10", over.amount ?? "5", over.ref ?? REF].join(",");
const csv = (...rows: string[]) => [HEADER, ...rows].join("\n") + "\n";
const obj = (over: Record<string, unknown> = {}) => ({ customer: A, epoch: 7, workUnits: 10, amount: "5", ref: REF, ...over });
const jsonParseMessage = (text: string) => {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${text} parses`);
};

async function issuesOf(input: string | Buffer, opts: { epoch?: bigint; format?: RecordsFormat } = {}): Promise<RecordIssue[]> {
  try {
    await parseUsage(input, { epoch: 7n, ...opts });
  } catch (e) {
    expect(e).to.be.instanceOf(RecordsError);
    return (e as RecordsError).issues;
  }
  throw new Error("expected a RecordsError");
}

describe("records: usage files", () => {
  describe("valid files", () => {
    it("reads CSV, JSON and NDJSON of the same usage into the same records, addresses checksummed, text refs hashed", async () => {
      const rows = [
        { customer: A.toLowerCase(), epoch: "7", workUnits: U64_MAX.toString(), amount: U128_MAX.toString(), ref: "invoice-2026-07" },
        { customer: B.toUpperCase().replace("0X", "0x"), epoch: "7", workUnits: "0", amount: "0", ref: REF.toUpperCase().replace("0X", "0x") },
      ];
      const c = await parseUsage(csv(...rows.map((r) => row(r))), { epoch: 7n });
      const j = await parseUsage(JSON.stringify(rows, null, 2), { epoch: 7n });
      const nd = await parseUsage(rows.map((r) => JSON.stringify(r)).join("\n"), { epoch: 7n });
      const expected: UsageRecord[] = [
        { customer: A, epoch: 7n, workUnits: U64_MAX, amount: U128_MAX, ref: keccak256(toUtf8Bytes("invoice-2026-07")) },
        { customer: B, epoch: 7n, workUnits: 0n, amount: 0n, ref: REF },
      ];
      expect(c).to.deep.equal(expected);
      expect(j).to.deep.equal(expected);
      expect(nd).to.deep.equal(expected);
    });

    it("accepts columns in any order, quotes, a BOM and CRLF, and any chunking (1-byte chunks)", async () => {
      const text = "\ufeffref,amount,customer,workUnits,epoch\r\n" + `"memo, ""q1""",3,${A},2,7\r\n` + `${REF},4,${B},1,7\r\n`;
      const whole = await parseUsage(text, { epoch: 7n });
      expect(whole).to.deep.equal([
        { customer: A, epoch: 7n, workUnits: 2n, amount: 3n, ref: keccak256(toUtf8Bytes('memo, "q1"')) },
        { customer: B, epoch: 7n, workUnits: 1n, amount: 4n, ref: REF },
      ]);
      const bytes = Buffer.from(text, "utf8");
      expect(await parseUsageStream(Array.from(bytes, (b) => Buffer.from([b])), { epoch: 7n })).to.deep.equal(whole);
    });

    it("a header with no rows, and [], are an epoch with zero usage", async () => {
      expect(await parseUsage(HEADER + "\n", { epoch: 7n })).to.deep.equal([]);
      expect(await parseUsage("[]", { epoch: 7n })).to.deep.equal([]);
    });

    it("without an expected epoch, every row carries the first row's", async () => {
      expect((await parseUsage(csv(row({ epoch: "3" }), row({ customer: B, epoch: "3" })))).map((u) => u.epoch)).to.deep.equal([3n, 3n]);
    });

    it("reads a file from disk (format from the extension) and names it in errors", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-usage-"));
      try {
        const good = path.join(dir, "usage.ndjson");
        fs.writeFileSync(good, JSON.stringify(obj()) + "\n");
        expect(await readUsageFile(good, { epoch: 7n })).to.deep.equal([{ customer: A, epoch: 7n, workUnits: 10n, amount: 5n, ref: REF }]);
        const bad = path.join(dir, "usage.csv");
        fs.writeFileSync(bad, csv(row({ customer: A_BAD })));
        const err = await readUsageFile(bad, { epoch: 7n }).catch((e) => e);
        expect(err).to.be.instanceOf(RecordsError);
        expect(err.message.split("\n")[0]).to.equal(`${bad}: line 2, column customer: customer ${A_BAD} has a bad EIP-55 checksum (the case of its letters does not match: check it for a typo, or write it all lowercase)`);
        const missing = await readUsageFile(path.join(dir, "nope.csv")).catch((e) => e);
        expect(missing.message).to.equal(`usage file not found: ${path.join(dir, "nope.csv")}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("malformed usage files: each reports its exact line, column and reason", () => {
    const cases: { name: string; input: string; format?: RecordsFormat; epoch?: bigint; issues: RecordIssue[] }[] = [
      { name: "empty file (no header)", input: "", issues: [{ line: 1, reason: `empty file: no header row (expected ${HEADER})` }] },
      { name: "blank lines only", input: "\n\n", issues: [{ line: 1, reason: `empty file: no header row (expected ${HEADER})` }] },
      { name: "empty NDJSON", input: "\n", format: "ndjson", issues: [{ line: 1, reason: "empty file" }] },
      { name: "header misses a column", input: "customer,epoch,workUnits,amount\n", issues: [{ line: 1, column: "ref", reason: "missing column in header" }] },
      { name: "header has a node-record column", input: HEADER + ",revenue\n", issues: [{ line: 1, column: "revenue", reason: `unknown column "revenue" (expected ${HEADER})` }] },
      { name: "row misses a column", input: csv([B, "7", "1", "2"].join(",")), issues: [{ line: 2, column: "ref", reason: "missing column: row has 4 fields, header has 5" }] },
      { name: "row has an extra column", input: csv(row() + ",x"), issues: [{ line: 2, reason: "extra column: row has 6 fields, header has 5" }] },
      {
        name: "bad checksum (mixed case) is a checksum problem, not a length problem",
        input: csv(row({ customer: A_BAD })),
        issues: [{ line: 2, column: "customer", reason: `customer ${A_BAD} has a bad EIP-55 checksum (the case of its letters does not match: check it for a typo, or write it all lowercase)` }],
      },
      { name: "address one digit short", input: csv(row({ customer: A.slice(0, -1) })), issues: [{ line: 2, column: "customer", reason: "customer must be a 20-byte address (40 hex digits), got 39 digits" }] },
      { name: "address with a bad hex character", input: csv(row({ customer: A.slice(0, -1) + "g" })), issues: [{ line: 2, column: "customer", reason: "bad hex character 'g' in customer" }] },
      { name: "address without 0x", input: csv(row({ customer: A.slice(2) })), issues: [{ line: 2, column: "customer", reason: `customer must be a 0x-prefixed address (20 bytes, 40 hex digits), got ${A.slice(2)}` }] },
      { name: "empty customer", input: csv(row({ customer: "" })), issues: [{ line: 2, column: "customer", reason: "empty customer" }] },
      { name: "epoch mismatch with the expected epoch", input: csv(row(), row({ customer: B, epoch: "8" })), issues: [{ line: 3, column: "epoch", reason: "epoch mismatch: expected 7, got 8" }] },
      {
        name: "epoch mismatch with the first row when no epoch is given",
        input: csv(row({ epoch: "3" }), row({ customer: B, epoch: "4" })),
        epoch: undefined,
        issues: [{ line: 3, column: "epoch", reason: "epoch mismatch: expected 3 (the first row's), got 4" }],
      },
      {
        name: "duplicate customer (the same address in lowercase)",
        input: csv(row(), row({ customer: B }), row({ customer: A.toLowerCase(), ref: "other" })),
        issues: [{ line: 4, column: "customer", reason: `duplicate customer ${A} (first at line 2): one usage record per customer and epoch` }],
      },
      { name: "amount overflows uint128", input: csv(row({ amount: (U128_MAX + 1n).toString() })), issues: [{ line: 2, column: "amount", reason: `amount ${U128_MAX + 1n} exceeds uint128 maximum` }] },
      { name: "workUnits overflows uint64", input: csv(row({ workUnits: (U64_MAX + 1n).toString() })), issues: [{ line: 2, column: "workUnits", reason: `workUnits ${U64_MAX + 1n} exceeds uint64 maximum` }] },
      { name: "epoch overflows uint64", input: csv(row({ epoch: (U64_MAX + 1n).toString() })), issues: [{ line: 2, column: "epoch", reason: `epoch ${U64_MAX + 1n} exceeds uint64 maximum` }] },
      { name: "negative amount", input: csv(row({ amount: "-5" })), issues: [{ line: 2, column: "amount", reason: "negative amount: -5" }] },
      {
        name: "decimal amount: the error says files hold the token's smallest unit",
        input: csv(row({ amount: "12.5" })),
        issues: [{ line: 2, column: "amount", reason: `amount is not an integer: 12.5 (${SMALLEST_UNIT("12.5 of a 6-decimal token is 12500000")})` }],
      },
      { name: "hex amount", input: csv(row({ amount: "0x10" })), issues: [{ line: 2, column: "amount", reason: "amount is not a decimal integer: 0x10" }] },
      { name: "bad ref hex", input: csv(row({ ref: "0x" + "zz".repeat(32) })), issues: [{ line: 2, column: "ref", reason: "bad hex character 'z' in ref" }] },
      { name: "0x ref of 31 bytes", input: csv(row({ ref: "0x" + "cd".repeat(31) })), issues: [{ line: 2, column: "ref", reason: "ref must be 32-byte hex (64 hex digits), got 62 digits" }] },
      { name: "empty ref", input: csv(row({ ref: "" })), issues: [{ line: 2, column: "ref", reason: "empty ref" }] },
      {
        name: "Σ amount overflows uint128 (totalUsage)",
        input: csv(row({ amount: (1n << 127n).toString() }), row({ customer: B, amount: (1n << 127n).toString() })),
        issues: [{ line: 3, column: "amount", reason: `total usage exceeds the uint128 maximum at this row (Σ amount so far ${1n << 128n})` }],
      },
      { name: "unterminated quote", input: csv(`"${A},7,1,2,${REF}`), issues: [{ line: 2, reason: "unterminated quoted field" }] },
      {
        name: "several bad rows: every one, in line and column order",
        input: csv(row({ amount: "1.5" }), row({ customer: B, workUnits: "-1", ref: "" }), row({ customer: A_BAD })),
        issues: [
          { line: 2, column: "amount", reason: `amount is not an integer: 1.5 (${SMALLEST_UNIT("1.5 of a 6-decimal token is 1500000")})` },
          { line: 3, column: "workUnits", reason: "negative workUnits: -1" },
          { line: 3, column: "ref", reason: "empty ref" },
          { line: 4, column: "customer", reason: `customer ${A_BAD} has a bad EIP-55 checksum (the case of its letters does not match: check it for a typo, or write it all lowercase)` },
        ],
      },
      // JSON array (line = element index + 1)
      {
        name: "JSON: bad JSON in the second element",
        input: `[${JSON.stringify(obj())},\n{"customer": "${B}", "epoch": 7,, "workUnits": 1}]`,
        format: "json",
        issues: [{ line: 2, reason: `invalid JSON at physical line 2: ${jsonParseMessage(`{"customer": "${B}", "epoch": 7,, "workUnits": 1}`)}` }],
      },
      { name: "JSON: not an array", input: JSON.stringify(obj()), format: "json", issues: [{ line: 1, reason: "a JSON usage file must be an array of objects (physical line 1)" }] },
      { name: "JSON: element is not an object", input: "[42]", format: "json", issues: [{ line: 1, reason: "expected a usage record object, got number" }] },
      { name: "JSON: customer is a number", input: JSON.stringify([obj({ customer: 12 })]), format: "json", issues: [{ line: 1, column: "customer", reason: "customer must be a string" }] },
      {
        name: "JSON: amount beyond a safe JSON number",
        input: `[${JSON.stringify(obj()).replace('"amount":"5"', '"amount":100000000000000000000')}]`,
        format: "json",
        issues: [{ line: 1, column: "amount", reason: "amount 100000000000000000000 is not a safe JSON number; write it as a decimal string" }],
      },
      { name: "JSON: a missing field", input: JSON.stringify([{ customer: A, epoch: 7, workUnits: 1, amount: 2 }]), format: "json", issues: [{ line: 1, column: "ref", reason: "missing column" }] },
      // NDJSON (line = physical line)
      {
        name: "NDJSON: invalid JSON on line 3",
        input: [JSON.stringify(obj()), "", `{"customer":"${B}","epoch":7`, ""].join("\n"),
        format: "ndjson",
        issues: [{ line: 3, reason: `invalid JSON: ${jsonParseMessage(`{"customer":"${B}","epoch":7`)}` }],
      },
      {
        name: "NDJSON: an extra field on line 2",
        input: [JSON.stringify(obj()), JSON.stringify(obj({ customer: B, revenue: 1 }))].join("\n"),
        format: "ndjson",
        issues: [{ line: 2, column: "revenue", reason: 'extra column "revenue"' }],
      },
      {
        name: "NDJSON: duplicate customer across lines",
        input: [JSON.stringify(obj()), JSON.stringify(obj({ customer: B })), JSON.stringify(obj({ customer: A.toLowerCase() }))].join("\n"),
        format: "ndjson",
        issues: [{ line: 3, column: "customer", reason: `duplicate customer ${A} (first at line 1): one usage record per customer and epoch` }],
      },
      {
        name: "NDJSON: fractional JSON amount",
        input: JSON.stringify(obj({ amount: 2.25 })),
        format: "ndjson",
        issues: [{ line: 1, column: "amount", reason: `amount is not an integer: 2.25 (${SMALLEST_UNIT("2.25 of a 6-decimal token is 2250000")})` }],
      },
    ];

    for (const c of cases) {
      it(c.name, async () => {
        expect(await issuesOf(c.input, { format: c.format, epoch: "epoch" in c ? c.epoch : 7n })).to.deep.equal(c.issues);
      });
    }

    it("has at least 20 malformed cases", () => {
      expect(cases.length).to.be.at.least(20);
    });

    it("refuses an expected epoch that is not a uint64", async () => {
      for (const epoch of [-1n, 1n << 64n, 1.5]) {
        const err = await parseUsage(csv(row()), { epoch }).catch((e) => e);
        expect(err).to.be.instanceOf(InvalidInputError);
        expect(err.message).to.equal(`expected epoch must be an integer from 0 to 2^64-1, got ${String(epoch)}`);
      }
    });

    it("accepts the checksummed, all-lowercase and all-uppercase forms of every case's address", async () => {
      for (const form of [A, A.toLowerCase(), "0x" + A.slice(2).toUpperCase(), getAddress(A.toLowerCase())]) {
        expect((await parseUsage(csv(row({ customer: form })), { epoch: 7n }))[0].customer).to.equal(A);
      }
    });
  });
});
