/**
 * Billing statements (#15, DESIGN "Money" and rules 1–3, 9): a charge is a statement
 * `(networkId, customer, fromEpoch, toEpoch, amount, usageHash)` that k of the network's current
 * verifiers sign (EIP-712 BillingStatement, RevenueLedger's domain) over Final epochs.
 *
 * - {@link buildStatement} rebuilds it from the chain and the epoch bundles, as every verifier does on
 *   its own: for each covered epoch the LATEST version on chain (a corrected epoch counts with its
 *   latest version only), that version's bundle, the customer's usage leaf in it and its proof,
 *   checked against the usage root ON CHAIN. `amount` = Σ leaves, `usageHash` = keccak256(abi.encode
 *   (UsageRef[])) over the epochs with usage, ascending. Refused when `toEpoch ≥ finalizedCount`, when
 *   longer than the network's maxStatementEpochs, or when a bundle is missing or does not match.
 * - {@link signStatement} (a verifier) rebuilds and signs; {@link chargeStatement} (the biller)
 *   rebuilds, checks that the signature files sign exactly that statement and are k distinct current
 *   verifiers, sorts them by signer and charges (escrow -> revenue and fee in one transaction).
 * - {@link refundStatement} credits part of one covered epoch back (an SLA credit), never more than
 *   that epoch's net (its leaf less its share of the fee, rule 2, less earlier refunds of it), and never
 *   for an epoch already in a payout root. {@link listCharges} lists statements from chain events.
 */
import fs from "fs";
import path from "path";
import { ContractRunner, Provider, Signer, TypedDataEncoder, getAddress, verifyTypedData } from "ethers";

import { mapInBatches } from "../chain/batches";
import { IRevenueLedger__factory, IWorkLedger__factory } from "../contracts";
import { ContractRevertError, InvalidInputError, VerificationError } from "../errors";
import { BILLING_STATEMENT_TYPES, revenueLedgerDomain } from "../records/eip712";
import { UsageRecord } from "../records/usage";
import { UsageRef, usageProof, usageRefsHash, verifyUsageProof } from "../records/usageTree";
import { readBundleHeader } from "./bundle";
import { Deployment } from "./deployment";
import { revenueLedgerCall as rlCall, revenueLedgerInterface as rlInterface } from "./calls";
import { assertNetwork, epochStatusName } from "./network";
import { bundleFileName, reasonHash } from "./publish";
import { ContractRefusedError, asRefusal, sendRefusable } from "./refusal";
import { formatTokenAmount, networkToken } from "./revenue";
import { ADDRESS_RE, INT_RE, readKindedJson, writeJsonFile } from "./signedFile";
import { SendOptions, TxOutcome, receiptEvents } from "./tx";

type Ledgers = Pick<Deployment, "workLedger" | "revenueLedger">;
type SigningLedgers = Ledgers & Pick<Deployment, "chainId">;

const ZERO32 = "0x" + "0".repeat(64);


/** The signed struct (DESIGN rule 9, fixed). */
export interface BillingStatement {
  networkId: bigint;
  customer: string;
  fromEpoch: bigint;
  toEpoch: bigint;
  amount: bigint;
  usageHash: string;
}

/** One covered epoch with usage: the latest version's usage root, the customer's leaf and its proof. */
export interface StatementUsage {
  epoch: bigint;
  version: number;
  usageRoot: string;
  leaf: UsageRecord;
  leafHash: string;
  proof: string[];
  /** The bundle file the leaf came from. */
  bundle: string;
}

/** A statement rebuilt from the chain and the bundles. */
export interface BuiltStatement {
  statement: BillingStatement;
  /** Covered epochs with usage for the customer, ascending (what usageHash binds). */
  usage: StatementUsage[];
  refs: UsageRef[];
  /** The network's finality cursor when built. */
  finalizedCount: bigint;
}

/** Where a statement's covered epochs are, and where their bundles are. */
export interface StatementParams {
  networkId: bigint;
  customer: string;
  fromEpoch: bigint;
  toEpoch: bigint;
  /** Directory of the epoch bundles (named as publishEpoch names them: bundleFileName). */
  bundlesDir: string;
}

