/**
 * Shared constants of the WorkLedger contract tests (role kinds, statuses, default network settings).
 */
import { keccak256, toUtf8Bytes } from "ethers";

/** Per-network role kinds (contracts/libraries/NetworkRoles.sol): keccak256 of the kind's name. */
export const ROLE = {
  ADMIN: keccak256(toUtf8Bytes("ADMIN")),
  ARBITER: keccak256(toUtf8Bytes("ARBITER")),
  REGISTRAR: keccak256(toUtf8Bytes("REGISTRAR")),
  BILLER: keccak256(toUtf8Bytes("BILLER")),
} as const;

/** IWorkLedger.EpochStatus, in declaration order. */
export const EpochStatus = { None: 0n, Pending: 1n, Challenged: 2n, Final: 3n, Voided: 4n } as const;

/** Default epoch length of the test network: one hour. */
export const EPOCH_SECONDS = 3_600n;
/** Default challenge window of the test network: one day. */
export const CHALLENGE_WINDOW = 86_400n;
/** Declared capacity per node per epoch of the test network (work units). */
export const CAPACITY_PER_NODE = 3_600n;
/** k of the test network's verifier set (n = 3). */
export const THRESHOLD = 2;
/** WorkLedger.MAX_EPOCH_SECONDS and MAX_CHALLENGE_WINDOW: 366 days. */
export const MAX_SECONDS = 366n * 86_400n;
/** WorkLedger.MIN_CHALLENGE_WINDOW: one hour. */
export const MIN_CHALLENGE_WINDOW = 3_600n;
/** WorkLedger.MIN_BOND and MAX_BOND (token units). */
export const MIN_BOND = 10n ** 6n;
export const MAX_BOND = 10n ** 33n;
/** WorkLedger.MIN_ARBITER_DEADLINE and MAX_ARBITER_DEADLINE: one day and 30 days. */
export const MIN_ARBITER_DEADLINE = 86_400n;
export const MAX_ARBITER_DEADLINE = 30n * 86_400n;
/** WorkLedger.MAX_STATEMENT_EPOCHS and MAX_CHALLENGES. */
export const MAX_STATEMENT_EPOCHS = 10_000;
export const MAX_CHALLENGES = 3;
/** WorkLedger.MIN_RECOVERY_DELAY (7 days) and RECOVERY_THAW_MARGIN (1 day). */
export const MIN_RECOVERY_DELAY = 7n * 86_400n;
export const RECOVERY_THAW_MARGIN = 86_400n;

/** Trust parameters of the test network: the smallest bond, a 2-day arbiter deadline, 720-epoch statements. */
export const BOND = 5n * 10n ** 6n;
export const ARBITER_DEADLINE = 2n * 86_400n;
export const MAX_STATEMENT = 720;
/** The smallest thaw rule 6 allows for a window, deadline, statement length and epoch length. */
export function minThaw(window: bigint, deadline: bigint, maxStatementEpochs: number, epochSeconds: bigint): bigint {
  return window + deadline + BigInt(maxStatementEpochs) * epochSeconds;
}
/** Thaw of the test network: the minimum for its defaults plus one day. */
export const THAW_SECONDS = 86_400n + 2n * 86_400n + 720n * 3_600n + 86_400n;
/** Largest verifier set (Network.verifierCount is a uint8). */
export const MAX_VERIFIERS = 255;

/** Order of the secp256k1 group: a signature's s and n - s both verify, only s <= n/2 is accepted. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Size of the large epoch used by the verifyRecord tests and the gas benchmark. */
export const LARGE_EPOCH_RECORDS = 1_000;
