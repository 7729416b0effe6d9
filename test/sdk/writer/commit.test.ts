import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { Signer, getAddress, id } from "ethers";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import { ChainMismatchError, ContractRevertError, RecordsError, VerificationError, WorkLedgerError } from "../../../src/errors";
import { WorkRecord } from "../../../src/records/types";
import { verifyRecordOnChain } from "../../../src/verifier/onchain";
import { verifyRecordProof } from "../../../src/merkle/proof";
import { makeProofFile, verifyProofFile } from "../../../src/verifier/proofFile";
import { verifyEpochSignatures } from "../../../src/verifier/signatures";
import { BuiltEpoch, buildEpoch } from "../../../src/writer/build";
import { bundleProof } from "../../../src/writer/bundle";
import { commitEpoch } from "../../../src/writer/commit";
import { publishEpoch } from "../../../src/writer/publish";
import { EpochSigningContext, SignatureFile, readSignatureFile, signEpoch, verifyAndSignEpoch, writeSignatureFile } from "../../../src/writer/sign";
import { seededRandom } from "../../helpers/random";
import { LedgerFixture, deployLedger, seededRecords, toCsv } from "./fixture";

async function chainState(who: Signer) {
  return { nonce: await ethers.provider.getTransactionCount(await who.getAddress(), "latest"), block: await ethers.provider.getBlockNumber() };
}

function ctxOf(f: LedgerFixture, epoch = 0n, version = 1): EpochSigningContext {
  return { networkId: f.networkId, epoch, version, chainId: f.chainId, workLedger: f.workLedger };
}

async function signBy(signers: Signer[], built: BuiltEpoch, ctx: EpochSigningContext): Promise<SignatureFile[]> {
  return Promise.all(signers.map((s) => signEpoch(built.summary, ctx, s)));
}

const FIELDS = ["nodeId", "epoch", "workUnits", "uptimeBps", "revenue", "evidence"] as const;
function alter(r: WorkRecord, field: (typeof FIELDS)[number]): WorkRecord {
  switch (field) {
    case "nodeId":
      return { ...r, nodeId: "0x" + (BigInt(r.nodeId) ^ 1n).toString(16).padStart(64, "0") };
    case "epoch":
      return { ...r, epoch: r.epoch + 1n };
    case "workUnits":
      return { ...r, workUnits: r.workUnits === 0n ? 1n : r.workUnits - 1n };
    case "uptimeBps":
      return { ...r, uptimeBps: r.uptimeBps === 10_000 ? 9_999 : r.uptimeBps + 1 };
    case "revenue":
      return { ...r, revenue: r.revenue + 1n };
    case "evidence":
      return { ...r, evidence: "0x" + (BigInt(r.evidence) ^ (1n << 255n)).toString(16).padStart(64, "0") };
  }
}

