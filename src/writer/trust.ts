/**
 * A network's trust parameters (#13): the arbiter, the challenge bond, the withdrawal thaw, the
 * arbiter's deadline and the longest billing statement. Their defaults (DESIGN rules 6 and 9), and
 * the views that read them back with the finality cursor and the recovery delay.
 */
import { ContractRunner, ZeroAddress, getAddress } from "ethers";

import { InvalidInputError } from "../errors";
import { Deployment } from "./deployment";
import { assertNetwork } from "./network";
import { WORKLEDGER_LIMITS } from "./refusal";

type Ledger = Pick<Deployment, "workLedger">;

/** The trust fields of IWorkLedger.NetworkParams. */
export interface TrustParams {
  arbiter: string;
  /** First challenge bond of a version, token's smallest unit. */
  bond: bigint;
  thawSeconds: bigint;
  arbiterDeadline: bigint;
  maxStatementEpochs: number;
}

/** Default arbiter deadline: the smallest allowed, one day (rule 6). */
export const DEFAULT_ARBITER_DEADLINE = WORKLEDGER_LIMITS.MIN_ARBITER_DEADLINE;
/** Default longest billing statement: 720 epochs (rule 6). */
export const DEFAULT_MAX_STATEMENT_EPOCHS = 720;
/** Default bond: the smallest allowed (rule 9). */
export const DEFAULT_BOND = WORKLEDGER_LIMITS.MIN_BOND;

/** The smallest thaw rule 6 allows: challengeWindow + arbiterDeadline + maxStatementEpochs × epochSeconds. */
export function minThawSeconds(challengeWindow: bigint, arbiterDeadline: bigint, maxStatementEpochs: number, epochSeconds: bigint): bigint {
  return challengeWindow + arbiterDeadline + BigInt(maxStatementEpochs) * epochSeconds;
}

/** What {@link resolveTrustParams} needs; every trust field optional. */
export interface TrustParamsInput {
  admin: string;
  /** Who sends the createNetwork transaction. */
  sender: string;
  verifiers: readonly string[];
  challengeWindow: bigint;
  epochSeconds: bigint;
  arbiter?: string;
  bond?: bigint;
  thawSeconds?: bigint;
  arbiterDeadline?: bigint;
  maxStatementEpochs?: number;
}

/**
 * Fills in the defaults of DESIGN rules 6 and 9: the arbiter is the first verifier that is neither
 * the sender nor the admin (with a warning), the bond and the thaw the smallest allowed, the arbiter
 * deadline one day, statements up to 720 epochs. Refuses an arbiter equal to the admin and a thaw
 * below the minimum (the contract would revert; this says why before anything is sent).
 */
