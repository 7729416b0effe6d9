/**
 * Model-based invariant testing of the WorkLedger trust model (fast-check commands): commits,
 * corrections, challenges with bonds, rulings, expiries, signed rotations, window changes, time jumps
 * and advanceFinality on one network with 1-second epochs, the smallest window (one hour) and a
 * one-day arbiter deadline.
 *
 * Every command predicts its outcome from the model (success, or the name of the custom error), with
 * the block time fixed in advance, runs the transaction and compares. After every step, at the latest
 * block: every version's root and status equal the model's; a version once Final is still the latest,
 * Final, with the same root; verifyRecord is true exactly for the records of a latest version that is
 * Final; recordStatus agrees for the latest version; finalizedCount equals the model's; the books tie
 * (tokens held == Assets == Σ bond accounts + revenue, each equal to the model's).
 */
import fc from "fast-check";
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ContractTransactionReceipt, ContractTransactionResponse, TypedDataDomain, ZeroHash } from "ethers";
import { MockStablecoin, MockStablecoin__factory, RevenueLedger, RevenueLedger__factory, WorkLedger, WorkLedger__factory } from "../../../typechain-types";
import type { WorkRecord } from "../../../src/records/types";
import { domainOf, signRotation, signSorted } from "../../helpers/eip712";
import { buildEpoch, makeRecords, networkParams } from "../../helpers/workLedgerFixture";
import { Kind, accountId } from "../../helpers/revenueFixture";
import { sendExpecting } from "./revenueModel";
import { ModelStep, RunStats } from "./runner";

/** Network parameters of the invariant network. */
const WINDOW = 3_600n;
const DEADLINE = 86_400n;
const BOND = 1_000_000n;
/** thaw = the minimum for a window of up to 7,200 s (2 x WINDOW) with one-epoch statements of 1 s. */
const MAX_WINDOW = 2n * WINDOW;
const THAW = MAX_WINDOW + DEADLINE + 1n;
/** Verifier pool size and most epochs per sequence (beyond, a commit step jumps time instead). */
const POOL = 5;
const MAX_EPOCHS = 8;

type StoredStatus = "Pending" | "Challenged" | "Voided";
const STATUS = { None: 0n, Pending: 1n, Challenged: 2n, Final: 3n, Voided: 4n } as const;

interface VersionM {
  root: string;
  record: WorkRecord;
  proof: string[];
  status: StoredStatus;
  frozen?: StoredStatus; // set when superseded
  finalizesAt: bigint;
  remaining: bigint;
  deadline: bigint;
  challenges: number;
  challenger: number;
}

/** The deployment a sequence runs against. */
export interface TrustReal {
  wl: WorkLedger;
  rl: RevenueLedger;
  token: MockStablecoin;
  domain: TypedDataDomain;
  admin: HardhatEthersSigner;
  arbiter: HardhatEthersSigner;
  pool: HardhatEthersSigner[]; // verifier candidates; the current set is a subset
  challengers: HardhatEthersSigner[];
  anyone: HardhatEthersSigner;
  genesis: bigint;
  rlAddr: string;
  assets: string;
}

/** Everything a sequence knows. */
export interface TrustModel {
  epochs: VersionM[][]; // per epoch, its versions (index v-1)
  set: { members: number[]; k: number; id: bigint };
  window: bigint;
  finalized: bigint;
  bonds: bigint[]; // per challenger
  revenue: bigint;
  everFinal: Map<string, string>; // "e:v" -> root of a version observed Final
  steps: number;
}

/** Totals across all sequences of this process (for the report). */
export const trustStats: RunStats = { steps: 0, sequences: 0, successes: 0, reverts: 0 };

const NET = 1n;

function statusAt(v: VersionM, t: bigint): bigint {
  if (v.frozen !== undefined) return STATUS[v.frozen];
  if (v.status === "Pending" && t >= v.finalizesAt) return STATUS.Final;
  return STATUS[v.status];
}

function latest(m: TrustModel, e: number): VersionM | undefined {
  const list = m.epochs[e];
  return list === undefined ? undefined : list[list.length - 1];
}

