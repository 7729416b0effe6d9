import { expect } from "chai";
import { Wallet, getAddress } from "ethers";

import { WorkLedger__factory } from "../../../src/contracts";
import { verifyRecordOnChain } from "../../../src/verifier/onchain";
import { makeProofFile, verifyProofFile } from "../../../src/verifier/proofFile";
import { buildEpoch } from "../../../src/writer/build";
import { bundleProof } from "../../../src/writer/bundle";
import { commitEpoch } from "../../../src/writer/commit";
import { signEpoch } from "../../../src/writer/sign";
import { LocalNode, startHardhatNode } from "../../helpers/node";
import { seededRecords } from "./fixture";

// Hardhat's well-known development keys (accounts #0..#3 of `hardhat node`); test-only.
const KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];

describe("writer: commitEpoch against a real `hardhat node` on 127.0.0.1", function () {
  this.timeout(180_000);
  let node: LocalNode;

  before(async () => {
    node = await startHardhatNode();
  });
  after(async () => {
    await node?.stop();
  });

  it("deploys WorkLedger, commits a signed epoch over JSON-RPC, and proves records against it", async () => {
    const provider = node.provider;
    const [admin, v1, v2, v3] = KEYS.map((k) => new Wallet(k, provider));
    const wl = await new WorkLedger__factory(admin).deploy();
    await wl.waitForDeployment();
    const workLedger = await wl.getAddress();
    await (
      await wl.createNetwork({
        admin: admin.address,
        token: getAddress("0x" + "77".repeat(20)),
        genesisTime: 0,
        epochSeconds: 60,
        challengeWindow: 3600,
        capacityPerNode: 0,
        threshold: 2,
        name: "node-test",
        workUnit: "GB",
        verifiers: [v1.address, v2.address, v3.address],
        arbiter: Wallet.createRandom().address,
        bond: 1_000_000n,
        thawSeconds: 3600 + 86_400 + 60,
        arbiterDeadline: 86_400,
        maxStatementEpochs: 1,
      })
    ).wait();
    await provider.send("evm_increaseTime", [61]);
    await provider.send("evm_mine", []);
    const { chainId } = await provider.getNetwork();

    const records = seededRecords(64, 31337, 0n);
    const { summary, bundle } = await buildEpoch(records, { epoch: 0n });
    const ctx = { networkId: 1n, epoch: 0n, version: 1, chainId, workLedger };
    const sigs = [await signEpoch(summary, ctx, v3), await signEpoch(summary, ctx, v2)];
    const res = await commitEpoch({ signer: admin, workLedger, chainId, networkId: 1n, epoch: 0n, summary, signatures: sigs, pollMs: 100 });
    expect(res).to.deep.include({ alreadyCommitted: false, version: 1, root: summary.root, recordCount: 64n });
    expect(res.blockNumber).to.be.a("number");

    const again = await commitEpoch({ signer: admin, workLedger, chainId, networkId: 1n, epoch: 0n, summary, signatures: sigs, pollMs: 100 });
    expect(again.alreadyCommitted).to.equal(true);
    expect(again.txHash).to.equal(res.txHash);

    // Pending: included but not verifyRecord-true; Final once the window has passed.
    const p5 = bundleProof(bundle, records[5].nodeId);
    expect(await verifyRecordOnChain(provider, workLedger, 1n, 0n, p5.record, p5.proof)).to.equal(false);
    const pending = makeProofFile({ chainId, ledger: workLedger, networkId: 1n, epoch: 0n, version: 1, root: p5.root, record: p5.record, proof: p5.proof });
    expect(await verifyProofFile(pending, { provider })).to.deep.include({ ok: true, included: true, status: "pending", version: 1, final: false });
    expect(await verifyProofFile(pending, { provider, requireFinal: true })).to.deep.include({ ok: false, included: true, status: "pending" });
    await provider.send("evm_increaseTime", [3601]);
    await provider.send("evm_mine", []);
    for (const r of records.slice(0, 16)) {
      const p = bundleProof(bundle, r.nodeId);
      expect(await verifyRecordOnChain(provider, workLedger, 1n, 0n, p.record, p.proof)).to.equal(true);
    }
    const p = bundleProof(bundle, records[5].nodeId);
    const file = makeProofFile({ chainId, ledger: workLedger, networkId: 1n, epoch: 0n, version: 1, root: p.root, record: p.record, proof: p.proof });
    expect(await verifyProofFile(file, { provider })).to.deep.equal({ ok: true, offline: true, onChain: true, included: true, status: "final", version: 1, final: true, problems: [] });
  });
});
