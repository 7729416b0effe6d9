/**
 * Model-based invariant testing of RevenueLedger on the real WorkLedger (fast-check commands).
 *
 * A TypeScript model keeps the expected books (balance per account id), the epochs' statuses, charges,
 * per-epoch revenue and payouts. Every command predicts its outcome from the model (success with the
 * exact entries it must post, or the name of the custom error it must revert with), runs the
 * transaction, and compares. Separately, "books" are rebuilt only from the EntryPosted events.
 * After every step: token.balanceOf(ledger) == Σ liability balances == the Assets balance;
 * Σ debits == Σ credits; no balance negative; every event-reported balance equals the running
 * balance; no payout leaf claimed twice; the model's own identities (Σ epoch revenue == Revenue,
 * Σ unclaimed payout == Payable, Σ held charges == Held); RunwayLow exactly when a charge leaves free
 * escrow below the customer's threshold.
 */
import fc from "fast-check";
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { ContractTransactionReceipt, ContractTransactionResponse, Interface, ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import { IWorkLedger__factory, MockStablecoin__factory, RevenueLedger__factory } from "../../../typechain-types";
import {
  BOND,
  BPS,
  INVARIANT_WINDOW,
  Kind,
  LedgerFixture,
  MAX_FEE_BPS,
  NO_EPOCH,
  PayoutLeaf,
  Status,
  USD,
  accountId,
  chargeIdOf,
  invariantLedgerFixture,
  nodeIdOf,
  payoutTree,
  prepareNextEpoch,
  proofOf,
  signPermit,
} from "../../helpers/revenueFixture";
import { ModelStep, RunStats } from "./runner";

/** The deployment a sequence runs against. */
export interface Real extends LedgerFixture {
  ledgerAddr: string;
  assets: string; // account id of the token's Assets account
}

interface ChargeM {
  id: string;
  net: bigint;
  cust: number;
  epoch: bigint;
  amount: bigint;
  fee: bigint; // fee at posting, from the snapshotted rate
  status: "Held" | "Posted" | "Voided";
  refunded: bigint;
}

interface PayoutM {
  net: bigint;
  epoch: bigint;
  root: string;
  leaves: PayoutLeaf[];
  remaining: bigint;
  claimed: number[]; // positions in `leaves`
}

/** The challenges of an epoch's version 1 (this model never corrects). */
interface EpochChallengeM {
  count: number; // challenges opened so far
  challenger: number; // customer index of the open challenge
  expired: boolean; // a time jump passed the open challenge's arbiter deadline
}

/** An expected entry: debit, credit, amount, epoch, ref (networkId is the command's). */
type Entry = [string, string, bigint, bigint, string];

/** The books as rebuilt from EntryPosted events alone. */
interface Books {
  balances: Map<string, bigint>;
  totalDebits: bigint;
  totalCredits: bigint;
  claimedLeaves: Set<string>;
  entries: number;
}

/** Everything a sequence knows; cloned from the seeded state at the start of each sequence. */
export interface Model {
  balances: Map<string, bigint>; // expected balance per account id
  epochs: Record<string, number[]>; // net -> Status per epoch
  challenges: Record<string, EpochChallengeM[]>; // net -> challenge state per epoch (latest version)
  paused: Record<string, boolean>;
  feeBps: bigint;
  thresholds: Map<string, bigint>; // `${net}:${customer index}` -> runway threshold
  charges: ChargeM[];
  epochRevenue: Map<string, bigint>; // `${net}:${epoch}`
  payouts: PayoutM[];
  books: Books;
  steps: number;
}

/** Total steps executed across all sequences of this process (for the report). */
export const stats: RunStats = { steps: 0, sequences: 0, successes: 0, reverts: 0 };

const NETS = [1n, 2n];
const REFS = ["r0", "r1", "r2"].map((r) => keccak256(toUtf8Bytes(r)));
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
  return {
    balances: new Map(),
    epochs: { "1": [], "2": [] },
    challenges: { "1": [], "2": [] },
    paused: { "1": false, "2": false },
    feeBps: 0n,
    thresholds: new Map(),
    charges: [],
    epochRevenue: new Map(),
    payouts: [],
    books: { balances: new Map(), totalDebits: 0n, totalCredits: 0n, claimedLeaves: new Set(), entries: 0 },
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

function revKey(net: bigint, epoch: bigint): string {
  return `${net}:${epoch}`;
}

const escrowOf = (net: bigint, who: string) => accountId(Kind.Escrow, net, who);
const heldOf = (net: bigint, who: string) => accountId(Kind.Held, net, who);
const revenueOf = (net: bigint) => accountId(Kind.Revenue, net);
const payableOf = (net: bigint) => accountId(Kind.Payable, net);
const feeOf = (net: bigint) => accountId(Kind.Fee, net);
const bondOf = (net: bigint, who: string) => accountId(Kind.Bond, net, who);

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
 * must be exactly `entries`, in order, and the model applies them) or a custom error name.
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
    if (ev.name === "PayoutClaimed") {
      const key = `${ev.args.networkId}:${ev.args.epoch}:${ev.args.index}`;
      expect(m.books.claimedLeaves.has(key), `${label}: payout leaf ${key} claimed twice`).to.equal(false);
      m.books.claimedLeaves.add(key);
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
  // The model's own identities.
  for (const net of NETS) {
    let rev = 0n;
    for (const [k, v] of m.epochRevenue) if (k.startsWith(`${net}:`)) rev += v;
    expect(bal(m, revenueOf(net)), `${label}: Σ epoch revenue == Revenue(${net})`).to.equal(rev);
    const unclaimed = m.payouts.filter((p) => p.net === net).reduce((a, p) => a + p.remaining, 0n);
    expect(bal(m, payableOf(net)), `${label}: Σ unclaimed == Payable(${net})`).to.equal(unclaimed);
    for (const [i, c] of r.customers.entries()) {
      const heldSum = m.charges.filter((x) => x.net === net && x.cust === i && x.status === "Held").reduce((a, x) => a + x.amount, 0n);
      expect(bal(m, heldOf(net, c.address)), `${label}: Σ held charges == Held`).to.equal(heldSum);
    }
  }
  for (const c of m.charges) expect(c.refunded <= c.amount - c.fee, `${label}: over-refunded ${c.id}`).to.equal(true);
}

/** At the end of a sequence: every model figure against the contract's views. */
export async function checkAgainstChain(m: Model, r: Real): Promise<void> {
  for (const [id, v] of m.balances) expect(await r.ledger.balanceOf(id), `balanceOf(${id})`).to.equal(v);
  for (const c of m.charges) {
    const onChain = await r.ledger.getCharge(c.id);
    expect([onChain.status, onChain.refunded]).to.deep.equal([{ Held: 1n, Posted: 2n, Voided: 3n }[c.status], c.refunded]);
  }
  for (const [k, v] of m.epochRevenue) {
    const [net, epoch] = k.split(":").map(BigInt);
    expect(await r.ledger.epochRevenue(net, epoch), `epochRevenue(${k})`).to.equal(v);
  }
  for (const p of m.payouts) {
    const onChain = await r.ledger.payout(p.net, p.epoch);
    expect(onChain.total - onChain.claimed).to.equal(p.remaining);
    for (const [i, leaf] of p.leaves.entries()) {
      expect(await r.ledger.isClaimed(p.net, p.epoch, leaf[0])).to.equal(p.claimed.includes(i));
    }
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

  async withdraw(m: Model, r: Real, c: number, net: bigint, mode: Mode, frac: number, label: string) {
    const cust = r.customers[c];
    const free = bal(m, escrowOf(net, cust.address));
    const amount = pickAmount(free, mode, frac);
    const expected = amount === 0n ? "RevenueLedgerZeroAmount" : amount > free ? "RevenueLedgerInsufficientFree" : "ok";
    await exec(m, r, label, expected, net, [[escrowOf(net, cust.address), r.assets, amount, NO_EPOCH, ZeroHash]], () =>
      r.ledger.connect(cust).withdraw(net, amount, cust.address),
    );
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
    await time.increase(INVARIANT_WINDOW + 1n);
    for (const net of NETS) {
      m.epochs[`${net}`] = m.epochs[`${net}`].map((s) => (s === Status.Pending ? Status.Final : s));
      // The jump (> the arbiter deadline) leaves every open challenge expired.
      for (const [i, st] of m.epochs[`${net}`].entries()) if (st === Status.Challenged) m.challenges[`${net}`][i].expired = true;
    }
    stats.successes++;
  },

  async challenge(m: Model, r: Real, net: bigint, pick: number, c: number, label: string) {
    const list = m.epochs[`${net}`];
    const epoch = list.length === 0 ? 0n : BigInt(pick % list.length);
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
      if (!upheld) m.epochRevenue.set(revKey(net, epoch), (m.epochRevenue.get(revKey(net, epoch)) ?? 0n) + bond);
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

  async charge(m: Model, r: Real, c: number, net: bigint, pick: number, mode: Mode, frac: number, refPick: number, outsider: boolean, label: string) {
    const cust = r.customers[c];
    const epoch = BigInt(pick % (m.epochs[`${net}`].length + 1));
    const ref = REFS[refPick % REFS.length];
    const free = bal(m, escrowOf(net, cust.address));
    const amount = pickAmount(free, mode, frac);
    const status = statusOf(m, net, epoch);
    const id = chargeIdOf(net, cust.address, epoch, ref);
    const expected = m.paused[`${net}`]
      ? "RevenueLedgerNetworkPaused"
      : outsider
        ? "RevenueLedgerUnauthorized"
        : amount === 0n
          ? "RevenueLedgerZeroAmount"
          : status === Status.None || status === Status.Voided
            ? "RevenueLedgerEpochNotChargeable"
            : m.charges.some((x) => x.id === id)
              ? "RevenueLedgerChargeExists"
              : amount > free
                ? "RevenueLedgerInsufficientFree"
                : "ok";
    const caller = outsider ? r.operators[0] : r.netAdmin;
    const rc = await exec(m, r, label, expected, net, [[escrowOf(net, cust.address), heldOf(net, cust.address), amount, epoch, id]], () =>
      r.ledger.connect(caller).charge(net, cust.address, epoch, amount, ref),
    );
    if (expected === "ok") {
      // RunwayLow fires exactly when the charge leaves free escrow below the customer's threshold.
      const threshold = m.thresholds.get(`${net}:${c}`) ?? 0n;
      const lows = rc!.logs
        .filter((l) => l.address === r.ledgerAddr)
        .map((l) => r.ledger.interface.parseLog(l))
        .filter((e) => e?.name === "RunwayLow")
        .map((e) => [e!.args.networkId, e!.args.customer, e!.args.freeBalance, e!.args.threshold]);
      const expectedLows = free - amount < threshold ? [[net, cust.address, free - amount, threshold]] : [];
      expect(lows, `${label}: RunwayLow`).to.deep.equal(expectedLows);
      const fee = (amount * m.feeBps) / BPS;
      m.charges.push({ id, net, cust: c, epoch, amount, fee, status: "Held", refunded: 0n });
    }
  },

  async postCharge(m: Model, r: Real, pick: number, label: string) {
    const ch = m.charges[pick % Math.max(1, m.charges.length)];
    if (ch === undefined) {
      await exec(m, r, label, "RevenueLedgerUnknownCharge", 0n, [], () => r.ledger.postCharge(REFS[0]));
      return;
    }
    const status = statusOf(m, ch.net, ch.epoch);
    const expected =
      ch.status !== "Held" ? "RevenueLedgerInvalidChargeStatus" : status !== Status.Final ? "RevenueLedgerEpochNotFinal" : "ok";
    const cust = r.customers[ch.cust].address;
    const entries: Entry[] = [[heldOf(ch.net, cust), revenueOf(ch.net), ch.amount - ch.fee, ch.epoch, ch.id]];
    if (ch.fee > 0n) entries.push([heldOf(ch.net, cust), feeOf(ch.net), ch.fee, ch.epoch, ch.id]);
    await exec(m, r, label, expected, ch.net, entries, () => r.ledger.connect(r.operators[1]).postCharge(ch.id));
    if (expected === "ok") {
      ch.status = "Posted";
      const k = revKey(ch.net, ch.epoch);
      m.epochRevenue.set(k, (m.epochRevenue.get(k) ?? 0n) + ch.amount - ch.fee);
    }
  },

  async voidCharge(m: Model, r: Real, pick: number, label: string) {
    const ch = m.charges[pick % Math.max(1, m.charges.length)];
    if (ch === undefined) {
      await exec(m, r, label, "RevenueLedgerUnknownCharge", 0n, [], () => r.ledger.voidCharge(REFS[1]));
      return;
    }
    const status = statusOf(m, ch.net, ch.epoch);
    const expected =
      ch.status !== "Held" ? "RevenueLedgerInvalidChargeStatus" : status !== Status.Voided ? "RevenueLedgerEpochNotVoided" : "ok";
    const cust = r.customers[ch.cust].address;
    await exec(m, r, label, expected, ch.net, [[heldOf(ch.net, cust), escrowOf(ch.net, cust), ch.amount, ch.epoch, ch.id]], () =>
      r.ledger.voidCharge(ch.id),
    );
    if (expected === "ok") ch.status = "Voided";
  },

  async refund(m: Model, r: Real, pick: number, mode: Mode, frac: number, outsider: boolean, label: string) {
    const ch = m.charges[pick % Math.max(1, m.charges.length)];
    if (ch === undefined) {
      await exec(m, r, label, "RevenueLedgerUnknownCharge", 0n, [], () => r.ledger.connect(r.netAdmin).refund(REFS[2], 1n, ZeroHash));
      return;
    }
    const refundable = ch.amount - ch.fee - ch.refunded;
    const amount = pickAmount(refundable, mode, frac);
    const available = m.epochRevenue.get(revKey(ch.net, ch.epoch)) ?? 0n;
    const expected =
      ch.status !== "Posted"
        ? "RevenueLedgerInvalidChargeStatus"
        : outsider
            ? "RevenueLedgerUnauthorized"
            : amount === 0n
              ? "RevenueLedgerZeroAmount"
              : amount > refundable
                ? "RevenueLedgerRefundExceedsCharge"
                : amount > available
                  ? "RevenueLedgerInsufficientRevenue"
                  : "ok";
    const cust = r.customers[ch.cust].address;
    const caller = outsider ? r.operators[2] : r.netAdmin;
    await exec(m, r, label, expected, ch.net, [[revenueOf(ch.net), escrowOf(ch.net, cust), amount, ch.epoch, ch.id]], () =>
      r.ledger.connect(caller).refund(ch.id, amount, keccak256(toUtf8Bytes(label))),
    );
    if (expected === "ok") {
      ch.refunded += amount;
      m.epochRevenue.set(revKey(ch.net, ch.epoch), available - amount);
    }
  },

  async payoutRoot(
    m: Model,
    r: Real,
    net: bigint,
    pick: number,
    mode: Mode,
    frac: number,
    weights: number[],
    spread: boolean,
    underDeclare: boolean,
    outsider: boolean,
    label: string,
  ) {
    const epoch = BigInt(pick % (m.epochs[`${net}`].length + 1));
    const available = m.epochRevenue.get(revKey(net, epoch)) ?? 0n;
    const sum = pickAmount(available, mode, frac);
    const wsum = BigInt(weights.reduce((a, w) => a + w, 0));
    const leaves: PayoutLeaf[] = [];
    let left = sum;
    for (const [i, w] of weights.entries()) {
      const amount = i === weights.length - 1 ? left : (sum * BigInt(w)) / wsum;
      left -= amount;
      const index = BigInt(spread ? i * 300 : i);
      leaves.push([index, nodeIdOf(`node-${net}-${epoch}-${i}`), r.operators[(i + pick) % r.operators.length].address, amount]);
    }
    const declared = underDeclare && sum > 1n ? sum - 1n : sum;
    const tree = payoutTree(leaves);
    const status = statusOf(m, net, epoch);
    const expected = outsider
      ? "RevenueLedgerUnauthorized"
      : declared === 0n
          ? "RevenueLedgerZeroAmount"
          : status !== Status.Final
            ? "RevenueLedgerEpochNotFinal"
            : m.payouts.some((p) => p.net === net && p.epoch === epoch)
              ? "RevenueLedgerPayoutExists"
              : declared > available
                ? "RevenueLedgerInsufficientRevenue"
                : "ok";
    const caller = outsider ? r.customers[0] : r.netAdmin;
    await exec(m, r, label, expected, net, [[revenueOf(net), payableOf(net), declared, epoch, tree.root]], () =>
      r.ledger.connect(caller).postPayoutRoot(net, epoch, tree.root, declared, leaves.length),
    );
    if (expected === "ok") {
      trees.set(tree.root, tree);
      m.payouts.push({ net, epoch, root: tree.root, leaves, remaining: declared, claimed: [] });
      m.epochRevenue.set(revKey(net, epoch), available - declared);
    }
  },

  async claim(m: Model, r: Real, pick: number, leafPick: number, wrongSender: boolean, label: string) {
    const p = m.payouts[pick % Math.max(1, m.payouts.length)];
    if (p === undefined) {
      const op = r.operators[0];
      await exec(m, r, label, "RevenueLedgerUnknownPayout", 1n, [], () => r.ledger.connect(op).claim(1n, 999n, 0n, ZeroHash, 1n, [], op.address));
      return;
    }
    const li = leafPick % p.leaves.length;
    const [index, nodeId, operator, amount] = p.leaves[li];
    const signer = wrongSender
      ? r.operators.find((o) => o.address !== operator)!
      : r.operators.find((o) => o.address === operator)!;
    const expected =
      amount === 0n
        ? "RevenueLedgerZeroAmount"
        : p.claimed.includes(li)
          ? "RevenueLedgerAlreadyClaimed"
          : wrongSender
            ? "RevenueLedgerInvalidProof"
            : amount > p.remaining
              ? "RevenueLedgerPayoutExceedsTotal"
              : "ok";
    const proof = proofOf(trees.get(p.root)!, index);
    await exec(m, r, label, expected, p.net, [[payableOf(p.net), r.assets, amount, p.epoch, nodeId]], () =>
      r.ledger.connect(signer).claim(p.net, p.epoch, index, nodeId, amount, proof, signer.address),
    );
    if (expected === "ok") {
      p.claimed.push(li);
      p.remaining -= amount;
    }
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

/** The step arbitraries, weighted towards the money paths. */
export const steps: fc.Arbitrary<fc.AsyncCommand<Model, Real>>[] = [
  fc.tuple(cust, net, amount).map(([c, n, a]) => step(`deposit(c${c}, net${n}, ${a})`, (m, r, l) => act.deposit(m, r, c, n, a, l))),
  fc.tuple(net, amount).map(([n, a]) => step(`depositWithPermit(c2, net${n}, ${a})`, (m, r, l) => act.depositWithPermit(m, r, 2, n, a, l))),
  fc.tuple(cust, net, mode, frac).map(([c, n, md, f]) => step(`withdraw(c${c}, net${n}, ${md} ${f}‰)`, (m, r, l) => act.withdraw(m, r, c, n, md, f, l))),
  net.map((n) => step(`commit(net${n})`, (m, r, l) => act.commit(m, r, n, l))),
  fc.constant(step("finalize", (m) => act.finalize(m))),
  fc.tuple(net, pick, cust).map(([n, p, c]) => step(`challenge(net${n}, #${p}, by c${c})`, (m, r, l) => act.challenge(m, r, n, p, c, l))),
  fc.tuple(net, pick).map(([n, p]) => step(`expire(net${n}, #${p})`, (m, r, l) => act.expire(m, r, n, p, l))),
  fc.tuple(net, pick, fc.boolean()).map(([n, p, u]) => step(`resolve(net${n}, #${p}, ${u ? "upheld" : "rejected"})`, (m, r, l) => act.resolve(m, r, n, p, u, l))),
  fc
    .tuple(cust, net, pick, mode, frac, fc.nat({ max: 2 }), rarely)
    .map(([c, n, p, md, f, ref, o]) => step(`charge(c${c}, net${n}, epoch#${p}, ${md} ${f}‰, r${ref}${o ? ", outsider" : ""})`, (m, r, l) => act.charge(m, r, c, n, p, md, f, ref, o, l))),
  fc.tuple(cust, net, pick, mode, frac, fc.nat({ max: 2 })).map(([c, n, p, md, f, ref]) => step(`charge(c${c}, net${n}, epoch#${p}, ${md} ${f}‰, r${ref})`, (m, r, l) => act.charge(m, r, c, n, p, md, f, ref, false, l))),
  pick.map((p) => step(`postCharge(#${p})`, (m, r, l) => act.postCharge(m, r, p, l))),
  pick.map((p) => step(`postCharge(#${p})`, (m, r, l) => act.postCharge(m, r, p, l))),
  pick.map((p) => step(`voidCharge(#${p})`, (m, r, l) => act.voidCharge(m, r, p, l))),
  fc.tuple(pick, mode, frac, rarely).map(([p, md, f, o]) => step(`refund(#${p}, ${md} ${f}‰${o ? ", outsider" : ""})`, (m, r, l) => act.refund(m, r, p, md, f, o, l))),
  fc
    .tuple(net, pick, mode, frac, fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 4 }), fc.boolean(), rarely, rarely)
    .map(
      ([n, p, md, f, w, s, u, o]) =>
        step(`payoutRoot(net${n}, epoch#${p}, ${md} ${f}‰, weights ${w}${s ? ", spread" : ""}${u ? ", under-declared" : ""}${o ? ", outsider" : ""})`, (m, r, l) =>
          act.payoutRoot(m, r, n, p, md, f, w, s, u, o, l),
        ),
    ),
  fc.tuple(pick, fc.nat({ max: 3 }), rarely).map(([p, li, w]) => step(`claim(#${p}, leaf ${li}${w ? ", wrong sender" : ""})`, (m, r, l) => act.claim(m, r, p, li, w, l))),
  fc.tuple(pick, fc.nat({ max: 3 })).map(([p, li]) => step(`claim(#${p}, leaf ${li})`, (m, r, l) => act.claim(m, r, p, li, false, l))),
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
 * The invariant fixture plus a seeded history, so that short sequences reach every path: deposits by
 * all customers on both networks, a 1% fee, epochs 0..2 committed and Final with held and posted
 * charges, epoch 3 Pending, and a payout root on network 1 epoch 0. The model of that history is kept
 * and cloned at the start of each sequence.
 */
export async function seededInvariantFixture(): Promise<Real> {
  const fx = await invariantLedgerFixture();
  const r: Real = {
    ...fx,
    ledgerAddr: await fx.ledger.getAddress(),
    assets: accountId(Kind.Assets, 0n, await fx.token.getAddress()),
  };
  const m = newModel();
  for (const n of NETS) {
    for (const c of [0, 1]) await act.deposit(m, r, c, n, 10_000n * USD, "seed deposit");
    await act.depositWithPermit(m, r, 2, n, 5_000n * USD, "seed permit");
  }
  await act.setFee(m, r, 100, "seed fee");
  for (const n of NETS) for (let e = 0; e < 3; e++) await act.commit(m, r, n, "seed commit");
  for (const n of NETS) {
    for (const c of [0, 1, 2]) {
      for (const e of [0, 1, 2]) await act.charge(m, r, c, n, e, "part", 50 + 100 * c + 10 * e, 0, false, "seed charge");
    }
  }
  await act.finalize(m);
  for (const n of NETS) await act.commit(m, r, n, "seed commit");
  for (let i = 0; i < m.charges.length; i++) if (m.charges[i].epoch === 0n) await act.postCharge(m, r, i, "seed post");
  await act.payoutRoot(m, r, 1n, 0, "part", 800, [3, 2, 1], false, false, false, "seed payout");
  await checkInvariants(m, r, "seed");
  seeded = structuredClone(m);
  return r;
}

/** A fresh copy of the seeded model (call after loadFixture(seededInvariantFixture)). */
export function seededModel(): Model {
  if (seeded === undefined) throw new Error("seededInvariantFixture has not run");
  return structuredClone(seeded);
}

