/**
 * The `workledger` command tree (commander). Every leaf command gets the common flags (--rpc,
 * --deployment, --json, --verbose; --keystore where it signs; --dry-run where it sends), runs its
 * command module and stores the returned output; it never prints or exits itself.
 */
import { Command, Option } from "commander";

import type { CliContext as CliContextType, CommonOptions } from "./context";

import type { CommandOutput } from "./output";
import { DEFAULT_RPC, EMBEDDED_RPC } from "./reportNames";
import { REPORT_FORMATS, REPORT_KINDS } from "./reportNames";

/**
 * Command modules are loaded only when their command runs, so `--help` and early errors stay fast.
 * `lazy("./commands/deploy", "deployCommand")` is the command function of that module (one command per file).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRun = (ctx: CliContextType, opts: any, args: string[]) => Promise<CommandOutput>;
function lazy(mod: string, fn: string): AnyRun {
  return (ctx, opts, args) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(mod) as Record<string, AnyRun>;
    return m[fn](ctx, opts, args);
  };
}
const deployCommand = lazy("./commands/deploy", "deployCommand");
const networkCreateCommand = lazy("./commands/networkCreate", "networkCreateCommand");
const networkShowCommand = lazy("./commands/networkShow", "networkShowCommand");
const nodeRegisterCommand = lazy("./commands/nodeRegister", "nodeRegisterCommand");
const nodeShowCommand = lazy("./commands/nodeShow", "nodeShowCommand");
const chargeCommand = lazy("./commands/charge", "chargeCommand");
const chargeRetiredCommand = lazy("./commands/charge", "chargeRetiredCommand");
const chargeListCommand = lazy("./commands/chargeList", "chargeListCommand");
const refundCommand = lazy("./commands/refund", "refundCommand");
const billingAuthorizeCommand = lazy("./commands/billing", "billingAuthorizeCommand");
const billingRevokeCommand = lazy("./commands/billing", "billingRevokeCommand");
const billingStatusCommand = lazy("./commands/billing", "billingStatusCommand");
const billingRelayCommand = lazy("./commands/billing", "billingRelayCommand");
const statementSignCommand = lazy("./commands/statementSign", "statementSignCommand");
const claimCommand = lazy("./commands/claim", "claimCommand");
const depositCommand = lazy("./commands/deposit", "depositCommand");
const payoutRoundCommand = lazy("./commands/payoutRound", "payoutRoundCommand");
const payoutSignCommand = lazy("./commands/payoutSign", "payoutSignCommand");
const withdrawCommand = lazy("./commands/withdraw", "withdrawCommand");
const challengeCommand = lazy("./commands/challenge", "challengeCommand");
const epochStatusCommand = lazy("./commands/epochStatus", "epochStatusCommand");
const epochListCommand = lazy("./commands/epochList", "epochListCommand");
const epochAdvanceCommand = lazy("./commands/epochAdvance", "epochAdvanceCommand");
const resolveCommand = lazy("./commands/resolve", "resolveCommand");
const timeAdvanceCommand = lazy("./commands/timeAdvance", "timeAdvanceCommand");
const keysAddressCommand = lazy("./commands/keysAddress", "keysAddressCommand");
const keysNewCommand = lazy("./commands/keysNew", "keysNewCommand");
const tokenBalanceCommand = lazy("./commands/tokenBalance", "tokenBalanceCommand");
const tokenMintCommand = lazy("./commands/tokenMint", "tokenMintCommand");
const signCommand = lazy("./commands/sign", "signCommand");
const publishCommand = lazy("./commands/publish", "publishCommand");
const proveCommand = lazy("./commands/prove", "proveCommand");
const checkProofCommand = lazy("./commands/checkProof", "checkProofCommand");
const syncCommand = lazy("./commands/sync", "syncCommand");
const reportCommand = lazy("./commands/report", "reportCommand");
const serveCommand = lazy("./commands/serve", "serveCommand");
const verifyCommand = lazy("./commands/verify", "verifyCommand");
const demoCommand = lazy("./commands/demo", "demoCommand");
// trust (#13)
const challengeResolveCommand = lazy("./commands/challengeResolve", "challengeResolveCommand");
const challengeExpireCommand = lazy("./commands/challengeExpire", "challengeExpireCommand");
const challengeStatusCommand = lazy("./commands/challengeStatus", "challengeStatusCommand");
const verifiersProposeCommand = lazy("./commands/verifiersPropose", "verifiersProposeCommand");
const verifiersSignCommand = lazy("./commands/verifiersSign", "verifiersSignCommand");
const verifiersApplyCommand = lazy("./commands/verifiersApply", "verifiersApplyCommand");
const verifiersStatusCommand = lazy("./commands/verifiersStatus", "verifiersStatusCommand");
const verifiersCancelCommand = lazy("./commands/verifiersCancel", "verifiersCancelCommand");
const arbiterTransferCommand = lazy("./commands/arbiterTransfer", "arbiterTransferCommand");
const arbiterAcceptCommand = lazy("./commands/arbiterAccept", "arbiterAcceptCommand");
const rolesGrantCommand = lazy("./commands/rolesChange", "rolesGrantCommand");
const rolesRevokeCommand = lazy("./commands/rolesChange", "rolesRevokeCommand");
const rolesListCommand = lazy("./commands/rolesList", "rolesListCommand");
const nodeDeactivateCommand = lazy("./commands/nodeDeactivate", "nodeDeactivateCommand");
const networkPauseCommand = lazy("./commands/networkPause", "networkPauseCommand");
const networkUnpauseCommand = lazy("./commands/networkPause", "networkUnpauseCommand");
const networkSetWindowCommand = lazy("./commands/networkSetWindow", "networkSetWindowCommand");

/** Shared state between the program and the entry point. */
export interface RunState {
  output: CommandOutput | null;
  json: boolean;
  verbose: boolean;
  context: CliContextType | null;
}