/** Fixes the next block's time and returns it (the model predicts with it). */
async function nextTime(): Promise<bigint> {
  const t = BigInt(await time.latest()) + 1n;
  await time.setNextBlockTimestamp(t);
  return t;
}

/** A version's records: two records, unique per (epoch, version); the model keeps the first one's proof. */
function versionOf(e: number, v: number, t: bigint, window: bigint) {
  const built = buildEpoch(makeRecords(2, BigInt(e), `inv-${e}-${v}`));
  const record = built.records[0];
  const version: VersionM = {
    root: built.summary.root,
    record,
    proof: built.tree.getProof(0),
    status: "Pending",
    finalizesAt: t + window,
    remaining: 0n,
    deadline: 0n,
    challenges: 0,
    challenger: -1,
  };
  return { version, summary: built.summary };
}

/** Runs `send`, expecting success ("ok") or the named custom error. */
function exec(label: string, expected: string, send: () => Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt | null> {
  return sendExpecting(label, expected, send, trustStats);
}

/** `k` signers of the current set (or k - 1 when `short`), as signers. */
function setSigners(m: TrustModel, r: TrustReal, short: boolean): HardhatEthersSigner[] {
  const n = short ? m.set.k - 1 : m.set.k;
  return m.set.members.slice(0, n).map((i) => r.pool[i]);
}

/*//////////////////////////////////////////////////////////////
                                ACTIONS
//////////////////////////////////////////////////////////////*/

const act = {
  async commit(m: TrustModel, r: TrustReal, short: boolean, label: string) {
    if (m.epochs.length >= MAX_EPOCHS) return act.jump(m, 60n);
    const e = m.epochs.length;
    const t = await nextTime();
    const { version: v, summary } = versionOf(e, 1, t, m.window);
    const sigs = await signSorted(setSigners(m, r, short), r.domain, { networkId: NET, epoch: BigInt(e), version: 1n, summary });
    const expected = t < r.genesis + BigInt(e) + 1n ? "WorkLedgerEpochNotEnded" : short ? "WorkLedgerBelowThreshold" : "ok";
    await exec(label, expected, () => r.wl.connect(r.anyone).commitEpoch(NET, BigInt(e), summary, sigs));
    if (expected === "ok") m.epochs.push([v]);
  },

  async correct(m: TrustModel, r: TrustReal, pick: number, label: string) {
    const e = m.epochs.length === 0 ? 0 : pick % m.epochs.length;
    const cur = latest(m, e);
    const version = (m.epochs[e]?.length ?? 0) + 1;
    const t = await nextTime();
    const { version: v, summary } = versionOf(e, version, t, m.window);
    const sigs = await signSorted(setSigners(m, r, false), r.domain, { networkId: NET, epoch: BigInt(e), version: BigInt(version), summary });
    const status = cur === undefined ? STATUS.None : statusAt(cur, t);
    const expected =
      cur === undefined ? "WorkLedgerUnknownEpoch" : status === STATUS.Pending || status === STATUS.Voided ? "ok" : "WorkLedgerInvalidEpochStatus";
    await exec(label, expected, () => r.wl.connect(r.anyone).correctEpoch(NET, BigInt(e), summary, sigs, ZeroHash));
    if (expected === "ok") {
      cur!.frozen = status === STATUS.Pending ? "Pending" : "Voided";
      m.epochs[e].push(v);
    }
  },

  async challenge(m: TrustModel, r: TrustReal, pick: number, c: number, label: string) {
    const e = m.epochs.length === 0 ? 0 : pick % m.epochs.length;
    const cur = latest(m, e);
    const t = await nextTime();
    const status = cur === undefined ? STATUS.None : statusAt(cur, t);
    const expected =
      cur === undefined
        ? "WorkLedgerUnknownEpoch"
        : status !== STATUS.Pending
          ? "WorkLedgerInvalidEpochStatus"
          : cur.challenges >= 3
            ? "WorkLedgerTooManyChallenges"
            : "ok";
    await exec(label, expected, () => r.wl.connect(r.challengers[c]).challengeEpoch(NET, BigInt(e), ZeroHash));
    if (expected === "ok") {
      const bond = BOND << BigInt(cur!.challenges);
      Object.assign(cur!, {
        status: "Challenged",
        remaining: cur!.finalizesAt - t,
        deadline: t + DEADLINE,
        challenges: cur!.challenges + 1,
        challenger: c,
      });
      m.bonds[c] += bond;
    }
  },

  /** A Challenged epoch picked by `pick` (else any epoch), and the revert a ruling or expiry predicts before the deadline. */
  pickChallenged(m: TrustModel, pick: number, t: bigint) {
    const challenged = m.epochs.map((_, i) => i).filter((i) => latest(m, i)!.status === "Challenged");
    const e = challenged.length > 0 ? challenged[pick % challenged.length] : m.epochs.length === 0 ? 0 : pick % m.epochs.length;
    const cur = latest(m, e);
    const pre =
      cur === undefined ? "WorkLedgerUnknownEpoch" : statusAt(cur, t) !== STATUS.Challenged ? "WorkLedgerInvalidEpochStatus" : undefined;
    return { e, cur, pre };
  },

  async resolve(m: TrustModel, r: TrustReal, pick: number, upheld: boolean, label: string) {
    const t = await nextTime();
    const { e, cur, pre } = act.pickChallenged(m, pick, t);
    const expected = pre ?? (t >= cur!.deadline ? "WorkLedgerChallengeDeadlinePassed" : "ok");
    await exec(label, expected, () => r.wl.connect(r.arbiter).resolveChallenge(NET, BigInt(e), upheld));
    if (expected === "ok") {
      const bond = BOND << BigInt(cur!.challenges - 1);
      m.bonds[cur!.challenger] -= bond;
      if (upheld) {
        cur!.status = "Voided";
      } else {
        Object.assign(cur!, { status: "Pending", finalizesAt: t + cur!.remaining });
        m.revenue += bond;
      }
    }
  },

  async expire(m: TrustModel, r: TrustReal, pick: number, label: string) {
    const t = await nextTime();
    const { e, cur, pre } = act.pickChallenged(m, pick, t);
    const expected = pre ?? (t < cur!.deadline ? "WorkLedgerChallengeNotExpired" : "ok");
    await exec(label, expected, () => r.wl.connect(r.anyone).expireChallenge(NET, BigInt(e)));
    if (expected === "ok") {
      m.bonds[cur!.challenger] -= BOND << BigInt(cur!.challenges - 1);
      cur!.status = "Voided";
    }
  },

  async rotate(m: TrustModel, r: TrustReal, members: number[], k: number, short: boolean, label: string) {
    const threshold = Math.min(k, members.length);
    const addrs = members.map((i) => r.pool[i].address);
    const sigs = await signRotation(setSigners(m, r, short), r.domain, { networkId: NET, verifierSetId: m.set.id + 1n, verifiers: addrs, threshold });
    await nextTime();
    const expected = short ? "WorkLedgerBelowThreshold" : "ok";
    await exec(label, expected, () => r.wl.connect(r.anyone).rotateVerifiers(NET, addrs, threshold, sigs));
    if (expected === "ok") m.set = { members, k: threshold, id: m.set.id + 1n };
  },

  async setWindow(m: TrustModel, r: TrustReal, w: bigint, label: string) {
    await nextTime();
    const expected = w < WINDOW ? "WorkLedgerInvalidChallengeWindow" : w > MAX_WINDOW ? "WorkLedgerThawTooShort" : "ok";
    await exec(label, expected, () => r.wl.connect(r.admin).setChallengeWindow(NET, w));
    if (expected === "ok") m.window = w;
  },

  async advance(m: TrustModel, r: TrustReal, maxSteps: bigint, label: string) {
    const t = await nextTime();
    let count = m.finalized;
    while (count < BigInt(m.epochs.length) && count - m.finalized < maxSteps && statusAt(latest(m, Number(count))!, t) === STATUS.Final) count++;
    const receipt = await exec(label, "ok", () => r.wl.connect(r.anyone).advanceFinality(NET, maxSteps));
    const events = receipt!.logs.map((l) => r.wl.interface.parseLog(l)).filter((ev) => ev?.name === "FinalityAdvanced");
    const want = count === m.finalized ? [] : [[NET, m.finalized, count]];
    expect(events.map((ev) => [ev!.args.networkId, ev!.args.fromCount, ev!.args.toCount]), `${label}: FinalityAdvanced`).to.deep.equal(want);
    m.finalized = count;
  },

  async jump(m: TrustModel, seconds: bigint) {
    await time.increase(seconds);
    trustStats.successes++;
  },
};

/*//////////////////////////////////////////////////////////////
                              INVARIANTS
//////////////////////////////////////////////////////////////*/

/** Every invariant, at the latest block. */
export async function checkTrust(m: TrustModel, r: TrustReal, label: string): Promise<void> {
  const block = (await ethers.provider.getBlock("latest"))!;
  const t = BigInt(block.timestamp);
  const blockTag = block.number;
  const checks: Promise<void>[] = [];
  for (const [e, versions] of m.epochs.entries()) {
    for (const [i, v] of versions.entries()) {
      const version = BigInt(i + 1);
      const isLatest = i === versions.length - 1;
      const status = statusAt(v, t);
      if (isLatest && status === STATUS.Final) m.everFinal.set(`${e}:${version}`, v.root);
      checks.push(
        (async () => {
          const onChain = await r.wl.epochVersion(NET, e, version, { blockTag });
          expect([onChain.root, onChain.status], `${label}: epoch ${e} v${version}`).to.deep.equal([v.root, status]);
          const verified = await r.wl.verifyRecord(NET, e, v.record, v.proof, { blockTag });
          expect(verified, `${label}: verifyRecord epoch ${e} v${version}`).to.equal(isLatest && status === STATUS.Final);
          if (isLatest) {
            const rs = await r.wl.recordStatus(NET, e, v.record, v.proof, { blockTag });
            expect([rs[0], rs[1], rs[2]], `${label}: recordStatus epoch ${e}`).to.deep.equal([true, status, version]);
          }
        })(),
      );
    }
  }
  // A version once Final stays the latest version, Final, with the same root.
  for (const [key, root] of m.everFinal) {
    const [e, v] = key.split(":").map(Number);
    expect(m.epochs[e].length, `${label}: Final epoch ${e} v${v} was superseded`).to.equal(v);
    checks.push(
      (async () => {
        const onChain = await r.wl.latestEpoch(NET, e, { blockTag });
        expect([onChain.version, onChain.root, onChain.status], `${label}: Final epoch ${e}`).to.deep.equal([BigInt(v), root, STATUS.Final]);
      })(),
    );
  }
  checks.push(
    (async () => {
      expect(await r.wl.finalizedCount(NET, { blockTag }), `${label}: finalizedCount`).to.equal(m.finalized);
      const held = await r.token.balanceOf(r.rlAddr, { blockTag });
      const assets = await r.rl.balanceOf(r.assets, { blockTag });
      const bonds = await Promise.all(r.challengers.map((c) => r.rl.balanceOf(accountId(Kind.Bond, NET, c.address), { blockTag })));
      const revenue = await r.rl.balanceOf(accountId(Kind.Revenue, NET), { blockTag });
      expect(bonds, `${label}: bond accounts`).to.deep.equal(m.bonds);
      expect(revenue, `${label}: revenue`).to.equal(m.revenue);
      expect([held, assets], `${label}: tokens held == assets == Σ bonds + revenue`).to.deep.equal([
        m.bonds.reduce((a, b) => a + b, 0n) + m.revenue,
        held,
      ]);
    })(),
  );
  await Promise.all(checks);
}

/*//////////////////////////////////////////////////////////////
                          COMMANDS (fast-check)
//////////////////////////////////////////////////////////////*/

/** A step of this model: its action, then every invariant. */
const step = (label: string, action: (m: TrustModel, r: TrustReal, label: string) => Promise<void>) =>
  new ModelStep(label, action, checkTrust, trustStats);

const pick = fc.nat({ max: 50 });
const rarely = fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 });
const jumps = [1n, 30n, 1_799n, 3_599n, 3_600n, 7_200n, 86_399n, 86_400n, 90_000n];

