/**
 * Cumulative payouts in the SDK (#16, DESIGN rule 7) on the in-process Hardhat network: amounts
 * against a model computed by hand (fees with their rounding remainder, a refund, a forfeited bond, a
 * corrected epoch paid on its latest version, an unregistered node left out), the verifiers' signing,
 * posting by anyone, claims that pay only the increase, and the refusals: the cursor, a root that does
 * not go further, "never lowers", a stale signature, nothing to claim, a wrong operator, an old root.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { Signer, keccak256, toUtf8Bytes } from "ethers";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import {
  PayoutSignatureFile,
  buildPayoutRound,
  claimPayout,
  cumulativePayoutProof,
  payoutFileName,
  payoutFileText,
  payoutRound,
  postPayoutRoot,
  readPayoutRootFile,
  readPayoutSignatureFile,
  setNetworkPaused,
  signPayoutRoot,
  writePayoutSignatureFile,
} from "../../../src";
import { IERC20Metadata__factory, RevenueLedger__factory } from "../../../src/contracts";
import { PAYOUT_ROOT_TYPES, revenueLedgerDomain } from "../../../src/records/eip712";
import { refusal } from "../../helpers/refusal";
import { NODE, PayoutWorld, buildPayoutWorld } from "./payoutScenario";

const send = (m: string, p: unknown[]) => network.provider.send(m, p);

let dir: string;
const dirs: string[] = [];

async function world(): Promise<PayoutWorld> {
  const [admin, v1, v2, v3, arbiter, customerA, customerB, challenger, op1, op2, op3] = await ethers.getSigners();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-payout-"));
  dirs.push(dir);
  return buildPayoutWorld(send, { admin, v1, v2, v3, arbiter, customerA, customerB, challenger, op1, op2, op3 }, dir);
}

/** Round 1 (through epoch 2) signed by v1 and v2 and posted by an outsider. */
async function worldWithRoot(): Promise<PayoutWorld & { firstFile: string }> {
  const w = await world();
  const p = { networkId: 1n, throughEpoch: 2n, bundleDir: w.bundleDir };
  const sigs = [await signPayoutRoot(w.actors.v1, w.deployment, p), await signPayoutRoot(w.actors.v2, w.deployment, p)];
  const r = await payoutRound(w.actors.customerA, w.deployment, { ...p, signatures: sigs });
  return { ...w, firstFile: r.file! };
}

const amounts = (leaves: Array<{ nodeId: string; cumulativeAmount: bigint }>) => Object.fromEntries(leaves.map((l) => [l.nodeId, l.cumulativeAmount]));

async function balanceOf(w: PayoutWorld, who: Signer): Promise<bigint> {
  return IERC20Metadata__factory.connect(w.deployment.token, ethers.provider).balanceOf(await who.getAddress());
}