describe("writer: signEpoch and commitEpoch (in-process Hardhat network)", function () {
  this.timeout(120_000);
  let f: LedgerFixture;
  let records: WorkRecord[];
  let built: BuiltEpoch;
  let dir: string;

  beforeEach(async () => {
    f = await loadFixture(deployLedger);
    records = seededRecords(120, 424242, 0n);
    built = await buildEpoch(records, { epoch: 0n });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-commit-"));
  });
  afterEach(async () => {
    await network.provider.send("evm_setAutomine", [true]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("commits a 2-of-3 signed epoch; every record verifies on chain and offline; altered fields fail both", async () => {
    const [v1, , v3] = f.verifiers;
    const sigs = await signBy([v3, v1], built, ctxOf(f)); // deliberately unsorted
    const res = await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: 0n, summary: built.summary, signatures: sigs });
    const expectedSigners = [await v1.getAddress(), await v3.getAddress()].map((a) => getAddress(a)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(res).to.deep.include({ alreadyCommitted: false, corrected: false, version: 1, root: built.summary.root, recordCount: 120n, signers: expectedSigners, verifierSetId: 1 });
    expect(res.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(res.totalRevenue).to.equal(built.summary.totalRevenue);
    expect(res).to.deep.include({ usageRoot: "0x" + "00".repeat(32), usageCount: 0n, totalUsage: 0n });
    // verifyRecord is true only once the version is Final (the challenge window has passed)
    const first = bundleProof(built.bundle, records[0].nodeId);
    expect(await verifyRecordOnChain(ethers.provider, f.workLedger, 1n, 0n, records[0], first.proof), "pending").to.equal(false);
    await network.provider.send("evm_increaseTime", [86_400 + 1]);
    await network.provider.send("evm_mine", []);
    for (const r of records) {
      const p = bundleProof(built.bundle, r.nodeId);
      expect(verifyRecordProof(r, p.proof, res.root), "offline").to.equal(true);
      expect(await verifyRecordOnChain(ethers.provider, f.workLedger, 1n, 0n, r, p.proof), "on chain").to.equal(true);
    }
    const rnd = seededRandom(7);
    for (let k = 0; k < 8; k++) {
      const r = records[Math.floor(rnd() * records.length)];
      const p = bundleProof(built.bundle, r.nodeId);
      for (const field of FIELDS) {
        const bad = alter(r, field);
        expect(verifyRecordProof(bad, p.proof, res.root), `offline ${field}`).to.equal(false);
        expect(await verifyRecordOnChain(ethers.provider, f.workLedger, 1n, 0n, bad, p.proof), `on chain ${field}`).to.equal(false);
      }
    }
  });

  it("commits the edge sizes in order: an empty epoch, a 1-record epoch (empty proof), a 2-record epoch", async () => {
    await network.provider.send("evm_increaseTime", [2 * 3600]);
    await network.provider.send("evm_mine", []);
    const sizes = [0, 1, 2];
    const committed: { epoch: number; recs: WorkRecord[]; b: BuiltEpoch }[] = [];
    for (const [epoch, size] of sizes.entries()) {
      const recs = seededRecords(size, 1000 + epoch, BigInt(epoch));
      const b = await buildEpoch(recs, { epoch: BigInt(epoch) });
      const sigs = await signBy(f.verifiers.slice(1, 3), b, ctxOf(f, BigInt(epoch)));
      const res = await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: BigInt(epoch), summary: b.summary, signatures: sigs });
      expect(res).to.deep.include({ alreadyCommitted: false, version: 1, recordCount: BigInt(size), root: b.summary.root });
      committed.push({ epoch, recs, b });
    }
    await network.provider.send("evm_increaseTime", [86_400 + 1]);
    await network.provider.send("evm_mine", []);
    for (const { epoch, recs, b } of committed) {
      for (const r of recs) {
        const p = bundleProof(b.bundle, r.nodeId);
        expect(p.proof.length).to.equal(Math.max(0, recs.length - 1));
        expect(await verifyRecordOnChain(ethers.provider, f.workLedger, 1n, BigInt(epoch), r, p.proof)).to.equal(true);
        expect(await verifyRecordOnChain(ethers.provider, f.workLedger, 1n, BigInt(epoch), alter(r, "revenue"), p.proof)).to.equal(false);
      }
    }
  });

  it("is idempotent: the same root again sends nothing and says so", async () => {
    const sigs = await signBy(f.verifiers.slice(0, 2), built, ctxOf(f));
    const params = { signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: 0n, summary: built.summary, signatures: sigs };
    const first = await commitEpoch(params);
    const before = await chainState(f.admin);
    const again = await commitEpoch(params);
    expect(await chainState(f.admin)).to.deep.equal(before);
    expect(again.alreadyCommitted).to.equal(true);
    expect(again.version).to.equal(1);
    expect(again.txHash).to.equal(first.txHash);
  });

  it("refuses a different root for a committed epoch unless it is a correction, then supersedes it", async () => {
    await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: 0n, summary: built.summary, signatures: await signBy(f.verifiers.slice(0, 2), built, ctxOf(f)) });
    const fixed = records.map((r, i) => (i === 0 ? { ...r, revenue: r.revenue + 5n } : r));
    const rebuilt = await buildEpoch(fixed, { epoch: 0n });
    const v2sigs = await signBy(f.verifiers.slice(1, 3), rebuilt, ctxOf(f, 0n, 2));
    const before = await chainState(f.admin);
    const refused = await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: 0n, summary: rebuilt.summary, signatures: v2sigs }).catch((e) => e);
    expect(refused).to.be.instanceOf(WorkLedgerError);
    expect(refused.code).to.equal("E_ALREADY_COMMITTED");
    expect(await chainState(f.admin)).to.deep.equal(before);

    const oldProof = bundleProof(built.bundle, records[0].nodeId);
    const oldFile = makeProofFile({ chainId: f.chainId, ledger: f.workLedger, networkId: 1n, epoch: 0n, version: 1, root: built.summary.root, record: oldProof.record, proof: oldProof.proof });
    expect(await verifyProofFile(oldFile, { provider: ethers.provider })).to.deep.equal({
      ok: true,
      offline: true,
      onChain: true,
      included: true,
      status: "pending",
      version: 1,
      final: false,
      problems: [],
    });

    const reasonHash = id("revenue of node 0 was under-reported");
    const res = await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: 0n, summary: rebuilt.summary, signatures: v2sigs, correction: { reasonHash } });
    expect(res).to.deep.include({ alreadyCommitted: false, corrected: true, version: 2, root: rebuilt.summary.root });

    const stale = await verifyProofFile(oldFile, { provider: ethers.provider });
    expect(stale.ok).to.equal(false);
    expect(stale.offline).to.equal(true);
    expect(stale).to.deep.include({ included: false, status: "pending", version: 2, final: false });
    expect(stale.problems).to.deep.equal(["the record is not under the latest version (2)'s root", "the latest version is 2, the proof is for version 1"]);
    const newProof = bundleProof(rebuilt.bundle, records[0].nodeId);
    const newFile = makeProofFile({ chainId: f.chainId, ledger: f.workLedger, networkId: 1n, epoch: 0n, version: 2, root: rebuilt.summary.root, record: newProof.record, proof: newProof.proof });
    expect((await verifyProofFile(JSON.parse(JSON.stringify(newFile)), { provider: ethers.provider })).ok).to.equal(true);
    const forged = { ...newFile, record: { ...newFile.record, revenue: (BigInt(newFile.record.revenue) + 1n).toString() } };
    const forgedCheck = await verifyProofFile(forged, { provider: ethers.provider });
    expect(forgedCheck).to.deep.equal({
      ok: false,
      offline: false,
      onChain: false,
      included: false,
      status: "pending",
      version: 2,
      final: false,
      problems: ["the proof does not lead from the record to the root", "the record is not under the latest version (2)'s root"],
    });
  });

  it("returns the contract's custom errors by name with their arguments", async () => {
    const sigs = await signBy(f.verifiers.slice(0, 2), built, ctxOf(f));
    const one = await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: 0n, summary: built.summary, signatures: sigs.slice(0, 1) }).catch((e) => e);
    expect(one).to.be.instanceOf(ContractRevertError);
    expect(one.errorName).to.equal("WorkLedgerBelowThreshold");
    expect(one.args).to.deep.equal({ provided: 1n, threshold: 2n });

    const outsiderSig = await signEpoch(built.summary, ctxOf(f), f.outsider);
    const notVerifier = await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: 0n, summary: built.summary, signatures: [sigs[0], outsiderSig] }).catch((e) => e);
    expect(notVerifier).to.be.instanceOf(ContractRevertError);
    expect(notVerifier.errorName).to.equal("WorkLedgerNotVerifier");
    expect(notVerifier.args).to.deep.equal({ signer: await f.outsider.getAddress() });

    const e1 = await buildEpoch(seededRecords(3, 1, 1n), { epoch: 1n });
    const notEnded = await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: f.chainId, networkId: 1n, epoch: 1n, summary: e1.summary, signatures: await signBy(f.verifiers.slice(0, 2), e1, ctxOf(f, 1n)) }).catch((e) => e);
    expect(notEnded).to.be.instanceOf(ContractRevertError);
    expect(notEnded.errorName).to.equal("WorkLedgerEpochOutOfOrder");
    expect(notEnded.args).to.deep.equal({ networkId: 1n, epoch: 1n, expected: 0n });
    expect(notEnded.message).to.equal("contract reverted: WorkLedgerEpochOutOfOrder(networkId=1, epoch=1, expected=0)");
  });

  it("checks the deployment first: wrong chainId or no contract is a ChainMismatchError, nothing sent", async () => {
    const sigs = await signBy(f.verifiers.slice(0, 2), built, ctxOf(f));
    const before = await chainState(f.admin);
    const wrongChain = await commitEpoch({ signer: f.admin, workLedger: f.workLedger, chainId: 1n, networkId: 1n, epoch: 0n, summary: built.summary, signatures: sigs }).catch((e) => e);
    expect(wrongChain).to.be.instanceOf(ChainMismatchError);
    expect(wrongChain.shortMessage).to.equal(`the RPC endpoint is on chainId ${f.chainId}, the deployment is on chainId 1`);
    const eoa = await f.outsider.getAddress();
    const noCode = await commitEpoch({ signer: f.admin, workLedger: eoa, chainId: f.chainId, networkId: 1n, epoch: 0n, summary: built.summary, signatures: sigs }).catch((e) => e);
    expect(noCode).to.be.instanceOf(ChainMismatchError);
    expect(noCode.shortMessage).to.equal(`no contract at WorkLedger address ${eoa} on chainId ${f.chainId}`);
    expect(await chainState(f.admin)).to.deep.equal(before);
  });

  it("sends nothing when the records file is bad or a signature is for another summary", async () => {
    const good = path.join(dir, "e0.csv");
    fs.writeFileSync(good, toCsv(records));
    const sigs = await signBy(f.verifiers.slice(0, 2), built, ctxOf(f));
    const deployment = { chainId: Number(f.chainId), workLedger: f.workLedger };
    const base = { networkId: 1n, epoch: 0n, signatures: sigs, nodeCheck: "skip" as const };
    const before = await chainState(f.admin);

    const bad = path.join(dir, "bad.csv");
    fs.writeFileSync(bad, toCsv(records).replace(/\n([^,\n]+),0,(\d+),/, "\n$1,0,-$2,"));
    const e1 = await publishEpoch(f.admin, deployment, { ...base, recordsFile: bad }).catch((e) => e);
    expect(e1).to.be.instanceOf(RecordsError);
    expect(e1.issues).to.have.length(1);
    expect(e1.issues[0]).to.deep.include({ line: 2, column: "workUnits" });

    const other = await buildEpoch(records.slice(1), { epoch: 0n });
    const wrongSig = await signEpoch(other.summary, ctxOf(f), f.verifiers[2]);
    const e2 = await publishEpoch(f.admin, deployment, { ...base, signatures: [sigs[0], wrongSig], recordsFile: good }).catch((e) => e);
    expect(e2).to.be.instanceOf(VerificationError);
    expect(e2.shortMessage).to.match(/^signature 2 \(0x[0-9a-fA-F]{40}\): signed root 0x[0-9a-f]{64} but the records give 0x[0-9a-f]{64}$/);

    expect(await chainState(f.admin)).to.deep.equal(before);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith(".wlb") || n.includes(".publishing"))).to.deep.equal([]);
    const ok = await publishEpoch(f.admin, deployment, { ...base, recordsFile: good, bundleFile: path.join(dir, "e0.wlb") });
    expect(ok.commit!.version).to.equal(1);
    expect(ok.bundleFile).to.equal(path.join(dir, "e0.wlb"));
    expect(fs.existsSync(path.join(dir, "e0.wlb"))).to.equal(true);
  });

  it("lets each verifier rebuild from the records file and refuse a summary that differs, naming the field", async () => {
    const file = path.join(dir, "e0.csv");
    fs.writeFileSync(file, toCsv(records));
    const sig = await verifyAndSignEpoch(file, ctxOf(f), f.verifiers[0], { expected: built.summary });
    const sigFile = path.join(dir, "sig.json");
    writeSignatureFile(sig, sigFile);
    const back = readSignatureFile(sigFile);
    expect(back).to.deep.equal(sig);
    expect(back.signer).to.equal(await f.verifiers[0].getAddress());
    const claimed = { ...built.summary, totalRevenue: built.summary.totalRevenue + 1n };
    const refused = await verifyAndSignEpoch(file, ctxOf(f), f.verifiers[1], { expected: claimed }).catch((e) => e);
    expect(refused).to.be.instanceOf(VerificationError);
    expect(refused.shortMessage).to.equal(`refusing to sign: summary field totalRevenue is ${claimed.totalRevenue} but the records give ${built.summary.totalRevenue}`);
    fs.writeFileSync(sigFile, JSON.stringify({ ...sig, signer: await f.verifiers[1].getAddress() }));
    expect(() => readSignatureFile(sigFile)).to.throw(VerificationError, /recovers to/);
  });

  it("checks signature sets offline: k-of-n, distinct, in the set, right context", async () => {
    const verifiers = await Promise.all(f.verifiers.map((v) => v.getAddress()));
    const set = { verifiers, threshold: 2 };
    const sigs = await signBy(f.verifiers, built, ctxOf(f));
    expect(verifyEpochSignatures(built.summary, sigs, set, ctxOf(f))).to.deep.include({ valid: true, problems: [] });
    const one = verifyEpochSignatures(built.summary, [sigs[0], sigs[0]], set, ctxOf(f));
    expect(one.valid).to.equal(false);
    expect(one.problems).to.deep.equal([`signature 1: duplicate signer ${verifiers[0]}`, "1 valid distinct verifier signatures, threshold 2"]);
    const outsider = await signEpoch(built.summary, ctxOf(f), f.outsider);
    const withOutsider = verifyEpochSignatures(built.summary, [sigs[0], outsider], set, ctxOf(f));
    expect(withOutsider.valid).to.equal(false);
    expect(withOutsider.problems[0]).to.equal(`signature 1: signer ${await f.outsider.getAddress()} is not in the verifier set`);
    const otherChain = verifyEpochSignatures(built.summary, sigs.map((s) => s.signature), set, { ...ctxOf(f), chainId: 1n });
    expect(otherChain.valid).to.equal(false);
    const otherEpoch = verifyEpochSignatures(built.summary, sigs, set, ctxOf(f, 1n));
    expect(otherEpoch.valid).to.equal(false);
    expect(otherEpoch.problems[0]).to.match(/^signature 0: recovers to 0x[0-9a-fA-F]{40}, not to the stated signer/);
  });

  it("rebroadcasts a dropped transaction with the same nonce", async () => {
    const sigs = await signBy(f.verifiers.slice(0, 2), built, ctxOf(f));
    await network.provider.send("evm_setAutomine", [false]);
    const seen: { hash: string; nonce: number; attempt: number }[] = [];
    const res = await commitEpoch({
      signer: f.admin,
      workLedger: f.workLedger,
      chainId: f.chainId,
      networkId: 1n,
      epoch: 0n,
      summary: built.summary,
      signatures: sigs,
      timeoutMs: 300,
      pollMs: 50,
      onBroadcast: async (info) => {
        seen.push(info);
        if (info.attempt === 0) await network.provider.send("hardhat_dropTransaction", [info.hash]);
        else await network.provider.send("evm_mine", []);
      },
    });
    expect(seen.length).to.equal(2);
    expect(seen[1].nonce).to.equal(seen[0].nonce);
    expect(res.alreadyCommitted).to.equal(false);
    expect(res.version).to.equal(1);
    expect((await ethers.provider.getTransaction(res.txHash!))!.nonce).to.equal(seen[0].nonce);
  });

  it("survives a replaced transaction: re-reads the epoch and resubmits", async () => {
    const sigs = await signBy(f.verifiers.slice(0, 2), built, ctxOf(f));
    await network.provider.send("evm_setAutomine", [false]);
    const seen: { submission: number; attempt: number; nonce: number }[] = [];
    const res = await commitEpoch({
      signer: f.admin,
      workLedger: f.workLedger,
      chainId: f.chainId,
      networkId: 1n,
      epoch: 0n,
      summary: built.summary,
      signatures: sigs,
      timeoutMs: 300,
      pollMs: 50,
      onBroadcast: async (info) => {
        seen.push(info);
        if (info.submission === 0) {
          const pending = (await ethers.provider.getTransaction(info.hash))!;
          const me = await f.admin.getAddress();
          await f.admin.sendTransaction({ to: me, value: 0, nonce: info.nonce, maxFeePerGas: pending.maxFeePerGas! * 2n, maxPriorityFeePerGas: pending.maxPriorityFeePerGas! * 2n });
        }
        await network.provider.send("evm_mine", []);
      },
    });
    expect(seen.map((s) => [s.submission, s.attempt])).to.deep.equal([
      [0, 0],
      [1, 0],
    ]);
    expect(seen[1].nonce).to.equal(seen[0].nonce + 1);
    expect(res).to.deep.include({ alreadyCommitted: false, version: 1, root: built.summary.root });
  });
});
