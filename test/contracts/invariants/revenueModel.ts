/**
 * Model-based invariant testing of RevenueLedger on the real WorkLedger (fast-check commands).
 *
 * A TypeScript model keeps the expected books (balance per account id), the epochs' statuses and the
 * finality cursor, each customer's usage per epoch (what honest verifiers sign), its billing
 * authorization with the caps of its unbilled epochs as runs (mirroring rule 3), its withdrawal
 * request (rule 6), the charged statements, the net revenue ever posted, the latest cumulative payout
 * root and what each node claimed. Every command predicts its outcome from the model (success with
 * the exact entries it must post, or the name of the custom error it must revert with), runs the
 * transaction, and compares. Separately, "books" are rebuilt only from the events.
 * After every step: token.balanceOf(ledger) == Σ liability balances == the Assets balance;
 * Σ debits == Σ credits; no balance negative; every event-reported balance equals the running balance;
 * from the StatementCharged events: no epoch billed twice per customer, and Σ charges per customer <=
 * Σ its usage over the billed epochs; from the PayoutClaimed events: Σ claims per node <= its latest
 * cumulative amount; net revenue posted == Revenue + the latest root's total; Payable == total - Σ claims;
 * every statement's refunds <= its net; a thawing amount <= its escrow; RunwayLow exactly when a charge
 * leaves escrow below the customer's threshold.
 */