/** bytes32(networkId << 224 | fromEpoch << 160 | customer): a statement's charge id. */
export function chargeIdOf(networkId: bigint, customer: string, fromEpoch: bigint): string {
  const v = (networkId << 224n) | (fromEpoch << 160n) | BigInt(getAddress(customer));
  return "0x" + v.toString(16).padStart(64, "0");
}

/**
 * Rebuilds a billing statement from the chain and the epoch bundles (what a verifier signs and what
 * the biller checks the signatures against). Throws InvalidInputError naming the epoch or file when
 * `toEpoch ≥ finalizedCount`, the range is empty or too long, or a bundle is missing or mismatched.
 *
 * @example
 * const { statement, usage } = await buildStatement(provider, deployment, { networkId: 1n, customer, fromEpoch: 0n, toEpoch: 7n, bundlesDir: "bundles" });
 */
export async function buildStatement(runner: ContractRunner, deployment: Ledgers, p: StatementParams): Promise<BuiltStatement> {
  const customer = getAddress(p.customer);
  const { networkId, fromEpoch, toEpoch } = p;
  if (fromEpoch < 0n || toEpoch < fromEpoch) throw new InvalidInputError(`the statement's range is empty: from epoch ${fromEpoch} to epoch ${toEpoch}`);
  const wl = await assertNetwork(runner, deployment, networkId);
  const [finalized, maxEpochs] = await Promise.all([wl.finalizedCount(networkId), wl.maxStatementEpochsOf(networkId)]);
  if (toEpoch >= finalized) {
    throw new InvalidInputError(
      `epoch ${toEpoch} of network ${networkId} is not Final yet: the finality cursor is ${finalized} (epochs 0..${finalized - 1n} are Final; a statement must end below it — run \`epoch advance\` once later epochs are Final)`,
    );
  }
  const epochs = toEpoch - fromEpoch + 1n;
  if (epochs > maxEpochs) throw new InvalidInputError(`the statement covers ${epochs} epochs but network ${networkId} allows at most ${maxEpochs} per statement (maxStatementEpochs)`);
  if (!fs.existsSync(p.bundlesDir) || !fs.statSync(p.bundlesDir).isDirectory()) throw new InvalidInputError(`bundles directory not found: ${p.bundlesDir}`);
  // each epoch's status and latest version, asked 32 epochs at a time (a statement may cover hundreds)
  const covered: bigint[] = [];
  for (let e = fromEpoch; e <= toEpoch; e++) covered.push(e);
  const got = await mapInBatches(covered, 32, (e) => Promise.all([wl.epochStatus(networkId, e), wl.latestEpoch(networkId, e)]));
  const onChain = new Map<bigint, { status: bigint; version: bigint; root: string; usageRoot: string }>();
  covered.forEach((e, i) => {
    const [[status, version], latest] = got[i];
    onChain.set(e, { status, version, root: String(latest.root), usageRoot: String(latest.usageRoot).toLowerCase() });
  });
  const usage: StatementUsage[] = [];
  for (let e = fromEpoch; e <= toEpoch; e++) {
    const { status, version, root, usageRoot } = onChain.get(e)!;
    if (epochStatusName(status) !== "final") throw new InvalidInputError(`epoch ${e} of network ${networkId} is ${epochStatusName(status)}, not final`);
    if (usageRoot === ZERO32) continue; // no usage at all in this epoch
    const file = path.join(p.bundlesDir, bundleFileName(networkId, e, Number(version)));
    if (!fs.existsSync(file)) throw new InvalidInputError(`missing bundle for epoch ${e} v${version} of network ${networkId} (the latest version): expected ${file}`);
    // the header only: the usage leaves, rebuilt into their tree, must give the usage root on chain; the records play no part
    const bundle = readBundleHeader(file);
    if (bundle.epoch !== e) throw new InvalidInputError(`${file} is the bundle of epoch ${bundle.epoch}, not of epoch ${e}`);
    if (bundle.networkId !== undefined && bundle.networkId !== networkId) throw new InvalidInputError(`${file} is a bundle of network ${bundle.networkId}, not of network ${networkId}`);
    if (bundle.summary.root.toLowerCase() !== root.toLowerCase()) throw new InvalidInputError(`${file} has root ${bundle.summary.root} but epoch ${e} v${version} on chain has root ${root}`);
    if (bundle.summary.usageRoot.toLowerCase() !== usageRoot) throw new InvalidInputError(`${file} has usage root ${bundle.summary.usageRoot} but epoch ${e} v${version} on chain has usage root ${usageRoot}`);
    if (!bundle.usage || !bundle.usage.leaves.some((l) => l.customer === customer)) continue; // the customer used nothing in this epoch
    const proof = usageProof(bundle.usage, customer);
    if (proof.leaf.epoch !== e) throw new InvalidInputError(`${file}: the usage leaf of ${customer} names epoch ${proof.leaf.epoch}, not ${e}`);
    if (!verifyUsageProof(proof.leaf, proof.proof, usageRoot)) throw new VerificationError(`${file}: the usage proof of ${customer} does not lead to the on-chain usage root ${usageRoot} of epoch ${e} v${version}`);
    usage.push({ epoch: e, version: Number(version), usageRoot, leaf: proof.leaf, leafHash: proof.leafHash, proof: proof.proof, bundle: file });
  }
  const refs: UsageRef[] = usage.map((u) => ({ epoch: u.epoch, version: u.version, usageRoot: u.usageRoot, leafHash: u.leafHash }));
  const amount = usage.reduce((s, u) => s + u.leaf.amount, 0n);
  return { statement: { networkId, customer, fromEpoch, toEpoch, amount, usageHash: usageRefsHash(refs) }, usage, refs, finalizedCount: finalized };
}

