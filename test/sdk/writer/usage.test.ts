/**
 * Usage records end to end in the SDK (#14): buildEpoch with usage words, bundles carrying the usage
 * leaves (format 2, format 1 still read), signing and `expected` comparing the usage words, commit and
 * publish with usage (EpochUsageCommitted), usage proofs on chain (verifyUsage, status), the finality cursor.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { Signer, Wallet, id, keccak256, toUtf8Bytes } from "ethers";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import { IWorkLedger__factory } from "../../../src/contracts";
import { InvalidInputError, RecordsError, VerificationError, WorkLedgerError } from "../../../src/errors";
import { USAGE_LEAF_ENCODING, UsageRecord } from "../../../src/records/usage";
import { usageLeafToValues, usageProof } from "../../../src/records/usageTree";
import { WorkRecord } from "../../../src/records/types";
import { makeUsageProofFile, verifyProofFile } from "../../../src/verifier/proofFile";
import { usageStatusOnChain, verifyUsageOnChain } from "../../../src/verifier/status";
import { buildEpoch, buildEpochFromFile } from "../../../src/writer/build";
import { BUNDLE_FORMAT_VERSION, readBundle, summaryFromJson, summaryToJson, writeBundle } from "../../../src/writer/bundle";
import { commitEpoch } from "../../../src/writer/commit";
import { advanceFinality, finalizedCount } from "../../../src/writer/finality";
import { publishEpoch } from "../../../src/writer/publish";
import { EpochSigningContext, readSignatureFile, signEpoch, verifyAndSignEpoch, writeSignatureFile } from "../../../src/writer/sign";
import { EPOCH_SECONDS, LedgerFixture, deployLedger, seededRecords, toCsv } from "./fixture";

const ZERO = "0x" + "00".repeat(32);
const WINDOW = 86_400;

/** Usage of `n` customers in `epoch`, the amounts summing to `total` (the last takes the remainder). */
function usageFor(epoch: bigint, total: bigint, n = 3, salt = "c"): UsageRecord[] {
  const customers = Array.from({ length: n }, (_, i) => new Wallet(keccak256(toUtf8Bytes(`${salt}-${i}`))).address);
  const share = total / BigInt(n);
  return customers.map((customer, i) => ({
    customer,
    epoch,
    workUnits: BigInt(100 * (i + 1)),
    amount: i === n - 1 ? total - share * BigInt(n - 1) : share,
    ref: keccak256(toUtf8Bytes(`INV-${salt}-${i}-epoch-${epoch}`)),
  }));
}

function usageCsv(rows: UsageRecord[]): string {
  return "customer,epoch,workUnits,amount,ref\n" + rows.map((u) => [u.customer, u.epoch, u.workUnits, u.amount, u.ref].join(",")).join("\n") + "\n";
}

function ctxOf(f: LedgerFixture, epoch = 0n, version = 1): EpochSigningContext {
  return { networkId: f.networkId, epoch, version, chainId: f.chainId, workLedger: f.workLedger };
}

async function passWindow() {
  await network.provider.send("evm_increaseTime", [WINDOW + 1]);
  await network.provider.send("evm_mine", []);
}

async function nonceOf(s: Signer) {
  return ethers.provider.getTransactionCount(await s.getAddress(), "latest");
}

