/**
 * The trust commands (#13) of the real `workledger` binary against a `hardhat node` on loopback:
 * deploy (wired), network create's trust flags and defaults, roles, node deactivate, network
 * pause|unpause|set-window, bonded challenges (challenge, challenge status|resolve|expire), verifier
 * rotations signed into files and relayed (verifiers propose|sign|apply|status), the admin's delayed
 * recovery and the arbiter's cancel, the arbiter's handover (arbiter transfer|accept). Each has its
 * happy path, a --dry-run that sends nothing, and bad input that exits 2 with the refusal in words
 * and leaves the chain (block number, nonces) and the directory unchanged. Last, the #13 attack —
 * rotate to self, zero window, correct a Final epoch — fails at every step, and check-proof still
 * shows the honest record included and Final.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { HDNodeWallet } from "ethers";

import { LocalNode, startHardhatNode } from "../helpers/node";
import { RunResult, chainSnapshot, devAccount, runCli, snapshotDir } from "./harness";
import { makeActorWallets } from "../../src/demo/actors";
import { buildEpochFromFile, proposeRotation, readDeploymentFile, signEpoch, signRotation, writeRotationFile, writeSignatureFile } from "../../src";

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/;

describe("workledger trust commands (real binary, hardhat node)", function () {
  this.timeout(300_000);

  let node: LocalNode;
  /** The --json output of the demo run (test "demo: …"), read by the money-story test after it. */
  let demoRun: Record<string, unknown> | undefined;
  let dir: string;
  let admin: HDNodeWallet, v1: HDNodeWallet, v2: HDNodeWallet, v3: HDNodeWallet, customer: HDNodeWallet, arbiter: HDNodeWallet, outsider: HDNodeWallet, v4: HDNodeWallet;

  const cli = (args: string[], key?: string) => runCli([...args, "--rpc", node.url], { cwd: dir, key });
  const ok = (r: RunResult) => {
    expect(r.stderr, `stderr of a successful command:\n${r.stderr}`).to.not.match(/workledger: /);
    expect(r.code, `exit code (stderr: ${r.stderr})`).to.equal(0);
    return r;
  };
  const json = (r: RunResult) => JSON.parse(ok(r).stdout) as Record<string, unknown>;
  /** Runs a command that must fail with `code` and `message`, sending nothing and writing nothing. */
  const refused = async (args: string[], key: string | undefined, code: number, message: RegExp) => {
    const accounts = [admin, v1, v2, v3, customer, arbiter, outsider, v4].map((w) => w.address);
    const chainBefore = await chainSnapshot(node.provider, accounts);
    const filesBefore = snapshotDir(dir);
    const r = await cli(args, key);
    expect(r.code, `exit code of ${args.join(" ")} (stderr: ${r.stderr})`).to.equal(code);
    expect(r.stderr).to.match(/^workledger: /);
    expect(r.stderr.trim().split("\n"), "one line").to.have.length(1);
    expect(r.stderr).to.match(message);
    expect(await chainSnapshot(node.provider, accounts), "nothing sent").to.equal(chainBefore);
    expect(snapshotDir(dir), "nothing written").to.equal(filesBefore);
    return r;
  };
  const dryRunSendsNothing = async (args: string[], key: string) => {
    const accounts = [admin, v1, v2, v3, customer, arbiter, outsider, v4].map((w) => w.address);
    const before = await chainSnapshot(node.provider, accounts);
    const r = json(await cli([...args, "--dry-run", "--json"], key));
    expect(await chainSnapshot(node.provider, accounts)).to.equal(before);
    return r;
  };
  const records = (epoch: number, rows: Array<[string, number, number, number]>) =>
    ["nodeId,epoch,workUnits,uptimeBps,revenue,evidence", ...rows.map(([n, w, u, r]) => `${n},${epoch},${w},${u},${r},0x${String(epoch + 1).repeat(64).slice(0, 64)}`)].join("\n") + "\n";
  const publishEpoch = async (epoch: number, rows: Array<[string, number, number, number]>) => {
    fs.writeFileSync(path.join(dir, `epoch-${epoch}.csv`), records(epoch, rows));
    ok(await cli(["sign", "--network", "1", "--epoch", String(epoch), "--records", `epoch-${epoch}.csv`, "--out", `sig-${epoch}-a.json`], v1.privateKey));
    ok(await cli(["sign", "--network", "1", "--epoch", String(epoch), "--records", `epoch-${epoch}.csv`, "--out", `sig-${epoch}-b.json`], v2.privateKey));
    return json(await cli(["publish", "--network", "1", "--epoch", String(epoch), "--records", `epoch-${epoch}.csv`, "--signatures", `sig-${epoch}-a.json,sig-${epoch}-b.json`, "--json"], admin.privateKey));
  };

  before(async function () {
    node = await startHardhatNode();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "workledger-trust-"));
    [admin, v1, v2, v3, customer, arbiter, outsider, v4] = [0, 1, 2, 3, 4, 5, 6, 7].map(devAccount);
  });

  after(async function () {
    await node?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("deploy wires the ledgers (a dry run lists the wiring); network create takes --arbiter --bond --thaw-seconds --arbiter-deadline --max-statement-epochs", async function () {
    const dry = await dryRunSendsNothing(["deploy", "--out", "deployment.json"], admin.privateKey);
    expect((dry.transactions as Array<{ contract: string }>).map((t) => t.contract)).to.include("WorkLedger.setRevenueLedger");
    ok(await cli(["deploy", "--out", "deployment.json"], admin.privateKey));
    const verifiers = [v1.address, v2.address, v3.address].join(",");
    const base = ["network", "create", "--name", "Trust net", "--verifiers", verifiers, "--threshold", "2", "--epoch-seconds", "60", "--challenge-window", "3600"];
    await dryRunSendsNothing([...base, "--arbiter", arbiter.address], admin.privateKey);
    await refused([...base, "--arbiter", admin.address], admin.privateKey, 2, /--arbiter 0x[0-9a-fA-F]{40} is the network admin: the arbiter must be independent of the admin/);
    await refused([...base, "--arbiter", arbiter.address, "--thaw-seconds", "100"], admin.privateKey, 2, /--thaw-seconds 100 is too short: at least 133200 \(challenge window 3600 \+ arbiter deadline 86400 \+ 720 statement epochs × 60 s\)/);
    await refused([...base, "--arbiter", arbiter.address, "--arbiter-deadline", "60"], admin.privateKey, 2, /--arbiter-deadline must be from 86400 to 2592000 seconds, got 60/);
    await refused([...base, "--arbiter", arbiter.address, "--bond", "abc"], admin.privateKey, 2, /--bond must be a positive amount in token units/);
    const r = json(await cli([...base, "--arbiter", arbiter.address, "--bond", "5", "--json"], admin.privateKey));
    expect(r).to.include({ networkId: 1, arbiter: arbiter.address, bond: "5000000", arbiterDeadline: 86400, maxStatementEpochs: 720, thawSeconds: 133200 });
    expect(r.warnings).to.deep.equal([]);
    const show = json(await cli(["network", "show", "--network", "1", "--json"]));
    expect(show).to.include({ arbiter: arbiter.address, pendingArbiter: null, bond: "5000000", thawSeconds: 133200, arbiterDeadline: 86400, maxStatementEpochs: 720, finalizedCount: 0, recoveryDelay: 7 * 86400 });
    expect(ok(await cli(["network", "show", "--network", "1"])).stdout).to.match(/challenge bond:\s+5\.00 mUSD/).and.match(/recovery delay:\s+604800 s \(7 d\)/);
    // network 2: defaults, the arbiter is the first verifier that is not the signer, with a warning
    const d = ok(await cli([...base.map((a) => (a === "Trust net" ? "Defaults net" : a)), "--max-statement-epochs", "10"], admin.privateKey));
    expect(d.stderr).to.match(new RegExp(`^warning: no --arbiter given: the arbiter is ${v1.address}, the first verifier that is not the signer`, "m"));
    expect(d.stdout).to.match(/arbiter 0x[0-9a-fA-F]{40}, challenge bond 1\.00 mUSD, arbiter deadline 86400 s \(1 d\), thaw 90600 s, statements up to 10 epochs/);
  });

  it("roles grant|revoke|list: the admin grants registrar and biller explicitly; others and 'arbiter' exit 2", async function () {
    await dryRunSendsNothing(["roles", "grant", "--network", "1", "--role", "registrar", "--account", admin.address], admin.privateKey);
    ok(await cli(["roles", "grant", "--network", "1", "--role", "registrar", "--account", admin.address], admin.privateKey));
    ok(await cli(["roles", "grant", "--network", "1", "--role", "biller", "--account", outsider.address], admin.privateKey));
    let list = json(await cli(["roles", "list", "--network", "1", "--json"]));
    expect(list).to.deep.include({ admin: [admin.address], registrar: [admin.address], biller: [outsider.address], arbiter: arbiter.address, pendingArbiter: null });
    await refused(["roles", "grant", "--network", "1", "--role", "biller", "--account", outsider.address], outsider.privateKey, 2, /does not hold the admin role of network 1: only the admin grants and revokes roles/);
    await refused(["roles", "grant", "--network", "1", "--role", "arbiter", "--account", outsider.address], admin.privateKey, 2, /the arbiter is not a role anyone grants/);
    await refused(["roles", "grant", "--network", "1", "--role", "admin", "--account", arbiter.address], admin.privateKey, 2, /is the arbiter of network 1: the arbiter may not hold the admin role/);
    ok(await cli(["roles", "revoke", "--network", "1", "--role", "biller", "--account", outsider.address], admin.privateKey));
    list = json(await cli(["roles", "list", "--network", "1", "--json"]));
    expect(list.biller).to.deep.equal([]);
    const human = ok(await cli(["roles", "list", "--network", "1"]));
    expect(human.stdout).to.match(/biller:\s+nobody/).and.match(/arbiter:\s+0x[0-9a-fA-F]{40} \(not a grantable role\)/);
  });

  it("node deactivate (registrar), network pause|unpause|set-window (admin): dry runs, refusals in words", async function () {
    ok(await cli(["node", "register", "--network", "1", "--node", "gpu-1", "--operator", outsider.address], admin.privateKey));
    ok(await cli(["node", "register", "--network", "1", "--node", "gpu-2", "--operator", outsider.address], admin.privateKey));
    ok(await cli(["node", "register", "--network", "1", "--node", "gpu-9", "--operator", outsider.address], admin.privateKey));
    await dryRunSendsNothing(["node", "deactivate", "--network", "1", "--node", "gpu-9"], admin.privateKey);
    const de = json(await cli(["node", "deactivate", "--network", "1", "--node", "gpu-9", "--json"], admin.privateKey));
    expect(de.operator).to.equal(outsider.address);
    await refused(["node", "deactivate", "--network", "1", "--node", "gpu-9"], admin.privateKey, 2, /node gpu-9 \(0x[0-9a-f]{64}\) is already inactive on network 1/);
    await refused(["node", "deactivate", "--network", "1", "--node", "gpu-1"], customer.privateKey, 2, /0x[0-9a-fA-F]{40} does not hold the registrar role of network 1 \(WorkLedgerUnauthorized\)/);
    const dry = await dryRunSendsNothing(["network", "pause", "--network", "1"], admin.privateKey);
    expect(dry).to.include({ dryRun: true, method: "setPaused" });
    ok(await cli(["network", "pause", "--network", "1"], admin.privateKey));
    await refused(["network", "pause", "--network", "1"], admin.privateKey, 2, /network 1 is already paused/);
    ok(await cli(["network", "unpause", "--network", "1"], admin.privateKey));
    await refused(["network", "pause", "--network", "1"], outsider.privateKey, 2, /does not hold the admin role of network 1 \(WorkLedgerUnauthorized\)/);
    await refused(["network", "set-window", "--network", "1", "--challenge-window", "0"], admin.privateKey, 2, /a challenge window must be from 3600 s \(1 h\) to 31622400 s \(366 d\), got 0 s/);
    await refused(["network", "set-window", "--network", "1", "--challenge-window", "7200"], admin.privateKey, 2, /needs a thaw of at least 136800 s, but network 1's thaw is 133200 s .*the largest window allowed is 3600 s/);
    const w = json(await cli(["network", "set-window", "--network", "1", "--challenge-window", "3600", "--json"], admin.privateKey));
    expect(w).to.include({ previous: 3600, challengeWindow: 3600 });
  });

  it("challenge (a customer's bond) → status → resolve: only the arbiter; upheld voids and returns the bond", async function () {
    ok(await cli(["time", "advance", "--seconds", "70"]));
    await publishEpoch(0, [["gpu-1", 3000, 9990, 3_000_000], ["gpu-2", 3600, 10000, 3_600_000]]);
    ok(await cli(["time", "advance", "--seconds", "60"]));
    await publishEpoch(1, [["gpu-1", 100, 5000, 100_000]]);
    ok(await cli(["token", "mint", "--to", customer.address, "--amount", "100"], admin.privateKey));
    await refused(["challenge", "--network", "1", "--epoch", "1", "--reason", "meter bug"], outsider.privateKey, 2, /the bond is 5\.00 mUSD but 0x[0-9a-fA-F]{40} holds 0\.00 mUSD: a challenge bond comes from the challenger's wallet/);
    await refused(["challenge", "--network", "1", "--epoch", "1"], customer.privateKey, 2, /missing --reason TEXT/);
    const dry = await dryRunSendsNothing(["challenge", "--network", "1", "--epoch", "1", "--reason", "meter bug"], customer.privateKey);
    expect(dry).to.include({ dryRun: true, bond: "5000000", challengeSimulated: false });
    expect((dry.transactions as Array<{ method: string }>).map((t) => t.method)).to.deep.equal(["approve"]);
    const c = ok(await cli(["challenge", "--network", "1", "--epoch", "1", "--reason", "meter bug"], customer.privateKey));
    expect(c.stdout).to.match(/challenged epoch 1 v1 of network 1: bond of 5\.00 mUSD locked from 0x[0-9a-fA-F]{40}/);
    expect(c.stdout).to.match(new RegExp(`the arbiter ${arbiter.address} must rule before ${ISO.source}`));
    const st = json(await cli(["challenge", "status", "--network", "1", "--epoch", "1", "--json"]));
    expect(st).to.deep.include({ status: "challenged", challenges: 1, nextBond: "10000000", arbiter: arbiter.address });
    expect((st.open as { deadline: string }).deadline).to.match(ISO);
    await refused(["challenge", "--network", "1", "--epoch", "1", "--reason", "again"], customer.privateKey, 2, new RegExp(`already challenged .*the arbiter rules before ${ISO.source}`));
    await refused(["challenge", "resolve", "--network", "1", "--epoch", "1", "--upheld"], admin.privateKey, 2, new RegExp(`${admin.address} is not the arbiter of network 1 \\(WorkLedgerNotArbiter\\)`));
    await refused(["challenge", "resolve", "--network", "1", "--epoch", "1"], arbiter.privateKey, 2, /pass exactly one of --upheld .* or --rejected/);
    await dryRunSendsNothing(["challenge", "resolve", "--network", "1", "--epoch", "1", "--upheld"], arbiter.privateKey);
    const before = json(await cli(["token", "balance", "--address", customer.address, "--json"]));
    const r = json(await cli(["challenge", "resolve", "--network", "1", "--epoch", "1", "--upheld", "--json"], arbiter.privateKey));
    expect(r).to.deep.include({ upheld: true, version: 1, bond: { challenger: customer.address, amount: "5000000", fate: "returned", paid: true } });
    const after = json(await cli(["token", "balance", "--address", customer.address, "--json"]));
    expect(BigInt(after.balance as string) - BigInt(before.balance as string)).to.equal(5_000_000n);
    expect(json(await cli(["epoch", "status", "--network", "1", "--epoch", "1", "--json"])).status).to.equal("voided");
  });

  it("challenge expire: refused before the arbiter's deadline (ISO date), then anyone expires it (voided, bond returned)", async function () {
    ok(await cli(["time", "advance", "--seconds", "60"]));
    await publishEpoch(2, [["gpu-2", 200, 9000, 200_000]]);
    ok(await cli(["challenge", "--network", "1", "--epoch", "2", "--reason", "missing telemetry"], customer.privateKey));
    await refused(["challenge", "expire", "--network", "1", "--epoch", "2"], outsider.privateKey, 2, new RegExp(`the challenge of epoch 2 of network 1 can only expire from ${ISO.source} \\(the arbiter's deadline\\) \\(WorkLedgerChallengeNotExpired\\)`));
    ok(await cli(["time", "advance", "--seconds", "86400"]));
    await refused(["challenge", "resolve", "--network", "1", "--epoch", "2", "--rejected"], arbiter.privateKey, 2, /the arbiter's deadline for the challenge of epoch 2 of network 1 passed at .*anyone may now run `challenge expire`/);
    await dryRunSendsNothing(["challenge", "expire", "--network", "1", "--epoch", "2"], outsider.privateKey);
    const e = json(await cli(["challenge", "expire", "--network", "1", "--epoch", "2", "--json"], outsider.privateKey));
    expect(e).to.deep.include({ version: 1, bond: { challenger: customer.address, amount: "5000000", fate: "returned", paid: true } });
    expect(json(await cli(["epoch", "status", "--network", "1", "--epoch", "2", "--json"])).status).to.equal("voided");
    // a rejection: the bond goes to the network's revenue, the rest of the window resumes, the next bond doubles
    await publishEpoch(3, [["gpu-2", 300, 9000, 300_000]]);
    ok(await cli(["challenge", "--network", "1", "--epoch", "3", "--reason", "looks high"], customer.privateKey));
    const rej = json(await cli(["challenge", "resolve", "--network", "1", "--epoch", "3", "--rejected", "--json"], arbiter.privateKey));
    expect(rej).to.deep.include({ upheld: false, version: 1, bond: { challenger: customer.address, amount: "5000000", fate: "forfeited", paid: true } });
    expect(rej.finalizesAt).to.match(ISO);
    const after = json(await cli(["challenge", "status", "--network", "1", "--epoch", "3", "--json"]));
    expect(after).to.deep.include({ status: "pending", challenges: 1, nextBond: "10000000", open: null, finalizesAt: rej.finalizesAt });
  });

  it("verifiers propose|sign|apply|status: k current verifiers sign into files, anyone relays; outsiders and replays exit 2", async function () {
    const next = [v1.address, v2.address, v3.address, v4.address].join(",");
    await dryRunSendsNothing(["verifiers", "propose", "--network", "1", "--verifiers", next, "--threshold", "3"], admin.privateKey);
    expect(fs.existsSync(path.join(dir, "rotation.json"))).to.equal(false);
    const p = json(await cli(["verifiers", "propose", "--network", "1", "--verifiers", next, "--threshold", "3", "--json"], admin.privateKey));
    expect(p).to.include({ verifierSetId: "2", threshold: 3, out: "rotation.json" });
    await refused(["verifiers", "sign", "--proposal", "rotation.json", "--out", "rot-x.json"], outsider.privateKey, 2, /is not in the current verifier set 1 of network 1: only current verifiers sign a rotation/);
    await refused(["verifiers", "sign", "--proposal", "rotation.json"], v1.privateKey, 2, /missing --out SIG\.json/);
    const drySig = json(await cli(["verifiers", "sign", "--proposal", "rotation.json", "--out", "rot-dry.json", "--dry-run", "--json"], v1.privateKey));
    expect(drySig).to.include({ dryRun: true, out: null, signer: v1.address, verifierSetId: "2" });
    expect(fs.existsSync(path.join(dir, "rot-dry.json")), "a dry run writes no signature file").to.equal(false);
    ok(await cli(["verifiers", "sign", "--proposal", "rotation.json", "--out", "rot-a.json"], v1.privateKey));
    ok(await cli(["verifiers", "sign", "--network", "1", "--verifiers", next, "--threshold", "3", "--out", "rot-c.json"], v3.privateKey));
    await refused(["verifiers", "apply", "--signatures", "rot-a.json"], outsider.privateKey, 2, /1 signature\(s\) given, the current threshold of network 1 is 2/);
    const dry = await dryRunSendsNothing(["verifiers", "apply", "--signatures", "rot-a.json,rot-c.json"], outsider.privateKey);
    expect(dry).to.include({ dryRun: true, method: "rotateVerifiers", verifierSetId: 2 });
    const r = json(await cli(["verifiers", "apply", "--signatures", "rot-a.json,rot-c.json", "--json"], outsider.privateKey));
    expect(r).to.include({ verifierSetId: 2, threshold: 3 });
    const s = json(await cli(["verifiers", "status", "--network", "1", "--json"]));
    expect(s).to.deep.include({ verifierSetId: 2, threshold: 3, verifiers: [v1.address, v2.address, v3.address, v4.address], recovery: null, arbiter: arbiter.address });
    await refused(["verifiers", "apply", "--signatures", "rot-a.json,rot-c.json"], outsider.privateKey, 2, /the rotation would create verifier set 2, but network 1 is at set 2 \(the next is 3\): sign a new proposal/);
  });

  it("verifiers propose --recovery (admin): waits its delay in public (status shows when), the arbiter cancels; apply --recovery too early exits 2, once due anyone applies it", async function () {
    const rec = [v4.address].join(",");
    await refused(["verifiers", "propose", "--network", "1", "--recovery", "--verifiers", rec, "--threshold", "1"], outsider.privateKey, 2, /does not hold the admin role of network 1/);
    const p = json(await cli(["verifiers", "propose", "--network", "1", "--recovery", "--verifiers", rec, "--threshold", "1", "--json"], admin.privateKey));
    expect(p.executableAt).to.match(ISO);
    const s = json(await cli(["verifiers", "status", "--network", "1", "--json"]));
    expect(s.recovery).to.deep.include({ verifierSetId: 3, verifiers: [v4.address], threshold: 1, executableAt: p.executableAt, executable: false, stale: false });
    const human = ok(await cli(["verifiers", "status", "--network", "1"]));
    expect(human.stdout).to.match(new RegExp(`pending recovery:\\s+set 3 = 1-of-1 \\(${v4.address}\\), proposed ${ISO.source}; executable from ${ISO.source} \\(in \\d+ d \\d+ h\\)`));
    await refused(["verifiers", "apply", "--network", "1", "--recovery", "--verifiers", rec, "--threshold", "1"], outsider.privateKey, 2, new RegExp(`the recovery of network 1 can be applied from ${p.executableAt as string}, not before`));
    await refused(["verifiers", "cancel", "--network", "1"], admin.privateKey, 2, /is not the arbiter of network 1/);
    ok(await cli(["verifiers", "cancel", "--network", "1"], arbiter.privateKey));
    expect(json(await cli(["verifiers", "status", "--network", "1", "--json"])).recovery).to.equal(null);
    // proposed again and left alone: once due, anyone applies it
    const again = json(await cli(["verifiers", "propose", "--network", "1", "--recovery", "--verifiers", rec, "--threshold", "1", "--json"], admin.privateKey));
    const pending = json(await cli(["verifiers", "status", "--network", "1", "--json"]));
    expect((pending.recovery as { executableAt: string }).executableAt).to.equal(again.executableAt);
    ok(await cli(["time", "advance", "--seconds", String((pending.recoveryDelaySeconds as number) + 60)]));
    await dryRunSendsNothing(["verifiers", "apply", "--network", "1", "--recovery", "--verifiers", rec, "--threshold", "1"], outsider.privateKey);
    const applied = json(await cli(["verifiers", "apply", "--network", "1", "--recovery", "--verifiers", rec, "--threshold", "1", "--json"], outsider.privateKey));
    expect(applied).to.include({ recovery: true, verifierSetId: 3, threshold: 1 });
    expect(json(await cli(["verifiers", "status", "--network", "1", "--json"]))).to.deep.include({ verifierSetId: 3, verifiers: [v4.address], threshold: 1, recovery: null });
  });

  it("arbiter transfer|accept: two steps by the arbiter and its nominee; the admin can neither transfer nor be nominated", async function () {
    await refused(["arbiter", "transfer", "--network", "1", "--to", outsider.address], admin.privateKey, 2, /is not the arbiter of network 1 \(WorkLedgerNotArbiter\)/);
    await refused(["arbiter", "transfer", "--network", "1", "--to", admin.address], arbiter.privateKey, 2, /the arbiter must be independent of the admin \(WorkLedgerArbiterIsAdmin\)/);
    // an arbiter that is a contract (a Safe, a timelock): --as simulates as it and prints the call to submit, with no key
    const accounts = [admin, v1, v2, v3, customer, arbiter, outsider, v4].map((w) => w.address);
    const before = await chainSnapshot(node.provider, accounts);
    const as = ok(await cli(["arbiter", "transfer", "--network", "1", "--to", outsider.address, "--as", arbiter.address]));
    expect(as.stdout).to.match(new RegExp(`simulated as ${arbiter.address} \\(ok\\); submit this call through it`)).and.match(/data:\s+0x[0-9a-f]{8,}/).and.include("nothing was sent");
    const asJson = json(await cli(["arbiter", "transfer", "--network", "1", "--to", outsider.address, "--as", arbiter.address, "--json"]));
    expect(asJson).to.include({ dryRun: true, method: "transferArbiter", submitThrough: arbiter.address, value: "0" });
    expect(await chainSnapshot(node.provider, accounts)).to.equal(before);
    await refused(["arbiter", "transfer", "--network", "1", "--to", outsider.address, "--as", admin.address], undefined, 2, /is not the arbiter of network 1 \(WorkLedgerNotArbiter\)/);
    await dryRunSendsNothing(["arbiter", "transfer", "--network", "1", "--to", outsider.address], arbiter.privateKey);
    ok(await cli(["arbiter", "transfer", "--network", "1", "--to", outsider.address], arbiter.privateKey));
    await refused(["arbiter", "accept", "--network", "1"], customer.privateKey, 2, new RegExp(`is not the nominated arbiter of network 1 \\(the nominee is ${outsider.address}\\)`));
    const a = json(await cli(["arbiter", "accept", "--network", "1", "--json"], outsider.privateKey));
    expect(a).to.include({ previousArbiter: arbiter.address, arbiter: outsider.address });
    // hand it back for the rest of the story
    ok(await cli(["arbiter", "transfer", "--network", "1", "--to", arbiter.address], outsider.privateKey));
    ok(await cli(["arbiter", "accept", "--network", "1"], arbiter.privateKey));
  });

  it("demo: an independent arbiter upholds a CUSTOMER's bonded challenge of the bad-metering epoch, which is corrected; every report verifies", async function () {
    const r = json(await cli(["demo", "--nodes", "6", "--epochs", "4", "--out", "demo", "--json"]));
    demoRun = r;
    expect(r.ok).to.equal(true);
    const actors = r.actors as { deployer: string; arbiter: string; customers: string[]; operators: string[] };
    const c = r.challenge as Record<string, unknown>;
    expect(actors.arbiter).to.not.equal(actors.deployer);
    expect(c).to.include({ epoch: 2, version: 1, arbiter: actors.arbiter, upheld: true, bondReturned: true, correctedVersion: 2, bond: "250000000" });
    expect(actors.customers).to.include(c.challenger);
    expect(c.deadline).to.match(ISO);
    const story = (r.story as string[]).join("\n");
    expect(story).to.match(/customer \S+ challenged v1 .* with a 250\.000000 mUSD bond from its own wallet/).and.match(/the arbiter upheld it: v1 voided .*bond returned/);
    const st = json(await cli(["epoch", "status", "--network", "1", "--epoch", "2", "--deployment", "demo/deployment.json", "--json"]));
    expect(st.version).to.equal(2);
    const roles = json(await cli(["roles", "list", "--network", "1", "--deployment", "demo/deployment.json", "--json"]));
    expect(roles).to.deep.include({ admin: [actors.deployer], registrar: [actors.deployer], biller: [actors.deployer], arbiter: actors.arbiter });
    // every report verifies, in the demo and again through the CLI against the same node
    expect((r.verification as Array<{ ok: boolean }>).map((v) => v.ok)).to.deep.equal([true, true, true, true]);
    for (const kind of ["spend", "journal"]) expect(json(await cli(["verify", `demo/${kind}.json`, "--json"])).ok, kind).to.equal(true);
  });

  it("demo money story: capped statement refused then charged, invoices over Final epochs (the corrected one at v2), an SLA credit, cumulative roots, one claim per node at the end, a thawing withdrawal", async function () {
    // (the demo the previous test ran on this node)
    expect(demoRun, "the demo test above ran").to.not.equal(undefined);
    const r = demoRun!;
    const actors = r.actors as { customers: string[] };
    const money = (r.billing as string[]).join("\n");
    // 4 epochs: epoch 3 stays pending, the cursor covers 0-2, one billing period 0-2 ending at the newest Final epoch
    expect((r.headline as Record<string, unknown>).finalizedCount).to.equal(3);
    type Stmt = { customer: string; fromEpoch: number; toEpoch: number; chargeId: string; amount: string; referenceText: string; refusedFirst: boolean };
    const statements = r.statements as Stmt[];
    expect(statements.map((s) => [s.fromEpoch, s.toEpoch])).to.deep.equal([[0, 2], [0, 2], [0, 2]]);
    expect(statements.map((s) => s.customer)).to.deep.equal(actors.customers);
    expect(statements.map((s) => s.referenceText)).to.deep.equal(["acme-ai", "globex-render", "initech-ml"].map((n) => `INV-${n}-${(statements[0].referenceText.match(/\d{4}-\d{2}/) ?? [""])[0]}-e0-2`));
    // the capped customer: refused naming the limit, raised its cap, then the same statement was charged
    expect(statements.filter((s) => s.refusedFirst).map((s) => s.customer)).to.deep.equal([actors.customers[2]]);
    expect(money).to.match(/initech-ml's statement for epochs 0-2 was refused: the statement's amount [\d.,]+ mUSD is above the customer's limit of [\d.,]+ mUSD \(3 epochs × cap [\d.,]+ mUSD per epoch\)/);
    expect(money).to.match(/initech-ml raised its cap from [\d.,]+ mUSD to [\d.,]+ mUSD per epoch; the same statement \(signed by 2 of 3\) was then charged: [\d.,]+ mUSD as "INV-initech-ml-\d{4}-\d{2}-e0-2"/);
    expect(r.correctedVersionsBilled, "the corrected epoch counts with its latest version only").to.deep.equal([2]);
    const charges = json(await cli(["charge", "list", "--network", "1", "--deployment", "demo/deployment.json", "--json"]));
    const listed = (Array.isArray(charges) ? charges : (charges.charges as Array<Record<string, unknown>>)).map((x) => String(x.chargeId).toLowerCase());
    expect(listed.sort()).to.deep.equal(statements.map((s) => s.chargeId.toLowerCase()).sort());
    // the spend report: one charge line per statement with its reference text, and the totals tie out
    const spend = JSON.parse(fs.readFileSync(path.join(dir, "demo", "spend.json"), "utf8")) as { totals: Record<string, string>; lines: Array<Record<string, unknown>> };
    const chargeLines = spend.lines.filter((l) => l.kind === "charge");
    expect(chargeLines.map((l) => l.referenceText).sort()).to.deep.equal(statements.map((s) => s.referenceText).sort());
    expect(spend.totals.charged).to.equal(statements.reduce((a, s) => a + BigInt(s.amount), 0n).toString());
    // one SLA credit naming (chargeId, epoch) of acme-ai's statement, for the outage epoch
    const refunds = r.refunds as Array<{ epoch: number; customer: string; chargeId: string; amount: string }>;
    expect(refunds).to.have.length(1);
    expect(refunds[0]).to.include({ epoch: 1, customer: actors.customers[0], chargeId: statements[0].chargeId });
    expect(spend.totals.refunded).to.equal(refunds[0].amount);
    // labels.csv names each invoice's charge id
    const labels = fs.readFileSync(path.join(dir, "demo", "labels.csv"), "utf8");
    for (const s of statements) expect(labels).to.include(`${s.chargeId},${s.referenceText},`);
    // cumulative payout root through epoch 2; every node claimed exactly once, at the end, everything it is owed
    expect((r.payoutRoots as Array<{ throughEpoch: number }>).map((x) => x.throughEpoch)).to.deep.equal([2]);
    const payoutFile = JSON.parse(fs.readFileSync(path.join(dir, "demo", "bundles", "network-1-payout-2.json"), "utf8")) as { total: string; leaves: Array<{ nodeId: string; operator: string; cumulativeAmount: string }> };
    const headline = r.headline as Record<string, unknown>;
    expect(headline.claims).to.equal(payoutFile.leaves.length);
    expect(headline.claimed).to.equal(payoutFile.total);
    const leaf = payoutFile.leaves[0];
    const opKey = makeActorWallets("workledger-demo", node.provider).operators.find((o) => o.address === leaf.operator)!.privateKey;
    const again = await cli(["claim", "--network", "1", "--node", leaf.nodeId, "--bundles", "demo/bundles", "--deployment", "demo/deployment.json"], opKey);
    expect(again.code, again.stderr).to.equal(2);
    expect(again.stderr).to.match(/has nothing to claim/);
    // globex-render asked for part of its escrow back: it is thawing, not gone
    const w = r.withdrawal as { customer: string; amount: string; readyAt: string; thawing: string };
    expect(w.customer).to.equal(actors.customers[1]);
    expect(w.readyAt).to.match(ISO);
    const status = json(await cli(["billing", "status", "--network", "1", "--customer", w.customer, "--deployment", "demo/deployment.json", "--json"]));
    expect(status).to.include({ thawing: w.amount, thawReadyAt: w.readyAt, thawReady: false });
    expect(money).to.match(/globex-render requested a withdrawal of [\d.,]+ mUSD: thawing \([\d.,]+ mUSD\) until \d{4}-\d{2}-\d{2}T/);
  });

  it("the #13 attack from the admin key fails at every step, and check-proof still shows the honest record included and Final", async function () {
    ok(await cli(["time", "advance", "--seconds", "3700"])); // epoch 0 is Final
    const deployment = readDeploymentFile(path.join(dir, "deployment.json"));
    // 1. rotate the verifier set to the admin alone
    await refused(["verifiers", "sign", "--network", "1", "--verifiers", admin.address, "--threshold", "1", "--out", "self.json"], admin.privateKey, 2, /is not in the current verifier set 3 of network 1/);
    const { JsonRpcProvider } = await import("ethers");
    const provider = new JsonRpcProvider(node.url);
    const proposal = await proposeRotation(provider, deployment, 1n, [admin.address], 1);
    writeRotationFile(await signRotation(proposal, admin), path.join(dir, "self.json"));
    await refused(["verifiers", "apply", "--signatures", "self.json"], admin.privateKey, 2, /self\.json: 0x[0-9a-fA-F]{40} is not in the current verifier set 3 of network 1/);
    // 2. a zero challenge window
    await refused(["network", "set-window", "--network", "1", "--challenge-window", "0"], admin.privateKey, 2, /a challenge window must be from 3600 s/);
    // 3. correct the Final epoch 0 with a forged record signed by the admin alone
    fs.writeFileSync(path.join(dir, "epoch-0-forged.csv"), records(0, [["gpu-1", 3600, 10000, 9_000_000], ["gpu-2", 3600, 10000, 3_600_000]]));
    const { summary } = await buildEpochFromFile(path.join(dir, "epoch-0-forged.csv"), { epoch: 0n, networkId: 1n });
    writeSignatureFile(await signEpoch(summary, { networkId: 1n, epoch: 0n, version: 2, chainId: deployment.chainId, workLedger: deployment.workLedger }, admin.connect(provider)), path.join(dir, "forged-sig.json"));
    const pub = await cli(["publish", "--network", "1", "--epoch", "0", "--records", "epoch-0-forged.csv", "--signatures", "forged-sig.json", "--correction", "--reason", "forged"], admin.privateKey);
    expect(pub.code, pub.stderr).to.not.equal(0);
    expect(pub.stderr).to.match(/^workledger: .*(final|not in the network's current verifier set|WorkLedgerInvalidEpochStatus|WorkLedgerNotVerifier|not a current verifier)/i);
    provider.destroy();
    // the honest record: included, Final, version 1
    ok(await cli(["prove", "--network", "1", "--epoch", "0", "--node", "gpu-1", "--out", "proof-0.json"]));
    const c = json(await cli(["check-proof", "proof-0.json", "--json"]));
    expect(c).to.include({ ok: true, included: true, status: "final", version: 1 });
  });
});