/** One verifier's signature over a statement (the file `statement sign` writes; integers as decimal strings). */
export interface StatementSignatureFile {
  kind: "workledger-billing-statement-signature";
  chainId: string;
  revenueLedger: string;
  networkId: string;
  customer: string;
  fromEpoch: string;
  toEpoch: string;
  amount: string;
  usageHash: string;
  /** Covered epochs with usage (informational: usageHash binds them). */
  usageEpochs: string[];
  signer: string;
  signature: string;
}

const STATEMENT_FIELDS = ["networkId", "customer", "fromEpoch", "toEpoch", "amount", "usageHash"] as const;

function statementMessage(s: BillingStatement | StatementSignatureFile) {
  return { networkId: BigInt(s.networkId), customer: getAddress(s.customer), fromEpoch: BigInt(s.fromEpoch), toEpoch: BigInt(s.toEpoch), amount: BigInt(s.amount), usageHash: String(s.usageHash).toLowerCase() };
}

/** The EIP-712 digest of a statement under a RevenueLedger's domain (equal to the contract's billingStatementDigest). */
export function statementDigest(deployment: SigningLedgers, s: BillingStatement): string {
  return TypedDataEncoder.hash(revenueLedgerDomain(deployment.chainId, getAddress(deployment.revenueLedger)), BILLING_STATEMENT_TYPES, statementMessage(s));
}

/** The address that produced a statement signature (recomputed, not taken from the file). */
export function recoverStatementSigner(s: StatementSignatureFile): string {
  return getAddress(verifyTypedData(revenueLedgerDomain(BigInt(s.chainId), getAddress(s.revenueLedger)), BILLING_STATEMENT_TYPES, statementMessage(s), s.signature));
}

/**
 * A verifier rebuilds the statement from the chain and the bundles ({@link buildStatement}) and signs
 * it with its own key. Refused unless the signer is in the network's current verifier set.
 *
 * @example
 * const sig = await signStatement(verifier, deployment, { networkId: 1n, customer, fromEpoch: 0n, toEpoch: 7n, bundlesDir: "bundles" });
 * writeStatementSignature(sig, "stmt-a.json");
 */
