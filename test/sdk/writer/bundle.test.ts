import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { keccak256, toUtf8Bytes } from "ethers";

import { InvalidInputError, RecordsError } from "../../../src/errors";
import { canonicalDataHash } from "../../../src/records/canonical";
import { recordToLeafValues } from "../../../src/records/codec";
import { parseRecordStream, parseRecords } from "../../../src/records/parse";
import { RECORD_LEAF_ENCODING, WorkRecord } from "../../../src/records/types";
import { verifyRecordProof } from "../../../src/merkle/proof";
import { buildEpoch, buildEpochFromFile } from "../../../src/writer/build";
import { startHashWorker } from "../../../src/merkle/pool";
import { LeafPrehasher } from "../../../src/merkle/prehash";
import { bundleProof, readBundle, readBundleHeader, writeBundle } from "../../../src/writer/bundle";
import { withBundleHeader } from "../../helpers/bundleFile";
import { seededRecords, toCsv } from "./fixture";

describe("writer: buildEpoch and the epoch bundle", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-bundle-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("buildEpoch", () => {
    it("gives the library's root and the exact totals and dataHash", async () => {
      const records = seededRecords(257, 11, 5n);
      const { summary, bundle } = await buildEpoch(records, { epoch: 5n });
      const oz = StandardMerkleTree.of(records.map(recordToLeafValues), [...RECORD_LEAF_ENCODING]);
      expect(summary.root).to.equal(oz.root);
      expect(summary.recordCount).to.equal(257n);
      expect(summary.activeNodes).to.equal(BigInt(records.filter((r) => r.workUnits > 0n).length));
      expect(summary.totalWorkUnits).to.equal(records.reduce((a, r) => a + r.workUnits, 0n));
      expect(summary.totalRevenue).to.equal(records.reduce((a, r) => a + r.revenue, 0n));
      expect(summary.dataHash).to.equal(canonicalDataHash(await parseRecords(toCsv(records))));
      expect(bundle.recordCount).to.equal(257);
    });

    it("gives the same summary from a records file in any row order or format", async () => {
      const records = seededRecords(40, 3, 2n);
      const a = await buildEpoch(await parseRecords(toCsv(records)), { epoch: 2n });
      const b = await buildEpoch(await parseRecords(toCsv([...records].reverse())), { epoch: 2n });
      const json = JSON.stringify(records.map((r) => ({ ...r, epoch: r.epoch.toString(), workUnits: r.workUnits.toString(), revenue: r.revenue.toString() })));
      const c = await buildEpoch(await parseRecords(json), { epoch: 2n });
      expect(b.summary).to.deep.equal(a.summary);
      expect(c.summary).to.deep.equal(a.summary);
    });

    it("builds the empty epoch: root 0x00…00, zero totals, dataHash keccak256('')", async () => {
      const { summary, bundle } = await buildEpoch([], { epoch: 9n });
      expect(summary).to.deep.equal({
        root: "0x" + "00".repeat(32),
        recordCount: 0n,
        activeNodes: 0n,
        totalWorkUnits: 0n,
        totalRevenue: 0n,
        dataHash: keccak256("0x"),
        usageRoot: "0x" + "00".repeat(32),
        usageCount: 0n,
        totalUsage: 0n,
      });
      const f = path.join(dir, "empty.wlb");
      await writeBundle(bundle, f);
      const back = await readBundle(f);
      expect(back.summary).to.deep.equal(summary);
      expect(back.recordCount).to.equal(0);
    });

    it("refuses a totalRevenue above uint128, naming it", async () => {
      const max = (1n << 128n) - 1n;
      const records = seededRecords(2, 1, 0n).map((r) => ({ ...r, revenue: max }));
      const err = await buildEpoch(records, { epoch: 0n }).catch((e) => e);
      expect(err).to.be.instanceOf(InvalidInputError);
      expect(err.shortMessage).to.equal(`totalRevenue ${2n * max} exceeds the uint128 maximum`);
    });

    it("refuses records of another epoch and duplicate nodeIds", async () => {
      const records = seededRecords(3, 1, 0n);
      const wrongEpoch = await buildEpoch(records, { epoch: 1n }).catch((e) => e);
      expect(wrongEpoch).to.be.instanceOf(RecordsError);
      expect(wrongEpoch.issues[0]).to.deep.equal({ line: 1, column: "epoch", reason: "epoch mismatch: expected 1, got 0" });
      const dup = await buildEpoch([...records, records[1]], { epoch: 0n }).catch((e) => e);
      expect(dup).to.be.instanceOf(RecordsError);
      expect(dup.issues).to.deep.equal([{ line: 4, column: "nodeId", reason: `duplicate nodeId ${records[1].nodeId} (first at line 2)` }]);
      const table = await parseRecords(toCsv(records));
      const err = await buildEpoch(table, { epoch: 3n }).catch((e) => e);
      expect(err.issues[0]).to.deep.equal({ line: 2, column: "epoch", reason: "epoch mismatch: expected 3, got 0" });
    });
  });

  describe("building from a file while it is parsed", () => {
    it("hashes leaves on the second thread during parsing and gets the same epoch (batches of 64 rows)", async () => {
      const records = seededRecords(1000, 55, 6n);
      const text = toCsv(records);
      const worker = startHashWorker();
      try {
        const pre = new LeafPrehasher(worker, 64);
        let polls = 0;
        const chunks = Array.from({ length: Math.ceil(text.length / 4096) }, (_, i) => Buffer.from(text.slice(i * 4096, (i + 1) * 4096)));
        const table = await parseRecordStream(chunks, { epoch: 6n, format: "csv", onProgress: (t) => (polls++, pre.poll(t)) });
        table.leafHashes = { count: table.count, bytes: await pre.finish(table) };
        expect(polls).to.be.greaterThan(10);
        const fromPrehashed = await buildEpoch(table, { epoch: 6n, worker, parallelThreshold: 2 });
        const plain = await buildEpoch(records, { epoch: 6n, parallel: false });
        expect(fromPrehashed.summary).to.deep.equal(plain.summary);
        expect(fromPrehashed.bundle.proof(7)).to.deep.equal(plain.bundle.proof(7));
      } finally {
        await worker.close();
      }
      const f = path.join(dir, "e6.csv");
      fs.writeFileSync(f, text);
      const viaFile = await buildEpochFromFile(f, { epoch: 6n, parallelThreshold: 2 });
      expect(viaFile.summary).to.deep.equal((await buildEpoch(records, { epoch: 6n })).summary);
      const bad = path.join(dir, "bad.csv");
      fs.writeFileSync(bad, text.replace(",6,", ",5,"));
      const err = await buildEpochFromFile(bad, { epoch: 6n }).catch((e) => e);
      expect(err).to.be.instanceOf(RecordsError);
      expect(err.issues).to.deep.equal([{ line: 2, column: "epoch", reason: "epoch mismatch: expected 6, got 5" }]);
    });
  });

  describe("bundle files", () => {
    it("round-trips, and every record's proof from the bundle verifies (O(log n) proof length)", async () => {
      const records = seededRecords(1000, 21, 4n);
      const { summary, bundle } = await buildEpoch(records, { epoch: 4n, networkId: 3n });
      const f = path.join(dir, "e4.wlb");
      await writeBundle(bundle, f);
      expect(fs.statSync(f).size).to.be.lessThan(1000 * 98 + 1024);
      const back = await readBundle(f);
      expect(back.summary).to.deep.equal(summary);
      expect(back.epoch).to.equal(4n);
      expect(back.networkId).to.equal(3n);
      for (const r of records) {
        const p = bundleProof(back, r.nodeId);
        expect(p.record).to.deep.equal(r);
        expect(p.proof.length).to.be.within(9, 10);
        expect(verifyRecordProof(p.record, p.proof, summary.root)).to.equal(true);
      }
      expect([...back.records()].length).to.equal(1000);
    });

    it("finds a node by its name (hashed nodeId) and refuses an unknown node", async () => {
      const table = await parseRecords(`nodeId,epoch,workUnits,uptimeBps,revenue,evidence\nhotspot-1,1,5,9000,7,0x${"aa".repeat(32)}\nhotspot-2,1,0,0,0,0x${"bb".repeat(32)}\n`);
      const { bundle } = await buildEpoch(table, { epoch: 1n });
      const p = bundleProof(bundle, "hotspot-1");
      expect(p.record.nodeId).to.equal(keccak256(toUtf8Bytes("hotspot-1")));
      expect(p.record.workUnits).to.equal(5n);
      expect(bundle.recordOf("hotspot-3")).to.equal(undefined);
      expect(() => bundleProof(bundle, "hotspot-3")).to.throw(InvalidInputError, "node hotspot-3 has no record in epoch 1");
    });

    async function tampered(edit: (b: Buffer) => Buffer): Promise<string> {
      const { bundle } = await buildEpoch(seededRecords(64, 8, 1n), { epoch: 1n });
      const f = path.join(dir, "t.wlb");
      await writeBundle(bundle, f);
      fs.writeFileSync(f, edit(fs.readFileSync(f)));
      const err = await readBundle(f).catch((e: Error) => e);
      expect(err).to.be.instanceOf(InvalidInputError);
      return (err as InvalidInputError).shortMessage.replace(`bundle ${f}: `, "");
    }
    const headerEnd = (b: Buffer) => 16 + b.readUInt32LE(12);

    it("refuses a bundle whose record bytes were altered (root does not recompute)", async () => {
      const msg = await tampered((b) => {
        b[headerEnd(b) + 98 * 5 + 45] ^= 1; // a workUnits byte of record 5
        return b;
      });
      expect(msg).to.match(/^(root does not recompute|records are not in sorted-leaf order)/);
    });

    it("refuses a bundle whose header summary was altered", async () => {
      const msg = await tampered((b) =>
        withBundleHeader(b, (header) => {
          header.summary.totalRevenue = (BigInt(header.summary.totalRevenue) + 1n).toString();
        }),
      );
      expect(msg).to.match(/^totalRevenue does not recompute/);
    });

    it("refuses a truncated bundle, a wrong magic and swapped records", async () => {
      expect(await tampered((b) => b.subarray(0, b.length - 1))).to.equal("record section of 6271 bytes is not a multiple of 98");
      expect(await tampered((b) => Buffer.concat([Buffer.from("XXXXXXXX"), b.subarray(8)]))).to.equal("not an epoch bundle (bad magic)");
      const swapped = await tampered((b) => {
        const s = headerEnd(b);
        const r0 = Buffer.from(b.subarray(s, s + 98));
        b.copy(b, s, s + 98, s + 196);
        r0.copy(b, s + 98);
        return b;
      });
      expect(swapped).to.equal("records are not in sorted-leaf order (record 0)");
    });

    it("readBundleHeader gives readBundle's epoch, network, summary and usage leaves without the records, and refuses a bad header or usage", async () => {
      const records = seededRecords(300, 5, 9n);
      const usage = [1, 2, 3].map((i) => ({ customer: `0x${String(i).repeat(40)}`, epoch: 9n, workUnits: BigInt(i * 10), amount: BigInt(i * 1000), ref: keccak256(toUtf8Bytes(`order-${i}`)) }));
      const { bundle } = await buildEpoch(records, { epoch: 9n, networkId: 2n, usage });
      const f = path.join(dir, "e9.wlb");
      await writeBundle(bundle, f);
      const full = await readBundle(f);
      const head = readBundleHeader(f);
      expect({ epoch: head.epoch, networkId: head.networkId, summary: head.summary }).to.deep.equal({ epoch: full.epoch, networkId: full.networkId, summary: full.summary });
      expect(head.usage!.root).to.equal(full.summary.usageRoot);
      expect(head.usage!.leaves).to.deep.equal(full.usage!.leaves);
      // the records are not read: a cut record section still gives the header (readBundle refuses it)
      const bytes = fs.readFileSync(f);
      fs.writeFileSync(f, bytes.subarray(0, bytes.length - 50));
      expect(readBundleHeader(f).summary).to.deep.equal(full.summary);
      expect(await readBundle(f).catch((e: Error) => e.message)).to.match(/not a multiple of 98/);
      // a usage leaf changed in the header: its tree no longer gives the summary's usageRoot
      fs.writeFileSync(
        f,
        withBundleHeader(bytes, (header) => {
          header.usage![0].amount = (BigInt(header.usage![0].amount) + 1n).toString();
        }),
      );
      expect(() => readBundleHeader(f)).to.throw(InvalidInputError, /usageRoot does not recompute/);
      fs.writeFileSync(f, Buffer.concat([Buffer.from("XXXXXXXX"), bytes.subarray(8)]));
      expect(() => readBundleHeader(f)).to.throw(InvalidInputError, `bundle ${f}: not an epoch bundle (bad magic)`);
      expect(() => readBundleHeader(path.join(dir, "none.wlb"))).to.throw(InvalidInputError, "bundle file not found");
    });
  });

  it("reads WorkRecord objects as given (no hidden conversion)", async () => {
    const r: WorkRecord = { nodeId: "0x" + "01".repeat(32), epoch: 0n, workUnits: 1n, uptimeBps: 1, revenue: 1n, evidence: "0x" + "02".repeat(32) };
    const { bundle } = await buildEpoch([r], { epoch: 0n });
    expect(bundle.record(0)).to.deep.equal(r);
    expect(bundle.proof(0)).to.deep.equal([]);
  });
});
