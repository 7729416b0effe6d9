/**
 * A customer's billing authorization (#15, DESIGN rule 3): the customer lets a network bill it up to
 * a per-epoch cap until an expiry, by its own transaction or by an EIP-712 BillingAuthorization that
 * anyone (e.g. the biller) relays. Without one no charge is possible. Billing starts at the first
 * epoch that starts after the first authorization; a raise binds every unbilled epoch, a lower cap,
 * a revoke or the expiry only epochs that start after the change. Also: the customer's billing
 * status (cap, expiry, last billed epoch, escrow, thawing part, ready date).
 */
import { ContractRunner, Signer, getAddress, verifyTypedData } from "ethers";

import { IRevenueLedger__factory, IWorkLedger__factory } from "../contracts";
import { InvalidInputError } from "../errors";
import { BILLING_AUTHORIZATION_TYPES, revenueLedgerDomain } from "../records/eip712";
import { Deployment } from "./deployment";
import { revenueLedgerCall as rlCall, revenueLedgerInterface as rlInterface } from "./calls";
import { assertNetwork } from "./network";
import { isoDate, sendRefusable } from "./refusal";
import { ADDRESS_RE, INT_RE, readKindedJson, writeJsonFile } from "./signedFile";
import { SendOptions, TxOutcome, receiptEvents } from "./tx";

type Ledgers = Pick<Deployment, "workLedger" | "revenueLedger">;
type SigningLedgers = Ledgers & Pick<Deployment, "chainId">;

