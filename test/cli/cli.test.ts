/**
 * End-to-end tests of the `workledger` binary: every command's happy path against a `hardhat node`
 * started on loopback, then bad invocations, each with its exit code and one-line message, and
 * nothing written on chain (block number and nonces unchanged) or on disk by the failed ones.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { HDNodeWallet, keccak256, toUtf8Bytes } from "ethers";

import { LocalNode, startHardhatNode } from "../helpers/node";
import { RunResult, chainSnapshot, devAccount, runCli, snapshotDir, spawnCli } from "./harness";

describe("workledger CLI (real binary, hardhat node)", function () {
  this.timeout(180_000);

  let node: LocalNode;
  let dir: string;
  let admin: HDNodeWallet;
  let v1: HDNodeWallet;
  let v2: HDNodeWallet;
  let v3: HDNodeWallet;
  let customer: HDNodeWallet;
  let operator: HDNodeWallet;
  let outsider: HDNodeWallet;
  let arbiter: HDNodeWallet;
  const PASSWORD = "correct horse battery staple";
  const state: { chargeId?: string; genesis?: number } = {};

  const cli = (args: string[], key?: string, env?: Record<string, string>) => runCli(args, { cwd: dir, key, env });
  const withRpc = (args: string[]) => [...args, "--rpc", node.url];
  const ok = (r: RunResult) => {
    expect(r.stderr, `stderr of a successful command:\n${r.stderr}`).to.not.match(/workledger: /);
    expect(r.code, `exit code (stderr: ${r.stderr})`).to.equal(0);
    return r;
  };
  const json = (r: RunResult) => JSON.parse(ok(r).stdout) as Record<string, unknown>;
  const records = (epoch: number, rows: Array<[string, number, number, number]>) =>
    ["nodeId,epoch,workUnits,uptimeBps,revenue,evidence", ...rows.map(([n, w, u, r]) => `${n},${epoch},${w},${u},${r},0x${String(epoch + 1).repeat(64).slice(0, 64)}`)].join("\n") + "\n";

  before(async function () {
    node = await startHardhatNode();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "workledger-cli-"));
    [admin, v1, v2, v3, customer, operator, outsider, arbiter] = [0, 1, 2, 3, 4, 5, 6, 7].map(devAccount);
  });

  after(async function () {
    await node?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("happy paths", function () {
    it("--help lists every command, and each command has --help with the common flags", async function () {
      const r = ok(await cli(["--help"]));
      for (const c of ["demo", "deploy", "network", "node", "sign", "publish", "prove", "check-proof", "deposit", "withdraw", "charge", "payout", "claim", "sync", "report", "verify"]) {
        expect(r.stdout).to.include(c);
      }
      const d = ok(await cli(["publish", "--help"]));
      for (const f of ["--rpc", "--deployment", "--json", "--verbose", "--keystore", "--dry-run", "--signatures"]) expect(d.stdout).to.include(f);
    });

    it("keys new encrypts WORKLEDGER_PRIVATE_KEY into a keystore and keys address reads it back", async function () {
      const env = { WORKLEDGER_KEYSTORE_PASSWORD: PASSWORD };
      const made = json(await cli(["keys", "new", "--out", "admin.keystore.json", "--from-env", "--json"], admin.privateKey, env));
      expect(made.address).to.equal(admin.address);
      const text = fs.readFileSync(path.join(dir, "admin.keystore.json"), "utf8");
      expect(text).to.not.include(admin.privateKey.slice(2));
      const addr = json(await cli(["keys", "address", "--keystore", "admin.keystore.json", "--json"], undefined, env));
      expect(addr.address).to.equal(admin.address);
    });

    it("deploy --dry-run estimates and writes nothing; deploy (keystore key) writes deployment.json", async function () {
      const before = await chainSnapshot(node.provider, [admin.address]);
      const dry = json(await cli(withRpc(["deploy", "--out", "deployment.json", "--dry-run", "--json"]), admin.privateKey));
      expect(dry.dryRun).to.equal(true);
      expect((dry.transactions as Array<{ gasEstimate: string }>).every((t) => BigInt(t.gasEstimate) > 0n)).to.equal(true);
      expect(fs.existsSync(path.join(dir, "deployment.json"))).to.equal(false);
      expect(await chainSnapshot(node.provider, [admin.address])).to.equal(before);
      const env = { WORKLEDGER_KEYSTORE_PASSWORD: PASSWORD };
      const r = json(await cli(withRpc(["deploy", "--out", "deployment.json", "--keystore", "admin.keystore.json", "--json"]), undefined, env));
      const d = JSON.parse(fs.readFileSync(path.join(dir, "deployment.json"), "utf8"));
      expect(Object.keys(d)).to.deep.equal(["chainId", "workLedger", "revenueLedger", "token", "fromBlock"]);
      expect(d.chainId).to.equal(31337);
      expect(d.workLedger).to.equal(r.workLedger);
      expect(await node.provider.getCode(d.revenueLedger)).to.not.equal("0x");
    });

    it("network create --json prints the new networkId (from 1); network show reads it back; the customer authorizes billing before epoch 0", async function () {
      // epoch 0 starts a minute from now, so that the customer's authorization below covers it (billing starts at the first epoch after it)
      state.genesis = (await node.provider.getBlock("latest"))!.timestamp + 60;
      const r = json(
        await cli(
          withRpc(["network", "create", "--name", "GPU test net", "--verifiers", [v1.address, v2.address, v3.address].join(","), "--threshold", "2", "--epoch-seconds", "60", "--challenge-window", "3600", "--capacity", "3600", "--work-unit", "GPU-seconds", "--arbiter", arbiter.address, "--genesis", String(state.genesis), "--json"]),
          admin.privateKey,
        ),
      );
      expect(r.networkId).to.equal(1);
      expect(r.genesisTime).to.equal(state.genesis);
      const auth = json(await cli(withRpc(["billing", "authorize", "--network", "1", "--per-epoch", "200", "--json"]), customer.privateKey));
      expect(auth).to.include({ customer: customer.address, capPerEpoch: "200000000", changeEpoch: 0, nextEpoch: 0 });
      const show = json(await cli(withRpc(["network", "show", "--network", "1", "--json"])));
      expect(show).to.include({ networkId: 1, threshold: 2, verifierCount: 3, epochSeconds: 60, challengeWindow: 3600, tokenDecimals: 6 });
      // the genesis time given, and the name and work unit
      expect(r.genesisTime).to.be.greaterThan(1_600_000_000);
      expect(show).to.include({ genesisTime: r.genesisTime, name: "GPU test net", workUnit: "GPU-seconds", admin: admin.address });
      const human = ok(await cli(withRpc(["network", "show", "--network", "1"])));
      expect(human.stdout).to.match(/network:\s+1 "GPU test net"/).and.match(/work unit:\s+GPU-seconds/);
    });

    it("node register (string ids hashed, 0x ids as is) and node show", async function () {
      // the admin holds only ADMIN (#13): it grants itself registrar (nodes) and biller (charges, payouts) explicitly
      for (const role of ["registrar", "biller"]) ok(await cli(withRpc(["roles", "grant", "--network", "1", "--role", role, "--account", admin.address]), admin.privateKey));
      ok(await cli(withRpc(["node", "register", "--network", "1", "--node", "gpu-1", "--operator", operator.address]), admin.privateKey));
      const hexId = "0x" + "ab".repeat(32);
      ok(await cli(withRpc(["node", "register", "--network", "1", "--node", hexId, "--operator", operator.address]), admin.privateKey));
      const show = json(await cli(withRpc(["node", "show", "--network", "1", "--node", hexId, "--json"])));
      expect(show).to.include({ nodeId: hexId, operator: operator.address, active: true });
    });

    it("sign (two verifiers, separate keys and files), publish --dry-run, publish, epoch status", async function () {
      const now = (await node.provider.getBlock("latest"))!.timestamp;
      ok(await cli(withRpc(["time", "advance", "--seconds", String(state.genesis! + 70 - now)]))); // epoch 0 has ended
      fs.writeFileSync(path.join(dir, "epoch-0.csv"), records(0, [["gpu-1", 3000, 9990, 3_000_000], ["0x" + "ab".repeat(32), 3600, 10000, 3_600_000]]));
      // the customer's usage of epoch 0 (Σ = Σ node revenue): billed below by a verifier-signed statement
      fs.writeFileSync(path.join(dir, "usage-0.csv"), `customer,epoch,workUnits,amount,ref\n${customer.address},0,6600,6600000,INV-epoch-0\n`);
      const s1 = json(await cli(withRpc(["sign", "--network", "1", "--epoch", "0", "--records", "epoch-0.csv", "--usage", "usage-0.csv", "--out", "sig-a.json", "--json"]), v1.privateKey));
      const s2 = json(await cli(withRpc(["sign", "--network", "1", "--epoch", "0", "--records", "epoch-0.csv", "--usage", "usage-0.csv", "--out", "sig-b.json", "--expect", "sig-a.json", "--json"]), v2.privateKey));
      expect(s1.summary).to.deep.equal(s2.summary);
      expect(JSON.parse(fs.readFileSync(path.join(dir, "sig-a.json"), "utf8")).signer).to.equal(v1.address);
      const before = await chainSnapshot(node.provider, [admin.address]);
      const dry = json(await cli(withRpc(["publish", "--network", "1", "--epoch", "0", "--records", "epoch-0.csv", "--usage", "usage-0.csv", "--signatures", "sig-a.json,sig-b.json", "--dry-run", "--json"]), admin.privateKey));
      expect(BigInt(dry.gasEstimate as string) > 0n).to.equal(true);
      expect(await chainSnapshot(node.provider, [admin.address])).to.equal(before);
      const pub = json(await cli(withRpc(["publish", "--network", "1", "--epoch", "0", "--records", "epoch-0.csv", "--usage", "usage-0.csv", "--signatures", "sig-a.json,sig-b.json", "--json"]), admin.privateKey));
      expect(pub.root).to.equal((s1.summary as { root: string }).root);
      expect(fs.existsSync(path.join(dir, "network-1-epoch-0-v1.wlb"))).to.equal(true);
      const again = json(await cli(withRpc(["publish", "--network", "1", "--epoch", "0", "--records", "epoch-0.csv", "--usage", "usage-0.csv", "--signatures", "sig-a.json,sig-b.json", "--json"]), admin.privateKey));
      expect(again.alreadyCommitted).to.equal(true);
      const st = json(await cli(withRpc(["epoch", "status", "--network", "1", "--epoch", "0", "--json"])));
      expect(st).to.include({ version: 1, status: "pending", root: pub.root });
      const list = json(await cli(withRpc(["epoch", "list", "--network", "1", "--json"])));
      const epochs = list.epochs as Array<Record<string, unknown>>;
      expect(epochs).to.have.length(1);
      expect(epochs[0]).to.include({ epoch: 0, version: 1, status: "pending", superseded: false, root: pub.root });
      expect(epochs[0].committedAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(new Date(epochs[0].finalizesAt as string).getTime() - new Date(epochs[0].committedAt as string).getTime()).to.equal(3_600_000);
    });

    it("sign warns about node ids never registered on the network (a typo in the records); --json lists them", async function () {
      fs.writeFileSync(path.join(dir, "epoch-2-typo.csv"), records(2, [["gpu-1", 10, 9000, 10], ["gpu-l", 5, 9000, 5]]));
      const human = ok(await cli(withRpc(["sign", "--network", "1", "--epoch", "2", "--records", "epoch-2-typo.csv", "--out", "sig2t-a.json"]), v1.privateKey));
      expect(human.stderr).to.match(/^warning: 1 node id in epoch-2-typo\.csv was never registered on network 1: 0x[0-9a-f]{64} \(a typo\? --strict refuses\)$/m);
      const j = json(await cli(withRpc(["sign", "--network", "1", "--epoch", "2", "--records", "epoch-2-typo.csv", "--out", "sig2t-b.json", "--json"]), v2.privateKey));
      expect(j.unregisteredNodes).to.deep.equal([keccak256(toUtf8Bytes("gpu-l"))]);
    });

    it("prove writes a proof file that check-proof accepts offline and on chain", async function () {
      const p = json(await cli(withRpc(["prove", "--network", "1", "--epoch", "0", "--node", "gpu-1", "--out", "proof.json", "--json"])));
      expect(p.kind).to.equal("workledger-record-proof");
      const c = json(await cli(withRpc(["check-proof", "proof.json", "--json"])));
      expect(c).to.include({ ok: true, offline: true, onChain: true });
      const off = json(await cli(["check-proof", "proof.json", "--offline", "--json"]));
      expect(off).to.include({ ok: true, onChain: null });
    });

    it("token mint, deposit (approve + deposit), withdraw --request (thaws; a dry run sends nothing), token balance", async function () {
      ok(await cli(withRpc(["token", "mint", "--to", customer.address, "--amount", "1000"]), admin.privateKey));
      const dep = json(await cli(withRpc(["deposit", "--network", "1", "--amount", "500", "--json"]), customer.privateKey));
      expect(dep.amount).to.equal("500000000");
      const before = await chainSnapshot(node.provider, [admin.address, customer.address]);
      const dryWithdraw = ok(await cli(withRpc(["withdraw", "--network", "1", "--amount", "50", "--request", "--dry-run"]), customer.privateKey));
      expect(dryWithdraw.stdout).to.match(/dry run: would call RevenueLedger\.requestWithdrawal/).and.match(/gas estimate: [\d,]+/).and.include("nothing was sent");
      expect(await chainSnapshot(node.provider, [admin.address, customer.address])).to.equal(before);
      const req = json(await cli(withRpc(["withdraw", "--network", "1", "--amount", "50", "--request", "--json"]), customer.privateKey));
      expect(req).to.include({ amount: "50000000", method: "requestWithdrawal" });
      expect(req.readyAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
      const bal = json(await cli(withRpc(["token", "balance", "--address", customer.address, "--network", "1", "--json"])));
      expect(bal).to.include({ balance: "500000000", escrow: "500000000", thawing: "50000000", free: "450000000" });
      const human = ok(await cli(withRpc(["token", "balance", "--address", customer.address, "--network", "1"])));
      expect(human.stdout).to.include("450.00 mUSD").and.include("500.00 mUSD");
    });

    it("once epoch 0 is Final: 2 of 3 verifiers sign the customer's statement, the biller charges it (--ref), charge list, refund", async function () {
      ok(await cli(withRpc(["time", "advance", "--seconds", "3700"])));
      expect(json(await cli(withRpc(["epoch", "advance", "--network", "1", "--json"]), outsider.privateKey))).to.include({ finalizedCount: "1" });
      for (const [v, f] of [[v1, "stmt-a.json"], [v3, "stmt-c.json"]] as const) {
        ok(await cli(withRpc(["statement", "sign", "--network", "1", "--customer", customer.address, "--from-epoch", "0", "--to-epoch", "0", "--out", f, "--bundles", "."]), v.privateKey));
      }
      const chargeArgs = ["charge", "--network", "1", "--customer", customer.address, "--from-epoch", "0", "--to-epoch", "0", "--statements", "stmt-a.json,stmt-c.json", "--bundles", ".", "--ref", "invoice 2026-11", "--json"];
      const before = await chainSnapshot(node.provider, [admin.address]);
      expect(json(await cli(withRpc([...chargeArgs, "--dry-run"]), admin.privateKey))).to.include({ dryRun: true, method: "charge", amount: "6600000" });
      expect(await chainSnapshot(node.provider, [admin.address])).to.equal(before);
      const ch = json(await cli(withRpc(chargeArgs), admin.privateKey));
      expect(ch).to.include({ amount: "6600000", capPerEpoch: "200000000", referenceText: "invoice 2026-11", fromEpoch: 0, toEpoch: 0 });
      state.chargeId = ch.chargeId as string;
      expect(state.chargeId).to.match(/^0x[0-9a-f]{64}$/);
      const list = json(await cli(withRpc(["charge", "list", "--network", "1", "--json"])));
      expect((list.charges as Array<Record<string, unknown>>).map((c) => c.chargeId)).to.deep.equal([state.chargeId]);
      const rf = json(await cli(withRpc(["refund", "--network", "1", "--charge", state.chargeId, "--epoch", "0", "--amount", "1", "--reason", "SLA credit", "--bundles", ".", "--json"]), admin.privateKey));
      expect(rf).to.include({ chargeId: state.chargeId, epoch: 0, amount: "1000000" });
    });

    it("payout round (no key), payout sign by 2 verifiers, payout round --signatures (anyone), claim: the operator takes its node's cumulative share once", async function () {
      const built = json(await cli(withRpc(["payout", "round", "--network", "1", "--through-epoch", "0", "--bundles", ".", "--json"])));
      // epoch 0: 6.6 mUSD charged (no protocol fee), 1 mUSD refunded -> 5.6 mUSD over revenue 3.0 (gpu-1) + 3.6 mUSD: floor(3.0 × 5.6 / 6.6), floor(3.6 × 5.6 / 6.6)
      expect(built).to.include({ throughEpoch: 0, total: String(2_545_454 + 3_054_545), leafCount: 2, netRevenuePosted: "5600000", posted: null });
      expect(fs.existsSync(path.join(dir, "network-1-payout-0.json"))).to.equal(true);
      for (const [v, f] of [[v1, "psig-a.json"], [v2, "psig-b.json"]] as const) ok(await cli(withRpc(["payout", "sign", "--network", "1", "--through-epoch", "0", "--bundles", ".", "--out", f]), v.privateKey));
      const posted = json(await cli(withRpc(["payout", "round", "--network", "1", "--through-epoch", "0", "--bundles", ".", "--signatures", "psig-a.json,psig-b.json", "--json"]), outsider.privateKey));
      expect(posted.posted).to.deep.include({ increase: "5599999" });
      const cl = json(await cli(withRpc(["claim", "--network", "1", "--node", "gpu-1", "--bundles", ".", "--json"]), operator.privateKey));
      expect(cl).to.include({ amount: "2545454", cumulativeAmount: "2545454", claimedBefore: "0", recipient: operator.address, throughEpoch: 0 });
    });

    it("challenge and resolve --upheld on a second epoch", async function () {
      fs.writeFileSync(path.join(dir, "epoch-1.csv"), records(1, [["gpu-1", 100, 5000, 100_000]]));
      ok(await cli(withRpc(["sign", "--network", "1", "--epoch", "1", "--records", "epoch-1.csv", "--out", "sig1-b.json"]), v2.privateKey));
      ok(await cli(withRpc(["sign", "--network", "1", "--epoch", "1", "--records", "epoch-1.csv", "--out", "sig1-c.json"]), v3.privateKey));
      ok(await cli(withRpc(["publish", "--network", "1", "--epoch", "1", "--records", "epoch-1.csv", "--signatures", "sig1-b.json,sig1-c.json"]), admin.privateKey));
      // anyone challenges with a bond from its own wallet (here the customer); only the arbiter rules (#13)
      ok(await cli(withRpc(["challenge", "--network", "1", "--epoch", "1", "--reason", "meter bug"]), customer.privateKey));
      ok(await cli(withRpc(["resolve", "--network", "1", "--epoch", "1", "--upheld"]), arbiter.privateKey));
      const st = json(await cli(withRpc(["epoch", "status", "--network", "1", "--epoch", "1", "--json"])));
      expect(st.status).to.equal("voided");
    });

    it("sync indexes into SQLite and imports bundles; report writes every kind; verify passes, a tampered figure fails", async function () {
      const s = json(await cli(withRpc(["sync", "--db", "index.sqlite", "--bundles", ".", "--json"])));
      expect(s.bundlesImported).to.equal(2); // epoch 0 and epoch 1 (its only version, voided)
      expect(s.totalEvents).to.be.greaterThan(10);
      const formats: Array<[string, string]> = [["spend", "json"], ["uptime", "json"], ["economics", "md"], ["journal", "beancount"]];
      for (const [kind, format] of formats) {
        ok(await cli(withRpc(["report", kind, "--format", format, "--out", `reports/${kind}.${format}`, "--db", "index.sqlite"])));
        expect(fs.statSync(path.join(dir, "reports", `${kind}.${format}`)).size).to.be.greaterThan(100);
      }
      const uptime = JSON.parse(fs.readFileSync(path.join(dir, "reports", "uptime.json"), "utf8"));
      expect(uptime.kind).to.equal("uptime");
      expect(uptime.lines.length).to.equal(3);
      // (the demo test below verifies every kind; here the two a customer and an insurer use)
      for (const kind of ["spend", "uptime"]) {
        const v = json(await cli(withRpc(["verify", `reports/${kind}.json`, "--json"])));
        expect(v.ok, `${kind}: ${JSON.stringify(v.differences)}`).to.equal(true);
      }
      expect(fs.readFileSync(path.join(dir, "reports", "journal.beancount"), "utf8")).to.match(/^\d{4}-\d{2}-\d{2} /m);
      expect(fs.readFileSync(path.join(dir, "reports", "economics.md"), "utf8")).to.include("|");
      const spend = JSON.parse(fs.readFileSync(path.join(dir, "reports", "spend.json"), "utf8"));
      spend.totals.refunded = "1";
      fs.writeFileSync(path.join(dir, "tampered.json"), JSON.stringify(spend));
      const bad = await cli(withRpc(["verify", "tampered.json"]));
      expect(bad.code).to.equal(1);
      expect(bad.stdout).to.match(/MISMATCH/).and.match(/totals\.refunded/);
    });

    it("sync --follow indexes new blocks as they come and stops cleanly on Ctrl-C", async function () {
      const follow = spawnCli(withRpc(["sync", "--follow", "--db", "follow.sqlite"]), { cwd: dir });
      try {
        await follow.waitFor(/following chain \d+ into follow\.sqlite/);
        // the first pass catches up with everything on chain so far
        const first = await follow.waitFor(/indexed up to block (\d+) \(\+(\d+) events\)/);
        expect(Number(first[2])).to.be.greaterThan(10);
        // a deposit and a billing authorization while it follows: picked up by a later pass
        const mark = follow.stderr().length;
        ok(await cli(withRpc(["deposit", "--network", "1", "--amount", "1"]), customer.privateKey));
        ok(await cli(withRpc(["billing", "authorize", "--network", "1", "--per-epoch", "200"]), customer.privateKey));
        const head = await node.provider.getBlockNumber();
        expect(head).to.be.greaterThan(Number(first[1]));
        // later passes report the new events, up to the head
        const indexed = () => [...follow.stderr().slice(mark).matchAll(/indexed up to block (\d+) \(\+(\d+) events\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
        await follow.waitFor(new RegExp(`indexed up to block ${head} `), 60_000, mark);
        expect(indexed().reduce((sum, [, events]) => sum + events, 0)).to.be.greaterThan(1);
      } finally {
        const end = await follow.stop("SIGINT");
        expect(end.code, `exit code after SIGINT (stderr: ${end.stderr})`).to.equal(0);
        expect(end.stdout).to.match(/indexed to block:\s+\d+ \(0x[0-9a-f]{64}\)/);
      }
      // the followed database holds exactly what a fresh one-shot sync gets
      const again = json(await cli(withRpc(["sync", "--db", "follow.sqlite", "--json"])));
      const fresh = json(await cli(withRpc(["sync", "--db", "fresh.sqlite", "--json"])));
      expect(again.newEvents).to.equal(0);
      expect(again.totalEvents).to.equal(fresh.totalEvents);
      expect(again.toBlock).to.equal(fresh.toBlock);
    });

    it("demo --rpc runs the whole job against the node and writes every report under its fixed name", async function () {
      const r = json(await cli(withRpc(["demo", "--nodes", "8", "--epochs", "4", "--out", "demo", "--json"])));
      expect(r.ok).to.equal(true);
      for (const kind of ["spend", "uptime", "economics", "journal"]) {
        for (const ext of ["json", "csv", "md", "html", "pdf"]) expect(fs.existsSync(path.join(dir, "demo", `${kind}.${ext}`)), `${kind}.${ext}`).to.equal(true);
      }
      expect(fs.existsSync(path.join(dir, "demo", "journal.beancount"))).to.equal(true);
      const d = JSON.parse(fs.readFileSync(path.join(dir, "demo", "deployment.json"), "utf8"));
      expect(d.chainId).to.equal(31337);
      const v = json(await cli(withRpc(["verify", "demo/uptime.json", "--json"])));
      expect(v.ok).to.equal(true);
    });
  });

  describe("bad invocations: exit code, one-line message, nothing written", function () {
    type Case = { name: string; args: () => string[]; key?: () => string | undefined; env?: Record<string, string>; code: number; message: RegExp; stdout?: RegExp };
    const cases: Case[] = [
      { name: "unknown command", args: () => ["frobnicate"], code: 2, message: /unknown command 'frobnicate'/ },
      { name: "unknown option", args: () => ["deploy", "--out", "x.json", "--bogus"], code: 2, message: /unknown option '--bogus'/ },
      { name: "deploy without --out", args: () => withRpc(["deploy"]), key: () => admin.privateKey, code: 2, message: /missing --out FILE/ },
      { name: "no signing key", args: () => withRpc(["deploy", "--out", "d2.json"]), code: 2, message: /no signing key: pass --keystore FILE or set WORKLEDGER_PRIVATE_KEY/ },
      { name: "malformed WORKLEDGER_PRIVATE_KEY (value never echoed)", args: () => withRpc(["deploy", "--out", "d2.json"]), key: () => "0x1234deadbeef", code: 2, message: /WORKLEDGER_PRIVATE_KEY must be 32 bytes of hex \(the value is not shown\)/ },
      { name: "missing keystore file", args: () => withRpc(["deploy", "--out", "d2.json", "--keystore", "nope.json"]), env: { WORKLEDGER_KEYSTORE_PASSWORD: "x" }, code: 2, message: /keystore file not found: nope\.json/ },
      { name: "wrong keystore password", args: () => withRpc(["deploy", "--out", "d2.json", "--keystore", "admin.keystore.json"]), env: { WORKLEDGER_KEYSTORE_PASSWORD: "wrong" }, code: 2, message: /wrong password for keystore admin\.keystore\.json/ },
      { name: "unreachable RPC", args: () => ["network", "show", "--network", "1", "--rpc", "http://127.0.0.1:9"], code: 1, message: /cannot reach RPC at http:\/\/127\.0\.0\.1:9/ },
      { name: "--rpc that is not a URL", args: () => ["network", "show", "--network", "1", "--rpc", "localhost"], code: 2, message: /--rpc must be an http\(s\) URL/ },
      { name: "deployment file for another chain", args: () => withRpc(["network", "show", "--network", "1", "--deployment", "other-chain.json"]), code: 1, message: /deployment file other-chain\.json is for chain 999 but .* is chain 31337/ },
      { name: "missing deployment file", args: () => withRpc(["network", "show", "--network", "1", "--deployment", "none.json"]), code: 2, message: /deployment file not found: none\.json/ },
      { name: "network create without --name", args: () => withRpc(["network", "create", "--verifiers", v1.address, "--threshold", "1", "--epoch-seconds", "60"]), key: () => admin.privateKey, code: 2, message: /missing --name NAME/ },
      { name: "threshold above the verifier count", args: () => withRpc(["network", "create", "--name", "x", "--verifiers", `${v1.address},${v2.address}`, "--threshold", "3", "--epoch-seconds", "60"]), key: () => admin.privateKey, code: 2, message: /--threshold must be from 1 to 2/ },
      { name: "a verifier that is not an address", args: () => withRpc(["network", "create", "--name", "x", "--verifiers", `${v1.address},0x123`, "--threshold", "1", "--epoch-seconds", "60"]), key: () => admin.privateKey, code: 2, message: /--verifiers: item 2 is not an address: "0x123"/ },
      { name: "unknown network", args: () => withRpc(["node", "register", "--network", "9", "--node", "gpu-9", "--operator", operator.address]), key: () => admin.privateKey, code: 2, message: /unknown network 9: the WorkLedger at 0x[0-9a-fA-F]{40} has 1 network/ },
      { name: "network id 0", args: () => withRpc(["node", "register", "--network", "0", "--node", "gpu-9", "--operator", operator.address]), key: () => admin.privateKey, code: 2, message: /--network must be a network id \(an integer from 1\), got "0"/ },
      { name: "0x node id that is not 32 bytes", args: () => withRpc(["node", "register", "--network", "1", "--node", "0xabc", "--operator", operator.address]), key: () => admin.privateKey, code: 2, message: /--node starts with 0x so it must be 32-byte hex/ },
      { name: "node registered twice", args: () => withRpc(["node", "register", "--network", "1", "--node", "gpu-1", "--operator", operator.address]), key: () => admin.privateKey, code: 2, message: /node gpu-1 \(0x[0-9a-f]{64}\) is already registered on network 1/ },
      { name: "register without the registrar role (simulated revert, nothing sent)", args: () => withRpc(["node", "register", "--network", "1", "--node", "gpu-77", "--operator", operator.address]), key: () => outsider.privateKey, code: 1, message: /contract reverted: WorkLedgerUnauthorized\(networkId=1, account=0x[0-9a-fA-F]{40}/ },
      { name: "bad records file (line and column)", args: () => withRpc(["sign", "--network", "1", "--epoch", "2", "--records", "bad.csv", "--out", "sig-bad.json"]), key: () => v1.privateKey, code: 2, message: /bad\.csv: line 3, column uptimeBps/ },
      { name: "sign refuses a summary the records do not give (--expect)", args: () => withRpc(["sign", "--network", "1", "--epoch", "2", "--records", "epoch-2.csv", "--out", "sig-bad.json", "--expect", "sig-a.json"]), key: () => v2.privateKey, code: 1, message: /refusing to sign: summary field root is 0x[0-9a-f]{64} but the records give 0x[0-9a-f]{64}/ },
      { name: "records file not found", args: () => withRpc(["sign", "--network", "1", "--epoch", "2", "--records", "missing.csv", "--out", "sig-bad.json"]), key: () => v1.privateKey, code: 2, message: /records file not found: missing\.csv/ },
      { name: "sign with a key that is not a verifier", args: () => withRpc(["sign", "--network", "1", "--epoch", "2", "--records", "epoch-2.csv", "--out", "sig-bad.json"]), key: () => outsider.privateKey, code: 2, message: /0x[0-9a-fA-F]{40} is not a verifier of network 1/ },
      { name: "publish below threshold", args: () => withRpc(["publish", "--network", "1", "--epoch", "2", "--records", "epoch-2.csv", "--signatures", "sig2-a.json"]), key: () => admin.privateKey, code: 1, message: /1 valid signature but network 1 needs 2/ },
      { name: "publish with a signature for another epoch", args: () => withRpc(["publish", "--network", "1", "--epoch", "2", "--records", "epoch-2.csv", "--signatures", "sig2-a.json,sig-b.json"]), key: () => admin.privateKey, code: 1, message: /sig-b\.json: signed for network 1 epoch 0, not network 1 epoch 2/ },
      { name: "publish a different root without --correction", args: () => withRpc(["publish", "--network", "1", "--epoch", "0", "--records", "epoch-0b.csv", "--signatures", "sig-a.json,sig-b.json"]), key: () => admin.privateKey, code: 2, message: /epoch 0 of network 1 is already committed .* pass --correction/ },
      { name: "sign --strict refuses a node id never registered", args: () => withRpc(["sign", "--network", "1", "--epoch", "2", "--records", "epoch-2-typo.csv", "--out", "sig-strict.json", "--strict"]), key: () => v1.privateKey, code: 2, message: /1 node id was never registered on network 1: 0x[0-9a-f]{64}$/ },
      { name: "publish --strict refuses a node id never registered", args: () => withRpc(["publish", "--network", "1", "--epoch", "2", "--records", "epoch-2-typo.csv", "--signatures", "sig2t-a.json,sig2t-b.json", "--strict"]), key: () => admin.privateKey, code: 2, message: /1 node id was never registered on network 1/ },
      { name: "publish out of order (epoch 3 before 2) writes no bundle", args: () => withRpc(["publish", "--network", "1", "--epoch", "3", "--records", "epoch-3.csv", "--signatures", "sig3-a.json,sig3-b.json"]), key: () => admin.privateKey, code: 1, message: /contract reverted: WorkLedgerEpochOutOfOrder\(networkId=1, epoch=3, expected=2\)/ },
      { name: "an operator address with a bad checksum is called a checksum problem", args: () => withRpc(["node", "register", "--network", "1", "--node", "gpu-8", "--operator", operator.address.replace(/[a-f]/, (c) => c.toUpperCase())]), key: () => admin.privateKey, code: 2, message: /--operator .*checksum/i },
      { name: "prove an unknown epoch", args: () => withRpc(["prove", "--network", "1", "--epoch", "99", "--node", "gpu-1"]), code: 2, message: /unknown epoch 99 on network 1: it was never committed/ },
      { name: "prove a node with no record", args: () => withRpc(["prove", "--network", "1", "--epoch", "0", "--node", "gpu-404", "--out", "p404.json"]), code: 2, message: /node gpu-404 \(0x[0-9a-f]{64}\) has no record in epoch 0 of network 1/ },
      { name: "the retired charge --epoch --amount sends nothing", args: () => withRpc(["charge", "--network", "1", "--customer", customer.address, "--epoch", "0", "--amount", "100000", "--ref", "too-much"]), key: () => admin.privateKey, code: 2, message: /charge --epoch is retired: a charge is now a verifier-signed billing statement: .*nothing was sent$/ },
      { name: "withdrawal request above the escrow", args: () => withRpc(["withdraw", "--network", "1", "--amount", "99999", "--request"]), key: () => customer.privateKey, code: 2, message: /insufficient escrow: 0x[0-9a-fA-F]{40} has [\d,.]+ mUSD in escrow on network 1, the withdrawal request needs 99,999\.00 mUSD/ },
      { name: "withdraw before the thaw ends names the ready date", args: () => withRpc(["withdraw", "--network", "1"]), key: () => customer.privateKey, code: 2, message: /is still thawing: it is ready at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z/ },
      { name: "withdraw --amount without --request (withdrawals thaw first)", args: () => withRpc(["withdraw", "--network", "1", "--amount", "5"]), key: () => customer.privateKey, code: 2, message: /withdrawals thaw first: request with `withdraw --network 1 --amount 5 --request`/ },
      { name: "a statement over the voided epoch 1 (past the finality cursor)", args: () => withRpc(["statement", "sign", "--network", "1", "--customer", customer.address, "--from-epoch", "1", "--to-epoch", "1", "--out", "stmt-bad.json", "--bundles", "."]), key: () => v1.privateKey, code: 2, message: /epoch 1 of network 1 is not Final yet: the finality cursor is 1/ },
      { name: "charge the same statement twice", args: () => withRpc(["charge", "--network", "1", "--customer", customer.address, "--from-epoch", "0", "--to-epoch", "0", "--statements", "stmt-a.json,stmt-c.json", "--bundles", "."]), key: () => admin.privateKey, code: 2, message: /must start at its next unbilled epoch 1, not at epoch 0 .*\(RevenueLedgerStatementOutOfOrder\)/ },
      { name: "claim with nothing left to claim", args: () => withRpc(["claim", "--network", "1", "--node", "gpu-1", "--bundles", "."]), key: () => operator.privateKey, code: 2, message: /node 0x[0-9a-f]{64} has nothing to claim: it claimed 2545454 of its cumulative 2545454 \(root through epoch 0\); wait for the next root/ },
      { name: "the retired claim --epoch --payouts form", args: () => withRpc(["claim", "--network", "1", "--epoch", "0", "--node", "gpu-1", "--payouts", "payouts-0.json"]), key: () => operator.privateKey, code: 2, message: /unknown option '--epoch'/ },
      { name: "payout round not above the latest root", args: () => withRpc(["payout", "round", "--network", "1", "--through-epoch", "0", "--bundles", "."]), code: 2, message: /--through-epoch 0: the latest payout root of network 1 already covers through epoch 0; a new root must go further/ },
      { name: "amount that is not a number", args: () => withRpc(["deposit", "--network", "1", "--amount", "lots"]), key: () => customer.privateKey, code: 2, message: /--amount must be a positive amount in token units/ },
      { name: "the retired charge post sends nothing", args: () => withRpc(["charge", "post", "--charge", "0x" + "00".repeat(32)]), key: () => admin.privateKey, code: 2, message: /charge post and charge void are retired/ },
      { name: "refund of an unknown charge id", args: () => withRpc(["refund", "--network", "1", "--charge", "0x00000001" + "00".repeat(28), "--epoch", "0", "--amount", "1", "--reason", "x", "--bundles", "."]), key: () => admin.privateKey, code: 2, message: /unknown charge 0x0{7}10{56}: no statement was charged with this id/ },
      { name: "report with an unknown format", args: () => withRpc(["report", "spend", "--format", "xml", "--out", "r.xml", "--db", "index.sqlite"]), code: 2, message: /--format must be one of json\|csv\|md\|html\|pdf\|beancount, got "xml"/ },
      { name: "report --out with an extension that is no report format (was: JSON written to uptime.xlsx)", args: () => withRpc(["report", "uptime", "--out", "uptime.xlsx"]), code: 2, message: /--out uptime\.xlsx: extension \.xlsx is no report format/ },
      { name: "report --out whose extension does not match --format", args: () => withRpc(["report", "uptime", "--format", "pdf", "--out", "uptime.xlsx"]), code: 2, message: /--out uptime\.xlsx has extension \.xlsx but --format is pdf: use --out uptime\.pdf/ },
      { name: "report of an unknown kind", args: () => withRpc(["report", "balance", "--out", "r.json"]), code: 2, message: /report kind must be one of spend\|uptime\|economics\|journal, got "balance"/ },
      { name: "beancount for a non-journal report", args: () => withRpc(["report", "spend", "--format", "beancount", "--out", "r.beancount"]), code: 2, message: /--format beancount is only for the journal report/ },
      { name: "verify a missing report", args: () => withRpc(["verify", "missing-report.json"]), code: 2, message: /report file not found: missing-report\.json/ },
      { name: "demo with too few epochs", args: () => ["demo", "--epochs", "2", "--out", "demo-bad"], code: 2, message: /--epochs must be at least 4/ },
      { name: "missing subcommand", args: () => ["network"], code: 2, message: /missing subcommand/ },
      { name: "required argument missing", args: () => ["verify"], code: 2, message: /missing required argument 'report'/ },
      { name: "resolve without --upheld or --rejected", args: () => withRpc(["resolve", "--network", "1", "--epoch", "0"]), key: () => admin.privateKey, code: 2, message: /pass exactly one of --upheld .* or --rejected/ },
    ];

    before(function () {
      // Fixtures the bad cases point at (written before the snapshots are taken).
      const d = JSON.parse(fs.readFileSync(path.join(dir, "deployment.json"), "utf8"));
      fs.writeFileSync(path.join(dir, "other-chain.json"), JSON.stringify({ ...d, chainId: 999 }));
      fs.writeFileSync(path.join(dir, "bad.csv"), records(2, [["gpu-1", 1, 9000, 1]]) + "gpu-2,2,5,12000,7,0x" + "3".repeat(64) + "\n");
      fs.writeFileSync(path.join(dir, "epoch-2.csv"), records(2, [["gpu-1", 10, 9000, 10]]));
      fs.writeFileSync(path.join(dir, "epoch-0b.csv"), records(0, [["gpu-1", 1, 9000, 1]]));
      fs.writeFileSync(path.join(dir, "epoch-3.csv"), records(3, [["gpu-1", 7, 9000, 7]]));
    });

    it("prepares valid signatures for epoch 2 (threshold cases) and epoch 3 (out-of-order case)", async function () {
      ok(await cli(withRpc(["time", "advance", "--seconds", "70"])));
      ok(await cli(withRpc(["sign", "--network", "1", "--epoch", "2", "--records", "epoch-2.csv", "--out", "sig2-a.json"]), v1.privateKey));
      ok(await cli(withRpc(["sign", "--network", "1", "--epoch", "3", "--records", "epoch-3.csv", "--out", "sig3-a.json"]), v1.privateKey));
      ok(await cli(withRpc(["sign", "--network", "1", "--epoch", "3", "--records", "epoch-3.csv", "--out", "sig3-b.json"]), v2.privateKey));
    });

    for (const c of cases) {
      it(`${c.name}: exit ${c.code}`, async function () {
        const watched = [admin.address, customer.address, operator.address, outsider.address, v1.address];
        const chainBefore = await chainSnapshot(node.provider, watched);
        const diskBefore = snapshotDir(dir);
        const r = await cli(c.args(), c.key?.(), c.env);
        expect(r.code, `exit code; stderr: ${r.stderr}`).to.equal(c.code);
        const errLines = r.stderr.split("\n").filter((l) => l.trim() !== "");
        expect(errLines, `stderr: ${r.stderr}`).to.have.length(1);
        expect(errLines[0]).to.match(/^workledger: /);
        expect(errLines[0]).to.match(c.message);
        expect(errLines[0]).to.not.match(/\bat .*\.ts:\d+/); // no stack without --verbose
        expect(r.stderr).to.not.include(customer.privateKey.slice(2));
        expect(r.stderr).to.not.include("1234deadbeef");
        expect(await chainSnapshot(node.provider, watched), "block number or a nonce changed").to.equal(chainBefore);
        expect(snapshotDir(dir), "files changed on disk").to.equal(diskBefore);
      });
    }

    it("--verbose adds the stack trace to the one-line error", async function () {
      const r = await cli(withRpc(["network", "show", "--network", "1", "--deployment", "none.json", "--verbose"]));
      expect(r.code).to.equal(2);
      expect(r.stderr.split("\n")[0]).to.match(/^workledger: deployment file not found/);
      expect(r.stderr).to.match(/at .*deployment\.ts:\d+/);
    });

    it("check-proof of a tampered proof exits 1 and says why", async function () {
      const p = JSON.parse(fs.readFileSync(path.join(dir, "proof.json"), "utf8"));
      p.record.uptimeBps = 10000;
      fs.writeFileSync(path.join(dir, "proof-tampered.json"), JSON.stringify(p));
      const r = await cli(withRpc(["check-proof", "proof-tampered.json"]));
      expect(r.code).to.equal(1);
      expect(r.stdout).to.match(/^INVALID: proof-tampered\.json/);
      expect(r.stdout).to.include("the proof does not lead from the record to the root");
    });
  });
});