export async function signStatement(signer: Signer, deployment: SigningLedgers, p: StatementParams): Promise<StatementSignatureFile & { built: BuiltStatement }> {
  const provider = signer.provider;
  if (!provider) throw new InvalidInputError("signStatement: the signer has no provider (the statement is rebuilt from the chain)");
  const built = await buildStatement(provider, deployment, p);
  const who = getAddress(await signer.getAddress());
  const wl = IWorkLedger__factory.connect(deployment.workLedger, provider);
  const n = await wl.network(p.networkId);
  if (!(await wl.isVerifier(p.networkId, n.verifierSetId, who))) throw new InvalidInputError(`${who} is not in the current verifier set ${n.verifierSetId} of network ${p.networkId}: only its verifiers sign billing statements`);
  const s = built.statement;
  const onChain = await IRevenueLedger__factory.connect(deployment.revenueLedger, provider).billingStatementDigest(s);
  if (onChain.toLowerCase() !== statementDigest(deployment, s).toLowerCase()) {
    throw new InvalidInputError(`the deployment's chain id ${deployment.chainId} or RevenueLedger ${deployment.revenueLedger} does not match the contract's EIP-712 domain`);
  }
  const signature = await signer.signTypedData(revenueLedgerDomain(deployment.chainId, getAddress(deployment.revenueLedger)), BILLING_STATEMENT_TYPES, statementMessage(s));
  return {
    kind: "workledger-billing-statement-signature",
    chainId: String(deployment.chainId),
    revenueLedger: getAddress(deployment.revenueLedger),
    networkId: s.networkId.toString(),
    customer: s.customer,
    fromEpoch: s.fromEpoch.toString(),
    toEpoch: s.toEpoch.toString(),
    amount: s.amount.toString(),
    usageHash: s.usageHash,
    usageEpochs: built.usage.map((u) => u.epoch.toString()),
    signer: who,
    signature,
    built,
  };
}

/** Writes a statement signature file (creating its directory; atomically; without the in-memory `built`). */
export function writeStatementSignature(sig: StatementSignatureFile, file: string): void {
  const { kind, chainId, revenueLedger, networkId, customer, fromEpoch, toEpoch, amount, usageHash, usageEpochs, signer, signature } = sig;
  writeJsonFile(file, { kind, chainId, revenueLedger, networkId, customer, fromEpoch, toEpoch, amount, usageHash, usageEpochs, signer, signature });
}

/** Reads a statement signature file, naming the file and field on any problem; its signature must recover to its `signer`. */
export function readStatementSignature(file: string): StatementSignatureFile {
  const { raw, str } = readKindedJson(file, "workledger-billing-statement-signature", "statement signature");
  const epochs = raw.usageEpochs;
  if (!Array.isArray(epochs) || epochs.some((x) => typeof x !== "string" || !INT_RE.test(x))) throw new InvalidInputError(`${file}: field "usageEpochs" must be a list of epoch numbers (strings)`);
  const s: StatementSignatureFile = {
    kind: "workledger-billing-statement-signature",
    chainId: str("chainId", INT_RE),
    revenueLedger: getAddress(str("revenueLedger", ADDRESS_RE)),
    networkId: str("networkId", INT_RE),
    customer: getAddress(str("customer", ADDRESS_RE)),
    fromEpoch: str("fromEpoch", INT_RE),
    toEpoch: str("toEpoch", INT_RE),
    amount: str("amount", INT_RE),
    usageHash: str("usageHash", /^0x[0-9a-fA-F]{64}$/).toLowerCase(),
    usageEpochs: epochs as string[],
    signer: getAddress(str("signer", ADDRESS_RE)),
    signature: str("signature", /^0x[0-9a-fA-F]{130}$/),
  };
  let recovered: string;
  try {
    recovered = recoverStatementSigner(s);
  } catch (e) {
    throw new InvalidInputError(`${file}: the signature cannot be recovered: ${(e as Error).message}`);
  }
  if (recovered !== s.signer) throw new VerificationError(`${file}: the signature recovers to ${recovered}, not to the signer ${s.signer} the file names`);
  return s;
}

