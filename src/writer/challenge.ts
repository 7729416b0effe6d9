/**
 * Challenge jobs (#13, DESIGN rule 4): anyone challenges a Pending version by posting a bond from its
 * own wallet (the RevenueLedger pulls `nextBond` with transferFrom, so the job approves it first when
 * the allowance is short); the arbiter upholds (Voided, bond returned) or rejects (bond to network
 * revenue, the rest of the window resumes) before its deadline; after the deadline anyone expires it
 * (Voided, bond returned). Each job returns what the receipt's events say.
 */
import { ContractRunner, Signer, ZeroAddress, getAddress } from "ethers";

import { IERC20Metadata__factory, IWorkLedger__factory } from "../contracts";
import { InvalidInputError } from "../errors";
import { Deployment } from "./deployment";
import { revenueLedgerInterface as rlInterface, workLedgerCall as wlCall, workLedgerInterface as wlInterface } from "./calls";
import { assertNetwork, epochStatusName, EpochStatusName } from "./network";
import { isoDate, sendRefusable } from "./refusal";
import { formatTokenAmount, tokenInfo } from "./revenue";
import { SendOptions, TxOutcome, receiptEvents } from "./tx";

type Ledgers = Pick<Deployment, "workLedger" | "revenueLedger">;


/** The challenge state of an epoch's latest version. */
export interface ChallengeInfo {
  networkId: bigint;
  epoch: bigint;
  version: number;
  status: EpochStatusName;
  /** Challenges opened against this version so far (at most 3). */
  challenges: number;
  /** The open challenge, if any. */
  open: { challenger: string; bond: bigint; deadline: bigint; deadlineIso: string } | null;
  /** The bond the next challenge of this version must post (0 when no more are allowed). */
  nextBond: bigint;
  /** When a Pending version turns Final (0 when not pending). */
  finalizesAt: bigint;
  arbiter: string;
}

/** Reads the challenge state of an epoch (InvalidInputError for an unknown network or an epoch never committed). */
export async function readChallenge(runner: ContractRunner, deployment: Pick<Deployment, "workLedger">, networkId: bigint, epoch: bigint): Promise<ChallengeInfo> {
  const wl = await assertNetwork(runner, deployment, networkId);
  const [status, version] = await wl.epochStatus(networkId, epoch);
  if (version === 0n) throw new InvalidInputError(`epoch ${epoch} of network ${networkId} was never committed`);
  const [latest, c, arbiter] = await Promise.all([wl.latestEpoch(networkId, epoch), wl.challengeOf(networkId, epoch), wl.arbiterOf(networkId)]);
  const challenges = Number(latest.challenges);
  const nextBond = challenges >= 3 ? 0n : await wl.nextBond(networkId, epoch);
  return {
    networkId,
    epoch,
    version: Number(version),
    status: epochStatusName(status),
    challenges,
    open: c.challenger === ZeroAddress ? null : { challenger: getAddress(c.challenger), bond: c.bond, deadline: c.deadline, deadlineIso: isoDate(c.deadline) },
    nextBond,
    finalizesAt: latest.finalizesAt,
    arbiter: getAddress(arbiter),
  };
}

/** What a challenge did (or, in a dry run, would do). */
export interface ChallengeResult {
  challenger: string;
  /** The bond posted (or to be posted), token's smallest unit. */
  bond: bigint;
  /** From EpochChallenged: the version challenged and the arbiter's deadline (null in a dry run). */
  version: number | null;
  deadline: bigint | null;
  /** The approval (if the allowance was short) and the challenge. */
  transactions: TxOutcome[];
  /** The challenge transaction itself (null when a dry run could only simulate the approval). */
  outcome: TxOutcome | null;
  /** False in a dry run whose approval is not mined: the challenge could not be simulated yet. */
  challengeSimulated: boolean;
}

/**
 * Challenges the latest version of a Pending epoch, posting `nextBond(networkId, epoch)` from the
 * signer's wallet: approves the RevenueLedger for the bond first if the allowance is short. Anyone
 * may challenge (a customer, an insurer). `reasonHash` is bytes32 (hash of the reason text).
 *
 * @example
 * const r = await challengeEpoch(customer, deployment, { networkId: 1n, epoch: 3n, reasonHash: reasonHash("node x over capacity") });
 * console.log(r.bond, new Date(Number(r.deadline) * 1000).toISOString());
 */
