/**
 * Revert decoding, built from the compiled ABIs: every custom error of WorkLedger and RevenueLedger
 * as compiled (their own errors and the OpenZeppelin ones they inherit, e.g. AccessControl's,
 * SafeERC20's, SafeCast's), the standard ERC-20 errors (IERC6093) and Solidity's Error(string) and
 * Panic(uint256), which ethers knows. No error is typed by hand here: a new error in a contract shows
 * up after `hardhat compile`.
 */
import { ErrorDescription, Fragment, Interface, isError } from "ethers";

import { IERC20Errors__factory, RevenueLedger__factory, WorkLedger__factory } from "../contracts";
import { ContractRevertError, WorkLedgerError } from "../errors";

/** Every error fragment of the given ABIs, once per selector. */
function errorInterface(abis: ReadonlyArray<ReadonlyArray<unknown>>): Interface {
  const seen = new Set<string>();
  const fragments: Fragment[] = [];
  for (const abi of abis) {
    for (const f of new Interface(abi as never).fragments) {
      if (f.type !== "error") continue;
      const sig = f.format("sighash");
      if (seen.has(sig)) continue;
      seen.add(sig);
      fragments.push(f);
    }
  }
  return new Interface(fragments);
}

/** The errors the contracts and tokens can revert with (see the module doc). */
export const CONTRACT_ERRORS: Interface = errorInterface([WorkLedger__factory.abi, RevenueLedger__factory.abi, IERC20Errors__factory.abi]);

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

/** Decodes revert data with the compiled ABIs (null if the selector is unknown). */
export function decodeRevertData(data: string): ErrorDescription | null {
  try {
    return CONTRACT_ERRORS.parseError(data);
  } catch {
    return null;
  }
}

/** The ContractRevertError of an error, if it carries a known custom error (or Error(string) / Panic). */
export function toContractRevertError(err: unknown): ContractRevertError | undefined {
  if (err instanceof ContractRevertError) return err;
  const data = findRevertData(err);
  if (!data) return undefined;
  const d = decodeRevertData(data);
  if (!d) return undefined;
  const args: Record<string, unknown> = {};
  d.fragment.inputs.forEach((input, i) => (args[input.name || `arg${i}`] = d.args[i]));
  return new ContractRevertError(d.name, args, err);
}

/** Every message in an error and its causes, joined (provider errors nest them). */
function collectMessages(err: unknown): string {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const stack: unknown[] = [err];
  while (stack.length > 0) {
    const e = stack.pop();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    if (typeof o.message === "string") out.push(o.message);
    for (const k of ["error", "info", "cause"]) if (o[k] && typeof o[k] === "object") stack.push(o[k]);
  }
  return out.join(" | ");
}

/**
 * Any failed call or send as the clearest error the SDK can give: a WorkLedgerError is kept, a
 * known revert becomes a ContractRevertError with its arguments, out-of-gas-money and stale nonces
 * get one-line explanations, another revert a short "transaction would revert".
 */
export function decodeRevert(err: unknown): Error {
  if (err instanceof WorkLedgerError) return err;
  const known = toContractRevertError(err);
  if (known) return known;
  const text = collectMessages(err);
  if (/insufficient funds|enough funds/i.test(text)) return new WorkLedgerError("the sending account has not enough ETH to pay for gas", { code: "E_FUNDS", cause: err });
  if (/nonce too low|nonce has already been used/i.test(text)) return new WorkLedgerError("nonce too low: another transaction from this account was mined first; run the command again", { code: "E_NONCE", cause: err });
  if (isError(err, "CALL_EXCEPTION")) return new WorkLedgerError(`transaction would revert: ${err.shortMessage}`, { code: "E_REVERT", cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/** Runs `fn`, rethrowing contract reverts as ContractRevertError. */
export async function withRevertDecoding<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toContractRevertError(e) ?? e;
  }
}