/** What a charged statement did (from StatementCharged; in a dry run: what it would do). */
export interface ChargeResult {
  chargeId: string;
  statement: BillingStatement;
  /** The protocol fee (floor(amount × feeBps / 10000)). */
  fee: bigint;
  /** amount − fee: what reached the network's revenue. */
  net: bigint;
  /** The one cap the covered epochs ran under. */
  capPerEpoch: bigint;
  /** Verifiers whose signatures were relayed, ascending. */
  signers: string[];
  referenceText: string;
  usage: StatementUsage[];
  outcome: TxOutcome;
}

/** Parameters of {@link chargeStatement}. */
export interface ChargeStatementParams extends StatementParams {
  /** k (or more) verifiers' signature files over exactly this statement. */
  signatures: readonly StatementSignatureFile[];
  /** Reference text in the charge event, e.g. "invoice 2026-11" (default ""). */
  referenceText?: string;
  /** Names of the signature files for messages (default "signature 1", …). */
  names?: readonly string[];
}

/**
 * The biller charges a verifier-signed statement: rebuilds it from the chain and the bundles, checks
 * that every signature file signs exactly it on this deployment and that they are k distinct current
 * verifiers, sorts them by signer, simulates and sends (escrow -> revenue and fee, one transaction).
 * Contract refusals come back in words: above n × cap names the limit; out of order names the next
 * epoch; a statement spanning a cap change names where the cap changes.
 *
 * @example
 * const c = await chargeStatement(biller, deployment, { networkId: 1n, customer, fromEpoch: 0n, toEpoch: 7n, bundlesDir: "bundles", signatures: [a, b], referenceText: "invoice 2026-11" });
 * console.log(c.chargeId, c.statement.amount, c.fee);
 */
export async function chargeStatement(signer: Signer, deployment: SigningLedgers, p: ChargeStatementParams, options: SendOptions = {}): Promise<ChargeResult> {
  const provider = signer.provider;
  if (!provider) throw new InvalidInputError("chargeStatement: the signer has no provider");
  if (p.signatures.length === 0) throw new InvalidInputError("no statement signatures given");
  const name = (i: number) => p.names?.[i] ?? `signature ${i + 1}`;
  const built = await buildStatement(provider, deployment, p);
  const s = built.statement;
  const want = statementMessage(s);
  const seen = new Set<string>();
  const wl = IWorkLedger__factory.connect(deployment.workLedger, provider);
  const n = await wl.network(s.networkId);
  const signed: { signer: string; signature: string }[] = [];
  for (const [i, f] of p.signatures.entries()) {
    if (BigInt(f.chainId) !== BigInt(deployment.chainId) || getAddress(f.revenueLedger) !== getAddress(deployment.revenueLedger)) {
      throw new InvalidInputError(`${name(i)} was signed for chain ${f.chainId} / RevenueLedger ${f.revenueLedger}, not this deployment (chain ${deployment.chainId} / ${getAddress(deployment.revenueLedger)})`);
    }
    const got = statementMessage(f);
    for (const k of STATEMENT_FIELDS) {
      if (String(got[k]).toLowerCase() !== String(want[k]).toLowerCase()) {
        throw new InvalidInputError(`${name(i)} signs ${k} ${String(got[k])} but the statement rebuilt from the chain and the bundles has ${k} ${String(want[k])}`);
      }
    }
    const who = recoverStatementSigner(f);
    if (who !== getAddress(f.signer)) throw new VerificationError(`${name(i)}: the signature recovers to ${who}, not to the signer ${f.signer} the file names`);
    if (seen.has(who)) throw new InvalidInputError(`${name(i)}: ${who} signed twice`);
    seen.add(who);
    if (!(await wl.isVerifier(s.networkId, n.verifierSetId, who))) throw new InvalidInputError(`${name(i)}: ${who} is not in the current verifier set ${n.verifierSetId} of network ${s.networkId}`);
    signed.push({ signer: who, signature: f.signature });
  }
  if (signed.length < Number(n.threshold)) throw new InvalidInputError(`${signed.length} verifier signature(s) given, network ${s.networkId} needs ${n.threshold} (its threshold)`);
  signed.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  const referenceText = p.referenceText ?? "";
  const rl = IRevenueLedger__factory.connect(deployment.revenueLedger, provider);
  let outcome: TxOutcome;
  try {
    outcome = await sendRefusable(signer, rlCall(deployment, "charge", [s, referenceText, signed.map((x) => x.signature)]), options);
  } catch (e) {
    throw await chargeRefusalInTokens(e, provider, deployment, s);
  }
  const [ev] = receiptEvents(outcome.receipt, rlInterface(), deployment.revenueLedger, "StatementCharged");
  if (ev) {
    const fee = BigInt(ev.args.fee);
    return {
      chargeId: String(ev.args.chargeId),
      statement: s,
      fee,
      net: s.amount - fee,
      capPerEpoch: BigInt(ev.args.capPerEpoch),
      signers: [...(ev.args.signers as string[])].map((a) => getAddress(a)),
      referenceText: String(ev.args.referenceText),
      usage: built.usage,
      outcome,
    };
  }
  const [bps, [cap]] = await Promise.all([rl.protocolFeeBps(), rl.capAt(s.networkId, s.customer, s.fromEpoch)]);
  const fee = (s.amount * BigInt(bps)) / 10_000n;
  return { chargeId: chargeIdOf(s.networkId, s.customer, s.fromEpoch), statement: s, fee, net: s.amount - fee, capPerEpoch: cap, signers: signed.map((x) => x.signer), referenceText, usage: built.usage, outcome };
}