export async function challengeEpoch(signer: Signer, deployment: Ledgers, p: { networkId: bigint; epoch: bigint; reasonHash: string }, options: SendOptions = {}): Promise<ChallengeResult> {
  const info = await readChallenge(signer, deployment, p.networkId, p.epoch);
  if (info.status === "challenged") {
    throw new InvalidInputError(`epoch ${p.epoch} of network ${p.networkId} is already challenged (by ${info.open?.challenger}); the arbiter rules before ${info.open?.deadlineIso}`);
  }
  if (info.status !== "pending") throw new InvalidInputError(`epoch ${p.epoch} of network ${p.networkId} is ${info.status}: only a pending version can be challenged`);
  if (info.challenges >= 3) throw new InvalidInputError(`version ${info.version} of epoch ${p.epoch} of network ${p.networkId} was already challenged 3 times, the most allowed`);
  const challenger = getAddress(await signer.getAddress());
  const wl = IWorkLedger__factory.connect(deployment.workLedger, signer);
  const token = await tokenInfo(signer, (await wl.network(p.networkId)).token);
  const fmt = (v: bigint) => formatTokenAmount(v, token.decimals, token.symbol);
  const bond = info.nextBond;
  const erc20 = IERC20Metadata__factory.connect(token.address, signer);
  const balance = await erc20.balanceOf(challenger);
  if (balance < bond) throw new InvalidInputError(`the bond is ${fmt(bond)} but ${challenger} holds ${fmt(balance)}: a challenge bond comes from the challenger's wallet`);
  const transactions: TxOutcome[] = [];
  let challengeSimulated = true;
  if ((await erc20.allowance(challenger, deployment.revenueLedger)) < bond) {
    transactions.push(
      await sendRefusable(signer, { contract: token.symbol || "Token", to: token.address, iface: IERC20Metadata__factory.createInterface(), method: "approve", args: [deployment.revenueLedger, bond] }, options),
    );
    challengeSimulated = !options.dryRun;
  }
  let outcome: TxOutcome | null = null;
  if (challengeSimulated) {
    outcome = await sendRefusable(signer, wlCall(deployment, "challengeEpoch", [p.networkId, p.epoch, p.reasonHash]), options);
    transactions.push(outcome);
  }
  const [ev] = receiptEvents(outcome?.receipt, wlInterface(), deployment.workLedger, "EpochChallenged");
  return {
    challenger,
    bond: ev ? BigInt(ev.args.bond as bigint) : bond,
    version: ev ? Number(ev.args.version) : null,
    deadline: ev ? BigInt(ev.args.deadline as bigint) : null,
    transactions,
    outcome,
    challengeSimulated,
  };
}

/** What happened to a challenge's bond. */
export interface BondSettlement {
  challenger: string;
  amount: bigint;
  /** returned: back to the challenger (paid=false: the token refused, withdrawBond later); forfeited: to network revenue. */
  fate: "returned" | "forfeited";
  paid: boolean;
}

function bondFrom(outcome: TxOutcome | null, revenueLedger: string): BondSettlement | null {
  const iface = rlInterface();
  const [ret] = receiptEvents(outcome?.receipt, iface, revenueLedger, "BondReturned");
  if (ret) return { challenger: getAddress(String(ret.args.challenger)), amount: BigInt(ret.args.amount as bigint), fate: "returned", paid: Boolean(ret.args.paid) };
  const [lost] = receiptEvents(outcome?.receipt, iface, revenueLedger, "BondForfeited");
  if (lost) return { challenger: getAddress(String(lost.args.challenger)), amount: BigInt(lost.args.amount as bigint), fate: "forfeited", paid: true };
  return null;
}

/** What a ruling did. */
export interface RulingResult {
  outcome: TxOutcome;
  upheld: boolean;
  /** From ChallengeResolved (null in a dry run). */
  version: number | null;
  /** Rejected: when the version turns Final now that its window resumed (null otherwise). */
  finalizesAt: bigint | null;
  bond: BondSettlement | null;
}

/**
 * The arbiter rules on the open challenge of an epoch before its deadline: upheld voids the version
 * and returns the bond; rejected forfeits the bond to the network's revenue and resumes the window.
 */
export async function resolveChallenge(signer: Signer, deployment: Ledgers, p: { networkId: bigint; epoch: bigint; upheld: boolean }, options: SendOptions = {}): Promise<RulingResult> {
  const info = await readChallenge(signer, deployment, p.networkId, p.epoch);
  if (info.status !== "challenged") throw new InvalidInputError(`epoch ${p.epoch} of network ${p.networkId} is ${info.status}, not challenged: there is nothing to rule on`);
  const outcome = await sendRefusable(signer, wlCall(deployment, "resolveChallenge", [p.networkId, p.epoch, p.upheld]), options);
  const [ev] = receiptEvents(outcome.receipt, wlInterface(), deployment.workLedger, "ChallengeResolved");
  return {
    outcome,
    upheld: p.upheld,
    version: ev ? Number(ev.args.version) : null,
    finalizesAt: ev && !p.upheld ? BigInt(ev.args.finalizesAt as bigint) : null,
    bond: bondFrom(outcome, deployment.revenueLedger),
  };
}

/** What an expiry did. */
export interface ExpiryResult {
  outcome: TxOutcome;
  version: number | null;
  bond: BondSettlement | null;
}

/**
 * Expires a challenge the arbiter did not rule on by its deadline (anyone): the version is Voided
 * and the bond returned. Refused before the deadline, with the deadline as an ISO date.
 */
export async function expireChallenge(signer: Signer, deployment: Ledgers, p: { networkId: bigint; epoch: bigint }, options: SendOptions = {}): Promise<ExpiryResult> {
  const info = await readChallenge(signer, deployment, p.networkId, p.epoch);
  if (info.status !== "challenged" || !info.open) throw new InvalidInputError(`epoch ${p.epoch} of network ${p.networkId} is ${info.status}: there is no open challenge to expire`);
  const outcome = await sendRefusable(signer, wlCall(deployment, "expireChallenge", [p.networkId, p.epoch]), options);
  const [ev] = receiptEvents(outcome.receipt, wlInterface(), deployment.workLedger, "ChallengeExpired");
  return { outcome, version: ev ? Number(ev.args.version) : null, bond: bondFrom(outcome, deployment.revenueLedger) };
}