describe("writer: usage records with each epoch (#14)", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-usage-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe("build and bundle (offline)", () => {
    it("signs the usage words of the usage tree: root equal to @openzeppelin/merkle-tree's, count, Σ amount", async () => {
      const records = seededRecords(30, 5, 4n);
      const usage = usageFor(4n, 123_456_789n, 5);
      const built = await buildEpoch(records, { epoch: 4n, usage });
      const oz = StandardMerkleTree.of(usage.map(usageLeafToValues), [...USAGE_LEAF_ENCODING]);
      expect(built.summary.usageRoot).to.equal(oz.root);
      expect(built.summary.usageCount).to.equal(5n);
      expect(built.summary.totalUsage).to.equal(123_456_789n);
      const plain = await buildEpoch(records, { epoch: 4n });
      expect(plain.summary).to.deep.equal({ ...built.summary, usageRoot: ZERO, usageCount: 0n, totalUsage: 0n });
      expect(plain.usage).to.equal(null);
      expect(plain.usageRevenue).to.equal(null);
      // the leaves are kept in customer order, whatever the input order
      const reversed = await buildEpoch(records, { epoch: 4n, usage: [...usage].reverse() });
      expect(reversed.summary).to.deep.equal(built.summary);
      expect(reversed.usage!.leaves.map((l) => l.customer)).to.deep.equal([...usage.map((u) => u.customer)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
    });

    it("compares Σ usage with Σ node revenue: equal is silent, a difference is reported (not an error)", async () => {
      const records = seededRecords(10, 6, 0n);
      const revenue = records.reduce((a, r) => a + r.revenue, 0n);
      const same = await buildEpoch(records, { epoch: 0n, usage: usageFor(0n, revenue) });
      expect(same.usageRevenue).to.deep.include({ matches: true, difference: 0n, message: null });
      const less = await buildEpoch(records, { epoch: 0n, usage: usageFor(0n, revenue - 7n) });
      expect(less.usageRevenue).to.deep.include({ matches: false, difference: -7n });
      expect(less.usageRevenue!.message).to.equal(`Σ usage ${revenue - 7n} ≠ Σ node revenue ${revenue}: usage is 7 less than revenue (token's smallest unit)`);
    });

    it("refuses usage of another epoch, naming the row", async () => {
      const usage = usageFor(3n, 1000n);
      usage[1] = { ...usage[1], epoch: 2n };
      const err = await buildEpoch(seededRecords(3, 1, 3n), { epoch: 3n, usage }).catch((e) => e);
      expect(err).to.be.instanceOf(RecordsError);
      expect(err.issues[0]).to.deep.include({ line: 2, column: "epoch" });
      expect(err.issues[0].reason).to.match(/expected 3/);
    });

    it("bundles carry the usage leaves (format 2): any customer's proof comes back from the file; tampering is refused", async () => {
      expect(BUNDLE_FORMAT_VERSION).to.equal(2);
      const usage = usageFor(2n, 10_000_000n, 4);
      const built = await buildEpoch(seededRecords(20, 9, 2n), { epoch: 2n, networkId: 1n, usage });
      const file = path.join(dir, "e2.wlb");
      await writeBundle(built.bundle, file);
      const back = await readBundle(file);
      expect(back.summary).to.deep.equal(built.summary);
      expect(back.usage!.leaves).to.deep.equal(built.usage!.leaves);
      for (const u of usage) {
        const p = back.usageProof(u.customer);
        expect(p.leaf).to.deep.equal(u);
        expect(StandardMerkleTree.verify(built.summary.usageRoot, [...USAGE_LEAF_ENCODING], usageLeafToValues(u), p.proof)).to.equal(true);
      }
      expect(() => back.usageProof(Wallet.createRandom().address)).to.throw(InvalidInputError, /no usage record for customer/);

      // an edited usage amount no longer recomputes
      const bytes = fs.readFileSync(file);
      const headerLength = bytes.readUInt32LE(12);
      const header = JSON.parse(bytes.subarray(16, 16 + headerLength).toString("utf8"));
      const rewrite = (h: unknown, version = 2) => {
        const hb = Buffer.from(JSON.stringify(h), "utf8");
        const pre = Buffer.from(bytes.subarray(0, 16));
        pre.writeUInt32LE(version, 8);
        pre.writeUInt32LE(hb.length, 12);
        const out = path.join(dir, `edited-${Math.random().toString(16).slice(2)}.wlb`);
        fs.writeFileSync(out, Buffer.concat([pre, hb, bytes.subarray(16 + headerLength)]));
        return out;
      };
      const edited = structuredClone(header);
      edited.usage[0].amount = (BigInt(edited.usage[0].amount) + 1n).toString();
      expect((await readBundle(rewrite(edited)).catch((e) => e)).message).to.match(/usageRoot does not recompute/);
      const dropped = structuredClone(header);
      delete dropped.usage;
      expect((await readBundle(rewrite(dropped)).catch((e) => e)).message).to.match(/summary.usageCount is 4 but the bundle carries no usage leaves/);
      expect((await readBundle(rewrite(header, 3)).catch((e) => e)).message).to.match(/unsupported bundle format version 3 \(this workledger reads versions 1 to 2; upgrade workledger to read it\)/);
    });

    it("still reads a format-1 bundle (written before usage) as an epoch without usage", async () => {
      const built = await buildEpoch(seededRecords(8, 2, 1n), { epoch: 1n });
      const file = path.join(dir, "v2.wlb");
      await writeBundle(built.bundle, file);
      const bytes = fs.readFileSync(file);
      const headerLength = bytes.readUInt32LE(12);
      const header = JSON.parse(bytes.subarray(16, 16 + headerLength).toString("utf8"));
      for (const k of ["usageRoot", "usageCount", "totalUsage"]) delete header.summary[k];
      const hb = Buffer.from(JSON.stringify(header), "utf8");
      const pre = Buffer.from(bytes.subarray(0, 16));
      pre.writeUInt32LE(1, 8);
      pre.writeUInt32LE(hb.length, 12);
      const v1 = path.join(dir, "v1.wlb");
      fs.writeFileSync(v1, Buffer.concat([pre, hb, bytes.subarray(16 + headerLength)]));
      const back = await readBundle(v1);
      expect(back.summary).to.deep.equal(built.summary);
      expect(back.usage).to.equal(null);
      // the same header as format 2 (usage words missing) is refused: signed summaries carry them
      pre.writeUInt32LE(2, 8);
      fs.writeFileSync(v1, Buffer.concat([pre, hb, bytes.subarray(16 + headerLength)]));
      expect((await readBundle(v1).catch((e) => e)).message).to.match(/summary.usageRoot must be 32-byte hex/);
    });

    it("summary JSON carries the usage words and refuses inconsistent ones", async () => {
      const built = await buildEpoch(seededRecords(4, 3, 0n), { epoch: 0n, usage: usageFor(0n, 99n) });
      const j = summaryToJson(built.summary);
      expect(j).to.include({ usageRoot: built.summary.usageRoot, usageCount: "3", totalUsage: "99" });
      expect(summaryFromJson(JSON.parse(JSON.stringify(j)))).to.deep.equal(built.summary);
      expect(() => summaryFromJson({ ...j, usageCount: "0" })).to.throw(InvalidInputError, /usageRoot must be 0x00…00 exactly when usageCount is 0/);
      expect(() => summaryFromJson({ ...j, usageRoot: ZERO, usageCount: "0" })).to.throw(InvalidInputError, /totalUsage 0 then/);
      const { totalUsage: _t, ...missing } = j;
      expect(() => summaryFromJson(missing, "sig.json: summary")).to.throw(InvalidInputError, "sig.json: summary.totalUsage must be a non-negative integer");
    });
  });

  describe("sign, commit, publish and prove with usage (in-process Hardhat network)", () => {
    let f: LedgerFixture;
    let records: WorkRecord[];
    let usage: UsageRecord[];
    let recordsFile: string;
    let usageFile: string;

    beforeEach(async () => {
      f = await loadFixture(deployLedger);
      records = seededRecords(40, 77, 0n);
      usage = usageFor(0n, records.reduce((a, r) => a + r.revenue, 0n));
      recordsFile = path.join(dir, "epoch-0.csv");
      usageFile = path.join(dir, "usage-0.csv");
      fs.writeFileSync(recordsFile, toCsv(records));
      fs.writeFileSync(usageFile, usageCsv(usage));
    });

    it("each verifier rebuilds the usage words from the usage file; `expected` compares them field by field", async () => {
      const built = await buildEpoch(records, { epoch: 0n, usage });
      const sig = await verifyAndSignEpoch(recordsFile, ctxOf(f), f.verifiers[0], { usageFile, expected: built.summary });
      expect(sig.summary).to.deep.equal(summaryToJson(built.summary));
      const file = path.join(dir, "sig.json");
      writeSignatureFile(sig, file);
      expect(readSignatureFile(file)).to.deep.equal(sig);
      // a signature file whose usage words were edited no longer recovers to its signer
      fs.writeFileSync(file, JSON.stringify({ ...sig, summary: { ...sig.summary, totalUsage: (built.summary.totalUsage + 1n).toString() } }));
      expect(() => readSignatureFile(file)).to.throw(VerificationError, /recovers to/);

      const claims: [keyof typeof built.summary, unknown][] = [
        ["usageRoot", id("another usage tree")],
        ["usageCount", 4n],
        ["totalUsage", built.summary.totalUsage + 1n],
      ];
      for (const [field, value] of claims) {
        const expected = { ...built.summary, [field]: value };
        const err = await verifyAndSignEpoch(recordsFile, ctxOf(f), f.verifiers[1], { usageFile, expected }).catch((e) => e);
        expect(err, field).to.be.instanceOf(VerificationError);
        expect(err.shortMessage).to.equal(`refusing to sign: summary field ${field} is ${value} but the usage records give ${built.summary[field]}`);
      }
      // no usage file: the usage words are zero, so a summary with usage is refused at usageRoot
      const noUsage = await verifyAndSignEpoch(recordsFile, ctxOf(f), f.verifiers[1], { expected: built.summary }).catch((e) => e);
      expect(noUsage.shortMessage).to.equal(`refusing to sign: summary field usageRoot is ${built.summary.usageRoot} but the usage records give ${ZERO}`);
    });

    it("refuses a usage file of another epoch or with a bad row, naming the file, line and column", async () => {
      const wrong = path.join(dir, "usage-wrong.csv");
      fs.writeFileSync(wrong, usageCsv(usage).replace(/,0,(\d+),/, ",1,$1,"));
      const err = await verifyAndSignEpoch(recordsFile, ctxOf(f), f.verifiers[0], { usageFile: wrong }).catch((e) => e);
      expect(err).to.be.instanceOf(RecordsError);
      expect(err.issues).to.have.length(1);
      expect(err.issues[0]).to.deep.include({ line: 2, column: "epoch" });
      expect(err.message).to.include("usage-wrong.csv");
      const missing = await buildEpochFromFile(recordsFile, { epoch: 0n, usageFile: path.join(dir, "nope.csv") }).catch((e) => e);
      expect(missing).to.be.instanceOf(InvalidInputError);
      expect(missing.shortMessage).to.equal(`usage file not found: ${path.join(dir, "nope.csv")}`);
    });

    it("commits an epoch with usage: EpochUsageCommitted decoded, verifyUsage true only once Final, proof files say where a leaf stands", async () => {
      const built = await buildEpoch(records, { epoch: 0n, usage });
      const sigs = await Promise.all(f.verifiers.slice(0, 2).map((v) => signEpoch(built.summary, ctxOf(f), v)));
      const res = await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: 0n, summary: built.summary, signatures: sigs });
      expect(res).to.deep.include({ alreadyCommitted: false, version: 1, usageRoot: built.summary.usageRoot, usageCount: 3n, totalUsage: built.summary.totalUsage });
      const wl = IWorkLedger__factory.connect(f.workLedger, ethers.provider);
      expect((await wl.latestEpoch(1n, 0n)).usageRoot).to.equal(built.summary.usageRoot);
      const again = await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: 0n, summary: built.summary, signatures: sigs });
      expect(again).to.deep.include({ alreadyCommitted: true, txHash: res.txHash, usageRoot: built.summary.usageRoot, usageCount: 3n });

      const p = usageProof(built.usage!, usage[1].customer);
      expect(await verifyUsageOnChain(ethers.provider, f.workLedger, 1n, 0n, p.leaf, p.proof)).to.equal(false);
      expect(await usageStatusOnChain(ethers.provider, f.workLedger, 1n, 0n, p.leaf, p.proof)).to.deep.equal({ included: true, status: "pending", version: 1, final: false });
      const proofFile = makeUsageProofFile({ chainId: f.chainId, ledger: f.workLedger, networkId: 1n, epoch: 0n, version: 1, usageRoot: p.root, leaf: p.leaf, proof: p.proof });
      expect(proofFile.leafHash).to.equal(p.leafHash);
      const pending = await verifyProofFile(JSON.parse(JSON.stringify(proofFile)), { provider: ethers.provider });
      expect(pending).to.deep.equal({ ok: true, offline: true, onChain: true, included: true, status: "pending", version: 1, final: false, problems: [] });
      expect(await verifyProofFile(proofFile, { provider: ethers.provider, requireFinal: true })).to.deep.include({ ok: false, problems: ["the latest version is pending, not final yet"] });

      await passWindow();
      for (const u of usage) {
        const q = usageProof(built.usage!, u.customer);
        expect(await verifyUsageOnChain(ethers.provider, f.workLedger, 1n, 0n, q.leaf, q.proof)).to.equal(true);
        expect(await verifyUsageOnChain(ethers.provider, f.workLedger, 1n, 0n, { ...q.leaf, amount: q.leaf.amount + 1n }, q.proof)).to.equal(false);
      }
      expect(await verifyProofFile(proofFile, { provider: ethers.provider, requireFinal: true })).to.deep.equal({
        ok: true,
        offline: true,
        onChain: true,
        included: true,
        status: "final",
        version: 1,
        final: true,
        problems: [],
      });
      const forged = { ...proofFile, leafHash: undefined, leaf: { ...proofFile.leaf, amount: "1" } };
      expect(await verifyProofFile(forged, { provider: ethers.provider })).to.deep.equal({
        ok: false,
        offline: false,
        onChain: false,
        included: false,
        status: "final",
        version: 1,
        final: false,
        problems: ["the proof does not lead from the usage leaf to the usage root", "the usage leaf is not under the latest version (1)'s usage root"],
      });
      const lying = await verifyProofFile({ ...proofFile, leaf: { ...proofFile.leaf, amount: "1" } });
      expect(lying.ok).to.equal(false);
      expect(lying.problems[0]).to.match(/^proof file: leafHash 0x[0-9a-f]{64} is not the leaf's hash 0x[0-9a-f]{64}$/);
    });

    it("publishes from the records and usage files: bundle with usage leaves, warns on Σ usage ≠ Σ revenue, refuses other usage for a committed epoch", async () => {
      const deployment = { chainId: Number(f.chainId), workLedger: f.workLedger };
      const signatures: string[] = [];
      for (const [i, v] of f.verifiers.slice(0, 2).entries()) {
        const file = path.join(dir, `sig-${i}.json`);
        writeSignatureFile(await verifyAndSignEpoch(recordsFile, ctxOf(f), v, { usageFile }), file);
        signatures.push(file);
      }
      const bundleDir = path.join(dir, "bundles");
      const r = await publishEpoch(f.admin, deployment, { networkId: 1n, epoch: 0n, recordsFile, usageFile, signatures, bundleDir, nodeCheck: "skip" });
      expect(r.commit).to.deep.include({ version: 1, usageCount: 3n, usageRoot: r.summary.usageRoot });
      expect(r.usageRevenue).to.deep.include({ matches: true, message: null });
      const back = await readBundle(r.bundleFile!);
      expect(back.summary).to.deep.equal(r.summary);
      expect(back.usage!.leaves.map((l) => l.customer).sort()).to.deep.equal(usage.map((u) => u.customer).sort());

      // same records, other usage: the usage root differs and the epoch is committed -> refused, nothing sent
      const other = path.join(dir, "usage-other.csv");
      const changed = usage.map((u, i) => (i === 0 ? { ...u, amount: u.amount + 5n } : u));
      fs.writeFileSync(other, usageCsv(changed));
      const before = await nonceOf(f.admin);
      const err = await publishEpoch(f.admin, deployment, { networkId: 1n, epoch: 0n, recordsFile, usageFile: other, signatures, bundleDir, nodeCheck: "skip" }).catch((e) => e);
      expect(err).to.be.instanceOf(WorkLedgerError);
      expect(err.code).to.equal("E_ALREADY_COMMITTED");
      expect(err.shortMessage).to.match(/already committed \(v1, pending\) with usage root 0x[0-9a-f]{64} \(these usage records give 0x[0-9a-f]{64}\)$/);
      expect(await nonceOf(f.admin)).to.equal(before);

      // the next epoch with usage that does not add up to the revenue: published, with the warning
      await network.provider.send("evm_increaseTime", [Number(EPOCH_SECONDS)]);
      await network.provider.send("evm_mine", []);
      const rec1 = seededRecords(5, 78, 1n);
      const rev1 = rec1.reduce((a, x) => a + x.revenue, 0n);
      const use1 = usageFor(1n, rev1 + 3n);
      const built1 = await buildEpoch(rec1, { epoch: 1n, usage: use1 });
      const sigs1 = await Promise.all(f.verifiers.slice(1, 3).map((v) => signEpoch(built1.summary, ctxOf(f, 1n), v)));
      const f1 = path.join(dir, "epoch-1.csv");
      fs.writeFileSync(f1, toCsv(rec1));
      const r1 = await publishEpoch(f.admin, deployment, { networkId: 1n, epoch: 1n, recordsFile: f1, usage: use1, signatures: sigs1, bundleDir, nodeCheck: "skip" });
      expect(r1.commit!.version).to.equal(1);
      expect(r1.usageRevenue!.message).to.equal(`Σ usage ${rev1 + 3n} ≠ Σ node revenue ${rev1}: usage is 3 more than revenue (token's smallest unit)`);
    });

    it("refuses a mismatching usage file before anything is sent or written", async () => {
      const deployment = { chainId: Number(f.chainId), workLedger: f.workLedger };
      const built = await buildEpoch(records, { epoch: 0n, usage });
      const sigs = await Promise.all(f.verifiers.slice(0, 2).map((v) => signEpoch(built.summary, ctxOf(f), v)));
      const bundleDir = path.join(dir, "bundles");
      const before = await nonceOf(f.admin);
      const bad = path.join(dir, "usage-bad.csv");
      fs.writeFileSync(bad, usageCsv(usage) + `${usage[0].customer},0,1,1,dup\n`);
      const dup = await publishEpoch(f.admin, deployment, { networkId: 1n, epoch: 0n, recordsFile, usageFile: bad, signatures: sigs, bundleDir, nodeCheck: "skip" }).catch((e) => e);
      expect(dup).to.be.instanceOf(RecordsError);
      expect(dup.issues[0]).to.deep.include({ line: 5, column: "customer" });
      expect(dup.issues[0].reason).to.match(/^duplicate customer 0x[0-9a-fA-F]{40} \(first at line 2\)/);
      // signatures over usage, publisher without it: the signatures do not match the rebuilt summary
      const without = await publishEpoch(f.admin, deployment, { networkId: 1n, epoch: 0n, recordsFile, signatures: sigs, bundleDir, nodeCheck: "skip" }).catch((e) => e);
      expect(without).to.be.instanceOf(VerificationError);
      expect(without.shortMessage).to.match(/signed usageRoot 0x[0-9a-f]{64} but the records give 0x0{64}$/);
      expect(await nonceOf(f.admin)).to.equal(before);
      expect(fs.existsSync(bundleDir) ? fs.readdirSync(bundleDir) : []).to.deep.equal([]);
    });
  });

  describe("the finality cursor", () => {
    it("advances over Final epochs only, up to maxSteps; a dry run sends nothing; a correction holds it back", async () => {
      const f = await loadFixture(deployLedger);
      const deployment = { workLedger: f.workLedger };
      await network.provider.send("evm_increaseTime", [3 * Number(EPOCH_SECONDS)]);
      await network.provider.send("evm_mine", []);
      const builds = [];
      for (let e = 0n; e < 4n; e++) {
        const b = await buildEpoch(seededRecords(3, 500 + Number(e), e), { epoch: e, usage: usageFor(e, 1000n) });
        const sigs = await Promise.all(f.verifiers.slice(0, 2).map((v) => signEpoch(b.summary, ctxOf(f, e), v)));
        await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: e, summary: b.summary, signatures: sigs });
        builds.push(b);
      }
      expect(await finalizedCount(ethers.provider, deployment, 1n)).to.equal(0n);
      const nothing = await advanceFinality(f.outsider, deployment, 1n, 10n);
      expect(nothing).to.deep.include({ networkId: 1n, fromCount: 0n, toCount: 0n, advanced: false });
      expect(nothing.outcome.txHash).to.match(/^0x[0-9a-f]{64}$/);

      await passWindow();
      const before = await nonceOf(f.outsider);
      const dry = await advanceFinality(f.outsider, deployment, 1n, 10n, { dryRun: true });
      expect(dry).to.deep.include({ fromCount: 0n, toCount: 4n, advanced: true });
      expect(dry.outcome.dryRun).to.equal(true);
      expect(await nonceOf(f.outsider)).to.equal(before);
      expect(await finalizedCount(ethers.provider, deployment, 1n)).to.equal(0n);

      const two = await advanceFinality(f.outsider, deployment, 1n, 2n);
      expect(two).to.deep.include({ fromCount: 0n, toCount: 2n, advanced: true });
      expect(two.outcome.gasUsed! > 0n).to.equal(true);
      expect(await finalizedCount(ethers.provider, deployment, 1n)).to.equal(2n);

      // epoch 4 committed, then corrected while Pending: the cursor stops before it until the new version is Final
      const b4 = await buildEpoch(seededRecords(3, 600, 4n), { epoch: 4n, usage: usageFor(4n, 10n) });
      await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: 4n, summary: b4.summary, signatures: await Promise.all(f.verifiers.slice(0, 2).map((v) => signEpoch(b4.summary, ctxOf(f, 4n), v))) });
      await network.provider.send("evm_increaseTime", [WINDOW - 100]);
      await network.provider.send("evm_mine", []);
      const fixed = await buildEpoch(seededRecords(3, 600, 4n), { epoch: 4n, usage: usageFor(4n, 11n) });
      const v2 = await commitEpoch({
        signer: f.admin,
        workLedger: f.workLedger,
        chainId: f.chainId,
        networkId: 1n,
        epoch: 4n,
        summary: fixed.summary,
        signatures: await Promise.all(f.verifiers.slice(1, 3).map((v) => signEpoch(fixed.summary, ctxOf(f, 4n, 2), v))),
        correction: { reasonHash: id("usage of customer 2 under-metered") },
      });
      expect(v2).to.deep.include({ corrected: true, version: 2, usageRoot: fixed.summary.usageRoot, totalUsage: 11n });
      await network.provider.send("evm_increaseTime", [200]); // v1's window would have passed now
      await network.provider.send("evm_mine", []);
      expect(await advanceFinality(f.outsider, deployment, 1n, 100n)).to.deep.include({ fromCount: 2n, toCount: 4n });
      await passWindow();
      expect(await advanceFinality(f.outsider, deployment, 1n, 100n)).to.deep.include({ fromCount: 4n, toCount: 5n });

      expect((await advanceFinality(f.outsider, deployment, 1n, 0n).catch((e) => e)).shortMessage).to.equal(`maxSteps must be between 1 and ${(1n << 64n) - 1n}, got 0`);
      expect((await finalizedCount(ethers.provider, deployment, 9n).catch((e) => e)).shortMessage).to.match(/^unknown network 9/);
    });
  });
});