/** A charge refusal with token amounts (cap, escrow) in the token's units; other refusals unchanged. */
async function chargeRefusalInTokens(e: unknown, provider: Provider, deployment: Ledgers, s: BillingStatement): Promise<unknown> {
  const r = asRefusal(e);
  if (!(r instanceof ContractRefusedError)) return r;
  const a = r.args;
  if (r.errorName !== "RevenueLedgerCapExceeded" && r.errorName !== "RevenueLedgerInsufficientFree") return r;
  const token = await networkToken(provider, deployment, s.networkId);
  const fmt = (v: unknown) => formatTokenAmount(BigInt(v as bigint), token.decimals, token.symbol);
  const revert = r.cause instanceof ContractRevertError ? r.cause : undefined;
  if (r.errorName === "RevenueLedgerCapExceeded") {
    const epochs = BigInt(a.epochs as bigint);
    const cap = BigInt(a.capPerEpoch as bigint);
    return new InvalidInputError(
      `the statement's amount ${fmt(a.amount)} is above the customer's limit of ${fmt(cap * epochs)} (${epochs} epoch${epochs === 1n ? "" : "s"} × cap ${fmt(cap)} per epoch) on network ${s.networkId}: ${s.customer} must raise its cap (billing authorize) first (RevenueLedgerCapExceeded)`,
      { code: "E_REVERT", cause: revert ?? r },
    );
  }
  return new InvalidInputError(`${s.customer} has ${fmt(a.free)} of escrow that can pay this statement on network ${s.networkId}, the statement needs ${fmt(a.amount)}: the customer must deposit more (RevenueLedgerInsufficientFree)`, {
    code: "E_REVERT",
    cause: revert ?? r,
  });
}

/** A charged statement, from chain events. */
export interface ChargeRecord {
  chargeId: string;
  networkId: bigint;
  customer: string;
  fromEpoch: bigint;
  toEpoch: bigint;
  amount: bigint;
  fee: bigint;
  usageHash: string;
  capPerEpoch: bigint;
  signers: string[];
  referenceText: string;
  /** Σ refunds against it so far. */
  refunded: bigint;
  /** Refunds per epoch (epoch -> amount). */
  refundsByEpoch: Map<bigint, bigint>;
  txHash: string;
  blockNumber: number;
}

