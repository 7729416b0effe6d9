/**
 * Contract refusals in words. A revert of a trust action (a rotation, a challenge, a ruling, a role
 * change…) is almost always caused by its input: the wrong key, the wrong status, too early. The
 * jobs turn it into a {@link ContractRefusedError} (an InvalidInputError: the CLI exits 2) whose
 * message says what happened in a sentence, with times as ISO dates, followed by the error's name.
 */
import { AbiCoder, keccak256, toUtf8Bytes } from "ethers";

import { ContractRevertError, InvalidInputError } from "../errors";
import { toContractRevertError } from "../chain/revert";
import { SendOptions, TxOutcome, ContractCall, sendCall } from "./tx";
import type { Signer } from "ethers";

/** Constants of WorkLedger (contracts/WorkLedger.sol), for defaults and messages. */
export const WORKLEDGER_LIMITS = {
  MIN_CHALLENGE_WINDOW: 3_600n,
  MAX_CHALLENGE_WINDOW: 366n * 86_400n,
  MIN_BOND: 1_000_000n,
  MAX_BOND: 10n ** 33n,
  MIN_ARBITER_DEADLINE: 86_400n,
  MAX_ARBITER_DEADLINE: 30n * 86_400n,
  MAX_STATEMENT_EPOCHS: 10_000,
  MAX_CHALLENGES: 3,
  MIN_RECOVERY_DELAY: 7n * 86_400n,
  RECOVERY_THAW_MARGIN: 86_400n,
} as const;

/** Per-network role kinds (contracts/libraries/NetworkRoles.sol): keccak256 of the name. */
export const ROLE_KINDS = ["ADMIN", "REGISTRAR", "BILLER", "ARBITER"] as const;
export type RoleKind = (typeof ROLE_KINDS)[number];

/** keccak256(kind): the `kind` argument of networkRole / hasNetworkRole. */
export function roleKindHash(kind: RoleKind): string {
  return keccak256(toUtf8Bytes(kind));
}

/** The AccessControl role id of `kind` on a network: keccak256(abi.encode(networkId, keccak256(kind))). */
export function networkRoleId(networkId: bigint, kind: RoleKind): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "bytes32"], [networkId, roleKindHash(kind)]));
}

/** The role kind of an AccessControl role id, when it belongs to `networkId` (else null). */
export function roleKindOf(networkId: bigint, roleId: string): RoleKind | null {
  for (const k of ROLE_KINDS) if (networkRoleId(networkId, k).toLowerCase() === roleId.toLowerCase()) return k;
  return null;
}

const STATUS = ["none", "pending", "challenged", "final", "voided"];

/** Unix seconds as an ISO 8601 date (UTC). */
export function isoDate(seconds: bigint | number): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

/** A duration in seconds for people: "86400 s (1 d)", "2772000 s (32 d 2 h)", "90600 s". */
export function durationText(seconds: bigint | number): string {
  const s = Number(seconds);
  if (s % 3_600 !== 0 || s < 3_600) return `${s} s`;
  const days = Math.floor(s / 86_400);
  const hours = (s % 86_400) / 3_600;
  return `${s} s (${[days ? `${days} d` : "", hours ? `${hours} h` : ""].filter(Boolean).join(" ")})`;
}

/**
 * A contract error (name and decoded arguments) as one sentence. Unknown names fall back to
 * `Name(arg=value, …)`.
 *
 * @example
 * revertInWords("WorkLedgerNotArbiter", { networkId: 1n, account: "0xAb…" }); // "0xAb… is not the arbiter of network 1"
 */
