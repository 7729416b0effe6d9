/**
 * Money jobs over RevenueLedger: deposit (approving first if needed), withdraw, charge (its id
 * decoded from Charged), post or void a held charge, refund. Each checks the books first for a clear
 * error, then simulates and sends (./tx). Amounts are in the token's smallest unit.
 */
import { ContractRunner, Signer, formatUnits } from "ethers";

import { IERC20Metadata__factory, IRevenueLedger__factory, IWorkLedger__factory, MockStablecoin__factory } from "../contracts";
import { InvalidInputError } from "../errors";
import { Deployment } from "./deployment";
import { assertNetwork, epochStatusName } from "./network";
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

const rlInterface = () => IRevenueLedger__factory.createInterface();

function revenueCall(d: Ledgers, method: string, args: readonly unknown[]) {
  return { contract: "RevenueLedger", to: d.revenueLedger, iface: rlInterface(), method, args };
}

/** Charge statuses of RevenueLedger, in enum order. */
export const CHARGE_STATUS_NAMES = ["none", "held", "posted", "voided"] as const;

/**
 * Deposits `amount` of the network's token into the signer's escrow, approving the RevenueLedger
 * first if the allowance is short. In a dry run with a short allowance only the approval is
 * simulated (the deposit needs it mined first): `depositSimulated` is false then.
 */
export async function deposit(signer: Signer, deployment: Ledgers, p: { networkId: bigint; amount: bigint }, options: SendOptions = {}): Promise<{ customer: string; transactions: TxOutcome[]; depositSimulated: boolean }> {
  const token = await networkToken(signer, deployment, p.networkId);
  const fmt = (v: bigint) => formatTokenAmount(v, token.decimals, token.symbol);
  const customer = await signer.getAddress();
  const erc20 = IERC20Metadata__factory.connect(token.address, signer);
  const balance = await erc20.balanceOf(customer);
  if (balance < p.amount) throw new InvalidInputError(`insufficient ${token.symbol || "token"} balance: ${customer} holds ${fmt(balance)}, deposit needs ${fmt(p.amount)}`);
  const transactions: TxOutcome[] = [];
  let depositSimulated = true;
  if ((await erc20.allowance(customer, deployment.revenueLedger)) < p.amount) {
    transactions.push(await sendCall(signer, { contract: "Token", to: token.address, iface: IERC20Metadata__factory.createInterface(), method: "approve", args: [deployment.revenueLedger, p.amount] }, options));
    depositSimulated = !options.dryRun;
  }
  if (depositSimulated) transactions.push(await sendCall(signer, revenueCall(deployment, "deposit", [p.networkId, p.amount]), options));
  return { customer, transactions, depositSimulated };
}

/** Withdraws free (not held) escrow to `to` (default: the signer). */
export async function withdraw(signer: Signer, deployment: Ledgers, p: { networkId: bigint; amount: bigint; to?: string }, options: SendOptions = {}): Promise<{ customer: string; to: string; outcome: TxOutcome }> {
  const token = await networkToken(signer, deployment, p.networkId);
  const fmt = (v: bigint) => formatTokenAmount(v, token.decimals, token.symbol);
  const customer = await signer.getAddress();
  const c = await IRevenueLedger__factory.connect(deployment.revenueLedger, signer).customer(p.networkId, customer);
  if (c.free < p.amount) throw new InvalidInputError(`insufficient escrow: ${customer} has ${fmt(c.free)} free on network ${p.networkId} (${fmt(c.held)} held), withdrawal needs ${fmt(p.amount)}`);
  const to = p.to ?? customer;
  return { customer, to, outcome: await sendCall(signer, revenueCall(deployment, "withdraw", [p.networkId, p.amount, to]), options) };
}

/** Charges a customer's escrow for a committed epoch (biller role): escrow -> held. Returns the charge id from Charged (null in a dry run). */
export async function charge(
  signer: Signer,
  deployment: Ledgers,
  p: { networkId: bigint; customer: string; epoch: bigint; amount: bigint; ref: string },
  options: SendOptions = {},
): Promise<{ chargeId: string | null; outcome: TxOutcome }> {
  const token = await networkToken(signer, deployment, p.networkId);
  const fmt = (v: bigint) => formatTokenAmount(v, token.decimals, token.symbol);
  const [status] = await IWorkLedger__factory.connect(deployment.workLedger, signer).epochStatus(p.networkId, p.epoch);
  if (Number(status) === 0) throw new InvalidInputError(`unknown epoch ${p.epoch} on network ${p.networkId}: it was never committed`);
  if (Number(status) === 4) throw new InvalidInputError(`epoch ${p.epoch} on network ${p.networkId} is voided: it cannot be charged`);
  const c = await IRevenueLedger__factory.connect(deployment.revenueLedger, signer).customer(p.networkId, p.customer);
  if (c.free < p.amount) throw new InvalidInputError(`insufficient escrow: ${p.customer} has ${fmt(c.free)} free on network ${p.networkId}, charge needs ${fmt(p.amount)}`);
  const outcome = await sendCall(signer, revenueCall(deployment, "charge", [p.networkId, p.customer, p.epoch, p.amount, p.ref]), options);
  const [ev] = receiptEvents(outcome.receipt, rlInterface(), deployment.revenueLedger, "Charged");
  return { chargeId: ev ? String(ev.args.chargeId) : null, outcome };
}

