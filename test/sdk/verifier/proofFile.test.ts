import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import { recordToLeafValues } from "../../../src/records/codec";
import { RECORD_LEAF_ENCODING } from "../../../src/records/types";
import { makeProofFile, readProofFile, verifyProofFile, writeProofFile } from "../../../src/verifier/proofFile";
import { verifyRecordProof } from "../../../src/merkle/proof";
import { buildEpoch } from "../../../src/writer/build";
import { bundleProof } from "../../../src/writer/bundle";
import { seededRecords } from "../writer/fixture";

const LEDGER = "0x" + "5a".repeat(20);

describe("verifier: proof files (offline)", () => {
  it("writes a self-describing proof file that checks offline and with @openzeppelin/merkle-tree", async () => {
    const records = seededRecords(50, 77, 3n);
    const { bundle, summary } = await buildEpoch(records, { epoch: 3n });
    const p = bundleProof(bundle, records[9].nodeId);
    const file = makeProofFile({ chainId: 31337n, ledger: LEDGER, networkId: 2n, epoch: 3n, version: 1, root: summary.root, record: p.record, proof: p.proof });
    expect(file.record).to.deep.equal({
      nodeId: records[9].nodeId,
      epoch: 3,
      workUnits: records[9].workUnits.toString(),
      uptimeBps: records[9].uptimeBps,
      revenue: records[9].revenue.toString(),
      evidence: records[9].evidence,
    });
    expect(file).to.deep.include({ kind: "workledger-record-proof", chainId: 31337, networkId: 2, epoch: 3, version: 1, root: summary.root });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-proof-"));
    try {
      const f = path.join(dir, "proof.json");
      writeProofFile(file, f);
      const back = readProofFile(f);
      expect(back.record).to.deep.equal(records[9]);
      expect(await verifyProofFile(JSON.parse(fs.readFileSync(f, "utf8")))).to.deep.equal({ ok: true, offline: true, problems: [] });
      // anyone can check it with the library, from the JSON alone
      expect(StandardMerkleTree.verify(file.root, [...RECORD_LEAF_ENCODING], recordToLeafValues(back.record), file.proof)).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails offline when any part of the file is altered, naming the problem", async () => {
    const records = seededRecords(20, 78, 3n);
    const { bundle, summary } = await buildEpoch(records, { epoch: 3n });
    const p = bundleProof(bundle, records[0].nodeId);
    const file = makeProofFile({ chainId: 1n, ledger: LEDGER, networkId: 1n, epoch: 3n, version: 1, root: summary.root, record: p.record, proof: p.proof });
    const broken = [
      { ...file, root: "0x" + "00".repeat(32) },
      { ...file, proof: file.proof.slice(1) },
      { ...file, record: { ...file.record, uptimeBps: file.record.uptimeBps === 0 ? 1 : 0 } },
      { ...file, record: { ...file.record, workUnits: "1" + file.record.workUnits } },
    ];
    for (const b of broken) expect(await verifyProofFile(b)).to.deep.equal({ ok: false, offline: false, problems: ["the proof does not lead from the record to the root"] });
    expect(await verifyProofFile({ ...file, epoch: 4 })).to.deep.equal({ ok: false, offline: false, problems: ["record.epoch 3 differs from the file's epoch 4"] });
    expect(await verifyProofFile({ ...file, root: "0x12" })).to.deep.equal({ ok: false, offline: false, problems: ["proof file: root must be 32-byte hex"] });
    expect(await verifyProofFile({ ...file, record: { ...file.record, revenue: -1 } })).to.deep.equal({ ok: false, offline: false, problems: ["proof file: record.revenue must be a non-negative integer"] });
  });

  it("checksums the ledger (remembered per address) and refuses a bad one every time", async () => {
    const records = seededRecords(4, 79, 3n);
    const { bundle, summary } = await buildEpoch(records, { epoch: 3n });
    const p = bundleProof(bundle, records[1].nodeId);
    const input = { chainId: 1n, networkId: 1n, epoch: 3n, version: 1, root: summary.root, record: p.record, proof: p.proof };
    const lower = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    for (let i = 0; i < 2; i++) expect(makeProofFile({ ...input, ledger: lower }).ledger).to.equal("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    for (const bad of ["0x12", "0x5FBDB2315678afecb367f032d93F642f64180aA3"]) {
      for (let i = 0; i < 2; i++) expect(() => makeProofFile({ ...input, ledger: bad }), bad).to.throw(/invalid address|bad address checksum/);
    }
  });

  it("never throws on malformed records or proofs in verifyRecordProof", () => {
    const r = seededRecords(1, 1, 0n)[0];
    expect(verifyRecordProof({ ...r, uptimeBps: 70_000 }, [], "0x" + "00".repeat(32))).to.equal(false);
    expect(verifyRecordProof({ ...r, nodeId: "zz" }, [], "0x" + "00".repeat(32))).to.equal(false);
    expect(verifyRecordProof({ ...r, revenue: -1n }, [], "0x" + "00".repeat(32))).to.equal(false);
    expect(verifyRecordProof(r, ["nope"], "0x" + "00".repeat(32))).to.equal(false);
  });
});