/**
 * Every charged statement of a network (or of all networks), optionally one customer's, oldest first,
 * with its refunds: from StatementCharged and Refunded events since `deployment.fromBlock`.
 */
export async function listCharges(provider: Provider, deployment: Ledgers & Partial<Pick<Deployment, "fromBlock">>, p: { networkId?: bigint; customer?: string; chargeId?: string } = {}): Promise<ChargeRecord[]> {
  if (p.networkId !== undefined) await assertNetwork(provider, deployment, p.networkId);
  const rl = IRevenueLedger__factory.connect(deployment.revenueLedger, provider);
  const from = deployment.fromBlock ?? 0;
  const customer = p.customer === undefined ? undefined : getAddress(p.customer);
  const charged = await rl.queryFilter(rl.filters.StatementCharged(p.chargeId, p.networkId, customer), from);
  const refunds = await rl.queryFilter(rl.filters.Refunded(p.chargeId, p.networkId, customer), from);
  const out = charged.map(
    (l): ChargeRecord => ({
      chargeId: String(l.args.chargeId),
      networkId: BigInt(l.args.networkId),
      customer: getAddress(String(l.args.customer)),
      fromEpoch: BigInt(l.args.fromEpoch),
      toEpoch: BigInt(l.args.toEpoch),
      amount: BigInt(l.args.amount),
      fee: BigInt(l.args.fee),
      usageHash: String(l.args.usageHash),
      capPerEpoch: BigInt(l.args.capPerEpoch),
      signers: [...l.args.signers].map((a) => getAddress(a)),
      referenceText: String(l.args.referenceText),
      refunded: 0n,
      refundsByEpoch: new Map(),
      txHash: l.transactionHash,
      blockNumber: l.blockNumber,
    }),
  );
  const byId = new Map(out.map((c) => [c.chargeId.toLowerCase(), c]));
  for (const r of refunds) {
    const c = byId.get(String(r.args.chargeId).toLowerCase());
    if (!c) continue;
    const amount = BigInt(r.args.amount);
    const epoch = BigInt(r.args.epoch);
    c.refunded += amount;
    c.refundsByEpoch.set(epoch, (c.refundsByEpoch.get(epoch) ?? 0n) + amount);
  }
  return out;
}

/**
 * Each covered epoch's share of a statement (DESIGN rule 2): its leaf amount, its fee
 * floor(leaf × feeBps / 10000) with the rounding remainder on the last epoch with usage (so the fees
 * add up to the statement's fee), and its net = leaf − fee.
 */
export function epochShares(usage: readonly Pick<StatementUsage, "epoch" | "leaf">[], feeBps: bigint, fee: bigint): { epoch: bigint; amount: bigint; fee: bigint; net: bigint }[] {
  const shares = usage.map((u) => ({ epoch: u.epoch, amount: u.leaf.amount, fee: (u.leaf.amount * feeBps) / 10_000n, net: 0n }));
  const withUsage = shares.filter((x) => x.amount > 0n);
  if (withUsage.length > 0) withUsage[withUsage.length - 1].fee += fee - shares.reduce((t, x) => t + x.fee, 0n);
  for (const x of shares) x.net = x.amount - x.fee;
  return shares;
}

/** What a refund did. */
export interface RefundResult {
  chargeId: string;
  networkId: bigint;
  customer: string;
  epoch: bigint;
  amount: bigint;
  reasonHash: string;
  /** The epoch's net before this refund, less earlier refunds of it (the SDK's bound). */
  epochRefundable: bigint;
  outcome: TxOutcome;
}

/**
 * The biller refunds part of a charged statement for one of its epochs (an SLA credit): revenue ->
 * the customer's escrow. Refused, naming the bound: an unknown charge, an epoch outside the
 * statement, an epoch ≤ the latest payout root's throughEpoch (paid shares cannot shrink), or more
 * than that epoch's net (its usage leaf less its fee share, less earlier refunds of that epoch) —
 * for which the statement is rebuilt from the bundles and must hash to the charged usageHash.
 */