describe("writer: cumulative payouts (#16)", function () {
  this.timeout(180_000);
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("amounts follow rule 7 by hand: per-epoch fees with the remainder on the last epoch with usage, the forfeited bond, the corrected epoch's v2, no leaf for an unregistered node", async function () {
    const w = await loadFixture(world);
    const round = await buildPayoutRound(ethers.provider, w.deployment, { networkId: 1n, throughEpoch: 2n, bundleDir: w.bundleDir });
    // statement A 0..2: posts 390, 330, 1290 = 2010, fee floor(2010 × 2.5 %) = 50; floors 9, 8, 32 (= 49) + remainder 1 on e2
    // statement B 0..4: posts 610, 670, 710, 500, 1000 = 3490, fee 87; floors 15, 16, 17, 12, 25 (= 85) + remainder 2 on e4
    const line = (e: number) => round.epochs[e];
    expect(line(0)).to.deep.equal({ epoch: 0n, version: 1, totalRevenue: 1000n, posted: 1000n, fee: 24n, refunded: 0n, forfeited: 0n, netPosted: 976n, allocated: 877n });
    expect(line(1)).to.deep.equal({ epoch: 1n, version: 1, totalRevenue: 1000n, posted: 1000n, fee: 24n, refunded: 0n, forfeited: 1_000_000n, netPosted: 1_000_976n, allocated: 1_000_976n });
    expect(line(2)).to.deep.equal({ epoch: 2n, version: 2, totalRevenue: 2000n, posted: 2000n, fee: 50n, refunded: 0n, forfeited: 0n, netPosted: 1950n, allocated: 1949n });
    // e0: N1 floor(300 × 976 / 1000) = 292, N2 585, N4 (unregistered) 97 not paid
    // e1: N1 = N2 = 500 × 1,000,976 / 1000 = 500,488
    // e2 (v2: N1 700, N3 1300 of 2000): N1 floor(682.5) = 682, N3 floor(1267.5) = 1267 (v1 would pay 975 each)
    expect(amounts(round.leaves)).to.deep.equal({ [NODE.N1]: 292n + 500_488n + 682n, [NODE.N2]: 585n + 500_488n, [NODE.N3]: 1267n });
    expect(round.total).to.equal(1_003_802n);
    expect(round.unregistered).to.deep.equal([NODE.N4]);
    expect(round.netRevenuePosted).to.equal(1960n + 3403n + 1_000_000n);
    const [, , , , , , , , op1, op2, op3] = await ethers.getSigners();
    expect(round.leaves.find((l) => l.nodeId === NODE.N3)!.operator).to.equal(await op3.getAddress());
    expect(round.leaves.find((l) => l.nodeId === NODE.N2)!.operator).to.equal(await op2.getAddress());
    expect(round.leaves.find((l) => l.nodeId === NODE.N1)!.operator).to.equal(await op1.getAddress());
    // the file's bytes are what anyone rebuilds: its keccak is the dataHash
    expect(keccak256(toUtf8Bytes(round.text))).to.equal(round.dataHash);
    const again = await buildPayoutRound(ethers.provider, w.deployment, { networkId: 1n, throughEpoch: 2n, bundleDir: w.bundleDir });
    expect(again.text).to.equal(round.text);
  });

  it("refuses a root at or past the finality cursor and a missing bundles folder; a dry run writes and sends nothing", async function () {
    const w = await loadFixture(world);
    const err = await refusal(buildPayoutRound(ethers.provider, w.deployment, { networkId: 1n, throughEpoch: 5n, bundleDir: w.bundleDir }));
    expect(err.message).to.match(/--through-epoch 5: a payout root needs throughEpoch < the finality cursor, which is 5 on network 1/);
    expect((await refusal(buildPayoutRound(ethers.provider, w.deployment, { networkId: 1n, throughEpoch: 2n, bundleDir: path.join(dir, "nope") }))).message).to.match(/--bundles .*nope: no such directory/);
    const p = { networkId: 1n, throughEpoch: 2n, bundleDir: w.bundleDir };
    const sigs = [await signPayoutRoot(w.actors.v1, w.deployment, p), await signPayoutRoot(w.actors.v2, w.deployment, p)];
    const block = await ethers.provider.getBlockNumber();
    const dry = await payoutRound(w.actors.customerA, w.deployment, { ...p, signatures: sigs }, { dryRun: true });
    expect(dry.file).to.equal(null);
    expect(dry.posted!.outcome.dryRun).to.equal(true);
    expect(dry.posted!.outcome.gasEstimate > 0n).to.equal(true);
    expect(fs.existsSync(path.join(w.bundleDir, payoutFileName(1, 2)))).to.equal(false);
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
  });

  it("k verifiers sign, anyone posts (revenue -> payable by the total), the operator claims everything once; nothing left is exit 2, a wrong operator is refused, the next root must go further", async function () {
    const w = await loadFixture(worldWithRoot);
    const rl = RevenueLedger__factory.connect(w.deployment.revenueLedger, ethers.provider);
    const info = await rl.payoutRoot(1n);
    const file = readPayoutRootFile(w.firstFile);
    expect(path.basename(w.firstFile)).to.equal("network-1-payout-2.json");
    expect(info.root).to.equal(file.root);
    expect(info.dataHash).to.equal(file.dataHash);
    expect(info.total).to.equal(1_003_802n);
    expect(info.throughEpoch).to.equal(2n);
    // signature files round-trip
    const sigFile = path.join(dir, "psig.json");
    const sig = await signPayoutRoot(w.actors.v3, w.deployment, { networkId: 1n, throughEpoch: 3n, bundleDir: w.bundleDir });
    writePayoutSignatureFile(sig, sigFile);
    const back = readPayoutSignatureFile(sigFile);
    expect(back).to.deep.equal({ kind: sig.kind, signer: await w.actors.v3.getAddress(), signature: sig.signature, chainId: "31337", revenueLedger: w.deployment.revenueLedger, networkId: "1", root: sig.root, throughEpoch: "3", total: sig.total, dataHash: sig.dataHash });

    const { op1, op2 } = w.actors;
    const before = await balanceOf(w, op1);
    const c = await claimPayout(op1, w.deployment, { networkId: 1n, nodeId: NODE.N1, bundleDir: w.bundleDir });
    expect(c).to.deep.include({ amount: 501_462n, cumulativeAmount: 501_462n, claimedBefore: 0n, throughEpoch: 2n });
    expect((await balanceOf(w, op1)) - before).to.equal(501_462n);
    const nothing = await refusal(claimPayout(op1, w.deployment, { networkId: 1n, nodeId: NODE.N1, bundleDir: w.bundleDir }));
    expect(nothing.message).to.equal(`node ${NODE.N1} has nothing to claim: it claimed 501462 of its cumulative 501462 (root through epoch 2); wait for the next root`);
    const wrong = await refusal(claimPayout(op2, w.deployment, { networkId: 1n, nodeId: NODE.N1, bundleDir: w.bundleDir }));
    expect(wrong.message).to.match(new RegExp(`the signing key ${await op2.getAddress()} is not the operator of node ${NODE.N1} in the latest payout root \\(${await op1.getAddress()}\\)`));
    // and on chain: op2 presenting N1's leaf fails the proof (the leaf names op1)
    const { leaf, proof } = cumulativePayoutProof(file.leaves, NODE.N1);
    await expect(rl.connect(op2).claim(1n, NODE.N1, leaf.cumulativeAmount, proof, await op2.getAddress())).to.be.revertedWithCustomError(rl, "RevenueLedgerInvalidProof");
    for (const e of [1n, 2n]) {
      expect((await refusal(buildPayoutRound(ethers.provider, w.deployment, { networkId: 1n, throughEpoch: e, bundleDir: w.bundleDir }))).message).to.match(
        new RegExp(`--through-epoch ${e}: the latest payout root of network 1 already covers through epoch 2; a new root must go further`),
      );
    }
  });

  it("a second root after a refund and a new statement: only the increase moves to payable, a root posted and a claim paying only the increase while paused, an old root's proof and a stale signature are refused", async function () {
    const w = await loadFixture(worldWithRoot);
    const { admin, v1, v2, customerA, op1, op2 } = w.actors;
    const rl = RevenueLedger__factory.connect(w.deployment.revenueLedger, admin);
    await claimPayout(op1, w.deployment, { networkId: 1n, nodeId: NODE.N1, bundleDir: w.bundleDir });
    const p = { networkId: 1n, throughEpoch: 4n, bundleDir: w.bundleDir };
    const stale = await signPayoutRoot(v1, w.deployment, p);
    // an SLA credit of 88 on B's statement for epoch 3, then A's statement 3..4 (500 on e3, fee 12)
    await (await rl.refund(await rl.chargeIdOf(1n, await w.actors.customerB.getAddress(), 0n), 3n, 88n, keccak256(toUtf8Bytes("SLA")))).wait();
    expect((await w.charge(customerA, 3n, 4n)).amount).to.equal(500n);
    const err = await refusal(payoutRound(customerA, w.deployment, { ...p, signatures: [stale, await signPayoutRoot(v2, w.deployment, p)] }));
    expect(err.message).to.match(/the payout signature of 0x[0-9a-fA-F]{40} is over root 0x[0-9a-f]{64}, not this root .*: have it re-signed/);

    const round = await buildPayoutRound(ethers.provider, w.deployment, p);
    // e3: posts 500 + 500, fees 12 + 12, refund 88: net 888 -> N1 88, N2 177, N3 621; e4: B's 1000 less fee 25 + remainder 2 = 973 -> N2
    expect(round.epochs[3]).to.deep.equal({ epoch: 3n, version: 1, totalRevenue: 1000n, posted: 1000n, fee: 24n, refunded: 88n, forfeited: 0n, netPosted: 888n, allocated: 886n });
    expect(round.epochs[4]).to.deep.include({ fee: 27n, netPosted: 973n, allocated: 973n });
    expect(amounts(round.leaves)).to.deep.equal({ [NODE.N1]: 501_462n + 88n, [NODE.N2]: 501_073n + 177n + 973n, [NODE.N3]: 1267n + 621n });
    expect(round.previous!.throughEpoch).to.equal(2n);
    const sigs: PayoutSignatureFile[] = [await signPayoutRoot(v1, w.deployment, p), await signPayoutRoot(v2, w.deployment, p)];
    // roots and claims work while the network is paused (rule 10)
    await setNetworkPaused(admin, w.deployment, { networkId: 1n, paused: true });
    const posted = await payoutRound(customerA, w.deployment, { ...p, signatures: sigs });
    expect(posted.posted!.increase).to.equal(1_005_661n - 1_003_802n);
    expect(posted.posted!.signers).to.deep.equal([await v1.getAddress(), await v2.getAddress()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));

    // the old root's leaf and proof no longer pay
    const old = readPayoutRootFile(w.firstFile);
    const oldProof = cumulativePayoutProof(old.leaves, NODE.N2);
    await expect(rl.connect(op2).claim(1n, NODE.N2, oldProof.leaf.cumulativeAmount, oldProof.proof, await op2.getAddress())).to.be.revertedWithCustomError(rl, "RevenueLedgerInvalidProof");
    expect((await refusal(claimPayout(op2, w.deployment, { networkId: 1n, nodeId: NODE.N2, file: w.firstFile }))).message).to.match(/is not the latest payout root of network 1 \(through epoch 4, .*only the latest root pays/);

    // N1 claimed 501,462 before: now only the 88 it gained (still paused)
    const before = await balanceOf(w, op1);
    const c = await claimPayout(op1, w.deployment, { networkId: 1n, nodeId: NODE.N1, bundleDir: w.bundleDir });
    expect(c).to.deep.include({ amount: 88n, cumulativeAmount: 501_550n, claimedBefore: 501_462n, throughEpoch: 4n });
    expect((await balanceOf(w, op1)) - before).to.equal(88n);
    const to = await w.actors.v3.getAddress();
    const c2 = await claimPayout(op2, w.deployment, { networkId: 1n, nodeId: NODE.N2, bundleDir: w.bundleDir, to });
    expect(c2).to.deep.include({ amount: 502_223n, to });
  });

  it("refuses a total above the net revenue ever posted: a refund above its epoch's net (the contract bounds it by the statement only) leaves that epoch at 0 while the books drop", async function () {
    const w = await loadFixture(world);
    const rl = RevenueLedger__factory.connect(w.deployment.revenueLedger, w.actors.admin);
    // B's statement nets 488 on epoch 3; a raw refund of 1000 on epoch 3 passes the contract (statement net 3403)
    await (await rl.refund(await rl.chargeIdOf(1n, await w.actors.customerB.getAddress(), 0n), 3n, 1000n, keccak256(toUtf8Bytes("too much")))).wait();
    const err = await refusal(buildPayoutRound(ethers.provider, w.deployment, { networkId: 1n, throughEpoch: 4n, bundleDir: w.bundleDir }));
    // allocated 877 + 1,000,976 + 1949 + 0 + 973 = 1,004,775 > 1,005,363 − 1000
    expect(err.message).to.equal("payout total 1004775 exceeds the net revenue ever posted to network 1 (1004363)");
  });

  it("never lowers: after a root that paid a node more than rule 7 gives, the next round and the verifiers' signing refuse, naming the node", async function () {
    const w = await loadFixture(world);
    const { v1, v2, op1, op2 } = w.actors;
    // a root through epoch 1 from another tool: N1 600,000 (rule 7 gives 500,780), N2 1,000
    const leaves = [
      { nodeId: NODE.N1, operator: await op1.getAddress(), cumulativeAmount: 600_000n },
      { nodeId: NODE.N2, operator: await op2.getAddress(), cumulativeAmount: 1_000n },
    ].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    const root = cumulativePayoutProof(leaves, NODE.N1).root;
    const text = payoutFileText({ chainId: BigInt(w.deployment.chainId), revenueLedger: w.deployment.revenueLedger, networkId: 1n, throughEpoch: 1n, root, total: 601_000n, leaves, epochs: [] });
    fs.writeFileSync(path.join(w.bundleDir, payoutFileName(1, 1)), text);
    const round = { networkId: 1n, root, throughEpoch: 1n, total: 601_000n, dataHash: keccak256(toUtf8Bytes(text)) };
    const domain = revenueLedgerDomain(BigInt(w.deployment.chainId), w.deployment.revenueLedger);
    const signatures = await Promise.all(
      [v1, v2].map(async (v) => ({
        kind: "workledger-payout-signature" as const,
        signer: await v.getAddress(),
        signature: await v.signTypedData(domain, PAYOUT_ROOT_TYPES, round),
        chainId: String(w.deployment.chainId),
        revenueLedger: w.deployment.revenueLedger,
        networkId: "1",
        root,
        throughEpoch: "1",
        total: "601000",
        dataHash: round.dataHash,
      })),
    );
    await postPayoutRoot(w.actors.admin, w.deployment, { round, signatures });
    const p = { networkId: 1n, throughEpoch: 2n, bundleDir: w.bundleDir };
    const msg = `node ${NODE.N1} would go down from 600000 (root through epoch 1) to 501462: a payout root never lowers a node's amount`;
    expect((await refusal(buildPayoutRound(ethers.provider, w.deployment, p))).message).to.equal(msg);
    expect((await refusal(signPayoutRoot(v1, w.deployment, p))).message).to.equal(msg);
    // the previous root's file must be the one the chain names
    fs.appendFileSync(path.join(w.bundleDir, payoutFileName(1, 1)), " ");
    const tampered = await buildPayoutRound(ethers.provider, w.deployment, p).catch((e) => e);
    expect(String(tampered.message)).to.match(/network-1-payout-1\.json hashes to 0x[0-9a-f]{64}, but the root on chain names dataHash/);
  });
});
