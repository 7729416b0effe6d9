/**
 * `workledger payout round|sign` and `workledger claim` (#16) through the real binary against a
 * `hardhat node` on loopback. The network with money (5 Final epochs, statements, a forfeited bond,
 * a corrected epoch) is built with the SDK (test/sdk/writer/payoutScenario.ts); the commands then
 * rebuild, sign, post and claim the cumulative roots. Refusals exit 2 with one line, write nothing and
 * send nothing.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { JsonRpcProvider, keccak256 } from "ethers";

import { RevenueLedger__factory } from "../../src/contracts";
import { LocalNode, startHardhatNode } from "../helpers/node";
import { NODE, PayoutWorld, buildPayoutWorld } from "../sdk/writer/payoutScenario";
import { RunResult, chainSnapshot, devAccount, okJson, runCli, snapshotDir } from "./harness";

describe("workledger payout round|sign and claim (real binary, hardhat node)", function () {
  this.timeout(240_000);

  let node: LocalNode;
  let provider: JsonRpcProvider;
  let dir: string;
  let w: PayoutWorld;
  const keys = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(devAccount);
  const [admin, v1, v2, v3, , customerA, , , op1, op2, op3] = keys;

  const cli = (args: string[], key?: string) => runCli([...args, "--rpc", node.url], { cwd: dir, key });
  const refused = (r: RunResult, message: RegExp) => {
    expect(r.code, `exit code (stderr: ${r.stderr})`).to.equal(2);
    expect(r.stderr.trim().split("\n")).to.have.length(1);
    expect(r.stderr).to.match(message);
  };

  before(async function () {
    node = await startHardhatNode();
    provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    provider.pollingInterval = 50;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "workledger-payout-cli-"));
    const s = keys.map((k) => k.connect(provider));
    w = await buildPayoutWorld((m, p) => provider.send(m, p), { admin: s[0], v1: s[1], v2: s[2], v3: s[3], arbiter: s[4], customerA: s[5], customerB: s[6], challenger: s[7], op1: s[8], op2: s[9], op3: s[10] }, dir);
    fs.writeFileSync(path.join(dir, "deployment.json"), JSON.stringify(w.deployment, null, 2));
  });

  after(async function () {
    provider?.destroy();
    await node?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("payout round (no key) writes bundles/network-1-payout-2.json; two verifiers sign on their own; anyone posts it with --signatures", async function () {
    const built = okJson(await cli(["payout", "round", "--network", "1", "--through-epoch", "2", "--json"]));
    const file = path.join(dir, "bundles", "network-1-payout-2.json");
    expect(built).to.include({ networkId: 1, throughEpoch: 2, total: "1003802", leafCount: 3, previousThroughEpoch: null, netRevenuePosted: "1005363", posted: null });
    expect(built.file).to.equal(path.join("bundles", "network-1-payout-2.json"));
    expect(built.unregistered).to.deep.equal([NODE.N4]);
    expect(keccak256(fs.readFileSync(file))).to.equal(built.dataHash);
    const sa = okJson(await cli(["payout", "sign", "--network", "1", "--through-epoch", "2", "--out", "psig-a.json", "--json"], v1.privateKey));
    const human = await cli(["payout", "sign", "--network", "1", "--through-epoch", "2", "--out", "psig-b.json"], v2.privateKey);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.match(/signed by:\s+0x[0-9a-fA-F]{40}/).and.match(/never lowers:\s+first root/);
    expect(sa).to.include({ signer: v1.address, root: built.root, dataHash: built.dataHash, total: "1003802" });
    // a dry run simulates the post and sends nothing
    const before = await chainSnapshot(provider, [customerA.address]);
    const dry = okJson(await cli(["payout", "round", "--network", "1", "--through-epoch", "2", "--signatures", "psig-a.json,psig-b.json", "--dry-run", "--json"], customerA.privateKey));
    expect(dry.file).to.equal(null);
    expect((dry.posted as { dryRun: boolean }).dryRun).to.equal(true);
    expect(await chainSnapshot(provider, [customerA.address])).to.equal(before);
    const posted = okJson(await cli(["payout", "round", "--network", "1", "--through-epoch", "2", "--signatures", "psig-a.json,psig-b.json", "--json"], customerA.privateKey));
    expect(posted.posted).to.deep.include({ increase: "1003802", signers: [v1.address, v2.address].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)) });
    const rl = RevenueLedger__factory.connect(w.deployment.revenueLedger, provider);
    expect((await rl.payoutRoot(1n)).dataHash).to.equal(built.dataHash);
  });

  it("claim: the operator's key takes the node's whole amount; a second claim is 'nothing to claim' (exit 2); a wrong key and a non-verifier's signing are refused; nothing written or sent", async function () {
    const c = okJson(await cli(["claim", "--network", "1", "--node", NODE.N1, "--json"], op1.privateKey));
    expect(c).to.include({ nodeId: NODE.N1, operator: op1.address, recipient: op1.address, amount: "501462", cumulativeAmount: "501462", claimedBefore: "0", throughEpoch: 2 });
    const snap = snapshotDir(dir);
    const chain = await chainSnapshot(provider, [op1.address, op2.address, admin.address]);
    refused(await cli(["claim", "--network", "1", "--node", NODE.N1], op1.privateKey), /^workledger: node 0x[0-9a-f]{64} has nothing to claim: it claimed 501462 of its cumulative 501462 \(root through epoch 2\); wait for the next root$/m);
    refused(await cli(["claim", "--network", "1", "--node", NODE.N1], op2.privateKey), new RegExp(`the signing key ${op2.address} is not the operator of node ${NODE.N1} in the latest payout root \\(${op1.address}\\)`));
    refused(await cli(["claim", "--network", "1", "--node", "payout-node-4"], op1.privateKey), /node payout-node-4 \(0x[0-9a-f]{64}\) has no leaf in the latest payout root of network 1 \(through epoch 2\): it has no share of posted revenue yet, or is not registered/);
    refused(await cli(["payout", "round", "--network", "1", "--through-epoch", "5"]), /--through-epoch 5: a payout root needs throughEpoch < the finality cursor, which is 5 on network 1/);
    refused(await cli(["payout", "round", "--network", "1", "--through-epoch", "2"]), /--through-epoch 2: the latest payout root of network 1 already covers through epoch 2; a new root must go further/);
    refused(await cli(["payout", "sign", "--network", "1", "--through-epoch", "3", "--out", "psig-x.json"], admin.privateKey), new RegExp(`${admin.address} is not in the current verifier set 1 of network 1: only current verifiers sign a payout root`));
    refused(await cli(["payout", "round", "--network", "1"]), /--through-epoch/);
    expect(snapshotDir(dir)).to.equal(snap);
    expect(await chainSnapshot(provider, [op1.address, op2.address, admin.address])).to.equal(chain);
  });

  it("a second root after a new statement: its claim pays only the increase, to --to, even while the network is paused", async function () {
    await w.charge(w.actors.customerA, 3n, 4n);
    okJson(await cli(["payout", "sign", "--network", "1", "--through-epoch", "4", "--out", "psig4-b.json", "--json"], v2.privateKey));
    const s3 = okJson(await cli(["payout", "sign", "--network", "1", "--through-epoch", "4", "--out", "psig4-c.json", "--json"], v3.privateKey));
    const posted = okJson(await cli(["payout", "round", "--network", "1", "--through-epoch", "4", "--signatures", "psig4-b.json,psig4-c.json", "--json"], op3.privateKey));
    // e3 without the refund of the SDK test: net 488 (B) + 488 (A) = 976 -> N1 97, N2 195, N3 683; e4: 973 -> N2
    expect(posted).to.include({ total: String(1_003_802 + 97 + 195 + 683 + 973), previousThroughEpoch: 2, root: s3.root });
    expect(posted.posted).to.deep.include({ increase: String(97 + 195 + 683 + 973) });
    const pause = await cli(["network", "pause", "--network", "1"], admin.privateKey);
    expect(pause.code, pause.stderr).to.equal(0);
    const c = okJson(await cli(["claim", "--network", "1", "--node", NODE.N1, "--to", v3.address, "--json"], op1.privateKey));
    expect(c).to.include({ amount: "97", cumulativeAmount: String(501_462 + 97), claimedBefore: "501462", recipient: v3.address, throughEpoch: 4 });
    const human = await cli(["claim", "--network", "1", "--node", NODE.N2], op2.privateKey);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.match(new RegExp(`claimed [0-9.,]+ \\S+ for node ${NODE.N2} to ${op2.address}`));
  });
});