import fc from "fast-check";
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { ContractTransactionReceipt, ContractTransactionResponse, Interface, Signer, ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import { IWorkLedger__factory, MockStablecoin__factory, RevenueLedger__factory } from "../../../typechain-types";
import {
  BOND,
  BPS,
  FAR_EXPIRY,
  INVARIANT_WINDOW,
  Kind,
  LedgerFixture,
  MAX_FEE_BPS,
  NO_EPOCH,
  PayoutLeaf,
  RootMessage,
  Statement,
  Status,
  USD,
  accountId,
  chargeIdOf,
  invariantLedgerFixture,
  nodeIdOf,
  payoutTree,
  prepareNextEpoch,
  proofOf,
  signAuthorization,
  signPermit,
  signRoot,
  signStatement,
} from "../../helpers/revenueFixture";
import { ModelStep, RunStats } from "./runner";

/** The deployment a sequence runs against. */
export interface Real extends LedgerFixture {
  ledgerAddr: string;
  assets: string; // account id of the token's Assets account
  genesis: bigint[]; // genesisTime of networks 1 and 2
  thaw: bigint; // thawSeconds (both networks)
}

/** A run of unbilled epochs [start, end) under one cap (as the contract keeps them). */
interface RunM {
  start: bigint;
  end: bigint;
  cap: bigint;
}

/** A customer on a network. */
interface CustM {
  authorized: boolean;
  next: bigint;
  runs: RunM[];
  thaw: { amount: bigint; readyAt: bigint; from: bigint } | null;
}

interface StatementM {
  id: string;
  net: bigint;
  cust: number;
  from: bigint;
  to: bigint;
  amount: bigint;
  fee: bigint;
  refunded: bigint;
}

interface RootM {
  root: string;
  through: bigint;
  total: bigint;
  leaves: PayoutLeaf[];
}

/** The challenges of an epoch's version 1 (this model never corrects). */
interface EpochChallengeM {
  count: number; // challenges opened so far
  challenger: number; // customer index of the open challenge
  expired: boolean; // a time jump passed the open challenge's arbiter deadline
}

/** An expected entry: debit, credit, amount, epoch, ref (networkId is the command's). */
type Entry = [string, string, bigint, bigint, string];

/** The books as rebuilt from events alone. */
interface Books {
  balances: Map<string, bigint>;
  totalDebits: bigint;
  totalCredits: bigint;
  entries: number;
  billed: Map<string, [bigint, bigint, bigint][]>; // `${net}:${customer}` -> [from, to, amount] of StatementCharged
  claims: Map<string, bigint>; // `${net}:${nodeId}` -> Σ PayoutClaimed amounts
}

/** Everything a sequence knows; cloned from the seeded state at the start of each sequence. */
export interface Model {
  balances: Map<string, bigint>; // expected balance per account id
  epochs: Record<string, number[]>; // net -> Status per epoch
  challenges: Record<string, EpochChallengeM[]>; // net -> challenge state per epoch (latest version)
  cursor: Record<string, bigint>; // net -> finalizedCount as last advanced
  paused: Record<string, boolean>;
  feeBps: bigint;
  thresholds: Map<string, bigint>; // `${net}:${customer index}` -> runway threshold
  custs: Record<string, CustM>; // `${net}:${customer index}`
  statements: StatementM[];
  netPosted: Record<string, bigint>; // net -> net revenue ever posted (statements - fees - refunds + forfeits)
  roots: Record<string, RootM | null>; // net -> latest root
  claimed: Map<string, bigint>; // `${net}:${nodeId}` -> claimed
  books: Books;
  steps: number;
}

/** Total steps executed across all sequences of this process (for the report). */
export const stats: RunStats = { steps: 0, sequences: 0, successes: 0, reverts: 0 };

const NETS = [1n, 2n];
const NODES = [0, 1, 2, 3].map((i) => nodeIdOf(`node-${i}`));
const MAX_U64 = (1n << 64n) - 1n;
const trees = new Map<string, StandardMerkleTree<PayoutLeaf>>();

const errorsIface = new Interface([
  ...RevenueLedger__factory.createInterface().fragments.filter((f) => f.type === "error"),
  ...IWorkLedger__factory.createInterface().fragments.filter((f) => f.type === "error"),
  ...MockStablecoin__factory.createInterface().fragments.filter((f) => f.type === "error"),
]);

/*//////////////////////////////////////////////////////////////
                            MODEL HELPERS
//////////////////////////////////////////////////////////////*/

function newModel(): Model {
  const custs: Record<string, CustM> = {};
  for (const n of NETS) for (const c of [0, 1, 2]) custs[`${n}:${c}`] = { authorized: false, next: 0n, runs: [], thaw: null };
  return {
    balances: new Map(),
    epochs: { "1": [], "2": [] },
    challenges: { "1": [], "2": [] },
    cursor: { "1": 0n, "2": 0n },
    paused: { "1": false, "2": false },
    feeBps: 0n,
    thresholds: new Map(),
    custs,
    statements: [],
    netPosted: { "1": 0n, "2": 0n },
    roots: { "1": null, "2": null },
    claimed: new Map(),
    books: { balances: new Map(), totalDebits: 0n, totalCredits: 0n, entries: 0, billed: new Map(), claims: new Map() },
    steps: 0,
  };
}

function bal(m: Model, id: string): bigint {
  return m.balances.get(id) ?? 0n;
}

function isAssets(id: string): boolean {
  return BigInt(id) >> 248n === BigInt(Kind.Assets);
}

/** Apply one entry to a balance map with the contract's sides: Assets is debit-normal, the rest credit-normal. */
function applyEntry(map: Map<string, bigint>, debit: string, credit: string, amount: bigint): [bigint, bigint] {
  const d = (map.get(debit) ?? 0n) + (isAssets(debit) ? amount : -amount);
  map.set(debit, d);
  const c = (map.get(credit) ?? 0n) + (isAssets(credit) ? -amount : amount);
  map.set(credit, c);
  return [d, c];
}

function statusOf(m: Model, net: bigint, epoch: bigint): number {
  return m.epochs[net.toString()][Number(epoch)] ?? Status.None;
}

/** What customer `c` used in epoch `e` of `net`, as the honest verifiers sign it (0..5 USD). */
export function usageOf(net: bigint, c: number, e: bigint): bigint {
  return BigInt((Number(e) * 7 + c * 13 + Number(net) * 3) % 6) * USD;
}

function usageSum(net: bigint, c: number, from: bigint, to: bigint): bigint {
  let s = 0n;
  for (let e = from; e <= to; e++) s += usageOf(net, c, e);
  return s;
}

/** First epoch (1-second epochs from `genesis`) that starts after `ts`. */
function epochAfter(r: Real, net: bigint, ts: bigint): bigint {
  const g = r.genesis[Number(net) - 1];
  return ts < g ? 0n : ts - g + 1n;
}

/** The contract's cap re-derivation (rule 3): started-before epochs keep max(old, new), later ones get the new cap. */
function setBillingM(cm: CustM, cap: bigint, change: bigint, expiryEnd: bigint): void {
  if (!cm.authorized) {
    cm.authorized = true;
    cm.next = change;
    cm.runs = [];
  }
  const out: RunM[] = [];
  const push = (s: bigint, e: bigint, c: bigint) => {
    const last = out[out.length - 1];
    if (last !== undefined && last.end === s && last.cap === c) last.end = e;
    else out.push({ start: s, end: e, cap: c });
  };
  for (const run of cm.runs) {
    const s = run.start > cm.next ? run.start : cm.next;
    const e = run.end < change ? run.end : change;
    if (s < e) push(s, e, run.cap > cap ? run.cap : cap);
  }
  if (cap > 0n) {
    const covered = out.length === 0 ? cm.next : out[out.length - 1].end;
    if (covered < change) push(covered, change, cap);
    if (change < expiryEnd) push(change, expiryEnd, cap);
  }
  cm.runs = out;
}

/** The cap epoch `from` runs under and the end of its run (0 and the maximum past every run). */
function capRun(cm: CustM, from: bigint): { cap: bigint; end: bigint } {
  const run = cm.runs.find((x) => x.start <= from && from < x.end);
  return run === undefined ? { cap: 0n, end: MAX_U64 } : { cap: run.cap, end: run.end };
}

const escrowOf = (net: bigint, who: string) => accountId(Kind.Escrow, net, who);
const revenueOf = (net: bigint) => accountId(Kind.Revenue, net);
const payableOf = (net: bigint) => accountId(Kind.Payable, net);
const feeOf = (net: bigint) => accountId(Kind.Fee, net);
const bondOf = (net: bigint, who: string) => accountId(Kind.Bond, net, who);

/** Sets the next block's timestamp to the latest + 1 and returns it (predictions that depend on time). */
async function nextTimestamp(): Promise<bigint> {
  const ts = BigInt(await time.latest()) + 1n;
  await time.setNextBlockTimestamp(ts);
  return ts;
}

/** Name of the custom error in a rejected call, from any of the three contracts' ABIs. */
export function errorName(e: unknown): string {
  const seen = new Set<unknown>();
  const find = (x: unknown): string | undefined => {
    if (x === null || typeof x !== "object" || seen.has(x)) return undefined;
    seen.add(x);
    const o = x as Record<string, unknown>;
    if (typeof o.data === "string" && o.data.startsWith("0x") && o.data.length >= 10) return o.data;
    for (const k of ["error", "info", "cause"]) {
      const r = find(o[k]);
      if (r) return r;
    }
    return undefined;
  };
  const data = find(e);
  if (data === undefined) return `unparsed: ${(e as Error).message?.slice(0, 200)}`;
  return errorsIface.parseError(data)?.name ?? `unknown error ${data.slice(0, 10)}`;
}

/*//////////////////////////////////////////////////////////////
                               EXECUTION
//////////////////////////////////////////////////////////////*/

/**
 * Runs `send` and checks it against the prediction: `expected` is "ok" (returns the receipt) or the
 * name of the custom error it must revert with (returns null). Counts the outcome in `counters`.
 */
export async function sendExpecting(
  label: string,
  expected: string,
  send: () => Promise<ContractTransactionResponse>,
  counters: RunStats,
): Promise<ContractTransactionReceipt | null> {
  let receipt: ContractTransactionReceipt | null = null;
  let failure: unknown;
  try {
    receipt = await (await send()).wait();
  } catch (e) {
    failure = e;
  }
  if (expected !== "ok") {
    expect(failure, `${label}: expected revert ${expected}, but it succeeded`).to.not.equal(undefined);
    expect(errorName(failure), `${label}: wrong revert`).to.equal(expected);
    counters.reverts++;
    return null;
  }
  if (failure !== undefined) throw new Error(`${label}: expected success, reverted with ${errorName(failure)}`);
  counters.successes++;
  return receipt;
}

/**
 * Runs `send` and checks it against the prediction: `expected` is "ok" (then the EntryPosted events
 * must be exactly `entries`, in order, and the model applies them) or a custom error name. Statement
 * and claim events go to the books.
 */
async function exec(
  m: Model,
  r: Real,
  label: string,
  expected: string,
  net: bigint,
  entries: Entry[],
  send: () => Promise<ContractTransactionResponse>,
): Promise<ContractTransactionReceipt | null> {
  const receipt = await sendExpecting(label, expected, send, stats);
  if (receipt === null) return null;
  const posted = [];
  for (const log of receipt.logs) {
    if (log.address !== r.ledgerAddr) continue;
    const ev = r.ledger.interface.parseLog(log);
    if (ev === null) continue;
    if (ev.name === "EntryPosted") posted.push(ev.args);
    if (ev.name === "StatementCharged") {
      const key = `${ev.args.networkId}:${ev.args.customer}`;
      const list = m.books.billed.get(key) ?? [];
      list.push([ev.args.fromEpoch, ev.args.toEpoch, ev.args.amount]);
      m.books.billed.set(key, list);
    }
    if (ev.name === "PayoutClaimed") {
      const key = `${ev.args.networkId}:${ev.args.nodeId}`;
      m.books.claims.set(key, (m.books.claims.get(key) ?? 0n) + ev.args.amount);
    }
  }
  expect(posted.length, `${label}: number of entries`).to.equal(entries.length);
  for (const [i, [debit, credit, amount, epoch, ref]] of entries.entries()) {
    const ev = posted[i];
    expect([ev.networkId, ev.debitAccount, ev.creditAccount, ev.amount, ev.epoch, ev.ref], `${label}: entry ${i}`).to.deep.equal([
      net,
      debit,
      credit,
      amount,
      epoch,
      ref,
    ]);
    // Books from events alone: the reported balances must be the running balances.
    const [d, c] = applyEntry(m.books.balances, ev.debitAccount, ev.creditAccount, ev.amount);
    expect([ev.debitBalance, ev.creditBalance], `${label}: entry ${i} balances`).to.deep.equal([d, c]);
    m.books.totalDebits += ev.amount;
    m.books.totalCredits += ev.amount;
    m.books.entries++;
    applyEntry(m.balances, debit, credit, amount);
  }
  return receipt;
}

/** The invariants, checked after every step. */
export async function checkInvariants(m: Model, r: Real, label: string): Promise<void> {
  const held = await r.token.balanceOf(r.ledgerAddr);
  let liabilities = 0n;
  for (const [id, v] of m.books.balances) {
    expect(v >= 0n, `${label}: negative book balance ${id}`).to.equal(true);
    expect(bal(m, id), `${label}: model vs books for ${id}`).to.equal(v);
    if (!isAssets(id)) liabilities += v;
  }
  for (const [id, v] of m.balances) expect(m.books.balances.get(id) ?? 0n, `${label}: books miss ${id}`).to.equal(v);
  expect(liabilities, `${label}: tokens held == Σ liabilities`).to.equal(held);
  expect(m.books.balances.get(r.assets) ?? 0n, `${label}: tokens held == assets`).to.equal(held);
  expect(m.books.totalDebits, `${label}: Σ debits == Σ credits`).to.equal(m.books.totalCredits);
  for (const net of NETS) {
    const root = m.roots[`${net}`];
    const total = root?.total ?? 0n;
    // Net revenue ever posted == what is still revenue + what the latest root moved to payable.
    expect(bal(m, revenueOf(net)) + total, `${label}: netPosted == Revenue + root total (${net})`).to.equal(m.netPosted[`${net}`]);
    let claimedSum = 0n;
    for (const nodeId of NODES) {
      // From the events: Σ claims per node <= its latest cumulative amount.
      const fromEvents = m.books.claims.get(`${net}:${nodeId}`) ?? 0n;
      const latest = root?.leaves.find((l) => l[0] === nodeId)?.[2] ?? 0n;
      expect(fromEvents <= latest, `${label}: claims of ${nodeId} above its cumulative amount`).to.equal(true);
      expect(fromEvents, `${label}: claimed ${nodeId}`).to.equal(m.claimed.get(`${net}:${nodeId}`) ?? 0n);
      claimedSum += fromEvents;
    }
    expect(bal(m, payableOf(net)), `${label}: Payable == total - Σ claims (${net})`).to.equal(total - claimedSum);
    for (const [c, cust] of r.customers.entries()) {
      // From the events: no epoch billed twice, and Σ charges <= Σ usage over the billed epochs.
      const billed = [...(m.books.billed.get(`${net}:${cust.address}`) ?? [])].sort((a, b) => (a[0] < b[0] ? -1 : 1));
      let charged = 0n;
      let usage = 0n;
      for (const [i, [from, to, amount]] of billed.entries()) {
        if (i > 0) expect(from > billed[i - 1][1], `${label}: epoch billed twice (c${c}, net${net})`).to.equal(true);
        charged += amount;
        usage += usageSum(net, c, from, to);
      }
      expect(charged <= usage, `${label}: Σ charges <= Σ usage (c${c}, net${net})`).to.equal(true);
      const cm = m.custs[`${net}:${c}`];
      if (cm.thaw !== null) expect(cm.thaw.amount <= bal(m, escrowOf(net, cust.address)), `${label}: thawing <= escrow`).to.equal(true);
    }
  }
  for (const s of m.statements) expect(s.refunded <= s.amount - s.fee, `${label}: over-refunded ${s.id}`).to.equal(true);
}

/** At the end of a sequence: every model figure against the contract's views. */
export async function checkAgainstChain(m: Model, r: Real): Promise<void> {
  for (const [id, v] of m.balances) expect(await r.ledger.balanceOf(id), `balanceOf(${id})`).to.equal(v);
  for (const s of m.statements) {
    const onChain = await r.ledger.statement(s.id);
    expect([onChain.fromEpoch, onChain.toEpoch, onChain.refundable]).to.deep.equal([s.from, s.to, s.amount - s.fee - s.refunded]);
  }
  for (const net of NETS) {
    expect(await r.ledger.netRevenuePosted(net)).to.equal(m.netPosted[`${net}`]);
    expect(await r.wl.finalizedCount(net)).to.equal(m.cursor[`${net}`]);
    for (const [c, cust] of r.customers.entries()) {
      const cm = m.custs[`${net}:${c}`];
      const b = await r.ledger.billing(net, cust.address);
      expect([b.authorized, b.nextEpoch, b.thawing]).to.deep.equal([cm.authorized, cm.authorized ? cm.next : 0n, cm.thaw?.amount ?? 0n]);
      for (const run of cm.runs) {
        if (run.end <= cm.next) continue;
        const from = run.start > cm.next ? run.start : cm.next;
        expect(await r.ledger.capAt(net, cust.address, from), `capAt(c${c}, ${from})`).to.deep.equal([run.cap, from, run.end]);
      }
    }
    for (const nodeId of NODES) expect(await r.ledger.claimed(net, nodeId)).to.equal(m.claimed.get(`${net}:${nodeId}`) ?? 0n);
  }
}

/*//////////////////////////////////////////////////////////////
                                ACTIONS
//////////////////////////////////////////////////////////////*/

/** How an amount is picked relative to what is available. */
export type Mode = "part" | "all" | "over" | "zero";

function pickAmount(base: bigint, mode: Mode, frac: number): bigint {
  if (mode === "zero") return 0n;
  if (mode === "all") return base;
  if (mode === "over") return base + 1n;
  return (base * BigInt(frac)) / 1000n;
}

/** A Challenged epoch of `net` (else any epoch) picked by `pick`, with its open challenge's bond and challenger. */
function pickChallenged(m: Model, r: Real, net: bigint, pick: number) {
    const list = m.epochs[`${net}`];
    const challenged = list.map((s, i) => [s, i]).filter(([s]) => s === Status.Challenged);
    const epoch = challenged.length === 0 ? BigInt(list.length === 0 ? 0 : pick % list.length) : BigInt(challenged[pick % challenged.length][1]);
    const status = statusOf(m, net, epoch);
    const ch = m.challenges[`${net}`][Number(epoch)];
    const bond = ch === undefined || ch.count === 0 ? 0n : BOND << BigInt(ch.count - 1);
    const who = ch === undefined || ch.challenger < 0 ? r.customers[0].address : r.customers[ch.challenger].address;
  // The revert both a ruling and an expiry predict before looking at the deadline.
  const pre = status === Status.None ? "WorkLedgerUnknownEpoch" : status !== Status.Challenged ? "WorkLedgerInvalidEpochStatus" : undefined;
  return { list, epoch, pre, ch, bond, who };
}

/** Jumps time by `seconds`: past the window every Pending epoch turns Final; past the arbiter deadline every open challenge expires. */
async function jump(m: Model, seconds: bigint): Promise<void> {
  await time.increase(seconds);
  for (const net of NETS) {
    if (seconds > INVARIANT_WINDOW) m.epochs[`${net}`] = m.epochs[`${net}`].map((s) => (s === Status.Pending ? Status.Final : s));
    for (const [i, st] of m.epochs[`${net}`].entries()) if (st === Status.Challenged && seconds > 86_400n) m.challenges[`${net}`][i].expired = true;
  }
}

/** Statement variants: honest (the customer's usage), over its cap, signed by one key, past the cursor, overlapping, into the next cap run. */
export type Variant = "honest" | "overCap" | "unsigned" | "pastCursor" | "overlap" | "spanning";
/** Payout root variants. */
export type RootVariant = "honest" | "overPosted" | "backwards" | "unsigned" | "pastCursor";

const act = {
  async deposit(m: Model, r: Real, c: number, net: bigint, amount: bigint, label: string) {
    const cust = r.customers[c];
    // A pause stops only charges (rule 10): deposits go on.
    const expected = amount === 0n ? "RevenueLedgerZeroAmount" : c === 2 ? "ERC20InsufficientAllowance" : "ok";
    await exec(m, r, label, expected, net, [[r.assets, escrowOf(net, cust.address), amount, NO_EPOCH, ZeroHash]], () =>
      r.ledger.connect(cust).deposit(net, amount),
    );
  },

  async depositWithPermit(m: Model, r: Real, c: number, net: bigint, amount: bigint, label: string) {
    const cust = r.customers[c];
    const deadline = 2n ** 40n;
    const sig = await signPermit(r.token, cust, r.ledgerAddr, amount, deadline);
    const expected = amount === 0n ? "RevenueLedgerZeroAmount" : "ok";
    await exec(m, r, label, expected, net, [[r.assets, escrowOf(net, cust.address), amount, NO_EPOCH, ZeroHash]], () =>
      r.ledger.connect(cust).depositWithPermit(net, amount, deadline, sig.v, sig.r, sig.s),
    );
  },

  async authorize(m: Model, r: Real, c: number, net: bigint, cap: bigint, bySig: boolean, short: boolean, label: string) {
    const cust = r.customers[c];
    const cm = m.custs[`${net}:${c}`];
    const ts = await nextTimestamp();
    const expiry = cap === 0n ? 0n : short ? ts + 5n : FAR_EXPIRY;
    const expected = cap === 0n && !cm.authorized ? "RevenueLedgerNotAuthorized" : "ok";
    let send: () => Promise<ContractTransactionResponse>;
    if (bySig) {
      const deadline = ts + 1_000n;
      const sig = await signAuthorization(r.ledger, cust, net, cap, expiry, deadline);
      await time.setNextBlockTimestamp(ts);
      send = () => r.ledger.connect(r.netAdmin).authorizeBillingBySig(net, cust.address, cap, expiry, deadline, sig);
    } else if (cap === 0n) {
      send = () => r.ledger.connect(cust).revokeBilling(net);
    } else {
      send = () => r.ledger.connect(cust).authorizeBilling(net, cap, expiry);
    }
    await exec(m, r, label, expected, net, [], send);
    if (expected === "ok") {
      const change = epochAfter(r, net, ts);
      setBillingM(cm, cap, change, cap === 0n ? change : epochAfter(r, net, expiry));
    }
  },

  async requestWithdrawal(m: Model, r: Real, c: number, net: bigint, mode: Mode, frac: number, label: string) {
    const cust = r.customers[c];
    const escrow = bal(m, escrowOf(net, cust.address));
    const amount = pickAmount(escrow, mode, frac);
    const expected = amount > escrow ? "RevenueLedgerInsufficientFree" : "ok";
    const ts = await nextTimestamp();
    await exec(m, r, label, expected, net, [], () => r.ledger.connect(cust).requestWithdrawal(net, amount));
    if (expected === "ok") {
      m.custs[`${net}:${c}`].thaw = amount === 0n ? null : { amount, readyAt: ts + r.thaw, from: epochAfter(r, net, ts) };
    }
  },

  async withdraw(m: Model, r: Real, c: number, net: bigint, wait: boolean, label: string) {
    const cust = r.customers[c];
    const cm = m.custs[`${net}:${c}`];
    if (wait) await jump(m, r.thaw);
    const ts = await nextTimestamp();
    const thaw = cm.thaw;
    const expected = thaw === null ? "RevenueLedgerNoWithdrawalRequest" : ts < thaw.readyAt ? "RevenueLedgerStillThawing" : "ok";
    const amount = thaw?.amount ?? 0n;
    const entries: Entry[] = amount > 0n ? [[escrowOf(net, cust.address), r.assets, amount, NO_EPOCH, ZeroHash]] : [];
    await exec(m, r, label, expected, net, entries, () => r.ledger.connect(cust).withdraw(net, cust.address));
    if (expected === "ok") cm.thaw = null;
  },

  async advance(m: Model, r: Real, net: bigint, label: string) {
    await exec(m, r, label, "ok", net, [], () => r.wl.connect(r.operators[2]).advanceFinality(net, 100n));
    const list = m.epochs[`${net}`];
    let count = 0;
    while (count < list.length && list[count] === Status.Final) count++;
    m.cursor[`${net}`] = BigInt(count);
  },

  async charge(m: Model, r: Real, c: number, net: bigint, len: number, variant: Variant, outsider: boolean, label: string) {
    const cust = r.customers[c];
    const cm = m.custs[`${net}:${c}`];
    const cursor = m.cursor[`${net}`];
    const from = variant === "overlap" ? (cm.next > 0n ? cm.next - 1n : cm.next + 1n) : cm.next;
    const run = capRun(cm, from);
    let to = from + BigInt(len) - 1n;
    if (variant === "pastCursor") {
      to = cursor > from ? cursor : from;
    } else if (variant === "spanning") {
      // One epoch under another cap (or none), when that run ends close by.
      to = run.end <= from + BigInt(len) ? run.end : from + BigInt(len) - 1n;
    } else if (variant !== "overlap") {
      if (to >= run.end) to = run.end - 1n;
      if (to >= cursor) to = cursor - 1n;
      if (to < from) to = from;
    }
    const epochs = to - from + 1n;
    const amount = variant === "overCap" ? run.cap * epochs + 1n : usageSum(net, c, from, to);
    const s: Statement = { networkId: net, customer: cust.address, fromEpoch: from, toEpoch: to, amount, usageHash: keccak256(toUtf8Bytes(label)) };
    const signers: Signer[] = variant === "unsigned" ? [r.netAdmin] : r.verifiers.slice(0, 2);
    const escrow = bal(m, escrowOf(net, cust.address));
    const thawing = cm.thaw !== null && to >= cm.thaw.from ? cm.thaw.amount : 0n;
    const expected = m.paused[`${net}`]
      ? "RevenueLedgerNetworkPaused"
      : outsider
        ? "RevenueLedgerUnauthorized"
        : to >= cursor
          ? "RevenueLedgerNotFinalized"
          : !cm.authorized
            ? "RevenueLedgerNotAuthorized"
            : from !== cm.next
              ? "RevenueLedgerStatementOutOfOrder"
              : to >= run.end
                ? "RevenueLedgerStatementSpansCapChange"
                : amount > run.cap * epochs
                  ? "RevenueLedgerCapExceeded"
                  : variant === "unsigned"
                    ? "RevenueLedgerBelowThreshold"
                    : amount > escrow - thawing
                      ? "RevenueLedgerInsufficientFree"
                      : "ok";
    const id = chargeIdOf(net, cust.address, from);
    const fee = (amount * m.feeBps) / BPS;
    const entries: Entry[] = [];
    if (amount > 0n) {
      entries.push([escrowOf(net, cust.address), revenueOf(net), amount - fee, to, id]);
      if (fee > 0n) entries.push([escrowOf(net, cust.address), feeOf(net), fee, to, id]);
    }
    const caller = outsider ? r.operators[1] : r.netAdmin;
    const sigs = await signStatement(r.ledger, signers, s);
    const rc = await exec(m, r, label, expected, net, entries, () => r.ledger.connect(caller).charge(s, label, sigs));
    if (expected !== "ok") return;
    cm.next = to + 1n;
    const left = escrow - amount;
    // RunwayLow fires exactly when the charge leaves escrow below the customer's threshold.
    const threshold = m.thresholds.get(`${net}:${c}`) ?? 0n;
    const lows = rc!.logs
      .filter((l) => l.address === r.ledgerAddr)
      .map((l) => r.ledger.interface.parseLog(l))
      .filter((e) => e?.name === "RunwayLow")
      .map((e) => [e!.args.networkId, e!.args.customer, e!.args.freeBalance, e!.args.threshold]);
    expect(lows, `${label}: RunwayLow`).to.deep.equal(amount > 0n && left < threshold ? [[net, cust.address, left, threshold]] : []);
    if (amount === 0n) return;
    if (cm.thaw !== null && left < cm.thaw.amount) cm.thaw.amount = left;
    m.statements.push({ id, net, cust: c, from, to, amount, fee, refunded: 0n });
    m.netPosted[`${net}`] += amount - fee;
  },

  async refund(m: Model, r: Real, pick: number, where: number, mode: Mode, frac: number, outsider: boolean, label: string) {
    const s = m.statements[pick % Math.max(1, m.statements.length)];
    if (s === undefined) {
      await exec(m, r, label, "RevenueLedgerUnknownCharge", 0n, [], () => r.ledger.connect(r.netAdmin).refund(ZeroHash, 0n, 1n, ZeroHash));
      return;
    }
    const epoch = where === 0 && s.from > 0n ? s.from - 1n : where === 1 ? s.to + 1n : s.from + (BigInt(pick) % (s.to - s.from + 1n));
    const refundable = s.amount - s.fee - s.refunded;
    const amount = pickAmount(refundable, mode, frac);
    const root = m.roots[`${s.net}`];
    const expected = outsider
      ? "RevenueLedgerUnauthorized"
      : amount === 0n
        ? "RevenueLedgerZeroAmount"
        : epoch < s.from || epoch > s.to
          ? "RevenueLedgerRefundOutsideStatement"
          : root !== null && epoch <= root.through
            ? "RevenueLedgerEpochPaidOut"
            : amount > refundable
              ? "RevenueLedgerRefundExceedsCharge"
              : amount > bal(m, revenueOf(s.net))
                ? "RevenueLedgerInsufficientRevenue"
                : "ok";
    const cust = r.customers[s.cust].address;
    const caller = outsider ? r.operators[2] : r.netAdmin;
    await exec(m, r, label, expected, s.net, [[revenueOf(s.net), escrowOf(s.net, cust), amount, epoch, s.id]], () =>
      r.ledger.connect(caller).refund(s.id, epoch, amount, keccak256(toUtf8Bytes(label))),
    );
    if (expected === "ok") {
      s.refunded += amount;
      m.netPosted[`${s.net}`] -= amount;
    }
  },

  async payoutRoot(m: Model, r: Real, net: bigint, variant: RootVariant, frac: number, weights: number[], label: string) {
    const prev = m.roots[`${net}`];
    const cursor = m.cursor[`${net}`];
    const through =
      variant === "pastCursor" ? cursor : variant === "backwards" && prev !== null ? prev.through : cursor > 0n ? cursor - 1n : 0n;
    const prevTotal = prev?.total ?? 0n;
    const posted = m.netPosted[`${net}`];
    const increase = ((posted - prevTotal) * BigInt(frac)) / 1000n;
    const wsum = BigInt(weights.reduce((a, w) => a + w, 0));
    let left = increase;
    const leaves: PayoutLeaf[] = NODES.map((nodeId, i) => {
      const share = i === NODES.length - 1 ? left : (increase * BigInt(weights[i])) / wsum;
      left -= share;
      const before = prev?.leaves.find((l) => l[0] === nodeId)?.[2] ?? 0n;
      return [nodeId, r.operators[i % 3].address, before + share];
    });
    let total = leaves.reduce((a, l) => a + l[2], 0n);
    if (variant === "overPosted") {
      leaves[0][2] += posted - total + 1n;
      total = posted + 1n;
    }
    const tree = payoutTree(leaves);
    const msg: RootMessage = { networkId: net, root: tree.root, throughEpoch: through, total, dataHash: keccak256(toUtf8Bytes(label)) };
    const signers: Signer[] = variant === "unsigned" ? [r.verifiers[0], r.netAdmin] : r.verifiers.slice(1, 3);
    const expected =
      through >= cursor
        ? "RevenueLedgerNotFinalized"
        : prev !== null && through <= prev.through
          ? "RevenueLedgerThroughEpochNotRising"
          : total > posted
            ? "RevenueLedgerPayoutExceedsPosted"
            : variant === "unsigned"
              ? "RevenueLedgerNotVerifier"
              : "ok";
    const sigs = await signRoot(r.ledger, signers, msg);
    const grow = total - prevTotal;
    const entries: Entry[] = grow > 0n ? [[revenueOf(net), payableOf(net), grow, through, tree.root]] : [];
    // Anyone relays a signed root, even while paused.
    await exec(m, r, label, expected, net, entries, () => r.ledger.connect(r.operators[1]).postPayoutRoot(msg, sigs));
    if (expected === "ok") {
      trees.set(tree.root, tree);
      m.roots[`${net}`] = { root: tree.root, through, total, leaves };
    }
  },

  async claim(m: Model, r: Real, net: bigint, node: number, wrongSender: boolean, label: string) {
    const root = m.roots[`${net}`];
    const nodeId = NODES[node];
    const operator = r.operators[node % 3];
    if (root === null) {
      await exec(m, r, label, "RevenueLedgerNoPayoutRoot", net, [], () => r.ledger.connect(operator).claim(net, nodeId, 1n, [], operator.address));
      return;
    }
    const cumulative = root.leaves.find((l) => l[0] === nodeId)![2];
    const already = m.claimed.get(`${net}:${nodeId}`) ?? 0n;
    const signer = wrongSender ? r.operators[(node + 1) % 3] : operator;
    const amount = cumulative - already;
    const expected = wrongSender
      ? "RevenueLedgerInvalidProof"
      : cumulative <= already
        ? "RevenueLedgerNothingToClaim"
        : amount > bal(m, payableOf(net))
          ? "RevenueLedgerPayableShortfall"
          : "ok";
    const proof = proofOf(trees.get(root.root)!, nodeId);
    await exec(m, r, label, expected, net, [[payableOf(net), r.assets, amount, root.through, nodeId]], () =>
      r.ledger.connect(signer).claim(net, nodeId, cumulative, proof, signer.address),
    );
    if (expected === "ok") m.claimed.set(`${net}:${nodeId}`, cumulative);
  },

  async commit(m: Model, r: Real, net: bigint, label: string) {
    const expected = m.paused[`${net}`] ? "WorkLedgerNetworkPaused" : "ok";
    const { epoch, summary, signatures } = await prepareNextEpoch(r.wl, net, r.verifiers);
    await exec(m, r, label, expected, net, [], () => r.wl.commitEpoch(net, epoch, summary, signatures));
    if (expected === "ok") {
      m.epochs[`${net}`].push(Status.Pending);
      m.challenges[`${net}`].push({ count: 0, challenger: -1, expired: false });
    }
  },

  async finalize(m: Model) {
    await jump(m, INVARIANT_WINDOW + 1n);
    stats.successes++;
  },

  async challenge(m: Model, r: Real, net: bigint, pick: number, c: number, label: string) {
    const list = m.epochs[`${net}`];
    // Mostly a Pending epoch (the ones a challenge can freeze), sometimes any epoch.
    const pending = list.flatMap((st, i) => (st === Status.Pending ? [i] : []));
    const epoch = pending.length > 0 && pick % 4 !== 0 ? BigInt(pending[pick % pending.length]) : list.length === 0 ? 0n : BigInt(pick % list.length);
    const status = statusOf(m, net, epoch);
    const ch = m.challenges[`${net}`][Number(epoch)];
    const cust = r.customers[c];
    const bond = ch === undefined ? 0n : BOND << BigInt(ch.count);
    const expected =
      status === Status.None
        ? "WorkLedgerUnknownEpoch"
        : status !== Status.Pending
          ? "WorkLedgerInvalidEpochStatus"
          : ch.count >= 3
            ? "WorkLedgerTooManyChallenges"
            : c === 2
              ? "ERC20InsufficientAllowance"
              : "ok";
    // The bond comes from the customer's wallet (never its escrow) into bond:<net>:<customer>.
    await exec(m, r, label, expected, net, [[r.assets, bondOf(net, cust.address), bond, epoch, ZeroHash]], () =>
      r.wl.connect(cust).challengeEpoch(net, epoch, ZeroHash),
    );
    if (expected === "ok") {
      list[Number(epoch)] = Status.Challenged;
      Object.assign(ch, { count: ch.count + 1, challenger: c, expired: false });
    }
  },

  async resolve(m: Model, r: Real, net: bigint, pick: number, upheld: boolean, label: string) {
    const { list, epoch, pre, ch, bond, who } = pickChallenged(m, r, net, pick);
    const expected = pre ?? (ch.expired ? "WorkLedgerChallengeDeadlinePassed" : "ok");
    // Upheld: the bond goes back (bond -> assets); rejected: to the network's revenue of that epoch.
    const entry: Entry = upheld ? [bondOf(net, who), r.assets, bond, epoch, ZeroHash] : [bondOf(net, who), revenueOf(net), bond, epoch, ZeroHash];
    await exec(m, r, label, expected, net, [entry], () => r.wl.connect(r.arbiter).resolveChallenge(net, epoch, upheld));
    if (expected === "ok") {
      list[Number(epoch)] = upheld ? Status.Voided : Status.Pending;
      if (!upheld) m.netPosted[`${net}`] += bond;
    }
  },

  async expire(m: Model, r: Real, net: bigint, pick: number, label: string) {
    const { list, epoch, pre, ch, bond, who } = pickChallenged(m, r, net, pick);
    const expected = pre ?? (!ch.expired ? "WorkLedgerChallengeNotExpired" : "ok");
    await exec(m, r, label, expected, net, [[bondOf(net, who), r.assets, bond, epoch, ZeroHash]], () =>
      r.wl.connect(r.operators[2]).expireChallenge(net, epoch),
    );
    if (expected === "ok") list[Number(epoch)] = Status.Voided;
  },

  async setRunwayThreshold(m: Model, r: Real, c: number, net: bigint, threshold: bigint, label: string) {
    await exec(m, r, label, "ok", net, [], () => r.ledger.connect(r.customers[c]).setRunwayThreshold(net, threshold));
    m.thresholds.set(`${net}:${c}`, threshold);
  },

  async pause(m: Model, r: Real, net: bigint, label: string) {
    const next = !m.paused[`${net}`];
    await exec(m, r, label, "ok", net, [], () => r.wl.connect(r.netAdmin).setPaused(net, next));
    m.paused[`${net}`] = next;
  },

  async setFee(m: Model, r: Real, bps: number, label: string) {
    const expected = BigInt(bps) > MAX_FEE_BPS ? "RevenueLedgerInvalidFeeBps" : "ok";
    await exec(m, r, label, expected, 0n, [], () => r.ledger.connect(r.admin).setProtocolFee(bps));
    if (expected === "ok") m.feeBps = BigInt(bps);
  },

  async withdrawFees(m: Model, r: Real, net: bigint, label: string) {
    const fee = bal(m, feeOf(net));
    const expected = fee === 0n ? "RevenueLedgerZeroAmount" : "ok";
    await exec(m, r, label, expected, net, [[feeOf(net), r.assets, fee, NO_EPOCH, ZeroHash]], () =>
      r.ledger.connect(r.admin).withdrawFees(net, r.admin.address),
    );
  },
};

/*//////////////////////////////////////////////////////////////
                          COMMANDS (fast-check)
//////////////////////////////////////////////////////////////*/

/** A step of this model: its action, then every invariant. */
const step = (label: string, action: (m: Model, r: Real, label: string) => Promise<void>) => new ModelStep(label, action, checkInvariants, stats);

const cust = fc.nat({ max: 2 });
const net = fc.constantFrom(...NETS);
const pick = fc.nat({ max: 50 });
const frac = fc.integer({ min: 1, max: 1000 });
const mode = fc.oneof(
  { arbitrary: fc.constant<Mode>("part"), weight: 6 },
  { arbitrary: fc.constant<Mode>("all"), weight: 2 },
  { arbitrary: fc.constant<Mode>("over"), weight: 1 },
  { arbitrary: fc.constant<Mode>("zero"), weight: 1 },
);
const amount = fc.oneof({ arbitrary: fc.bigInt(1n, 5_000n * USD), weight: 9 }, { arbitrary: fc.constant(0n), weight: 1 });
const rarely = fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 });
const cap = fc.constantFrom(0n, 2n * USD, 5n * USD, 8n * USD);
const variant = fc.oneof(
  { arbitrary: fc.constant<Variant>("honest"), weight: 8 },
  { arbitrary: fc.constant<Variant>("overCap"), weight: 1 },
  { arbitrary: fc.constant<Variant>("unsigned"), weight: 1 },
  { arbitrary: fc.constant<Variant>("pastCursor"), weight: 1 },
  { arbitrary: fc.constant<Variant>("overlap"), weight: 1 },
  { arbitrary: fc.constant<Variant>("spanning"), weight: 1 },
);
const rootVariant = fc.oneof(
  { arbitrary: fc.constant<RootVariant>("honest"), weight: 6 },
  { arbitrary: fc.constant<RootVariant>("overPosted"), weight: 1 },
  { arbitrary: fc.constant<RootVariant>("backwards"), weight: 1 },
  { arbitrary: fc.constant<RootVariant>("unsigned"), weight: 1 },
  { arbitrary: fc.constant<RootVariant>("pastCursor"), weight: 1 },
);