const UINT128_MAX = (1n << 128n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** Expiry when none is given: 9999-12-31T23:59:59Z (unix seconds), "until revoked". */
export const NO_EXPIRY = 253_402_300_799n;

/** Default validity of a signed authorization: one day from signing. */
export const DEFAULT_AUTHORIZATION_DEADLINE_SECONDS = 86_400n;


/** What an authorization (or revoke) did, from BillingAuthorized. */
export interface BillingAuthorizationResult {
  networkId: bigint;
  customer: string;
  /** The new cap (0: revoked). */
  capPerEpoch: bigint;
  /** The new expiry (unix seconds; 0 for a revoke). */
  expiry: bigint;
  /** First epoch that starts after the change: a lower cap binds it and later ones, a raise every unbilled epoch. In a dry run: null. */
  changeEpoch: bigint | null;
  /** The customer's next billable epoch. In a dry run: null. */
  nextEpoch: bigint | null;
  /** Who sent the transaction (the customer, or the relayer of its signature). */
  relayer: string;
  outcome: TxOutcome;
}

function checkCap(cap: bigint, allowZero: boolean): void {
  if (cap < 0n || cap > UINT128_MAX) throw new InvalidInputError(`capPerEpoch must be between ${allowZero ? 0 : 1} and ${UINT128_MAX} (token's smallest unit), got ${cap}`);
  if (!allowZero && cap === 0n) throw new InvalidInputError("capPerEpoch must be positive (to stop billing, revoke instead)");
}

async function chainNow(runner: ContractRunner): Promise<bigint> {
  const provider = runner.provider;
  if (!provider) throw new InvalidInputError("the signer has no provider");
  return BigInt((await provider.getBlock("latest"))?.timestamp ?? 0);
}

async function checkExpiry(runner: ContractRunner, expiry: bigint): Promise<void> {
  if (expiry < 0n || expiry > UINT64_MAX) throw new InvalidInputError(`expiry must be unix seconds within uint64, got ${expiry}`);
  const now = await chainNow(runner);
  if (expiry <= now) throw new InvalidInputError(`expiry ${isoDate(expiry)} is not in the future (chain time now ${isoDate(now)})`);
}

function resultFrom(outcome: TxOutcome, d: Ledgers, fallback: Omit<BillingAuthorizationResult, "outcome" | "changeEpoch" | "nextEpoch">): BillingAuthorizationResult {
  const [ev] = receiptEvents(outcome.receipt, rlInterface(), d.revenueLedger, "BillingAuthorized");
  if (!ev) return { ...fallback, changeEpoch: null, nextEpoch: null, outcome };
  return {
    networkId: BigInt(ev.args.networkId),
    customer: getAddress(String(ev.args.customer)),
    capPerEpoch: BigInt(ev.args.capPerEpoch),
    expiry: BigInt(ev.args.expiry),
    changeEpoch: BigInt(ev.args.changeEpoch),
    nextEpoch: BigInt(ev.args.nextEpoch),
    relayer: getAddress(String(ev.args.relayer)),
    outcome,
  };
}

/**
 * The customer (the signer) authorizes the network to bill it up to `capPerEpoch` per epoch (token's
 * smallest unit) for epochs that start no later than `expiry` (unix seconds; default {@link NO_EXPIRY}).
 * Calling it again changes the cap: a raise binds every unbilled epoch, a lower cap only later ones.
 *
 * @example
 * const a = await authorizeBilling(customer, deployment, { networkId: 1n, capPerEpoch: 100_000_000n });
 * console.log(a.nextEpoch); // billing starts here
 */
export async function authorizeBilling(
  signer: Signer,
  deployment: Ledgers,
  p: { networkId: bigint; capPerEpoch: bigint; expiry?: bigint },
  options: SendOptions = {},
): Promise<BillingAuthorizationResult> {
  await assertNetwork(signer, deployment, p.networkId);
  checkCap(p.capPerEpoch, false);
  const expiry = p.expiry ?? NO_EXPIRY;
  await checkExpiry(signer, expiry);
  const customer = getAddress(await signer.getAddress());
  const outcome = await sendRefusable(signer, rlCall(deployment, "authorizeBilling", [p.networkId, p.capPerEpoch, expiry]), options);
  return resultFrom(outcome, deployment, { networkId: p.networkId, customer, capPerEpoch: p.capPerEpoch, expiry, relayer: customer });
}

/** Revokes the signer's billing authorization: epochs that start after it are not billable (earlier unbilled epochs keep their cap). */
export async function revokeBilling(signer: Signer, deployment: Ledgers, p: { networkId: bigint }, options: SendOptions = {}): Promise<BillingAuthorizationResult> {
  await assertNetwork(signer, deployment, p.networkId);
  const customer = getAddress(await signer.getAddress());
  const b = await IRevenueLedger__factory.connect(deployment.revenueLedger, signer).billing(p.networkId, customer);
  if (!b.authorized) throw new InvalidInputError(`${customer} never authorized network ${p.networkId} to bill it: nothing to revoke`);
  const outcome = await sendRefusable(signer, rlCall(deployment, "revokeBilling", [p.networkId]), options);
  return resultFrom(outcome, deployment, { networkId: p.networkId, customer, capPerEpoch: 0n, expiry: 0n, relayer: customer });
}

/** A customer's signed BillingAuthorization (EIP-712), JSON-safe (integers as decimal strings). */
export interface SignedBillingAuthorization {
  kind: "workledger-billing-authorization";
  chainId: string;
  revenueLedger: string;
  networkId: string;
  customer: string;
  /** 0 revokes. */
  capPerEpoch: string;
  expiry: string;
  nonce: string;
  deadline: string;
  signature: string;
}

function authorizationMessage(a: SignedBillingAuthorization) {
  return {
    networkId: BigInt(a.networkId),
    customer: getAddress(a.customer),
    capPerEpoch: BigInt(a.capPerEpoch),
    expiry: BigInt(a.expiry),
    nonce: BigInt(a.nonce),
    deadline: BigInt(a.deadline),
  };
}

/**
 * The customer (the signer) signs a BillingAuthorization for the biller to relay (the customer sends
 * nothing). The nonce is read from the chain (`billing(...).nonce`); `deadline` (unix seconds, default
 * one day from now) bounds when it may be relayed. `capPerEpoch` 0 signs a revoke.
 *
 * @example
 * const auth = await signBillingAuthorization(customer, deployment, { networkId: 1n, capPerEpoch: 100_000_000n });
 * await relayBillingAuthorization(biller, deployment, auth);
 */
export async function signBillingAuthorization(
  signer: Signer,
  deployment: SigningLedgers,
  p: { networkId: bigint; capPerEpoch: bigint; expiry?: bigint; deadline?: bigint; nonce?: bigint },
): Promise<SignedBillingAuthorization> {
  checkCap(p.capPerEpoch, true);
  const customer = getAddress(await signer.getAddress());
  let nonce = p.nonce;
  let deadline = p.deadline;
  if (nonce === undefined || deadline === undefined) {
    if (!signer.provider) throw new InvalidInputError("signBillingAuthorization: without a provider, pass nonce and deadline");
    await assertNetwork(signer, deployment, p.networkId);
    nonce ??= (await IRevenueLedger__factory.connect(deployment.revenueLedger, signer).billing(p.networkId, customer)).nonce;
    deadline ??= (await chainNow(signer)) + DEFAULT_AUTHORIZATION_DEADLINE_SECONDS;
  }
  const expiry = p.capPerEpoch === 0n ? (p.expiry ?? 0n) : (p.expiry ?? NO_EXPIRY);
  const unsigned: SignedBillingAuthorization = {
    kind: "workledger-billing-authorization",
    chainId: String(deployment.chainId),
    revenueLedger: getAddress(deployment.revenueLedger),
    networkId: p.networkId.toString(),
    customer,
    capPerEpoch: p.capPerEpoch.toString(),
    expiry: expiry.toString(),
    nonce: nonce.toString(),
    deadline: deadline.toString(),
    signature: "",
  };
  const signature = await signer.signTypedData(revenueLedgerDomain(deployment.chainId, unsigned.revenueLedger), BILLING_AUTHORIZATION_TYPES, authorizationMessage(unsigned));
  return { ...unsigned, signature };
}

/** Who signed a BillingAuthorization (recomputed from the signature; an EOA's key). */
export function recoverBillingAuthorizationSigner(a: SignedBillingAuthorization): string {
  return getAddress(verifyTypedData(revenueLedgerDomain(BigInt(a.chainId), getAddress(a.revenueLedger)), BILLING_AUTHORIZATION_TYPES, authorizationMessage(a), a.signature));
}

/** Writes a signed authorization to a JSON file (creating its directory; atomically). */
export function writeBillingAuthorization(a: SignedBillingAuthorization, file: string): void {
  writeJsonFile(file, a);
}

/** Reads a signed authorization file, naming the file and the field on any problem. */
export function readBillingAuthorization(file: string): SignedBillingAuthorization {
  const { str } = readKindedJson(file, "workledger-billing-authorization", "authorization");
  return {
    kind: "workledger-billing-authorization",
    chainId: str("chainId", INT_RE),
    revenueLedger: getAddress(str("revenueLedger", ADDRESS_RE)),
    networkId: str("networkId", INT_RE),
    customer: getAddress(str("customer", ADDRESS_RE)),
    capPerEpoch: str("capPerEpoch", INT_RE),
    expiry: str("expiry", INT_RE),
    nonce: str("nonce", INT_RE),
    deadline: str("deadline", INT_RE),
    signature: str("signature", /^0x([0-9a-fA-F]{2})+$/),
  };
}

/**
 * Relays a customer's signed BillingAuthorization (anyone may send it, e.g. the biller). Checked first:
 * this deployment, the deadline, the nonce still current. An EOA's signature must recover to the
 * customer; a contract wallet's is checked by the contract (ERC-1271).
 */
export async function relayBillingAuthorization(signer: Signer, deployment: SigningLedgers, a: SignedBillingAuthorization, options: SendOptions = {}): Promise<BillingAuthorizationResult> {
  if (BigInt(a.chainId) !== BigInt(deployment.chainId) || getAddress(a.revenueLedger) !== getAddress(deployment.revenueLedger)) {
    throw new InvalidInputError(`the authorization was signed for chain ${a.chainId} / RevenueLedger ${a.revenueLedger}, not this deployment (chain ${deployment.chainId} / ${getAddress(deployment.revenueLedger)})`);
  }
  const networkId = BigInt(a.networkId);
  await assertNetwork(signer, deployment, networkId);
  const customer = getAddress(a.customer);
  const now = await chainNow(signer);
  if (BigInt(a.deadline) < now) throw new InvalidInputError(`the authorization's deadline ${isoDate(BigInt(a.deadline))} has passed (chain time now ${isoDate(now)}): the customer must sign again`);
  const provider = signer.provider!;
  const isContract = (await provider.getCode(customer)) !== "0x";
  if (!isContract) {
    const who = recoverBillingAuthorizationSigner(a);
    if (who !== customer) throw new InvalidInputError(`the authorization's signature recovers to ${who}, not to the customer ${customer}`);
  }
  const b = await IRevenueLedger__factory.connect(deployment.revenueLedger, signer).billing(networkId, customer);
  if (b.nonce !== BigInt(a.nonce)) throw new InvalidInputError(`the authorization has nonce ${a.nonce} but ${customer}'s next nonce on network ${networkId} is ${b.nonce} (already used or replaced): the customer must sign again`);
  const cap = BigInt(a.capPerEpoch);
  const outcome = await sendRefusable(signer, rlCall(deployment, "authorizeBillingBySig", [networkId, customer, cap, BigInt(a.expiry), BigInt(a.deadline), a.signature]), options);
  return resultFrom(outcome, deployment, { networkId, customer, capPerEpoch: cap, expiry: cap === 0n ? 0n : BigInt(a.expiry), relayer: getAddress(await signer.getAddress()) });
}

/** A customer's billing state and escrow on a network. */
export interface BillingStatus {
  networkId: bigint;
  customer: string;
  /** Authorized at least once. */
  authorized: boolean;
  /** The latest authorization's cap (0 after a revoke). */
  capPerEpoch: bigint;
  /** The latest authorization's expiry (unix seconds; 0 after a revoke). */
  expiry: bigint;
  /** The next epoch a statement must start at. */
  nextEpoch: bigint;
  /** The last billed epoch (null when none yet). */
  lastBilledEpoch: bigint | null;
  /** The cap the next unbilled epoch runs under, and the run a statement from it must stay inside (end exclusive; null: open-ended). */
  nextCap: { capPerEpoch: bigint; runStart: bigint; runEnd: bigint | null };
  /** Next nonce of a signed authorization. */
  nonce: bigint;
  /** Escrow balance (thawing part included). */
  escrow: bigint;
  /** The part requested for withdrawal. */
  thawing: bigint;
  /** escrow − thawing. */
  free: bigint;
  /** When the thawing part may leave (0: no request). */
  thawReadyAt: bigint;
  /** First epoch the thawing part no longer pays for. */
  thawFromEpoch: bigint;
  runwayThreshold: bigint;
  /** The network's finality cursor: statements may cover epochs below it. */
  finalizedCount: bigint;
  /** Chain time when read (unix seconds). */
  now: bigint;
}

/**
 * A customer's billing state and escrow on a network, read from the chain.
 *
 * @example
 * const s = await readBilling(provider, deployment, 1n, customer);
 * console.log(s.capPerEpoch, isoDate(s.expiry), s.lastBilledEpoch, s.thawing, isoDate(s.thawReadyAt));
 */
export async function readBilling(runner: ContractRunner, deployment: Ledgers & Partial<Pick<Deployment, "fromBlock">>, networkId: bigint, customer: string): Promise<BillingStatus> {
  await assertNetwork(runner, deployment, networkId);
  const who = getAddress(customer);
  const rl = IRevenueLedger__factory.connect(deployment.revenueLedger, runner);
  const wl = IWorkLedger__factory.connect(deployment.workLedger, runner);
  const [b, c, finalized] = await Promise.all([rl.billing(networkId, who), rl.customer(networkId, who), wl.finalizedCount(networkId)]);
  const [cap, runStart, runEnd] = b.authorized ? await rl.capAt(networkId, who, b.nextEpoch) : [0n, 0n, 0n];
  const now = runner.provider ? BigInt((await runner.provider.getBlock("latest"))?.timestamp ?? 0) : 0n;
  return {
    networkId,
    customer: who,
    authorized: b.authorized,
    capPerEpoch: b.capPerEpoch,
    expiry: b.expiry,
    nextEpoch: b.nextEpoch,
    lastBilledEpoch: b.authorized && b.nextEpoch > 0n && (await hasBilled(rl, networkId, who, b.nextEpoch, deployment.fromBlock ?? 0)) ? b.nextEpoch - 1n : null,
    nextCap: { capPerEpoch: cap, runStart, runEnd: runEnd === UINT64_MAX ? null : runEnd },
    nonce: b.nonce,
    escrow: c.escrow,
    thawing: c.thawing,
    free: c.escrow - c.thawing,
    thawReadyAt: c.thawReadyAt,
    thawFromEpoch: b.thawFromEpoch,
    runwayThreshold: c.runwayThreshold,
    finalizedCount: finalized,
    now,
  };
}

/** Whether any statement was charged (the cursor moved past the first authorization's start): from StatementCharged logs. */
async function hasBilled(rl: ReturnType<typeof IRevenueLedger__factory.connect>, networkId: bigint, customer: string, nextEpoch: bigint, fromBlock: number): Promise<boolean> {
  try {
    const logs = await rl.queryFilter(rl.filters.StatementCharged(undefined, networkId, customer), fromBlock);
    return logs.some((l) => BigInt(l.args.toEpoch) === nextEpoch - 1n);
  } catch {
    return false;
  }
}