export async function refundStatement(
  signer: Signer,
  deployment: Ledgers & Partial<Pick<Deployment, "fromBlock">>,
  p: { chargeId: string; epoch: bigint; amount: bigint; reason: string; bundlesDir: string },
  options: SendOptions = {},
): Promise<RefundResult> {
  const provider = signer.provider;
  if (!provider) throw new InvalidInputError("refundStatement: the signer has no provider");
  if (!/^0x[0-9a-fA-F]{64}$/.test(p.chargeId)) throw new InvalidInputError(`charge id must be 32-byte hex, got "${p.chargeId}"`);
  if (p.amount <= 0n) throw new InvalidInputError(`refund amount must be positive, got ${p.amount}`);
  if (p.reason.trim() === "") throw new InvalidInputError("a refund needs a reason");
  const rl = IRevenueLedger__factory.connect(deployment.revenueLedger, provider);
  const st = await rl.statement(p.chargeId);
  const [c] = await listCharges(provider, deployment, { chargeId: p.chargeId });
  if (!c) throw new InvalidInputError(`unknown charge ${p.chargeId}: no statement was charged with this id`);
  if (st.networkId === 0n) throw new InvalidInputError(`charge ${p.chargeId} was a zero-amount statement: nothing to refund`);
  if (p.epoch < c.fromEpoch || p.epoch > c.toEpoch) throw new InvalidInputError(`epoch ${p.epoch} is outside charge ${p.chargeId}, which covers epochs ${c.fromEpoch} to ${c.toEpoch}`);
  const root = await rl.payoutRoot(c.networkId);
  if (root.rootCount > 0n && p.epoch <= root.throughEpoch) {
    throw new InvalidInputError(`epoch ${p.epoch} of network ${c.networkId} is already in a payout root (through epoch ${root.throughEpoch}): paid shares cannot shrink, so it cannot be refunded`);
  }
  const built = await buildStatement(provider, deployment, { networkId: c.networkId, customer: c.customer, fromEpoch: c.fromEpoch, toEpoch: c.toEpoch, bundlesDir: p.bundlesDir });
  if (built.statement.usageHash.toLowerCase() !== c.usageHash.toLowerCase()) {
    throw new InvalidInputError(`the bundles in ${p.bundlesDir} rebuild usage hash ${built.statement.usageHash} for charge ${p.chargeId}, but it was charged with ${c.usageHash}`);
  }
  const feeBps = await rl.protocolFeeBps({ blockTag: c.blockNumber });
  const share = epochShares(built.usage, BigInt(feeBps), c.fee).find((x) => x.epoch === p.epoch);
  const token = await networkToken(provider, deployment, c.networkId);
  const fmt = (v: bigint) => formatTokenAmount(v, token.decimals, token.symbol);
  const already = c.refundsByEpoch.get(p.epoch) ?? 0n;
  const epochNet = share?.net ?? 0n;
  const refundable = epochNet > already ? epochNet - already : 0n;
  if (p.amount > refundable) {
    const what = share ? `epoch ${p.epoch}'s net in charge ${p.chargeId} is ${fmt(epochNet)} (usage ${fmt(share.amount)} less fee ${fmt(share.fee)})` : `epoch ${p.epoch} has no usage of ${c.customer} in charge ${p.chargeId} (net 0)`;
    throw new InvalidInputError(`refund of ${fmt(p.amount)} is above what epoch ${p.epoch} can refund: ${what}${already > 0n ? `, ${fmt(already)} already refunded` : ""}; at most ${fmt(refundable)}`);
  }
  const hash = reasonHash(p.reason);
  const outcome = await sendRefusable(signer, rlCall(deployment, "refund", [p.chargeId, p.epoch, p.amount, hash]), options);
  return { chargeId: c.chargeId, networkId: c.networkId, customer: c.customer, epoch: p.epoch, amount: p.amount, reasonHash: hash, epochRefundable: refundable, outcome };
}