/** The step arbitraries, weighted towards the money paths. */
export const steps: fc.Arbitrary<fc.AsyncCommand<Model, Real>>[] = [
  fc.tuple(cust, net, amount).map(([c, n, a]) => step(`deposit(c${c}, net${n}, ${a})`, (m, r, l) => act.deposit(m, r, c, n, a, l))),
  fc.tuple(net, amount).map(([n, a]) => step(`depositWithPermit(c2, net${n}, ${a})`, (m, r, l) => act.depositWithPermit(m, r, 2, n, a, l))),
  fc
    .tuple(cust, net, cap, fc.boolean(), rarely)
    .map(([c, n, k, sig, sh]) => step(`authorize(c${c}, net${n}, cap ${k}${sig ? ", signed" : ""}${sh ? ", short expiry" : ""})`, (m, r, l) => act.authorize(m, r, c, n, k, sig, sh, l))),
  fc.tuple(cust, net, mode, frac).map(([c, n, md, f]) => step(`requestWithdrawal(c${c}, net${n}, ${md} ${f}‰)`, (m, r, l) => act.requestWithdrawal(m, r, c, n, md, f, l))),
  fc.tuple(cust, net, fc.boolean()).map(([c, n, w]) => step(`withdraw(c${c}, net${n}${w ? ", after the thaw" : ""})`, (m, r, l) => act.withdraw(m, r, c, n, w, l))),
  net.map((n) => step(`commit(net${n})`, (m, r, l) => act.commit(m, r, n, l))),
  fc.constant(step("finalize", (m) => act.finalize(m))),
  net.map((n) => step(`advanceFinality(net${n})`, (m, r, l) => act.advance(m, r, n, l))),
  fc.tuple(net, pick, cust).map(([n, p, c]) => step(`challenge(net${n}, #${p}, by c${c})`, (m, r, l) => act.challenge(m, r, n, p, c, l))),
  fc.tuple(net, pick).map(([n, p]) => step(`expire(net${n}, #${p})`, (m, r, l) => act.expire(m, r, n, p, l))),
  fc.tuple(net, pick, fc.boolean()).map(([n, p, u]) => step(`resolve(net${n}, #${p}, ${u ? "upheld" : "rejected"})`, (m, r, l) => act.resolve(m, r, n, p, u, l))),
  fc
    .tuple(cust, net, fc.integer({ min: 1, max: 8 }), variant, rarely)
    .map(([c, n, len, v, o]) => step(`charge(c${c}, net${n}, ${len} epochs, ${v}${o ? ", outsider" : ""})`, (m, r, l) => act.charge(m, r, c, n, len, v, o, l))),
  fc.tuple(cust, net, fc.integer({ min: 1, max: 8 })).map(([c, n, len]) => step(`charge(c${c}, net${n}, ${len} epochs, honest)`, (m, r, l) => act.charge(m, r, c, n, len, "honest", false, l))),
  fc
    .tuple(pick, fc.nat({ max: 4 }), mode, frac, rarely)
    .map(([p, w, md, f, o]) => step(`refund(#${p}, where ${w}, ${md} ${f}‰${o ? ", outsider" : ""})`, (m, r, l) => act.refund(m, r, p, w, md, f, o, l))),
  fc
    .tuple(net, rootVariant, frac, fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 4, maxLength: 4 }))
    .map(([n, v, f, w]) => step(`payoutRoot(net${n}, ${v}, ${f}‰, weights ${w})`, (m, r, l) => act.payoutRoot(m, r, n, v, f, w, l))),
  fc.tuple(net, fc.nat({ max: 3 }), rarely).map(([n, i, w]) => step(`claim(net${n}, node ${i}${w ? ", wrong sender" : ""})`, (m, r, l) => act.claim(m, r, n, i, w, l))),
  fc.tuple(net, fc.nat({ max: 3 })).map(([n, i]) => step(`claim(net${n}, node ${i})`, (m, r, l) => act.claim(m, r, n, i, false, l))),
  fc.tuple(cust, net, fc.bigInt(0n, 20_000n * USD)).map(([c, n, t]) => step(`setRunwayThreshold(c${c}, net${n}, ${t})`, (m, r, l) => act.setRunwayThreshold(m, r, c, n, t, l))),
  net.map((n) => step(`pause/unpause(net${n})`, (m, r, l) => act.pause(m, r, n, l))),
  fc.integer({ min: 0, max: 1_200 }).map((b) => step(`setFee(${b})`, (m, r, l) => act.setFee(m, r, b, l))),
  net.map((n) => step(`withdrawFees(net${n})`, (m, r, l) => act.withdrawFees(m, r, n, l))),
];

