/**
 * Customer money jobs over RevenueLedger: deposit (approving first if needed), a withdrawal request
 * that thaws for the network's thaw period (DESIGN rule 6), the withdrawal after it, and token
 * helpers. Each checks the books first for a clear error, then simulates and sends (./tx); reverts
 * come back in words (ContractRefusedError). Amounts are in the token's smallest unit. Billing
 * authorizations are in ./billing, statements, charges and refunds in ./statement.
 */
import { ContractRunner, Signer, formatUnits, getAddress } from "ethers";

import { IERC20Metadata__factory, IRevenueLedger__factory, MockStablecoin__factory } from "../contracts";
import { InvalidInputError } from "../errors";
import { Deployment } from "./deployment";
import { revenueLedgerCall as revenueCall, revenueLedgerInterface as rlInterface } from "./calls";
import { assertNetwork } from "./network";
import { isoDate, sendRefusable } from "./refusal";
import { SendOptions, TxOutcome, receiptEvents, sendCall } from "./tx";

type Ledgers = Pick<Deployment, "workLedger" | "revenueLedger">;

/** An ERC-20's address, decimals and symbol (18 and "" when it does not say). */
export interface TokenInfo {
  address: string;
  decimals: number;
  symbol: string;
}

/** 1234567 -> "1,234,567" (bigint or integer number). */
export function formatInteger(v: bigint | number): string {
  const s = BigInt(v).toString();
  const neg = s.startsWith("-");
  return (neg ? "-" : "") + (neg ? s.slice(1) : s).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A token amount in token units with separators: (1234500000n, 6, "mUSD") -> "1,234.50 mUSD"; at least 2 decimals. */
export function formatTokenAmount(v: bigint, decimals: number, symbol?: string): string {
  const neg = v < 0n;
  const [whole, fracRaw = ""] = formatUnits(neg ? -v : v, decimals).split(".");
  let frac = fracRaw.replace(/0+$/, "");
  if (decimals >= 2 && frac.length < 2) frac = frac.padEnd(2, "0");
  return `${neg ? "-" : ""}${formatInteger(BigInt(whole))}${frac ? `.${frac}` : ""}${symbol ? ` ${symbol}` : ""}`;
}

/** decimals and symbol of a token. */
export async function tokenInfo(runner: ContractRunner, address: string): Promise<TokenInfo> {
  const t = IERC20Metadata__factory.connect(address, runner);
  const [decimals, symbol] = await Promise.all([t.decimals().catch(() => 18n), t.symbol().catch(() => "")]);
  return { address, decimals: Number(decimals), symbol: String(symbol) };
}

/** The payment token of a network. */
export async function networkToken(runner: ContractRunner, deployment: Ledgers, networkId: bigint): Promise<TokenInfo> {
  const wl = await assertNetwork(runner, deployment, networkId);
  return tokenInfo(runner, (await wl.network(networkId)).token);
}


/**
 * Deposits `amount` of the network's token into the signer's escrow, approving the RevenueLedger
 * first if the allowance is short. In a dry run with a short allowance only the approval is
 * simulated (the deposit needs it mined first): `depositSimulated` is false then.
 */
export async function deposit(signer: Signer, deployment: Ledgers, p: { networkId: bigint; amount: bigint }, options: SendOptions = {}): Promise<{ customer: string; transactions: TxOutcome[]; depositSimulated: boolean }> {
  const token = await networkToken(signer, deployment, p.networkId);
  const fmt = (v: bigint) => formatTokenAmount(v, token.decimals, token.symbol);
  if (p.amount <= 0n) throw new InvalidInputError(`deposit amount must be positive, got ${p.amount}`);
  const customer = await signer.getAddress();
  const erc20 = IERC20Metadata__factory.connect(token.address, signer);
  const balance = await erc20.balanceOf(customer);
  if (balance < p.amount) throw new InvalidInputError(`insufficient ${token.symbol || "token"} balance: ${customer} holds ${fmt(balance)}, deposit needs ${fmt(p.amount)}`);
  const transactions: TxOutcome[] = [];
  let depositSimulated = true;
  if ((await erc20.allowance(customer, deployment.revenueLedger)) < p.amount) {
    transactions.push(await sendRefusable(signer, { contract: "Token", to: token.address, iface: IERC20Metadata__factory.createInterface(), method: "approve", args: [deployment.revenueLedger, p.amount] }, options));
    depositSimulated = !options.dryRun;
  }
  if (depositSimulated) transactions.push(await sendRefusable(signer, revenueCall(deployment, "deposit", [p.networkId, p.amount]), options));
  return { customer, transactions, depositSimulated };
}

/** What a withdrawal request did. */
export interface WithdrawalRequestResult {
  networkId: bigint;
  customer: string;
  /** The thawing amount (0: the request was cancelled). */
  amount: bigint;
  /** When it may leave (unix seconds; 0 when cancelled; in a dry run: now + the network's thaw). */
  readyAt: bigint;
  /** First epoch the thawing amount no longer pays for. */
  thawFromEpoch: bigint;
  outcome: TxOutcome;
}

/**
 * Asks to withdraw `amount` of the signer's escrow after the network's thaw (DESIGN rule 6): the
 * amount stays in escrow and still pays for epochs that started before the request. Replaces an
 * earlier request (the thaw restarts); 0 cancels.
 *
 * @example
 * const r = await requestWithdrawal(customer, deployment, { networkId: 1n, amount: 50_000_000n });
 * console.log(isoDate(r.readyAt)); // then withdraw(customer, deployment, { networkId: 1n }) from that date
 */
export async function requestWithdrawal(signer: Signer, deployment: Ledgers, p: { networkId: bigint; amount: bigint }, options: SendOptions = {}): Promise<WithdrawalRequestResult> {
  const wl = await assertNetwork(signer, deployment, p.networkId);
  const token = await networkToken(signer, deployment, p.networkId);
  const fmt = (v: bigint) => formatTokenAmount(v, token.decimals, token.symbol);
  if (p.amount < 0n) throw new InvalidInputError(`withdrawal amount must not be negative, got ${p.amount}`);
  const customer = await signer.getAddress();
  const c = await IRevenueLedger__factory.connect(deployment.revenueLedger, signer).customer(p.networkId, customer);
  if (p.amount > c.escrow) throw new InvalidInputError(`insufficient escrow: ${customer} has ${fmt(c.escrow)} in escrow on network ${p.networkId}, the withdrawal request needs ${fmt(p.amount)}`);
  const outcome = await sendRefusable(signer, revenueCall(deployment, "requestWithdrawal", [p.networkId, p.amount]), options);
  const [ev] = receiptEvents(outcome.receipt, rlInterface(), deployment.revenueLedger, "WithdrawalRequested");
  if (ev) return { networkId: p.networkId, customer, amount: BigInt(ev.args.amount), readyAt: BigInt(ev.args.readyAt), thawFromEpoch: BigInt(ev.args.thawFromEpoch), outcome };
  const now = BigInt((await signer.provider!.getBlock("latest"))?.timestamp ?? 0);
  const [thaw, n] = await Promise.all([wl.thawSecondsOf(p.networkId), wl.network(p.networkId)]);
  const thawFromEpoch = now < n.genesisTime ? 0n : (now - n.genesisTime) / n.epochSeconds + 1n;
  return { networkId: p.networkId, customer, amount: p.amount, readyAt: p.amount === 0n ? 0n : now + thaw, thawFromEpoch: p.amount === 0n ? 0n : thawFromEpoch, outcome };
}

/**
 * Sends the thawed amount of the signer's escrow (what is left of its request after charges for
 * earlier epochs) to `to` (default: the signer), once the thaw is over. Before that, an
 * InvalidInputError names the ready date; without a request, it says to request first.
 */
export async function withdraw(signer: Signer, deployment: Ledgers, p: { networkId: bigint; to?: string }, options: SendOptions = {}): Promise<{ networkId: bigint; customer: string; to: string; amount: bigint; outcome: TxOutcome }> {
  await assertNetwork(signer, deployment, p.networkId);
  const customer = await signer.getAddress();
  const to = p.to === undefined ? customer : getAddress(p.to);
  const b = await IRevenueLedger__factory.connect(deployment.revenueLedger, signer).billing(p.networkId, customer);
  if (b.thawReadyAt === 0n) throw new InvalidInputError(`${customer} has no withdrawal request on network ${p.networkId}: request one first (withdraw --request --amount A), then withdraw after the thaw`);
  const now = BigInt((await signer.provider!.getBlock("latest"))?.timestamp ?? 0);
  if (now < b.thawReadyAt) {
    throw new InvalidInputError(`the withdrawal of ${customer} on network ${p.networkId} is still thawing: it is ready at ${isoDate(b.thawReadyAt)} (chain time now ${isoDate(now)})`);
  }
  const outcome = await sendRefusable(signer, revenueCall(deployment, "withdraw", [p.networkId, to]), options);
  const [ev] = receiptEvents(outcome.receipt, rlInterface(), deployment.revenueLedger, "Withdrawn");
  return { networkId: p.networkId, customer, to, amount: ev ? BigInt(ev.args.amount) : b.thawing, outcome };
}

/** The token balance of `holder`. */
export async function tokenBalance(runner: ContractRunner, token: string, holder: string): Promise<bigint> {
  return IERC20Metadata__factory.connect(token, runner).balanceOf(holder);
}

/** A customer's escrow on a network: the balance (thawing part included), the thawing part, what is free of it, and when the thaw ends (0: none). */
export interface CustomerEscrow {
  escrow: bigint;
  thawing: bigint;
  /** escrow − thawing. */
  free: bigint;
  thawReadyAt: bigint;
}

/** A customer's escrow on a network (InvalidInputError for an unknown network). */
export async function customerEscrow(runner: ContractRunner, deployment: Ledgers, networkId: bigint, customer: string): Promise<CustomerEscrow> {
  await assertNetwork(runner, deployment, networkId);
  const c = await IRevenueLedger__factory.connect(deployment.revenueLedger, runner).customer(networkId, customer);
  return { escrow: c.escrow, thawing: c.thawing, free: c.escrow - c.thawing, thawReadyAt: c.thawReadyAt };
}

/** Mints the test token (MockStablecoin: anyone may mint) to `to`. Fails on a real token. */
export async function mintTestToken(signer: Signer, token: string, p: { to: string; amount: bigint }, options: SendOptions = {}): Promise<TxOutcome> {
  const info = await tokenInfo(signer, token);
  return sendCall(signer, { contract: info.symbol || "Token", to: token, iface: MockStablecoin__factory.createInterface(), method: "mint", args: [p.to, p.amount] }, options);
}
