/**
 * The SDK's jobs on the in-process Hardhat network, as the CLI and the demo call them: deploy,
 * create a network (the genesis time used, name and work unit read back from the chain), publish
 * from files (a failed publish leaves no bundle; node ids never registered are listed or refused),
 * the epoch history, money with typed results decoded from receipts, and revert decoding built from
 * the compiled ABIs.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { AbiCoder, ErrorFragment, Interface, Signer, keccak256, toUtf8Bytes } from "ethers";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import {
  ContractRevertError,
  Deployment,
  InvalidInputError,
  buildEpoch,
  challengeEpoch,
  createNetwork,
  deployContracts,
  deposit,
  requestWithdrawal,
  grantRole,
  listEpochs,
  mintTestToken,
  normalizeNodeId,
  publishEpoch,
  readNetwork,
  registerNode,
  resolveChallenge,
  signEpoch,
} from "../../../src";
import { IERC20Errors__factory, RevenueLedger__factory, WorkLedger__factory } from "../../../src/contracts";
import { CONTRACT_ERRORS, decodeRevertData } from "../../../src/chain/revert";

const EPOCH = 3600n;
const row = (node: string, epoch: number, revenue: number) => `${node},${epoch},${revenue},9990,${revenue},0x${"1".repeat(64)}`;
const csv = (rows: string[]) => ["nodeId,epoch,workUnits,uptimeBps,revenue,evidence", ...rows].join("\n") + "\n";

async function jobsFixture() {
  const [admin, v1, v2, v3, customer, operator, arbiter] = await ethers.getSigners();
  const { deployment } = await deployContracts(admin);
  const { network: created } = await createNetwork(admin, deployment, {
    admin: await admin.getAddress(),
    token: deployment.token,
    genesisTime: 0n,
    epochSeconds: EPOCH,
    challengeWindow: 7200n,
    capacityPerNode: 3600n,
    threshold: 2,
    name: "Jobs test net",
    workUnit: "GPU-seconds",
    verifiers: await Promise.all([v1, v2, v3].map((v) => v.getAddress())),
    arbiter: await arbiter.getAddress(),
  });
  // the admin holds only ADMIN (#13): registrar and biller are granted explicitly
  for (const role of ["registrar", "biller"] as const) await grantRole(admin, deployment, { networkId: 1n, role, account: await admin.getAddress() });
  for (const n of ["gpu-1", "gpu-2"]) await registerNode(admin, deployment, { networkId: 1n, nodeId: n, operator: await operator.getAddress() });
  return { admin, verifiers: [v1, v2, v3], customer, operator, arbiter, deployment, created: created! };
}

async function chainState(who: Signer) {
  return `${await ethers.provider.getBlockNumber()}:${await ethers.provider.getTransactionCount(await who.getAddress())}`;
}

describe("writer: the jobs (deploy, networks, publish from files, money, reverts)", function () {
  this.timeout(120_000);
  let f: Awaited<ReturnType<typeof jobsFixture>>;
  let d: Deployment;
  let dir: string;

  beforeEach(async () => {
    f = await loadFixture(jobsFixture);
    d = f.deployment;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-jobs-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Two verifiers' signatures over the epoch of `file`. */
  async function signFile(file: string, epoch: number, version = 1) {
    const built = await buildEpoch(
      fs.readFileSync(file, "utf8").trim().split("\n").slice(1).map((l) => {
        const [nodeId, e, w, u, r, ev] = l.split(",");
        return { nodeId: normalizeNodeId(nodeId), epoch: BigInt(e), workUnits: BigInt(w), uptimeBps: Number(u), revenue: BigInt(r), evidence: ev };
      }),
      { epoch: BigInt(epoch) },
    );
    const ctx = { networkId: 1n, epoch: BigInt(epoch), version, chainId: d.chainId, workLedger: d.workLedger };
    return Promise.all(f.verifiers.slice(0, 2).map((v) => signEpoch(built.summary, ctx, v)));
  }

  it("createNetwork returns the genesis time actually used; readNetwork reads back the name and the work unit", async () => {
    expect(f.created.networkId).to.equal(1n);
    const block = await ethers.provider.getBlock(await ethers.provider.getBlockNumber());
    expect(f.created.genesisTime > 0n).to.equal(true); // 0 asked for: the creation block's time
    expect(f.created.genesisTime <= BigInt(block!.timestamp)).to.equal(true);
    const n = await readNetwork(ethers.provider, d, 1n);
    expect(n).to.deep.include({ name: "Jobs test net", workUnit: "GPU-seconds", genesisTime: f.created.genesisTime, epochSeconds: EPOCH, threshold: 2, verifierCount: 3 });
    await readNetwork(ethers.provider, d, 2n).then(
      () => expect.fail("network 2 does not exist"),
      (e) => expect(e).to.be.instanceOf(InvalidInputError).with.property("shortMessage").match(/^unknown network 2: the WorkLedger at 0x[0-9a-fA-F]{40} has 1 network$/),
    );
  });

  it("a publish that fails (too early, out of order) writes no bundle; a good one puts it under its fixed name", async () => {
    const e0 = path.join(dir, "e0.csv");
    const e1 = path.join(dir, "e1.csv");
    fs.writeFileSync(e0, csv([row("gpu-1", 0, 10), row("gpu-2", 0, 20)]));
    fs.writeFileSync(e1, csv([row("gpu-1", 1, 30)]));
    const params = (recordsFile: string, epoch: number, signatures: Awaited<ReturnType<typeof signFile>>) => ({ networkId: 1n, epoch: BigInt(epoch), recordsFile, signatures, bundleDir: dir });
    const before = await chainState(f.admin);
    const early = await publishEpoch(f.admin, d, params(e0, 0, await signFile(e0, 0))).catch((e) => e);
    expect(early).to.be.instanceOf(ContractRevertError).with.property("errorName", "WorkLedgerEpochNotEnded");
    expect(fs.readdirSync(dir).sort()).to.deep.equal(["e0.csv", "e1.csv"]);
    await network.provider.send("evm_increaseTime", [Number(EPOCH) * 2 + 1]);
    await network.provider.send("evm_mine", []);
    const outOfOrder = await publishEpoch(f.admin, d, params(e1, 1, await signFile(e1, 1))).catch((e) => e);
    expect(outOfOrder).to.be.instanceOf(ContractRevertError).with.property("errorName", "WorkLedgerEpochOutOfOrder");
    expect(fs.readdirSync(dir).sort()).to.deep.equal(["e0.csv", "e1.csv"]);
    expect(await chainState(f.admin)).to.not.equal(before); // (time moved; nothing else is asserted here)
    const ok = await publishEpoch(f.admin, d, params(e0, 0, await signFile(e0, 0)));
    expect(ok.bundleFile).to.equal(path.join(dir, "network-1-epoch-0-v1.wlb"));
    expect(ok.commit).to.deep.include({ version: 1, alreadyCommitted: false });
    expect(fs.readdirSync(dir).sort()).to.deep.equal(["e0.csv", "e1.csv", "network-1-epoch-0-v1.wlb"]);
    // resumable: a commit whose bundle went missing gets it back, nothing sent
    fs.rmSync(ok.bundleFile!);
    const state = await chainState(f.admin);
    const again = await publishEpoch(f.admin, d, params(e0, 0, await signFile(e0, 0)));
    expect(again).to.deep.include({ alreadyCommitted: true, version: 1 });
    expect(fs.existsSync(ok.bundleFile!)).to.equal(true);
    expect(await chainState(f.admin)).to.equal(state);
  });

  it("lists node ids never registered (default) and refuses them with nodeCheck strict, sending nothing", async () => {
    await network.provider.send("evm_increaseTime", [Number(EPOCH) + 1]);
    await network.provider.send("evm_mine", []);
    const file = path.join(dir, "e0.csv");
    fs.writeFileSync(file, csv([row("gpu-1", 0, 10), row("gpu-typo", 0, 20), row("gpu-2", 0, 5)]));
    const sigs = await signFile(file, 0);
    const before = await chainState(f.admin);
    const strict = await publishEpoch(f.admin, d, { networkId: 1n, epoch: 0n, recordsFile: file, signatures: sigs, bundleDir: dir, nodeCheck: "strict" }).catch((e) => e);
    expect(strict).to.be.instanceOf(InvalidInputError).with.property("code", "E_UNREGISTERED_NODE");
    expect(strict.shortMessage).to.equal(`1 node id was never registered on network 1: ${normalizeNodeId("gpu-typo")}`);
    expect(await chainState(f.admin)).to.equal(before);
    expect(fs.readdirSync(dir)).to.deep.equal(["e0.csv"]);
    const warned = await publishEpoch(f.admin, d, { networkId: 1n, epoch: 0n, recordsFile: file, signatures: sigs, bundleDir: dir });
    expect(warned.unregisteredNodes).to.deep.equal([normalizeNodeId("gpu-typo")]);
    expect(warned.commit?.version).to.equal(1);
  });

  it("lists the epoch history: every version with its status, root and dates", async () => {
    await network.provider.send("evm_increaseTime", [Number(EPOCH) + 1]);
    await network.provider.send("evm_mine", []);
    expect(await listEpochs(ethers.provider, d, 1n)).to.deep.equal([]);
    const bad = path.join(dir, "e0-bad.csv");
    const good = path.join(dir, "e0.csv");
    fs.writeFileSync(bad, csv([row("gpu-1", 0, 999)]));
    fs.writeFileSync(good, csv([row("gpu-1", 0, 10)]));
    const v1 = await publishEpoch(f.admin, d, { networkId: 1n, epoch: 0n, recordsFile: bad, signatures: await signFile(bad, 0), bundleDir: dir });
    // anyone challenges with a bond from its wallet; only the arbiter rules (#13)
    await mintTestToken(f.admin, d.token, { to: await f.customer.getAddress(), amount: 1_000_000n });
    await challengeEpoch(f.customer, d, { networkId: 1n, epoch: 0n, reasonHash: keccak256(toUtf8Bytes("meter")) });
    await resolveChallenge(f.arbiter, d, { networkId: 1n, epoch: 0n, upheld: true });
    const v2 = await publishEpoch(f.admin, d, { networkId: 1n, epoch: 0n, recordsFile: good, signatures: await signFile(good, 0, 2), bundleDir: dir, correction: { reason: "meter bug" } });
    const list = await listEpochs(ethers.provider, d, 1n);
    expect(list.map((v) => [v.epoch, v.version, v.status, v.superseded, v.root])).to.deep.equal([
      [0n, 1, "voided", true, v1.summary.root],
      [0n, 2, "pending", false, v2.summary.root],
    ]);
    expect(list[1].committedAt > 0n && list[1].finalizesAt === list[1].committedAt + 7200n).to.equal(true);
  });

  it("money: deposit approves first; a withdrawal request decodes its ready date; a dry run sends nothing (charges: billing.test.ts)", async () => {
    const who = await f.customer.getAddress();
    await mintTestToken(f.admin, d.token, { to: who, amount: 5_000_000n });
    const dep = await deposit(f.customer, d, { networkId: 1n, amount: 5_000_000n });
    expect(dep.transactions.map((t) => t.method)).to.deep.equal(["approve", "deposit"]);
    const before = await chainState(f.customer);
    const dry = await requestWithdrawal(f.customer, d, { networkId: 1n, amount: 1_000_000n }, { dryRun: true });
    expect(dry.outcome.dryRun).to.equal(true);
    expect(dry.outcome.gasEstimate > 0n).to.equal(true);
    expect(await chainState(f.customer)).to.equal(before);
    const req = await requestWithdrawal(f.customer, d, { networkId: 1n, amount: 2_000_000n });
    expect(req.amount).to.equal(2_000_000n);
    expect(req.readyAt > BigInt((await ethers.provider.getBlock("latest"))!.timestamp)).to.equal(true);
    const tooMuch = await requestWithdrawal(f.customer, d, { networkId: 1n, amount: 9_000_000n }).catch((e) => e);
    expect(tooMuch).to.be.instanceOf(InvalidInputError).with.property("shortMessage").match(/has 5\.00 mUSD in escrow on network 1, the withdrawal request needs 9\.00 mUSD$/);
    const broke = await deposit(f.operator, d, { networkId: 1n, amount: 1n }).catch((e) => e);
    expect(broke).to.be.instanceOf(InvalidInputError).with.property("shortMessage").match(/insufficient mUSD balance/);
  });

  it("decodes every custom error of the compiled ABIs (no hand-typed list), and Error(string) and Panic", () => {
    const fragments = [WorkLedger__factory.abi, RevenueLedger__factory.abi, IERC20Errors__factory.abi].flatMap((abi) => new Interface(abi as never).fragments.filter((x): x is ErrorFragment => x.type === "error"));
    expect(fragments.length).to.be.greaterThan(50);
    const names = new Set(fragments.map((x) => x.name));
    for (const name of ["AccessControlUnauthorizedAccount", "SafeERC20FailedOperation", "ERC20InsufficientBalance", "WorkLedgerEpochNotEnded", "RevenueLedgerInsufficientFree"]) expect(names.has(name), name).to.equal(true);
    const coder = AbiCoder.defaultAbiCoder();
    for (const frag of fragments) {
      const data = frag.selector + coder.encode(frag.inputs, frag.inputs.map((i) => (i.baseType === "address" ? "0x" + "11".repeat(20) : i.baseType === "bool" ? true : i.baseType.startsWith("bytes") && i.baseType !== "bytes" ? "0x" + "22".repeat(Number(i.baseType.slice(5))) : i.baseType === "string" ? "s" : i.baseType === "bytes" ? "0x33" : i.baseType === "array" ? [] : 7))).slice(2);
      expect(decodeRevertData(data)?.name, frag.format()).to.equal(frag.name);
    }
    expect(CONTRACT_ERRORS.fragments.filter((x) => x.type === "error").length).to.equal(names.size);
    const reason = new Interface(["function Error(string)"]).encodeFunctionData("Error", ["boom"]);
    expect(decodeRevertData(reason)?.args[0]).to.equal("boom");
    const panic = new Interface(["function Panic(uint256)"]).encodeFunctionData("Panic", [0x11]);
    expect(decodeRevertData(panic)?.name).to.equal("Panic");
    expect(decodeRevertData("0xdeadbeef")).to.equal(null);
  });
});