/*//////////////////////////////////////////////////////////////
                                SEEDING
//////////////////////////////////////////////////////////////*/

let seeded: Model | undefined;

/**
 * The invariant fixture plus a seeded history, so that short sequences reach every path: customers 0 and 1
 * authorize both networks, customer 2 network 1 only (by a relayed signature) with a thin escrow; a 1% fee; customer 1 lowers its
 * cap on network 1 and customer 0 asks to withdraw part of its escrow there, both between commits (so
 * later epochs run under the lower cap and without the thawing money); customer 0's network-2
 * authorization gets a short expiry; epochs committed, Final and behind the cursor; a statement per
 * customer and network; a cumulative root on network 1. The model of that history is kept and cloned
 * at the start of each sequence.
 */
export async function seededInvariantFixture(): Promise<Real> {
  const fx = await invariantLedgerFixture();
  const r: Real = {
    ...fx,
    ledgerAddr: await fx.ledger.getAddress(),
    assets: accountId(Kind.Assets, 0n, await fx.token.getAddress()),
    genesis: [(await fx.wl.network(1n)).genesisTime, (await fx.wl.network(2n)).genesisTime],
    thaw: await fx.wl.thawSecondsOf(1n),
  };
  const m = newModel();
  for (const n of NETS) {
    await act.authorize(m, r, 0, n, 5n * USD, false, false, "seed authorize");
    await act.authorize(m, r, 1, n, 8n * USD, false, false, "seed authorize");
  }
  await act.authorize(m, r, 2, 1n, 5n * USD, true, false, "seed authorize (signed)"); // customer 2 never authorizes network 2
  for (const n of NETS) {
    for (const c of [0, 1]) await act.deposit(m, r, c, n, 10_000n * USD, "seed deposit");
    await act.depositWithPermit(m, r, 2, n, 12n * USD, "seed permit"); // a thin escrow: its statements can run dry
  }
  await act.setFee(m, r, 100, "seed fee");
  const commitUpTo = async (last: bigint) => {
    for (const n of NETS) while (BigInt(m.epochs[`${n}`].length) <= last) await act.commit(m, r, n, "seed commit");
  };
  const start = m.custs["1:1"].next;
  await commitUpTo(start + 4n);
  await act.authorize(m, r, 1, 1n, 2n * USD, false, false, "seed lower cap");
  await act.requestWithdrawal(m, r, 0, 1n, "part", 100, "seed withdrawal request");
  await act.authorize(m, r, 0, 2n, 5n * USD, false, true, "seed short expiry");
  await commitUpTo(start + 14n);
  await act.finalize(m);
  for (const n of NETS) await act.advance(m, r, n, "seed cursor");
  for (const n of NETS) for (const c of [0, 1, 2]) await act.charge(m, r, c, n, 3, "honest", false, "seed statement");
  await act.payoutRoot(m, r, 1n, "honest", 600, [3, 2, 1, 1], "seed payout root");
  await checkInvariants(m, r, "seed");
  seeded = structuredClone(m);
  return r;
}

/** A fresh copy of the seeded model (call after loadFixture(seededInvariantFixture)). */
export function seededModel(): Model {
  if (seeded === undefined) throw new Error("seededInvariantFixture has not run");
  return structuredClone(seeded);
}
