/**
 * Turns a failed call or transaction into a ContractRevertError carrying the custom error's name
 * and arguments, decoded with the WorkLedger / RevenueLedger interfaces (src/chain/events.ts,
 * which include every custom error of the contracts).
 */
import { ErrorDescription, Interface } from "ethers";

import { revenueLedgerEvents, workLedgerEvents } from "../chain/events";
import { ContractRevertError } from "../errors";

const AC_ERRORS = new Interface([
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
  "error AccessControlBadConfirmation()",
  "error EnforcedPause()",
  "error ReentrancyGuardReentrantCall()",
  "error SafeERC20FailedOperation(address token)",
  "error ECDSAInvalidSignature()",
  "error ECDSAInvalidSignatureLength(uint256 length)",
  "error ECDSAInvalidSignatureS(bytes32 s)",
  "error SafeCastOverflowedUintDowncast(uint8 bits, uint256 value)",
]);

/** Finds revert data (0x + at least a 4-byte selector) anywhere in an ethers / provider error. */
export function findRevertData(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== "object" || depth > 6) return undefined;
  const o = err as Record<string, unknown>;
  for (const key of ["data", "revertData"]) {
    const v = o[key];
    if (typeof v === "string" && /^0x[0-9a-fA-F]{8,}$/.test(v)) return v;
    if (v && typeof v === "object") {
      const inner = findRevertData(v, depth + 1);
      if (inner) return inner;
    }
  }
  for (const key of ["error", "info", "cause", "receipt"]) {
    const inner = findRevertData(o[key], depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

/** Decodes revert data with the contracts' interfaces (null if the selector is unknown). */
export function decodeRevertData(data: string): ErrorDescription | null {
  for (const iface of [workLedgerEvents, revenueLedgerEvents, AC_ERRORS]) {
    try {
      const d = iface.parseError(data);
      if (d) return d;
    } catch {
      // try the next interface
    }
  }
  return null;
}

/** The ContractRevertError of an error, if it carries a known custom error. */
export function toContractRevertError(err: unknown): ContractRevertError | undefined {
  if (err instanceof ContractRevertError) return err;
  const data = findRevertData(err);
  if (!data) return undefined;
  const d = decodeRevertData(data);
  if (!d) return undefined;
  const args: Record<string, unknown> = {};
  d.fragment.inputs.forEach((input, i) => {
    const v = d.args[i];
    args[input.name || String(i)] = typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) ? v : v;
  });
  return new ContractRevertError(d.name, args, err);
}

/** Runs `fn`, rethrowing contract reverts as ContractRevertError. */
export async function withRevertDecoding<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toContractRevertError(e) ?? e;
  }
}