/** The step arbitraries. */
export const trustSteps: fc.Arbitrary<fc.AsyncCommand<TrustModel, TrustReal>>[] = [
  rarely.map((s) => step(`commit${s ? " (k-1 signatures)" : ""}`, (m, r, l) => act.commit(m, r, s, l))),
  rarely.map((s) => step(`commit${s ? " (k-1 signatures)" : ""}`, (m, r, l) => act.commit(m, r, s, l))),
  pick.map((p) => step(`correct(#${p})`, (m, r, l) => act.correct(m, r, p, l))),
  fc.tuple(pick, fc.nat({ max: 1 })).map(([p, c]) => step(`challenge(#${p}, by c${c})`, (m, r, l) => act.challenge(m, r, p, c, l))),
  fc.tuple(pick, fc.nat({ max: 1 })).map(([p, c]) => step(`challenge(#${p}, by c${c})`, (m, r, l) => act.challenge(m, r, p, c, l))),
  fc.tuple(pick, fc.boolean()).map(([p, u]) => step(`resolve(#${p}, ${u ? "upheld" : "rejected"})`, (m, r, l) => act.resolve(m, r, p, u, l))),
  pick.map((p) => step(`expire(#${p})`, (m, r, l) => act.expire(m, r, p, l))),
  fc
    .tuple(fc.uniqueArray(fc.nat({ max: POOL - 1 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 4 }), rarely)
    .map(([mem, k, s]) => step(`rotate([${mem}], k=${k}${s ? ", k-1 signatures" : ""})`, (m, r, l) => act.rotate(m, r, mem, k, s, l))),
  fc.constantFrom(3_599n, 3_600n, 5_000n, 7_200n, 7_201n).map((w) => step(`setWindow(${w})`, (m, r, l) => act.setWindow(m, r, w, l))),
  fc.constantFrom(0n, 1n, 2n, 5n, 100n).map((n) => step(`advanceFinality(${n})`, (m, r, l) => act.advance(m, r, n, l))),
  fc.constantFrom(...jumps).map((d) => step(`jump(${d}s)`, (m) => act.jump(m, d))),
  fc.constantFrom(...jumps).map((d) => step(`jump(${d}s)`, (m) => act.jump(m, d))),
];

/*//////////////////////////////////////////////////////////////
                                SETUP
//////////////////////////////////////////////////////////////*/

/** The invariant deployment: WorkLedger + RevenueLedger (wired) + token, one network, two funded challengers. */
export async function trustInvariantFixture(): Promise<TrustReal> {
  const signers = await ethers.getSigners();
  const [deployer, admin, arbiter] = signers;
  const pool = signers.slice(3, 3 + POOL);
  const challengers = signers.slice(3 + POOL, 5 + POOL);
  const anyone = signers[5 + POOL];
  const wl = await new WorkLedger__factory(deployer).deploy();
  const rl = await new RevenueLedger__factory(deployer).deploy(await wl.getAddress(), deployer.address);
  await wl.setRevenueLedger(await rl.getAddress());
  const token = await new MockStablecoin__factory(deployer).deploy();
  const tokenAddr = await token.getAddress();
  const params = {
    ...networkParams(admin.address, pool.slice(0, 3).map((p) => p.address), 2, tokenAddr, arbiter.address),
    epochSeconds: 1n,
    challengeWindow: WINDOW,
    bond: BOND,
    arbiterDeadline: DEADLINE,
    maxStatementEpochs: 1,
    thawSeconds: THAW,
  };
  await wl.createNetwork(params);
  const rlAddr = await rl.getAddress();
  for (const c of challengers) {
    await token.mint(c.address, 10n ** 15n);
    await token.connect(c).approve(rlAddr, ethers.MaxUint256);
  }
  const { genesisTime } = await wl.network(NET);
  return { wl, rl, token, domain: await domainOf(wl), admin, arbiter, pool, challengers, anyone, genesis: genesisTime, rlAddr, assets: accountId(Kind.Assets, 0n, tokenAddr) };
}

/** The model of a fresh trustInvariantFixture. */
export function freshTrustModel(): TrustModel {
  return {
    epochs: [],
    set: { members: [0, 1, 2], k: 2, id: 1n },
    window: WINDOW,
    finalized: 0n,
    bonds: [0n, 0n],
    revenue: 0n,
    everFinal: new Map(),
    steps: 0,
  };
}