export function revertInWords(name: string, args: Record<string, unknown>): string {
  const a = (k: string) => (typeof args[k] === "bigint" ? args[k].toString() : String(args[k]));
  const n = () => a("networkId");
  const e = () => a("epoch");
  const role = () => {
    const id = String(args.role ?? args.neededRole ?? "");
    const kind = args.networkId !== undefined ? roleKindOf(BigInt(args.networkId as bigint), id) : null;
    return kind ? `${kind.toLowerCase()} role` : `role ${id}`;
  };
  switch (name) {
    case "WorkLedgerUnknownNetwork":
    case "RevenueLedgerUnknownNetwork":
      return `unknown network ${n()}`;
    case "WorkLedgerUnauthorized":
    case "RevenueLedgerUnauthorized":
      return `${a("account")} does not hold the ${role()} of network ${n()}`;
    case "AccessControlUnauthorizedAccount":
      return `${a("account")} may not do this: it lacks ${role()} (only the network admin grants and revokes roles)`;
    case "AccessControlBadConfirmation":
      return "an account can only renounce a role for itself";
    case "WorkLedgerNotArbiter":
      return `${a("account")} is not the arbiter of network ${n()}`;
    case "WorkLedgerNotPendingArbiter":
      return `${a("account")} is not the arbiter nominated for network ${n()} (the current arbiter nominates with \`arbiter transfer\`)`;
    case "WorkLedgerArbiterIsAdmin":
      return `${a("arbiter")} holds the admin role of the network${args.networkId === 0n ? "" : ` ${n()}`}: the arbiter must be independent of the admin`;
    case "WorkLedgerNetworkPaused":
    case "RevenueLedgerNetworkPaused":
      return `network ${n()} is paused`;
    case "WorkLedgerNetworkNotPaused":
      return `network ${n()} is not paused`;
    case "WorkLedgerZeroAddress":
    case "RevenueLedgerZeroAddress":
      return `${a("field")} must not be the zero address`;
    case "WorkLedgerInvalidEpochSeconds":
      return `an epoch length of ${a("epochSeconds")} s is not allowed (1 s to 366 days)`;
    case "WorkLedgerInvalidChallengeWindow":
      return `a challenge window of ${a("challengeWindow")} s is outside the allowed ${durationText(WORKLEDGER_LIMITS.MIN_CHALLENGE_WINDOW)} to ${durationText(WORKLEDGER_LIMITS.MAX_CHALLENGE_WINDOW)}`;
    case "WorkLedgerInvalidBond":
      return `a bond of ${a("bond")} (token's smallest unit) is outside the allowed ${WORKLEDGER_LIMITS.MIN_BOND} to ${WORKLEDGER_LIMITS.MAX_BOND}`;
    case "WorkLedgerInvalidArbiterDeadline":
      return `an arbiter deadline of ${a("arbiterDeadline")} s is outside the allowed ${durationText(WORKLEDGER_LIMITS.MIN_ARBITER_DEADLINE)} to ${durationText(WORKLEDGER_LIMITS.MAX_ARBITER_DEADLINE)}`;
    case "WorkLedgerInvalidMaxStatementEpochs":
      return `max statement epochs ${a("maxStatementEpochs")} is outside the allowed 1 to ${WORKLEDGER_LIMITS.MAX_STATEMENT_EPOCHS}`;
    case "WorkLedgerThawTooShort":
      return `a thaw of ${a("thawSeconds")} s is too short: it must be at least ${a("required")} s (challenge window + arbiter deadline + max statement epochs × epoch length)`;
    case "WorkLedgerInvalidThreshold":
      return `a threshold of ${a("threshold")} is not allowed with ${a("verifierCount")} verifiers (1 to n)`;
    case "WorkLedgerZeroVerifier":
      return `verifier number ${Number(args.index) + 1} is the zero address`;
    case "WorkLedgerDuplicateVerifier":
      return `verifier ${a("verifier")} is listed twice`;
    case "WorkLedgerNodeAlreadyRegistered":
      return `node ${a("nodeId")} is already registered on network ${n()}`;
    case "WorkLedgerUnknownNode":
      return `node ${a("nodeId")} is not registered on network ${n()}`;
    case "WorkLedgerEpochOutOfOrder":
      return `epoch ${e()} of network ${n()} is out of order: the next epoch to commit is ${a("expected")}`;
    case "WorkLedgerEpochNotEnded":
      return `epoch ${e()} of network ${n()} has not ended yet: it ends at ${isoDate(args.endsAt as bigint)}`;
    case "WorkLedgerUnknownEpoch":
      return `epoch ${e()} of network ${n()} was never committed`;
    case "WorkLedgerInvalidSummary":
      return `the summary of epoch ${e()} of network ${n()} is inconsistent (usage root without usage, or the reverse)`;
    case "WorkLedgerBelowThreshold":
    case "RevenueLedgerBelowThreshold":
      return `${a("provided")} valid signature(s) given, the threshold is ${a("threshold")}`;
    case "WorkLedgerInvalidSignature":
    case "RevenueLedgerInvalidSignature":
      return `signature number ${Number(args.index) + 1} is malformed (65 bytes, low s)`;
    case "WorkLedgerNotVerifier":
    case "RevenueLedgerNotVerifier":
      return `${a("signer")} signed but is not in the network's current verifier set`;
    case "WorkLedgerDuplicateSigner":
    case "RevenueLedgerDuplicateSigner":
      return `${a("signer")} signed twice`;
    case "WorkLedgerSignersUnsorted":
    case "RevenueLedgerSignersUnsorted":
      return `signatures must be sorted by signer address (${a("signer")} came after ${a("previous")})`;
    case "WorkLedgerInvalidEpochStatus":
      return `epoch ${e()} of network ${n()} is ${STATUS[Number(args.status)] ?? a("status")}, which does not allow this (a correction needs pending or voided, a challenge pending, a ruling challenged)`;
    case "WorkLedgerUnknownVersion":
      return `epoch ${e()} of network ${n()} has no version ${a("version")}`;
    case "WorkLedgerTooManyChallenges":
      return `version ${a("version")} of epoch ${e()} of network ${n()} was already challenged ${WORKLEDGER_LIMITS.MAX_CHALLENGES} times, the most allowed`;
    case "WorkLedgerChallengeDeadlinePassed":
      return `the arbiter's deadline for the challenge of epoch ${e()} of network ${n()} passed at ${isoDate(args.deadline as bigint)}: anyone may now run \`challenge expire\``;
    case "WorkLedgerChallengeNotExpired":
      return `the challenge of epoch ${e()} of network ${n()} can only expire from ${isoDate(args.deadline as bigint)} (the arbiter's deadline)`;
    case "WorkLedgerNoRecovery":
      return `network ${n()} has no pending recovery proposal`;
    case "WorkLedgerRecoveryNotReady":
      return `the recovery of network ${n()} can be applied from ${isoDate(args.executableAt as bigint)}, not before`;
    case "WorkLedgerRecoveryMismatch":
      return `the verifiers and threshold given are not those proposed for network ${n()}`;
    case "WorkLedgerRecoveryStale":
      return `the recovery proposal of network ${n()} would create verifier set ${a("proposedSetId")}, but the network is already at set ${a("currentSetId")} (it rotated since): propose again`;
    case "WorkLedgerNotDeployer":
      return `${a("account")} did not deploy this WorkLedger: only its deployer wires the RevenueLedger`;
    case "WorkLedgerRevenueLedgerAlreadySet":
      return `this WorkLedger is already wired to the RevenueLedger ${a("revenueLedger")}`;
    case "WorkLedgerRevenueLedgerMismatch":
      return `${a("revenueLedger")} is not a RevenueLedger of this WorkLedger`;
    case "WorkLedgerRevenueLedgerNotSet":
      return "this WorkLedger has no RevenueLedger wired (setRevenueLedger): bonds cannot be held, so challenges are disabled";
    case "RevenueLedgerBondShortfall":
      return `the bond arrived short: ${a("received")} of ${a("expected")} (a fee-on-transfer token cannot bond)`;
    case "RevenueLedgerOnlyWorkLedger":
      return `${a("account")} is not the WorkLedger: only it settles bonds`;
    // RevenueLedger: billing, withdrawals, refunds (#15; M1). Amounts in the token's smallest unit.
    case "RevenueLedgerZeroAmount":
      return "the amount must be positive";
    case "RevenueLedgerAmountTooLarge":
      return `the amount ${a("amount")} is too large`;
    case "RevenueLedgerInsufficientFree":
      return `${a("customer")} has ${a("free")} of escrow that can pay on network ${n()}, ${a("amount")} needed (token's smallest unit)`;
    case "RevenueLedgerNotFinalized":
      return `epoch ${e()} of network ${n()} is not Final yet: the finality cursor is ${a("finalizedCount")} (run \`epoch advance\` once it is Final)`;
    case "RevenueLedgerInvalidRange":
      return `the range from epoch ${a("fromEpoch")} to epoch ${a("toEpoch")} is empty`;
    case "RevenueLedgerStatementTooLong":
      return `the statement covers ${a("epochs")} epochs, network ${n()} allows at most ${a("maxStatementEpochs")}`;
    case "RevenueLedgerStatementOutOfOrder":
      return `a statement of ${a("customer")} on network ${n()} must start at its next unbilled epoch ${a("expected")}, not at epoch ${a("fromEpoch")} (no gap, no epoch billed twice)`;
    case "RevenueLedgerNotAuthorized":
      return `${a("customer")} has not authorized network ${n()} to bill it (billing authorize), or its authorization does not cover these epochs (revoked or expired)`;
    case "RevenueLedgerCapExceeded":
      return `the statement's amount ${a("amount")} is above ${a("customer")}'s limit of ${BigInt(args.capPerEpoch as bigint) * BigInt(args.epochs as bigint)} (${a("epochs")} epochs × cap ${a("capPerEpoch")} per epoch) on network ${n()}`;
    case "RevenueLedgerStatementSpansCapChange":
      return `the statement of ${a("customer")} on network ${n()} runs to epoch ${a("toEpoch")} but its cap changes at epoch ${a("capEndEpoch")}: end the statement before epoch ${a("capEndEpoch")}`;
    case "RevenueLedgerInvalidExpiry":
      return `expiry ${isoDate(args.expiry as bigint)} is not after the chain time ${isoDate(args.timestamp as bigint)}`;
    case "RevenueLedgerAuthorizationExpired":
      return `the signed authorization's deadline ${isoDate(args.deadline as bigint)} has passed`;
    case "RevenueLedgerInvalidAuthorization":
      return `the billing authorization is not signed by ${a("customer")} (or its nonce was used)`;
    case "RevenueLedgerNoWithdrawalRequest":
      return `${a("customer")} has no withdrawal request on network ${n()}: request one first`;
    case "RevenueLedgerStillThawing":
      return `the withdrawal of ${a("customer")} on network ${n()} is still thawing until ${isoDate(args.readyAt as bigint)}`;
    case "RevenueLedgerUnknownCharge":
      return `unknown charge ${a("chargeId")}`;
    case "RevenueLedgerRefundOutsideStatement":
      return `epoch ${e()} is outside charge ${a("chargeId")}, which covers epochs ${a("fromEpoch")} to ${a("toEpoch")}`;
    case "RevenueLedgerRefundExceedsCharge":
      return `the refund of ${a("amount")} is above the ${a("refundable")} of charge ${a("chargeId")} not yet refunded`;
    case "RevenueLedgerEpochPaidOut":
      return `epoch ${e()} of network ${n()} is already in a payout root (through epoch ${a("throughEpoch")}): paid shares cannot shrink`;
    case "RevenueLedgerInsufficientRevenue":
      return `network ${n()} has only ${a("available")} of revenue, ${a("amount")} needed`;
    case "ERC20InsufficientAllowance":
      return `${a("spender")} may spend only ${a("allowance")} of the sender's tokens (smallest unit), ${a("needed")} needed: approve it first`;
    case "ERC20InsufficientBalance":
      return `${a("sender")} holds ${a("balance")} of the token (smallest unit), ${a("needed")} needed`;
    default: {
      const argText = Object.entries(args)
        .map(([k, v]) => `${k}=${typeof v === "bigint" ? v.toString() : String(v)}`)
        .join(", ");
      return `${name}(${argText})`;
    }
  }
}

/** A contract refused a call because of its input (wrong key, status or time): exit code 2, message in words. */
export class ContractRefusedError extends InvalidInputError {
  override name = "ContractRefusedError";
  readonly errorName: string;
  readonly args: Record<string, unknown>;
  constructor(revert: ContractRevertError) {
    super(`${revertInWords(revert.errorName, revert.args)} (${revert.errorName})`, { code: "E_REVERT", cause: revert });
    this.errorName = revert.errorName;
    this.args = revert.args;
  }
}

/** `err` as a ContractRefusedError when it is a decoded contract revert; else unchanged. */
export function asRefusal(err: unknown): unknown {
  if (err instanceof ContractRefusedError) return err;
  const revert = err instanceof ContractRevertError ? err : toContractRevertError(err);
  return revert ? new ContractRefusedError(revert) : err;
}

/** sendCall (simulate, then send unless dryRun) whose reverts come back as ContractRefusedError. */
export async function sendRefusable(signer: Signer, call: ContractCall, options: SendOptions = {}): Promise<TxOutcome> {
  try {
    return await sendCall(signer, call, options);
  } catch (e) {
    throw asRefusal(e);
  }
}
