/**
 * The `workledger` binary for billing (#15) against a `hardhat node` on loopback: a customer
 * authorizes a per-epoch cap (`billing authorize`, `billing status`), epochs with usage are signed and
 * published, the finality cursor advances, two verifiers sign a statement (`statement sign`), the
 * biller charges it (`charge --statements`), lists it (`charge list`) and refunds part of an epoch
 * (`refund`); a withdrawal thaws (`withdraw --request`, refused before the ready date, then sent).
 * Bad inputs exit 2 with a message naming the flag or the limit, and send and write nothing —
 * including the retired `charge --epoch --amount` and `charge post|void`.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { HDNodeWallet } from "ethers";

import { LocalNode, startHardhatNode } from "../helpers/node";
import { chainSnapshot, devAccount, expectOk, okJson, runCli, snapshotDir } from "./harness";

const EPOCH = 60;
const WINDOW = 3600;

describe("workledger CLI billing (real binary, hardhat node)", function () {
  this.timeout(240_000);

  let node: LocalNode;
  let dir: string;
  let [admin, v1, v2, v3, alice, bob, arbiter]: HDNodeWallet[] = [];
  const state: { chargeId?: string; readyAt?: string } = {};

  const cli = (args: string[], key?: string) => runCli([...args, "--rpc", node.url], { cwd: dir, key });
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  const records = (epoch: number) => `nodeId,epoch,workUnits,uptimeBps,revenue,evidence\ngpu-1,${epoch},3000,10000,6000000,0x${"e".repeat(64)}\n`;
  const usage = (epoch: number, a: number, b: number) => `customer,epoch,workUnits,amount,ref\n${alice.address},${epoch},10,${a},INV-alice-${epoch}\n${bob.address},${epoch},20,${b},INV-bob-${epoch}\n`;
  /** Exit 2 with a message matching `message`; no file written, no transaction sent. */
  async function refused(args: string[], key: string | undefined, message: RegExp): Promise<void> {
    const files = snapshotDir(dir);
    const chain = await chainSnapshot(node.provider, [admin.address, alice.address, bob.address, v1.address]);
    const r = await cli(args, key);
    expect(r.code, `exit code of ${args.join(" ")} (stderr: ${r.stderr})`).to.equal(2);
    expect(r.stderr).to.match(message);
    expect(r.stderr.trim().split("\n")).to.have.length(1);
    expect(snapshotDir(dir)).to.equal(files);
    expect(await chainSnapshot(node.provider, [admin.address, alice.address, bob.address, v1.address])).to.equal(chain);
  }

  before(async function () {
    node = await startHardhatNode();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "workledger-cli-billing-"));
    [admin, v1, v2, v3, alice, bob, arbiter] = [0, 1, 2, 3, 4, 5, 7].map(devAccount);
    expectOk(await cli(["deploy", "--out", "deployment.json"], admin.privateKey));
    const now = (await node.provider.getBlock("latest"))!.timestamp;
    const genesis = now + 120; // customers authorize before genesis: billing starts at epoch 0
    const net = okJson(
      await cli(
        ["network", "create", "--name", "billing net", "--verifiers", [v1.address, v2.address, v3.address].join(","), "--threshold", "2", "--epoch-seconds", String(EPOCH), "--challenge-window", String(WINDOW), "--arbiter", arbiter.address, "--genesis", String(genesis), "--json"],
        admin.privateKey,
      ),
    );
    expect(net.networkId).to.equal(1);
    expectOk(await cli(["roles", "grant", "--network", "1", "--role", "biller", "--account", admin.address], admin.privateKey));
    for (const c of [alice, bob]) {
      expectOk(await cli(["token", "mint", "--to", c.address, "--amount", "1000"], admin.privateKey));
      expectOk(await cli(["deposit", "--network", "1", "--amount", "500"], c.privateKey));
    }
  });

  after(async function () {
    await node?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("billing authorize and status: the cap, expiry and next billable epoch, ISO dates, exact integers in --json", async function () {
    const a = okJson(await cli(["billing", "authorize", "--network", "1", "--per-epoch", "12.5", "--expires", "2030-01-31", "--json"], alice.privateKey));
    expect(a).to.include({ customer: alice.address, capPerEpoch: "12500000", expiry: "2030-01-31T00:00:00.000Z", changeEpoch: 0, nextEpoch: 0, method: "authorizeBilling" });
    const human = expectOk(await cli(["billing", "authorize", "--network", "1", "--per-epoch", "1"], bob.privateKey)); // bob: 1 mUSD per epoch
    expect(human.stdout).to.match(/^authorized network 1 to bill 0x[0-9a-fA-F]{40} up to 1\.00 mUSD per epoch until 9999-12-31T23:59:59\.000Z$/m);
    const st = okJson(await cli(["billing", "status", "--network", "1", "--json"], alice.privateKey));
    expect(st).to.include({ customer: alice.address, authorized: true, capPerEpoch: "12500000", expiry: "2030-01-31T00:00:00.000Z", nextEpoch: 0, lastBilledEpoch: null, escrow: "500000000", thawing: "0", free: "500000000", thawReadyAt: null, finalizedCount: 0 });
    const other = expectOk(await cli(["billing", "status", "--network", "1", "--customer", bob.address]));
    expect(other.stdout).to.match(/cap per epoch:\s+1\.00 mUSD/).and.match(/last billed epoch:\s+none yet/);
  });

  it("billing authorize --out signs an authorization (the customer sends nothing); billing relay sends it with the biller's key, once", async function () {
    const carol = devAccount(6);
    const nonceBefore = await node.provider.getTransactionCount(carol.address);
    const signed = okJson(await cli(["billing", "authorize", "--network", "1", "--per-epoch", "3", "--out", "auth-carol.json", "--json"], carol.privateKey));
    expect(signed).to.include({ out: "auth-carol.json", customer: carol.address, capPerEpoch: "3000000", nonce: "0", expiry: "9999-12-31T23:59:59.000Z", kind: "workledger-billing-authorization" });
    expect(await node.provider.getTransactionCount(carol.address)).to.equal(nonceBefore);
    const relayed = okJson(await cli(["billing", "relay", "--authorization", "auth-carol.json", "--json"], admin.privateKey));
    expect(relayed).to.include({ customer: carol.address, capPerEpoch: "3000000", relayer: admin.address, method: "authorizeBillingBySig", changeEpoch: 0 });
    expect(okJson(await cli(["billing", "status", "--network", "1", "--customer", carol.address, "--json"]))).to.include({ authorized: true, capPerEpoch: "3000000", nonce: "1" });
    await refused(["billing", "relay", "--authorization", "auth-carol.json"], admin.privateKey, /^workledger: the authorization has nonce 0 but 0x[0-9a-fA-F]{40}'s next nonce on network 1 is 1 \(already used or replaced\): the customer must sign again$/m);
    await refused(["billing", "relay", "--authorization", "nope.json"], admin.privateKey, /^workledger: authorization file not found: nope\.json$/m);
    await refused(["billing", "authorize", "--network", "1", "--per-epoch", "3", "--out", "auth-carol.json"], carol.privateKey, /^workledger: auth-carol\.json exists: pass --force to overwrite it$/m);
  });

  it("refuses bad billing inputs with exit 2, naming the flag, sending nothing", async function () {
    await refused(["billing", "authorize", "--network", "1", "--per-epoch", "lots"], alice.privateKey, /^workledger: --per-epoch must be a positive amount in token units/);
    await refused(["billing", "authorize", "--network", "1"], alice.privateKey, /^workledger: missing --per-epoch AMOUNT/);
    await refused(["billing", "authorize", "--network", "1", "--per-epoch", "5", "--expires", "31/01/2030"], alice.privateKey, /^workledger: --expires must be an ISO 8601 date or date-time/);
    await refused(["billing", "authorize", "--network", "1", "--per-epoch", "5", "--expires", "2001-01-01"], alice.privateKey, /^workledger: expiry 2001-01-01T00:00:00\.000Z is not in the future/);
    await refused(["billing", "authorize", "--network", "9", "--per-epoch", "5"], alice.privateKey, /^workledger: unknown network 9/);
    await refused(["billing", "revoke", "--network", "1"], v3.privateKey, /never authorized network 1 to bill it: nothing to revoke/);
  });

  it("statement sign by 2 of 3 verifiers, charge with --ref, charge list, refund within the epoch's net", async function () {
    await cli(["time", "advance", "--seconds", String(120 + 2 * EPOCH + 1)]);
    const u: Array<[number, number]> = [[4_000_000, 200_000], [6_500_000, 1_500_000]]; // bob's epoch 1: 1.50 > his 1.00 cap
    for (const e of [0, 1]) {
      write(`epoch-${e}.csv`, records(e));
      write(`usage-${e}.csv`, usage(e, u[e][0], u[e][1]));
      for (const [v, k] of [[v1, "a"], [v2, "b"]] as const) expectOk(await cli(["sign", "--network", "1", "--epoch", String(e), "--records", `epoch-${e}.csv`, "--usage", `usage-${e}.csv`, "--out", `sig${e}-${k}.json`], v.privateKey));
      expectOk(await cli(["publish", "--network", "1", "--epoch", String(e), "--records", `epoch-${e}.csv`, "--usage", `usage-${e}.csv`, "--signatures", `sig${e}-a.json,sig${e}-b.json`], admin.privateKey));
    }
    // not Final yet: refused, no signature file
    await refused(["statement", "sign", "--network", "1", "--customer", alice.address, "--from-epoch", "0", "--to-epoch", "1", "--out", "st-a.json", "--bundles", "."], v1.privateKey, /^workledger: epoch 1 of network 1 is not Final yet: the finality cursor is 0/);
    await cli(["time", "advance", "--seconds", String(WINDOW + 1)]);
    expect(okJson(await cli(["epoch", "advance", "--network", "1", "--json"], admin.privateKey))).to.include({ finalizedCount: "2", advanced: true });

    const sa = okJson(await cli(["statement", "sign", "--network", "1", "--customer", alice.address, "--from-epoch", "0", "--to-epoch", "1", "--out", "st-a.json", "--bundles", ".", "--json"], v1.privateKey));
    expect(sa).to.include({ out: "st-a.json", amount: "10500000", fromEpoch: "0", toEpoch: "1", signer: v1.address, kind: "workledger-billing-statement-signature" });
    const sc = expectOk(await cli(["statement", "sign", "--network", "1", "--customer", alice.address, "--from-epoch", "0", "--to-epoch", "1", "--out", "st-c.json", "--bundles", "."], v3.privateKey));
    expect(sc.stdout).to.match(/^wrote st-c\.json: billing statement of 0x[0-9a-fA-F]{40} on network 1, epochs 0 to 1, signed by /m).and.match(/amount:\s+10\.50 mUSD/);
    const file = JSON.parse(fs.readFileSync(path.join(dir, "st-a.json"), "utf8"));
    expect(file).to.include({ amount: "10500000", usageHash: sa.usageHash });

    const dry = okJson(await cli(["charge", "--network", "1", "--customer", alice.address, "--from-epoch", "0", "--to-epoch", "1", "--statements", "st-a.json,st-c.json", "--bundles", ".", "--dry-run", "--json"], admin.privateKey));
    expect(dry).to.include({ dryRun: true, method: "charge", amount: "10500000" });
    const ch = okJson(await cli(["charge", "--network", "1", "--customer", alice.address, "--from-epoch", "0", "--to-epoch", "1", "--statements", "st-a.json,st-c.json", "--bundles", ".", "--ref", "invoice 2026-11", "--json"], admin.privateKey));
    expect(ch).to.include({ amount: "10500000", capPerEpoch: "12500000", limit: "25000000", epochs: 2, fromEpoch: 0, toEpoch: 1, referenceText: "invoice 2026-11" });
    expect(ch.chargeId).to.match(/^0x0{7}1[0-9a-f]{56}$/); // networkId << 224 | fromEpoch << 160 | customer
    expect(BigInt(ch.fee as string) + BigInt(ch.net as string)).to.equal(10_500_000n);
    state.chargeId = ch.chargeId as string;
    const list = okJson(await cli(["charge", "list", "--network", "1", "--json"]));
    expect(list.charges).to.have.length(1);
    expect((list.charges as Array<Record<string, unknown>>)[0]).to.include({ chargeId: state.chargeId, customer: alice.address, amount: "10500000", refunded: "0", referenceText: "invoice 2026-11" });
    const st = okJson(await cli(["billing", "status", "--network", "1", "--customer", alice.address, "--json"]));
    expect(st).to.include({ lastBilledEpoch: 1, nextEpoch: 2, escrow: "489500000" });

    const rf = okJson(await cli(["refund", "--network", "1", "--charge", state.chargeId, "--epoch", "0", "--amount", "0.5", "--reason", "SLA credit: outage", "--bundles", ".", "--json"], admin.privateKey));
    expect(rf).to.include({ chargeId: state.chargeId, epoch: 0, amount: "500000", customer: alice.address });
    const after = okJson(await cli(["charge", "list", "--network", "1", "--customer", alice.address, "--json"]));
    expect((after.charges as Array<Record<string, unknown>>)[0]).to.include({ refunded: "500000" });
  });

  it("refuses statements above n × cap, retired charge forms, refunds above the epoch's net — exit 2, nothing sent or written", async function () {
    // bob: 0.20 + 1.50 = 1.70 over 2 epochs, cap 1.00 per epoch -> limit 2.00: fits; epoch 1 alone: 1.50 > 1.00
    for (const v of [v1, v2]) expectOk(await cli(["statement", "sign", "--network", "1", "--customer", bob.address, "--from-epoch", "0", "--to-epoch", "0", "--out", `bob0-${v.address}.json`, "--bundles", "."], v.privateKey));
    expectOk(await cli(["charge", "--network", "1", "--customer", bob.address, "--from-epoch", "0", "--to-epoch", "0", "--statements", `bob0-${v1.address}.json,bob0-${v2.address}.json`, "--bundles", "."], admin.privateKey));
    for (const v of [v1, v2]) expectOk(await cli(["statement", "sign", "--network", "1", "--customer", bob.address, "--from-epoch", "1", "--to-epoch", "1", "--out", `bob1-${v.address}.json`, "--bundles", "."], v.privateKey));
    const bobCharge = ["charge", "--network", "1", "--customer", bob.address, "--from-epoch", "1", "--to-epoch", "1", "--statements", `bob1-${v1.address}.json,bob1-${v2.address}.json`, "--bundles", "."];
    await refused(bobCharge, admin.privateKey, /^workledger: the statement's amount 1\.50 mUSD is above the customer's limit of 1\.00 mUSD \(1 epoch × cap 1\.00 mUSD per epoch\) on network 1: .* must raise its cap \(billing authorize\) first \(RevenueLedgerCapExceeded\)$/m);
    // a raise binds every unbilled epoch: the same statement is then charged
    expectOk(await cli(["billing", "authorize", "--network", "1", "--per-epoch", "2"], bob.privateKey));
    expect(okJson(await cli([...bobCharge, "--json"], admin.privateKey))).to.include({ amount: "1500000", capPerEpoch: "2000000" });

    await refused(["charge", "--network", "1", "--customer", alice.address, "--epoch", "0", "--amount", "100", "--ref", "old"], admin.privateKey, /^workledger: charge --epoch is retired: a charge is now a verifier-signed billing statement: .*nothing was sent$/m);
    await refused(["charge", "--network", "1", "--customer", alice.address, "--amount", "100"], admin.privateKey, /^workledger: charge --amount is retired/);
    await refused(["charge", "post", "--charge", state.chargeId!], admin.privateKey, /^workledger: charge post and charge void are retired/);
    await refused(["charge", "void", "--charge", state.chargeId!], admin.privateKey, /^workledger: charge post and charge void are retired/);
    await refused(["charge", "--network", "1", "--customer", alice.address, "--from-epoch", "2", "--to-epoch", "2", "--statements", "nope.json"], admin.privateKey, /^workledger: statement signature file not found: nope\.json$/m);
    await refused(["charge", "--network", "1", "--customer", alice.address, "--from-epoch", "0", "--to-epoch", "1", "--statements", "st-a.json", "--bundles", "."], admin.privateKey, /^workledger: 1 verifier signature\(s\) given, network 1 needs 2 \(its threshold\)$/m);
    await refused(["charge", "--network", "1", "--customer", alice.address, "--from-epoch", "0", "--to-epoch", "1", "--statements", "st-a.json,st-c.json", "--bundles", "."], admin.privateKey, /must start at its next unbilled epoch 2, not at epoch 0/);
    await refused(["charge", "--network", "1", "--customer", "0x1234", "--from-epoch", "0", "--to-epoch", "1", "--statements", "st-a.json"], admin.privateKey, /^workledger: --customer/);
    await refused(["statement", "sign", "--network", "1", "--customer", alice.address, "--from-epoch", "0", "--to-epoch", "1", "--out", "x.json", "--bundles", "no-such-dir"], v1.privateKey, /^workledger: bundles directory not found: no-such-dir$/m);
    await refused(["statement", "sign", "--network", "1", "--customer", alice.address, "--from-epoch", "3", "--to-epoch", "1", "--out", "x.json"], v1.privateKey, /^workledger: --to-epoch 1 is before --from-epoch 3$/m);
    await refused(["refund", "--network", "1", "--charge", state.chargeId!, "--epoch", "1", "--amount", "100", "--reason", "too much", "--bundles", "."], admin.privateKey, /^workledger: refund of 100\.00 mUSD is above what epoch 1 can refund: epoch 1's net in charge 0x[0-9a-f]{64} is [\d.]+ mUSD/);
    await refused(["refund", "--network", "1", "--charge", state.chargeId!, "--epoch", "5", "--amount", "1", "--reason", "outside", "--bundles", "."], admin.privateKey, /^workledger: epoch 5 is outside charge 0x[0-9a-f]{64}, which covers epochs 0 to 1$/m);
    await refused(["refund", "--network", "1", "--charge", state.chargeId!, "--epoch", "0", "--amount", "1"], admin.privateKey, /^workledger: missing --reason TEXT$/m);
  });

  it("withdraw --request thaws; withdraw before the ready date is refused naming it; after the thaw the tokens leave", async function () {
    await refused(["withdraw", "--network", "1", "--amount", "5"], alice.privateKey, /^workledger: withdrawals thaw first: request with `withdraw --network 1 --amount 5 --request`/);
    await refused(["withdraw", "--network", "1"], alice.privateKey, /has no withdrawal request on network 1: request one first/);
    const req = okJson(await cli(["withdraw", "--network", "1", "--amount", "100", "--request", "--json"], alice.privateKey));
    expect(req).to.include({ amount: "100000000", method: "requestWithdrawal" });
    expect(req.readyAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    state.readyAt = req.readyAt as string;
    const st = okJson(await cli(["billing", "status", "--network", "1", "--customer", alice.address, "--json"]));
    expect(st).to.include({ thawing: "100000000", thawReadyAt: state.readyAt, thawReady: false });
    await refused(["withdraw", "--network", "1"], alice.privateKey, new RegExp(`still thawing: it is ready at ${state.readyAt.replace(/\./g, "\\.")} \\(chain time now `));
    const wait = Math.ceil((Date.parse(state.readyAt) - (await node.provider.getBlock("latest"))!.timestamp * 1000) / 1000) + 1;
    expectOk(await cli(["time", "advance", "--seconds", String(wait)]));
    const w = okJson(await cli(["withdraw", "--network", "1", "--json"], alice.privateKey));
    expect(w).to.include({ amount: "100000000", recipient: alice.address, method: "withdraw" });
    const bal = okJson(await cli(["token", "balance", "--address", alice.address, "--network", "1", "--json"]));
    expect(bal).to.include({ balance: "600000000", thawing: "0" });
  });
});