interface CommandSpec {
  /** Default --rpc for this command. */
  defaultRpc?: string;
  /** It signs: add --keystore. */
  signs?: boolean;
  /** It sends transactions: add --dry-run. */
  sends?: boolean;
  /** It needs no deployment file. */
  noDeployment?: boolean;
}

function addCommon(cmd: Command, spec: CommandSpec): Command {
  const rpcDefault = spec.defaultRpc ?? DEFAULT_RPC;
  cmd.option("--rpc <url>", `JSON-RPC URL, or "${EMBEDDED_RPC}" for an in-process Hardhat chain (default: ${rpcDefault})`);
  cmd.option("--deployment <file>", `deployment file written by \`deploy\`${spec.noDeployment ? " (unused here)" : ""} (default: $WORKLEDGER_DEPLOYMENT or ./deployment.json)`);
  cmd.option("--json", "machine-readable output on stdout (exact integers as strings)");
  cmd.option("--verbose", "print stack traces with errors");
  if (spec.signs) cmd.option("--keystore <file>", "encrypted JSON keystore of the signing key (password: $WORKLEDGER_KEYSTORE_PASSWORD or prompt); else $WORKLEDGER_PRIVATE_KEY");
  if (spec.sends) cmd.option("--dry-run", "validate, simulate with eth_call, print what would be sent and its gas estimate; send nothing");
  return cmd;
}