/** A charge as stored. */
export interface ChargeInfo {
  chargeId: string;
  networkId: bigint;
  epoch: bigint;
  customer: string;
  amount: bigint;
  status: (typeof CHARGE_STATUS_NAMES)[number];
}

/** Reads a charge (InvalidInputError if unknown). */
export async function readCharge(runner: ContractRunner, deployment: Ledgers, chargeId: string): Promise<ChargeInfo> {
  const c = await IRevenueLedger__factory.connect(deployment.revenueLedger, runner).getCharge(chargeId);
  if (Number(c.status) === 0) throw new InvalidInputError(`unknown charge ${chargeId}`);
  return { chargeId, networkId: c.networkId, epoch: c.epoch, customer: c.customer, amount: c.amount, status: CHARGE_STATUS_NAMES[Number(c.status)] };
}

/** Posts a held charge to revenue once its epoch is final, or voids it back to escrow once its epoch is voided. */
export async function settleCharge(signer: Signer, deployment: Ledgers, p: { chargeId: string; action: "post" | "void" }, options: SendOptions = {}): Promise<{ charge: ChargeInfo; outcome: TxOutcome }> {
  const c = await readCharge(signer, deployment, p.chargeId);
  if (c.status !== "held") throw new InvalidInputError(`charge ${p.chargeId} is ${c.status}, not held`);
  const [status] = await IWorkLedger__factory.connect(deployment.workLedger, signer).epochStatus(c.networkId, c.epoch);
  const need = p.action === "post" ? 3 : 4;
  if (Number(status) !== need) throw new InvalidInputError(`cannot ${p.action} charge ${p.chargeId}: epoch ${c.epoch} of network ${c.networkId} is ${epochStatusName(status)}, not ${epochStatusName(need)}`);
  const outcome = await sendCall(signer, revenueCall(deployment, p.action === "post" ? "postCharge" : "voidCharge", [p.chargeId]), options);
  return { charge: c, outcome };
}

/** Refunds part of a posted charge (an SLA credit): revenue -> escrow. `reasonHash` is bytes32. */
export async function refundCharge(signer: Signer, deployment: Ledgers, p: { chargeId: string; amount: bigint; reasonHash: string }, options: SendOptions = {}): Promise<{ charge: ChargeInfo; outcome: TxOutcome }> {
  const c = await readCharge(signer, deployment, p.chargeId);
  if (c.status !== "posted") throw new InvalidInputError(`charge ${p.chargeId} is ${c.status}: only posted charges can be refunded`);
  return { charge: c, outcome: await sendCall(signer, revenueCall(deployment, "refund", [p.chargeId, p.amount, p.reasonHash]), options) };
}

/** The token balance of `holder`. */
export async function tokenBalance(runner: ContractRunner, token: string, holder: string): Promise<bigint> {
  return IERC20Metadata__factory.connect(token, runner).balanceOf(holder);
}

/** A customer's free escrow and held charges on a network. */
export async function customerEscrow(runner: ContractRunner, deployment: Ledgers, networkId: bigint, customer: string): Promise<{ free: bigint; held: bigint }> {
  await assertNetwork(runner, deployment, networkId);
  const c = await IRevenueLedger__factory.connect(deployment.revenueLedger, runner).customer(networkId, customer);
  return { free: c.free, held: c.held };
}

/** Mints the test token (MockStablecoin: anyone may mint) to `to`. Fails on a real token. */
export async function mintTestToken(signer: Signer, token: string, p: { to: string; amount: bigint }, options: SendOptions = {}): Promise<TxOutcome> {
  const info = await tokenInfo(signer, token);
  return sendCall(signer, { contract: info.symbol || "Token", to: token, iface: MockStablecoin__factory.createInterface(), method: "mint", args: [p.to, p.amount] }, options);
}