export function resolveTrustParams(p: TrustParamsInput): { trust: TrustParams; warnings: string[] } {
  const warnings: string[] = [];
  const admin = getAddress(p.admin);
  let arbiter: string;
  if (p.arbiter !== undefined) {
    arbiter = getAddress(p.arbiter);
    if (arbiter === admin) throw new InvalidInputError(`--arbiter ${arbiter} is the network admin: the arbiter must be independent of the admin`);
    if (arbiter === ZeroAddress) throw new InvalidInputError("--arbiter must not be the zero address");
  } else {
    const sender = getAddress(p.sender);
    const pick = p.verifiers.map((v) => getAddress(v)).find((v) => v !== sender && v !== admin);
    if (!pick) throw new InvalidInputError("no --arbiter given and every verifier is the signer or the admin: pass --arbiter ADDR (an account independent of the admin)");
    arbiter = pick;
    warnings.push(`no --arbiter given: the arbiter is ${arbiter}, the first verifier that is not the signer; an independent arbiter (a Safe, a timelock, an insurer) is what customers should rely on (pass --arbiter ADDR)`);
  }
  const bond = p.bond ?? DEFAULT_BOND;
  if (bond < WORKLEDGER_LIMITS.MIN_BOND || bond > WORKLEDGER_LIMITS.MAX_BOND) {
    throw new InvalidInputError(`--bond must be from ${WORKLEDGER_LIMITS.MIN_BOND} to ${WORKLEDGER_LIMITS.MAX_BOND} in the token's smallest unit, got ${bond}`);
  }
  const arbiterDeadline = p.arbiterDeadline ?? DEFAULT_ARBITER_DEADLINE;
  if (arbiterDeadline < WORKLEDGER_LIMITS.MIN_ARBITER_DEADLINE || arbiterDeadline > WORKLEDGER_LIMITS.MAX_ARBITER_DEADLINE) {
    throw new InvalidInputError(`--arbiter-deadline must be from ${WORKLEDGER_LIMITS.MIN_ARBITER_DEADLINE} to ${WORKLEDGER_LIMITS.MAX_ARBITER_DEADLINE} seconds, got ${arbiterDeadline}`);
  }
  const maxStatementEpochs = p.maxStatementEpochs ?? DEFAULT_MAX_STATEMENT_EPOCHS;
  if (!Number.isInteger(maxStatementEpochs) || maxStatementEpochs < 1 || maxStatementEpochs > WORKLEDGER_LIMITS.MAX_STATEMENT_EPOCHS) {
    throw new InvalidInputError(`--max-statement-epochs must be from 1 to ${WORKLEDGER_LIMITS.MAX_STATEMENT_EPOCHS}, got ${maxStatementEpochs}`);
  }
  const minThaw = minThawSeconds(p.challengeWindow, arbiterDeadline, maxStatementEpochs, p.epochSeconds);
  const thawSeconds = p.thawSeconds ?? minThaw;
  if (thawSeconds < minThaw) {
    throw new InvalidInputError(
      `--thaw-seconds ${thawSeconds} is too short: at least ${minThaw} (challenge window ${p.challengeWindow} + arbiter deadline ${arbiterDeadline} + ${maxStatementEpochs} statement epochs × ${p.epochSeconds} s)`,
    );
  }
  return { trust: { arbiter, bond, thawSeconds, arbiterDeadline, maxStatementEpochs }, warnings };
}

/** A network's trust state as the chain has it now. */
export interface NetworkTrust {
  networkId: bigint;
  arbiter: string;
  /** The nominee of an arbiter handover (null if none). */
  pendingArbiter: string | null;
  bond: bigint;
  thawSeconds: bigint;
  arbiterDeadline: bigint;
  maxStatementEpochs: number;
  challengeWindow: bigint;
  /** Leading epochs whose latest version is Final, as last advanced. */
  finalizedCount: bigint;
  /** Seconds a recovery proposal waits: max(7 d, 2 × window, thaw + 1 d). */
  recoveryDelay: bigint;
  paused: boolean;
}

/** Reads the trust state of a network (InvalidInputError for an unknown network). */
export async function readTrust(runner: ContractRunner, deployment: Ledger, networkId: bigint): Promise<NetworkTrust> {
  const wl = await assertNetwork(runner, deployment, networkId);
  const [n, arbiter, pending, bond, thaw, deadline, maxEpochs, finalized, delay] = await Promise.all([
    wl.network(networkId),
    wl.arbiterOf(networkId),
    wl.pendingArbiterOf(networkId),
    wl.bondOf(networkId),
    wl.thawSecondsOf(networkId),
    wl.arbiterDeadlineOf(networkId),
    wl.maxStatementEpochsOf(networkId),
    wl.finalizedCount(networkId),
    wl.recoveryDelay(networkId),
  ]);
  return {
    networkId,
    arbiter: getAddress(arbiter),
    pendingArbiter: pending === ZeroAddress ? null : getAddress(pending),
    bond,
    thawSeconds: thaw,
    arbiterDeadline: deadline,
    maxStatementEpochs: Number(maxEpochs),
    challengeWindow: n.challengeWindow,
    finalizedCount: finalized,
    recoveryDelay: delay,
    paused: n.paused,
  };
}