/** Build the commander program; results go into `state`. */
export function buildProgram(state: RunState): Command {
  const program = new Command("workledger");
  // the package's own package.json through its "exports" (the same path from src/, dist/ and an install)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require("workledger/package.json") as { version: string };
  program
    .description("On-chain proof-of-work accounting for DePIN networks: signed epochs, escrow, payouts and re-derivable reports.")
    .version(version, "-V, --version")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: () => undefined, writeErr: () => undefined })
    .allowExcessArguments(false)
    .enablePositionalOptions();

  // Options are validated inside each command (flags arrive as strings), hence `any` here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Run = (ctx: CliContextType, opts: any, args: string[]) => Promise<CommandOutput>;
  const leaf = (parent: Command, name: string, description: string, spec: CommandSpec, run: Run): Command => {
    const cmd = parent.command(name).description(description);
    addCommon(cmd, spec);
    cmd.action(async (...actionArgs: unknown[]) => {
      const self = actionArgs[actionArgs.length - 1] as Command;
      const opts = self.opts<CommonOptions>();
      state.json = Boolean(opts.json);
      state.verbose = Boolean(opts.verbose);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { CliContext } = require("./context") as typeof import("./context");
      const ctx = new CliContext(opts, spec.defaultRpc ?? DEFAULT_RPC);
      state.context = ctx;
      state.output = await run(ctx, opts, self.args);
    });
    return cmd;
  };

  leaf(program, "demo", "deploy, simulate a whole network (customers, outages, charges, payouts, a challenge and a correction), write and verify every report", { defaultRpc: EMBEDDED_RPC, noDeployment: true }, demoCommand)
    .option("--nodes <n>", "number of nodes", "50")
    .option("--epochs <m>", "number of epochs", "24")
    .option("--out <dir>", "output directory", "./workledger-demo")
    .option("--seed <text>", "seed of the simulation's randomness", "workledger-demo")
    .option("--serve", "afterwards keep the chain (loopback JSON-RPC), the API and the dashboard up, the index following the chain, until Ctrl-C")
    .option("--port <n>", "with --serve: the API and dashboard port (default 8080; 0 = any free port)")
    .option("--rpc-port <n>", "with --serve: the embedded chain's loopback JSON-RPC port (default 8545; 0 = any free port; none with --rpc URL)")
    .option("--host <host>", "with --serve: the interface to listen on (default 127.0.0.1; the dev chain's accounts are unlocked: keep it local)");

  leaf(program, "deploy", "deploy WorkLedger, RevenueLedger and (unless --token) a MockStablecoin; write deployment.json", { signs: true, sends: true, noDeployment: true }, deployCommand)
    .option("--out <file>", "where to write deployment.json (required)")
    .option("--token <addr>", "use this ERC-20 as the payment token instead of deploying a MockStablecoin")
    .option("--protocol-admin <addr>", "protocol admin of the RevenueLedger (default: the deployer)")
    .option("--force", "overwrite --out if it exists");

  const network = program.command("network").description("create or inspect networks");
  leaf(network, "create", "create a network (verifier set, threshold, epoch length, token)", { signs: true, sends: true }, networkCreateCommand)
    .option("--name <name>", "network name (required)")
    .option("--verifiers <a,b,c>", "comma-separated verifier addresses (required)")
    .option("--threshold <k>", "signatures required per epoch, 1..n (required)")
    .option("--epoch-seconds <s>", "epoch length in seconds (required)")
    .option("--token <addr>", "payment token (default: the deployment's token)")
    .option("--challenge-window <s>", "seconds a commit stays challengeable (default: 86400)")
    .option("--capacity <units>", "work units one node can deliver per epoch (default: 0 = not declared)")
    .option("--work-unit <label>", 'label of the work unit, e.g. "GPU-seconds"')
    .option("--genesis <unix>", "start of epoch 0 in unix seconds (default: the creation block)")
    .option("--admin <addr>", "network admin (default: the signer)")
    .option("--arbiter <addr>", "rules on challenges; must not be the admin (default: the first verifier that is not the signer, with a warning)")
    .option("--bond <amount>", "first challenge bond of a version, in token units (default: the smallest allowed, 1.00 of a 6-decimal token)")
    .option("--thaw-seconds <s>", "withdrawal thaw (default: the smallest allowed = challenge window + arbiter deadline + max statement epochs x epoch length)")
    .option("--arbiter-deadline <s>", "seconds the arbiter has to rule on a challenge (default: 86400, the minimum)")
    .option("--max-statement-epochs <n>", "most epochs one billing statement may cover (default: 720)");
  leaf(network, "show", "show a network's configuration", {}, networkShowCommand).option("--network <id>", "network id");
  leaf(network, "pause", "pause a network (admin): stops commits, node registrations and charges only", { signs: true, sends: true }, networkPauseCommand).option("--network <id>", "network id");
  leaf(network, "unpause", "unpause a network (admin)", { signs: true, sends: true }, networkUnpauseCommand).option("--network <id>", "network id");
  leaf(network, "set-window", "set the challenge window of versions committed from now on (admin)", { signs: true, sends: true }, networkSetWindowCommand)
    .option("--network <id>", "network id")
    .option("--challenge-window <s>", "new window in seconds (3600 .. 31622400, and within the network's thaw)");

  const node = program.command("node").description("register or inspect nodes");
  leaf(node, "register", "register a node with its operator", { signs: true, sends: true }, nodeRegisterCommand)
    .option("--network <id>", "network id")
    .option("--node <nodeid>", "node id: 0x + 32-byte hex, or any string (hashed with keccak256)")
    .option("--operator <addr>", "operator address");
  leaf(node, "show", "show a node", {}, nodeShowCommand).option("--network <id>", "network id").option("--node <nodeid>", "node id");
  leaf(node, "deactivate", "deactivate a node (registrar or the node's operator)", { signs: true, sends: true }, nodeDeactivateCommand)
    .option("--network <id>", "network id")
    .option("--node <nodeid>", "node id: 0x + 32-byte hex, or any string (hashed with keccak256)");

  leaf(program, "sign", "rebuild an epoch from its records file, check it and sign its summary (EIP-712) into a signature file", { signs: true }, signCommand)
    .option("--network <id>", "network id")
    .option("--epoch <e>", "epoch number")
    .option("--records <file>", "records file (CSV, JSON or NDJSON)")
    .option("--out <file>", "signature file to write")
    .option("--epoch-version <v>", "epoch version to sign (default: 1, or latest + 1 for a correction)")
    .option("--usage <file>", "usage file of the epoch (CSV customer,epoch,workUnits,amount,ref, JSON or NDJSON): signed as usageRoot, usageCount, totalUsage")
    .option("--expect <file>", "summary (or signature file) the publisher asks you to sign: refuse unless the records (and usage) rebuild to it")
    .option("--strict", "refuse records whose node ids were never registered on the network (default: warn)");

  leaf(program, "publish", "build the epoch bundle, check each signature and commit the epoch", { signs: true, sends: true }, publishCommand)
    .option("--network <id>", "network id")
    .option("--epoch <e>", "epoch number")
    .option("--records <file>", "records file (CSV, JSON or NDJSON)")
    .option("--usage <file>", "usage file of the epoch (as signed by the verifiers); its leaves go into the bundle")
    .option("--signatures <files>", "signature files, comma-separated")
    .option("--bundle-out <file>", "where to write the epoch bundle (default: next to the records file)")
    .option("--correction", "supersede the committed epoch with a new version (admin)")
    .option("--reason <text>", "reason of a correction")
    .option("--strict", "refuse records whose node ids were never registered on the network (default: warn)");

  leaf(program, "prove", "write the Merkle proof of one node's record (--node) or one customer's usage (--customer) as a self-describing JSON file", {}, proveCommand)
    .option("--network <id>", "network id")
    .option("--epoch <e>", "epoch number")
    .option("--node <nodeid>", "node id")
    .option("--customer <addr>", "customer address: prove its usage record instead of a node's record")
    .option("--bundle <file>", "epoch bundle (default: found under --bundles DIR)")
    .option("--bundles <dir>", "directory of epoch bundles", ".")
    .option("--out <file>", "write the proof here (default: stdout)");

  leaf(program, "check-proof", "check a proof file (or a `serve` proof URL) offline and against the chain", {}, checkProofCommand)
    .argument("<file|url>", "proof JSON written by `prove` (record or usage proof), or an http(s) URL serving one (`workledger serve`'s /v1/networks/ID/epochs/E/records/NODE or /usage/ADDR): checked against --rpc, never the server's word")
    .option("--offline", "check the proof against its own root only")
    .option("--final", "also require the epoch's latest version to be Final (default: pending and challenged versions pass, voided never)")
    .option("--ledger <addr>", "the WorkLedger address you trust: a proof under another ledger fails (default: the WorkLedger of --deployment, or of ./deployment.json when it exists)");

  leaf(program, "deposit", "deposit the network's token into your escrow (approves first if needed)", { signs: true, sends: true }, depositCommand)
    .option("--network <id>", "network id")
    .option("--amount <a>", "amount in token units, e.g. 1000.50");
  leaf(program, "withdraw", "withdrawals thaw: --request --amount A starts the thaw (0 cancels); after it, withdraw sends the thawed escrow", { signs: true, sends: true }, withdrawCommand)
    .option("--network <id>", "network id")
    .option("--amount <a>", "amount in token units (with --request)")
    .option("--request", "request a withdrawal of --amount: it leaves after the network's thaw, paying meanwhile for epochs that started before the request")
    .option("--to <addr>", "recipient of the thawed escrow (default: you)");

  const billing = program.command("billing").description("a customer's own limit on what a network may bill it (#15): a per-epoch cap and an expiry");
  leaf(billing, "authorize", "authorize the network to bill you up to --per-epoch per epoch (a raise binds every unbilled epoch; a lower cap only later epochs)", { signs: true, sends: true }, billingAuthorizeCommand)
    .option("--network <id>", "network id")
    .option("--per-epoch <amount>", "cap per epoch in token units, e.g. 250.00")
    .option("--expires <iso-date>", "last day billable epochs may start, ISO 8601 (default: no expiry)")
    .option("--out <file>", "sign the authorization (EIP-712) into this file for the biller to relay, instead of sending it")
    .option("--deadline <iso-date>", "with --out: last moment it may be relayed (default: one day)")
    .option("--force", "with --out: overwrite the file");
  leaf(billing, "relay", "relay a customer's signed authorization (anyone's key, e.g. the biller's)", { signs: true, sends: true }, billingRelayCommand).option("--authorization <file>", "file written by `billing authorize --out`");
  leaf(billing, "revoke", "revoke the authorization: epochs that start from now on are not billable", { signs: true, sends: true }, billingRevokeCommand).option("--network <id>", "network id");
  leaf(billing, "status", "cap, expiry, last billed epoch, escrow, thawing amount and its ready date", { signs: true }, billingStatusCommand)
    .option("--network <id>", "network id")
    .option("--customer <addr>", "customer (default: the key's address)");

  const statement = program.command("statement").description("billing statements k of the verifiers sign over Final epochs (#15)");
  leaf(statement, "sign", "a verifier rebuilds a customer's billing statement from the chain and the bundles and signs it (EIP-712 BillingStatement)", { signs: true }, statementSignCommand)
    .option("--network <id>", "network id")
    .option("--customer <addr>", "customer address")
    .option("--from-epoch <a>", "first epoch (the customer's next unbilled epoch)")
    .option("--to-epoch <b>", "last epoch (below the finality cursor)")
    .option("--out <file>", "signature file to write")
    .option("--bundles <dir>", "directory of the epoch bundles", "bundles")
    .option("--force", "overwrite --out if it exists");

  const charge = leaf(program, "charge", "charge a verifier-signed billing statement (biller); subcommands list, refund", { signs: true, sends: true }, chargeCommand)
    .option("--network <id>", "network id")
    .option("--customer <addr>", "customer address")
    .option("--from-epoch <a>", "first epoch of the statement")
    .option("--to-epoch <b>", "last epoch of the statement")
    .option("--statements <files>", "statement signature files of k verifiers, comma-separated")
    .option("--ref <text>", 'reference text kept in the charge event, e.g. "invoice 2026-11"')
    .option("--bundles <dir>", "directory of the epoch bundles", "bundles")
    .addOption(new Option("--epoch <e>", "retired").hideHelp())
    .addOption(new Option("--amount <a>", "retired").hideHelp())
    .enablePositionalOptions();
  leaf(charge, "list", "charged statements and their refunds, from chain events", {}, chargeListCommand).option("--network <id>", "network id").option("--customer <addr>", "only this customer");
  const refundFlags = (c: Command) =>
    c
      .option("--network <id>", "network id")
      .option("--charge <id>", "charge id")
      .option("--epoch <e>", "the covered epoch the credit is for")
      .option("--amount <a>", "amount in token units (at most that epoch's net)")
      .option("--reason <text>", "reason (text, hashed)")
      .option("--bundles <dir>", "directory of the epoch bundles", "bundles");
  refundFlags(leaf(charge, "refund", "the same as `refund`", { signs: true, sends: true }, refundCommand));
  leaf(charge, "post", "retired: statements are charged and posted at once", { signs: true, sends: true }, chargeRetiredCommand).option("--charge <id>", "retired");
  leaf(charge, "void", "retired: statements are charged and posted at once", { signs: true, sends: true }, chargeRetiredCommand).option("--charge <id>", "retired");
  refundFlags(leaf(program, "refund", "refund part of a charged statement for one of its epochs (an SLA credit; biller)", { signs: true, sends: true }, refundCommand));

  const payout = program.command("payout").description("cumulative payout roots signed by the verifiers (#16)");
  leaf(payout, "round", "rebuild the cumulative payout root from the bundles and the chain's posted revenue, write DIR/network-N-payout-E.json, and post it with --signatures (anyone relays)", { signs: true, sends: true }, payoutRoundCommand)
    .option("--network <id>", "network id")
    .option("--through-epoch <e>", "last epoch the root covers (< the finality cursor, above the previous root's)")
    .option("--bundles <dir>", "directory of the epoch bundles and payout files", "bundles")
    .option("--signatures <files>", "payout signature files of k verifiers, comma-separated: post the root (needs a key)");
  leaf(payout, "sign", "a verifier rebuilds the cumulative payout root on its own, checks it never lowers a node against the previous root, and signs it", { signs: true }, payoutSignCommand)
    .option("--network <id>", "network id")
    .option("--through-epoch <e>", "last epoch the root covers")
    .option("--bundles <dir>", "directory of the epoch bundles and payout files", "bundles")
    .option("--out <file>", "payout signature file to write")
    .option("--force", "overwrite --out");

  leaf(program, "claim", "claim a node's payouts under the latest cumulative root: pays what it adds over earlier claims (the operator's key; works while paused)", { signs: true, sends: true }, claimCommand)
    .option("--network <id>", "network id")
    .option("--node <nodeid>", "node id")
    .option("--to <addr>", "recipient (default: the operator)")
    .option("--bundles <dir>", "directory holding the latest root's payout file", "bundles");

  const challenge = leaf(program, "challenge", "challenge a pending epoch: anyone, posting the bond from its own wallet; subcommands resolve, expire, status", { signs: true, sends: true }, challengeCommand)
    .option("--network <id>", "network id")
    .option("--epoch <e>", "epoch number")
    .option("--reason <text>", "why the epoch is wrong (text; its hash goes on chain)")
    .enablePositionalOptions();
  leaf(challenge, "resolve", "rule on a challenge before its deadline (the arbiter's key)", { signs: true, sends: true }, challengeResolveCommand)
    .option("--network <id>", "network id")
    .option("--epoch <e>", "epoch number")
    .option("--upheld", "the challenge is upheld: void the version, return the bond")
    .option("--rejected", "the challenge is rejected: bond to network revenue, the window resumes")
    .option("--as <addr>", "the arbiter is a contract (a Safe, a timelock): simulate as it and print the call to submit through it (no key, nothing sent)");
  leaf(challenge, "expire", "expire a challenge the arbiter did not rule on by its deadline (anyone): voided, bond returned", { signs: true, sends: true }, challengeExpireCommand)
    .option("--network <id>", "network id")
    .option("--epoch <e>", "epoch number");
  leaf(challenge, "status", "an epoch's status, open challenge, arbiter deadline and next bond", {}, challengeStatusCommand).option("--network <id>", "network id").option("--epoch <e>", "epoch number");
  leaf(program, "resolve", "rule on a challenge (the arbiter's key): the same as `challenge resolve`", { signs: true, sends: true }, resolveCommand)
    .option("--network <id>", "network id")
    .option("--epoch <e>", "epoch number")
    .option("--upheld", "the challenge is upheld: void the version, return the bond")
    .option("--rejected", "the challenge is rejected: bond to network revenue, the window resumes")
    .option("--as <addr>", "the arbiter is a contract (a Safe, a timelock): simulate as it and print the call to submit through it (no key, nothing sent)");

  const verifiers = program.command("verifiers").description("verifier sets: rotations signed by k of the current set, the admin's delayed recovery");
  leaf(verifiers, "propose", "write a rotation proposal for the current verifiers to sign; with --recovery, the admin proposes the delayed recovery on chain", { signs: true, sends: true }, verifiersProposeCommand)
    .option("--network <id>", "network id")
    .option("--verifiers <a,b,c>", "the new set's members, comma-separated")
    .option("--threshold <k>", "the new set's threshold, 1..n")
    .option("--out <file>", "proposal file to write (default: rotation.json)")
    .option("--recovery", "the admin's recovery path: proposed on chain, applicable after the recovery delay unless the arbiter cancels")
    .option("--force", "overwrite --out if it exists");
  leaf(verifiers, "sign", "sign a rotation proposal (EIP-712 VerifierRotation) with a current verifier's key into a file", { signs: true, sends: true }, verifiersSignCommand)
    .option("--proposal <file>", "proposal file written by `verifiers propose`")
    .option("--network <id>", "network id (with --verifiers/--threshold instead of --proposal)")
    .option("--verifiers <a,b,c>", "the new set's members")
    .option("--threshold <k>", "the new set's threshold")
    .option("--out <file>", "signature file to write")
    .option("--force", "overwrite --out if it exists");
  leaf(verifiers, "apply", "relay k signatures of the current set (anyone); with --recovery, apply the admin's proposal after its delay", { signs: true, sends: true }, verifiersApplyCommand)
    .option("--signatures <files>", "rotation signature files, comma-separated")
    .option("--network <id>", "network id")
    .option("--recovery", "apply the pending recovery proposal (give its --verifiers and --threshold)")
    .option("--verifiers <a,b,c>", "the recovery's members, as proposed")
    .option("--threshold <k>", "the recovery's threshold, as proposed");
  leaf(verifiers, "status", "the current verifier set, the arbiter, and any pending recovery with when it is executable", {}, verifiersStatusCommand).option("--network <id>", "network id");
  leaf(verifiers, "cancel", "cancel the pending recovery proposal (the arbiter's key)", { signs: true, sends: true }, verifiersCancelCommand).option("--network <id>", "network id")
    .option("--as <addr>", "the arbiter is a contract (a Safe, a timelock): simulate as it and print the call to submit through it (no key, nothing sent)");

  const arbiter = program.command("arbiter").description("the arbiter hands over to a successor in two steps (nobody else can change it)");
  leaf(arbiter, "transfer", "nominate the next arbiter (the current arbiter's key)", { signs: true, sends: true }, arbiterTransferCommand).option("--network <id>", "network id").option("--to <addr>", "the nominee")
    .option("--as <addr>", "the arbiter is a contract (a Safe, a timelock): simulate as it and print the call to submit through it (no key, nothing sent)");
  leaf(arbiter, "accept", "accept the nomination (the nominee's key)", { signs: true, sends: true }, arbiterAcceptCommand).option("--network <id>", "network id")
    .option("--as <addr>", "the arbiter is a contract (a Safe, a timelock): simulate as it and print the call to submit through it (no key, nothing sent)");

  const roles = program.command("roles").description("network roles the admin grants: registrar (nodes), biller (charges, refunds, payouts), admin");
  leaf(roles, "grant", "grant a network role (admin)", { signs: true, sends: true }, rolesGrantCommand)
    .option("--network <id>", "network id")
    .option("--role <role>", "registrar|biller|admin")
    .option("--account <addr>", "the account");
  leaf(roles, "revoke", "revoke a network role (admin)", { signs: true, sends: true }, rolesRevokeCommand)
    .option("--network <id>", "network id")
    .option("--role <role>", "registrar|biller|admin")
    .option("--account <addr>", "the account");
  leaf(roles, "list", "who holds each role, and the arbiter", {}, rolesListCommand).option("--network <id>", "network id");

  const epoch = program.command("epoch").description("inspect epochs");
  leaf(epoch, "status", "status, version and root of an epoch", {}, epochStatusCommand).option("--network <id>", "network id").option("--epoch <e>", "epoch number");
  leaf(epoch, "list", "every committed epoch of a network: versions, statuses, roots and dates (ISO 8601)", {}, epochListCommand).option("--network <id>", "network id");
  leaf(epoch, "advance", "advance the network's finality cursor over epochs whose latest version is Final (anyone)", { signs: true, sends: true }, epochAdvanceCommand)
    .option("--network <id>", "network id")
    .option("--max-steps <n>", "most epochs to examine in this transaction (default: 720)");

  leaf(program, "sync", "index the chain into a SQLite file or a shared PostgreSQL database", {}, syncCommand)
    .option("--db <file|url>", "SQLite file or postgres://user@host:port/db URL", "workledger.sqlite")
    .option("--follow", "keep following new blocks until Ctrl-C")
    .option("--confirmations <n>", "blocks to wait before indexing", "0")
    .option("--bundles <dir>", "import the epoch bundles found in this directory");

  leaf(program, "report", "write a report from the indexed store", {}, reportCommand)
    .argument("<kind>", REPORT_KINDS.join("|"))
    .option("--format <format>", `output format: ${REPORT_FORMATS.join("|")} (default: from --out's extension)`)
    .option("--out <file>", "output file")
    .option("--db <file|url>", "SQLite file or postgres://user@host:port/db URL", "workledger.sqlite")
    .option("--bundles <dir>", "directory of epoch bundles to import first")
    .option("--from-block <n>", "first block (default: the deployment's fromBlock)")
    .option("--to-block <n>", "last block (default: the store's checkpoint)")
    .option("--from <date>", "period start, ISO-8601 date or date-time (UTC), resolved to the first block at or after it")
    .option("--to <date>", "period end, ISO-8601 (a date means the whole day), resolved to the last block before its end")
    .option("--network <id>", "only this network")
    .option("--customer <addr>", "only this customer (spend): an address, or a name from --labels")
    .option("--labels <file>", "CSV id,name,group naming node ids, customer addresses, networks and references")
    .option("--sla <percent>", "uptime: SLA target, e.g. 99.9 (default 99.9)")
    .option("--credit-tiers <tiers>", 'uptime: credit tiers BELOW%:CREDIT%, e.g. "99.9:10,99:25,95:100" (default)')
    .option("--no-sync", "do not run a sync pass first (use the index as it is)");

  leaf(program, "serve", "read-only HTTP API and live dashboard over the index (records with proofs, epochs, reports); never syncs or writes", {}, serveCommand)
    .option("--db <file|url>", "SQLite file or postgres://user@host:port/db URL (kept up to date by `workledger sync --follow`)", "workledger.sqlite")
    .option("--bundles <dir>", "directory of epoch bundles (else the bundles imported into the index)")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: any free port)", "8080")
    .option("--public-rpc <url>", "JSON-RPC URL the dashboard's browser uses to check proofs against the chain")
    .option("--rate-limit <n>", "requests per minute per client IP (0: off)", "600")
    .option("--labels <file>", "CSV id,name,group naming nodes, customers and networks")
    .option("--trust-proxy [addrs]", "behind a load balancer: take the client IP from X-Forwarded-For (every hop, or only from these comma-separated proxy addresses/CIDRs) so --rate-limit counts clients one by one");

  leaf(program, "verify", "re-derive a report from the chain alone and compare every figure and line", {}, verifyCommand)
    .argument("<report>", "report file: .json, .pdf or .html")
    .option("--bundles <dir>", "epoch bundles (economics concentration figures)");

  const time = program.command("time").description("dev-chain clock (hardhat node, anvil)");
  leaf(time, "advance", "advance the chain's clock and mine a block", { noDeployment: true }, timeAdvanceCommand).option("--seconds <s>", "seconds to advance");

  const token = program.command("token").description("payment token helpers");
  leaf(token, "mint", "mint MockStablecoin (test token only) to an address", { signs: true, sends: true }, tokenMintCommand)
    .option("--to <addr>", "recipient")
    .option("--amount <a>", "amount in token units")
    .option("--token <addr>", "token (default: the deployment's)");
  leaf(token, "balance", "token balance, free escrow and held charges of an address", {}, tokenBalanceCommand)
    .option("--address <addr>", "account")
    .option("--network <id>", "also show escrow on this network")
    .option("--token <addr>", "token (default: the deployment's)");

  const keys = program.command("keys").description("keystores");
  leaf(keys, "new", "create an encrypted JSON keystore (new random key, or --from-env)", { noDeployment: true }, keysNewCommand)
    .option("--out <file>", "keystore file to write")
    .option("--from-env", "encrypt $WORKLEDGER_PRIVATE_KEY instead of a new key");
  leaf(keys, "address", "print the address of --keystore or $WORKLEDGER_PRIVATE_KEY", { signs: true, noDeployment: true }, keysAddressCommand);

  return program;
}
