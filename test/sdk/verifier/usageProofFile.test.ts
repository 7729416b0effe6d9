/**
 * Usage proof files offline (#14): written from a bundle's usage leaves, read back as either kind,
 * checked with @openzeppelin/merkle-tree from the JSON alone, and every malformed field refused by name.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { Wallet, keccak256, toUtf8Bytes } from "ethers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import { InvalidInputError } from "../../../src/errors";
import { USAGE_LEAF_ENCODING, UsageRecord } from "../../../src/records/usage";
import { usageLeafToValues } from "../../../src/records/usageTree";
import { makeUsageProofFile, parseProofFile, parseUsageProofFile, readAnyProofFile, verifyProofFile, writeProofFile } from "../../../src/verifier/proofFile";
import { buildEpoch } from "../../../src/writer/build";
import { seededRecords } from "../writer/fixture";

const LEDGER = "0x" + "5a".repeat(20);

function usageOf(epoch: bigint, n: number): UsageRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    customer: new Wallet(keccak256(toUtf8Bytes(`customer-${i}`))).address,
    epoch,
    workUnits: BigInt(i * 7 + 1),
    amount: BigInt(i + 1) * 1_000_000n,
    ref: keccak256(toUtf8Bytes(`INV-${i}`)),
  }));
}

describe("verifier: usage proof files (offline)", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-usage-proof-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes every customer's proof from the bundle; each checks offline and with @openzeppelin/merkle-tree; a wrong leaf does not", async () => {
    const usage = usageOf(5n, 7);
    const { bundle, summary } = await buildEpoch(seededRecords(10, 1, 5n), { epoch: 5n, usage });
    for (const u of usage) {
      const p = bundle.usageProof(u.customer);
      const file = makeUsageProofFile({ chainId: 31337n, ledger: LEDGER, networkId: 2n, epoch: 5n, version: 1, usageRoot: p.root, leaf: p.leaf, proof: p.proof });
      expect(file).to.deep.include({ kind: "workledger-usage-proof", chainId: 31337, networkId: 2, epoch: 5, version: 1, usageRoot: summary.usageRoot, leafHash: p.leafHash });
      expect(file.leaf).to.deep.equal({ customer: u.customer, epoch: 5, workUnits: u.workUnits.toString(), amount: u.amount.toString(), ref: u.ref });
      const f = path.join(dir, `${u.customer}.json`);
      writeProofFile(file, f);
      const back = readAnyProofFile(f);
      expect(back.kind).to.equal("usage");
      expect(back.kind === "usage" && back.proof.leaf).to.deep.equal(u);
      expect(await verifyProofFile(JSON.parse(fs.readFileSync(f, "utf8")))).to.deep.equal({ ok: true, offline: true, problems: [] });
      expect(StandardMerkleTree.verify(file.usageRoot, [...USAGE_LEAF_ENCODING], usageLeafToValues(u), file.proof)).to.equal(true);
      const other = { ...file, leafHash: undefined, leaf: { ...file.leaf, workUnits: (u.workUnits + 1n).toString() } };
      expect(await verifyProofFile(other)).to.deep.equal({ ok: false, offline: false, problems: ["the proof does not lead from the usage leaf to the usage root"] });
      const wrongEpoch = { ...file, epoch: 6 };
      expect((await verifyProofFile(wrongEpoch)).problems).to.deep.equal(["leaf.epoch 5 differs from the file's epoch 6"]);
    }
  });

  it("refuses a malformed usage proof file, naming the field", async () => {
    const usage = usageOf(1n, 2);
    const { bundle } = await buildEpoch(seededRecords(3, 2, 1n), { epoch: 1n, usage });
    const p = bundle.usageProof(usage[0].customer);
    const good = JSON.parse(JSON.stringify(makeUsageProofFile({ chainId: 1n, ledger: LEDGER, networkId: 1n, epoch: 1n, version: 1, usageRoot: p.root, leaf: p.leaf, proof: p.proof })));
    type ProofJson = Record<string, unknown> & { leaf?: Record<string, string> };
    const cases: [string, (j: ProofJson) => void, string | RegExp][] = [
      ["customer checksum", (j) => (j.leaf!.customer = j.leaf!.customer.slice(0, 2) + j.leaf!.customer.slice(2).split("").map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("")), /^proof file: leaf\.customer.*checksum/],
      ["customer missing", (j) => delete j.leaf!.customer, "proof file: leaf.customer must be an address"],
      ["amount not an integer", (j) => (j.leaf!.amount = "1.5"), "proof file: leaf.amount must be a non-negative integer"],
      ["amount above uint128", (j) => (j.leaf!.amount = (1n << 128n).toString()), /^proof file: leaf: .*amount/],
      ["ref not bytes32", (j) => (j.leaf!.ref = "INV-1"), "proof file: leaf.ref must be 32-byte hex"],
      ["usageRoot", (j) => (j.usageRoot = "0x1234"), "proof file: usageRoot must be 32-byte hex"],
      ["proof element", (j) => (j.proof = ["0xzz"]), "proof file: proof[0] must be 32-byte hex"],
      ["proof not an array", (j) => (j.proof = "0x00"), "proof file: proof must be an array"],
      ["ledger", (j) => (j.ledger = "0x1234"), "proof file: ledger must be an address"],
      ["leaf missing", (j) => delete j.leaf, "proof file: leaf is missing"],
      ["leafHash of another leaf", (j) => (j.leafHash = "0x" + "11".repeat(32)), /^proof file: leafHash 0x1{64} is not the leaf's hash 0x[0-9a-f]{64}$/],
    ];
    for (const [name, change, message] of cases) {
      const j = structuredClone(good) as ProofJson;
      change(j);
      const err = (() => {
        try {
          parseUsageProofFile(j);
        } catch (e) {
          return e as Error;
        }
        return null;
      })();
      expect(err, name).to.be.instanceOf(InvalidInputError);
      if (typeof message === "string") expect(err!.message, name).to.equal(message);
      else expect(err!.message, name).to.match(message);
      expect((await verifyProofFile(j)).ok, name).to.equal(false);
    }
    expect(() => parseProofFile(good)).to.throw(InvalidInputError, 'proof file: kind is "workledger-usage-proof": read it with parseUsageProofFile (or readAnyProofFile)');
    expect(() => parseProofFile({ ...good, kind: "something-else" })).to.throw(InvalidInputError, /kind must be "workledger-record-proof" or "workledger-usage-proof", got "something-else"/);
  });
});
