/**
 * The `workledger` binary with usage records (#14): sign/publish --usage (usage words signed and
 * committed, leaves in the bundle), the Σ usage ≠ Σ revenue warning, a mismatched usage file refused
 * with nothing written, prove --customer and check-proof on a usage proof (included / status /
 * version, --final), and `epoch advance` (the finality cursor), against a `hardhat node` on loopback.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { HDNodeWallet, Wallet, keccak256, toUtf8Bytes } from "ethers";

import { LocalNode, startHardhatNode } from "../helpers/node";
import { chainSnapshot, devAccount, expectOk, okJson, runCli, snapshotDir } from "./harness";

const WINDOW = 3600;

describe("workledger CLI with usage records (real binary, hardhat node)", function () {
  this.timeout(180_000);

  let node: LocalNode;
  let dir: string;
  // admin, three verifiers, and the arbiter (also the one who advances the cursor: anyone may)
  let [admin, v1, v2, v3, arbiter]: HDNodeWallet[] = [];
  const customers = ["acme-ai", "bolt-labs", "cirrus"].map((n) => new Wallet(keccak256(toUtf8Bytes(n))).address);

  const cli = (args: string[], key?: string) => runCli(args, { cwd: dir, key });
  const withRpc = (args: string[]) => [...args, "--rpc", node.url];
  const ok = expectOk;
  const json = okJson;
  const records = (epoch: number, rows: Array<[string, number, number]>) =>
    ["nodeId,epoch,workUnits,uptimeBps,revenue,evidence", ...rows.map(([n, w, r]) => `${n},${epoch},${w},10000,${r},0x${"e".repeat(63)}${epoch}`)].join("\n") + "\n";
  const usage = (epoch: number, amounts: number[]) =>
    ["customer,epoch,workUnits,amount,ref", ...amounts.map((a, i) => `${customers[i]},${epoch},${a / 1000},${a},INV-${i}-epoch-${epoch}`)].join("\n") + "\n";
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  const sigArgs = (epoch: number, recordsFile: string, out: string, extra: string[] = []) => withRpc(["sign", "--network", "1", "--epoch", String(epoch), "--records", recordsFile, "--out", out, ...extra]);
  const publishArgs = (epoch: number, recordsFile: string, sigs: string, extra: string[] = []) => withRpc(["publish", "--network", "1", "--epoch", String(epoch), "--records", recordsFile, "--signatures", sigs, ...extra]);

  before(async function () {
    node = await startHardhatNode();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "workledger-cli-usage-"));
    [admin, v1, v2, v3, arbiter] = [0, 1, 2, 3, 7].map(devAccount);
    ok(await cli(withRpc(["deploy", "--out", "deployment.json"]), admin.privateKey));
    const net = json(
      await cli(
        withRpc(["network", "create", "--name", "usage net", "--verifiers", [v1.address, v2.address, v3.address].join(","), "--threshold", "2", "--epoch-seconds", "60", "--challenge-window", String(WINDOW), "--arbiter", arbiter.address, "--json"]),
        admin.privateKey,
      ),
    );
    expect(net.networkId).to.equal(1);
    ok(await cli(withRpc(["time", "advance", "--seconds", "130"]))); // epochs 0 and 1 have ended
  });

  after(async function () {
    await node?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("sign --usage and publish --usage: the usage words are signed, compared by --expect and committed; the bundle carries the leaves", async function () {
    write("epoch-0.csv", records(0, [["gpu-1", 3000, 3_000_000], ["gpu-2", 3600, 3_600_000]]));
    write("usage-0.csv", usage(0, [1_000_000, 2_500_000, 3_100_000])); // Σ = Σ revenue = 6,600,000
    const s1 = json(await cli(sigArgs(0, "epoch-0.csv", "sig0-a.json", ["--usage", "usage-0.csv", "--json"]), v1.privateKey));
    const summary = s1.summary as Record<string, string>;
    expect(summary).to.include({ usageCount: "3", totalUsage: "6600000" });
    expect(summary.usageRoot).to.match(/^0x[0-9a-f]{64}$/).and.not.match(/^0x0{64}$/);
    expect(s1.usageWarning).to.equal(null);
    const s2 = ok(await cli(sigArgs(0, "epoch-0.csv", "sig0-b.json", ["--usage", "usage-0.csv", "--expect", "sig0-a.json"]), v2.privateKey));
    expect(s2.stdout).to.match(/usage records:\s+3/).and.match(/total usage:\s+6,600,000/);
    expect(s2.stderr).to.not.include("Σ usage"); // Σ usage = Σ revenue: no warning
    // a verifier without the usage file rebuilds zero usage words and refuses the publisher's summary, naming the field
    const refused = await cli(sigArgs(0, "epoch-0.csv", "sig0-c.json", ["--expect", "sig0-a.json"]), v3.privateKey);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include(`workledger: refusing to sign: summary field usageRoot is ${summary.usageRoot} but the usage records give 0x${"0".repeat(64)}`);
    expect(fs.existsSync(path.join(dir, "sig0-c.json"))).to.equal(false);
    // a summary written before usage existed (no usage words) is refused by name, not taken as "no usage"
    const { usageRoot: _r, usageCount: _c, totalUsage: _t, ...old } = summary;
    write("old-summary.json", JSON.stringify(old));
    const oldExpect = await cli(sigArgs(0, "epoch-0.csv", "sig0-c.json", ["--usage", "usage-0.csv", "--expect", "old-summary.json"]), v3.privateKey);
    expect(oldExpect.code).to.equal(2);
    expect(oldExpect.stderr).to.match(/^workledger: --expect old-summary\.json: summary\.usageRoot must be 32-byte hex$/m);

    const pub = json(await cli(publishArgs(0, "epoch-0.csv", "sig0-a.json,sig0-b.json", ["--usage", "usage-0.csv", "--json"]), admin.privateKey));
    expect(pub.summary).to.deep.equal(summary);
    expect(pub.usageWarning).to.equal(null);
    expect(pub.bundle).to.equal("network-1-epoch-0-v1.wlb");
    const bytes = fs.readFileSync(path.join(dir, "network-1-epoch-0-v1.wlb"));
    expect(bytes.readUInt32LE(8)).to.equal(2);
    const header = JSON.parse(bytes.subarray(16, 16 + bytes.readUInt32LE(12)).toString("utf8"));
    expect(header.usage.map((u: { customer: string }) => u.customer).sort()).to.deep.equal([...customers].sort());
    expect(header.usage.find((u: { customer: string }) => u.customer === customers[1])).to.include({ epoch: "0", workUnits: "2500", amount: "2500000", ref: keccak256(toUtf8Bytes("INV-1-epoch-0")) });
    const again = json(await cli(publishArgs(0, "epoch-0.csv", "sig0-a.json,sig0-b.json", ["--usage", "usage-0.csv", "--json"]), admin.privateKey));
    expect(again.alreadyCommitted).to.equal(true);
    const st = json(await cli(withRpc(["epoch", "status", "--network", "1", "--epoch", "0", "--json"])));
    expect(st).to.include({ version: 1, status: "pending", usageRoot: summary.usageRoot, finalizedCount: 0 });
  });

  it("refuses a usage file of another epoch or with a bad row (exit 2, file/line/column), writing and sending nothing", async function () {
    write("epoch-1.csv", records(1, [["gpu-1", 1000, 1_000_000]]));
    write("usage-1-wrong-epoch.csv", usage(0, [400_000, 600_000]));
    write("usage-1-bad.csv", usage(1, [400_000, 600_000]).replace(customers[1], customers[1].toLowerCase().replace("0x", "0x1")));
    const files = snapshotDir(dir);
    const chain = await chainSnapshot(node.provider, [admin.address, v1.address]);
    const wrongSign = await cli(sigArgs(1, "epoch-1.csv", "sig1-a.json", ["--usage", "usage-1-wrong-epoch.csv"]), v1.privateKey);
    expect(wrongSign.code).to.equal(2);
    expect(wrongSign.stderr).to.match(/^workledger: usage-1-wrong-epoch\.csv: 2 problems in 2 rows\n {2}line 2, column epoch: .*expected 1.*\n {2}line 3, column epoch: /m);
    const badSign = await cli(sigArgs(1, "epoch-1.csv", "sig1-a.json", ["--usage", "usage-1-bad.csv"]), v1.privateKey);
    expect(badSign.code).to.equal(2);
    expect(badSign.stderr).to.match(/^workledger: usage-1-bad\.csv: line 3, column customer: /m);
    const missing = await cli(sigArgs(1, "epoch-1.csv", "sig1-a.json", ["--usage", "nope.csv"]), v1.privateKey);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/^workledger: usage file not found: nope\.csv$/m);

    // publish: signatures over the right usage, then a wrong usage file is refused before anything is sent or written
    write("usage-1.csv", usage(1, [400_000, 600_000]));
    ok(await cli(sigArgs(1, "epoch-1.csv", "sig1-a.json", ["--usage", "usage-1.csv"]), v1.privateKey));
    ok(await cli(sigArgs(1, "epoch-1.csv", "sig1-b.json", ["--usage", "usage-1.csv"]), v2.privateKey));
    const afterSigs = snapshotDir(dir);
    const wrongPublish = await cli(publishArgs(1, "epoch-1.csv", "sig1-a.json,sig1-b.json", ["--usage", "usage-1-wrong-epoch.csv"]), admin.privateKey);
    expect(wrongPublish.code).to.equal(2);
    expect(wrongPublish.stderr).to.match(/line 2, column epoch/);
    const otherUsage = await cli(publishArgs(1, "epoch-1.csv", "sig1-a.json,sig1-b.json", ["--usage", "usage-0.csv"]), admin.privateKey);
    expect(otherUsage.code).to.equal(2);
    expect(snapshotDir(dir)).to.equal(afterSigs);
    expect(afterSigs.split("\n").filter((l) => !files.split("\n").includes(l)).map((l) => l.split(":")[0])).to.deep.equal(["sig1-a.json", "sig1-b.json", "usage-1.csv"]);
    expect(await chainSnapshot(node.provider, [admin.address, v1.address])).to.equal(chain);
    expect(fs.existsSync(path.join(dir, "network-1-epoch-1-v1.wlb"))).to.equal(false);
  });

  it("warns on stderr (and in --json) when Σ usage ≠ Σ node revenue, and still signs and publishes", async function () {
    write("usage-1-short.csv", usage(1, [400_000, 599_000]));
    const warnLine = "warning: Σ usage 999000 ≠ Σ node revenue 1000000: usage is 1000 less than revenue (token's smallest unit)";
    const a = ok(await cli(sigArgs(1, "epoch-1.csv", "sig1s-a.json", ["--usage", "usage-1-short.csv"]), v1.privateKey));
    expect(a.stderr.split("\n")).to.include(warnLine);
    const b = json(await cli(sigArgs(1, "epoch-1.csv", "sig1s-b.json", ["--usage", "usage-1-short.csv", "--json"]), v3.privateKey));
    expect(b.usageWarning).to.equal(warnLine.slice("warning: ".length));
    const pub = ok(await cli(publishArgs(1, "epoch-1.csv", "sig1s-a.json,sig1s-b.json", ["--usage", "usage-1-short.csv"]), admin.privateKey));
    expect(pub.stderr.split("\n")).to.include(warnLine);
    expect(pub.stdout).to.match(/^committed epoch 1 v1 of network 1$/m).and.match(/total usage:\s+999,000/);
  });

  it("prove --customer writes a usage proof; check-proof says included/status/version, --final waits for Final; tampering fails", async function () {
    const p = json(await cli(withRpc(["prove", "--network", "1", "--epoch", "0", "--customer", customers[2], "--out", "usage-proof.json", "--json"])));
    expect(p).to.include({ kind: "workledger-usage-proof", status: "pending", epoch: 0, version: 1, networkId: 1 });
    expect(p.leaf).to.deep.equal({ customer: customers[2], epoch: 0, workUnits: "3100", amount: "3100000", ref: keccak256(toUtf8Bytes("INV-2-epoch-0")) });
    const c = json(await cli(withRpc(["check-proof", "usage-proof.json", "--json"])));
    expect(c).to.include({ ok: true, kind: "usage", offline: true, onChain: true, included: true, status: "pending", version: 1, final: false, customer: customers[2] });
    const human = ok(await cli(withRpc(["check-proof", "usage-proof.json"])));
    expect(human.stdout).to.match(/^VALID: usage-proof\.json \(usage of customer 0x[0-9a-fA-F]{40}, network 1, epoch 0 v1\)$/m).and.match(/included \(latest version\):\s+yes/).and.match(/status:\s+pending/);
    const notFinal = await cli(withRpc(["check-proof", "usage-proof.json", "--final"]));
    expect(notFinal.code).to.equal(1);
    expect(notFinal.stdout).to.include("the latest version is pending, not final yet");
    expect(json(await cli(["check-proof", "usage-proof.json", "--offline", "--json"]))).to.include({ ok: true, onChain: null, included: null });

    // a record proof prints the same three facts
    const rp = json(await cli(withRpc(["prove", "--network", "1", "--epoch", "0", "--node", "gpu-1", "--out", "record-proof.json", "--json"])));
    expect(rp.kind).to.equal("workledger-record-proof");
    expect(json(await cli(withRpc(["check-proof", "record-proof.json", "--json"])))).to.include({ ok: true, kind: "record", included: true, status: "pending", version: 1, final: false });

    const t = JSON.parse(fs.readFileSync(path.join(dir, "usage-proof.json"), "utf8"));
    t.leaf.amount = "9999999";
    delete t.leafHash;
    write("usage-proof-tampered.json", JSON.stringify(t));
    const bad = await cli(withRpc(["check-proof", "usage-proof-tampered.json"]));
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.match(/^INVALID: usage-proof-tampered\.json/).and.include("the proof does not lead from the usage leaf to the usage root");

    const unknown = Wallet.createRandom().address;
    const none = await cli(withRpc(["prove", "--network", "1", "--epoch", "0", "--customer", unknown, "--out", "none.json"]));
    expect(none.code).to.equal(2);
    expect(none.stderr).to.match(new RegExp(`^workledger: no usage record for customer ${unknown} in this epoch \\(3 customers\\)$`, "m"));
    const both = await cli(withRpc(["prove", "--network", "1", "--epoch", "0", "--customer", customers[0], "--node", "gpu-1"]));
    expect(both.code).to.equal(2);
    expect(both.stderr).to.match(/pass exactly one of --node NODEID \(a record's proof\) or --customer ADDR \(a usage proof\)/);
    expect(fs.existsSync(path.join(dir, "none.json"))).to.equal(false);
  });

  it("epoch advance moves the finality cursor over Final epochs only (dry run sends nothing, --max-steps bounds it)", async function () {
    const first = json(await cli(withRpc(["epoch", "advance", "--network", "1", "--json"]), arbiter.privateKey));
    expect(first).to.include({ networkId: 1, fromCount: "0", finalizedCount: "0", advanced: false });
    ok(await cli(withRpc(["time", "advance", "--seconds", String(WINDOW + 1)])));
    const before = await chainSnapshot(node.provider, [arbiter.address]);
    const dry = ok(await cli(withRpc(["epoch", "advance", "--network", "1", "--dry-run"]), arbiter.privateKey));
    expect(dry.stdout).to.match(/^would advance the finality cursor of network 1 from 0 to 2: epochs 0..1 are Final$/m).and.include("nothing was sent");
    expect(await chainSnapshot(node.provider, [arbiter.address])).to.equal(before);
    const one = json(await cli(withRpc(["epoch", "advance", "--network", "1", "--max-steps", "1", "--json"]), arbiter.privateKey));
    expect(one).to.include({ fromCount: "0", finalizedCount: "1", advanced: true, maxSteps: "1" });
    expect(one.txHash).to.match(/^0x[0-9a-f]{64}$/);
    const rest = ok(await cli(withRpc(["epoch", "advance", "--network", "1"]), arbiter.privateKey));
    expect(rest.stdout).to.match(/^advanced the finality cursor of network 1 from 1 to 2: epochs 0..1 are Final$/m);
    const stays = ok(await cli(withRpc(["epoch", "advance", "--network", "1"]), arbiter.privateKey));
    expect(stays.stdout).to.match(/^the finality cursor of network 1 stays at 2: epoch 2 is not Final yet/m);
    const st = ok(await cli(withRpc(["epoch", "status", "--network", "1", "--epoch", "1"])));
    expect(st.stdout).to.match(/^status:\s+final$/m).and.match(/^finality cursor:\s+2 \(covers this epoch\)$/m).and.match(/^usage root:\s+0x[0-9a-f]{64}$/m);
    // Final now: verifyUsage agrees, and check-proof --final passes
    expect(json(await cli(withRpc(["check-proof", "usage-proof.json", "--final", "--json"])))).to.include({ ok: true, status: "final", final: true });
    const zero = await cli(withRpc(["epoch", "advance", "--network", "1", "--max-steps", "0"]), arbiter.privateKey);
    expect(zero.code).to.equal(2);
    expect(zero.stderr).to.match(/^workledger: --max-steps must be at least 1$/m);
    const unknownNet = await cli(withRpc(["epoch", "advance", "--network", "9"]), arbiter.privateKey);
    expect(unknownNet.code).to.equal(2);
    expect(unknownNet.stderr).to.match(/unknown network 9/);
  });
});
