/**
 * Sending transactions from the CLI: every send is simulated first (eth_call) and gas-estimated, so a
 * revert becomes one decoded error before anything is signed; `--dry-run` stops there and reports
 * what would be sent.
 */
import { Interface, Signer, TransactionReceipt, isError } from "ethers";

import { ContractRevertError, WorkLedgerError } from "../errors";
import { IRevenueLedger__factory, IWorkLedger__factory } from "../contracts";
import { findRevertData, toContractRevertError } from "../writer/revert";

const EXTRA_ERRORS = [
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
  "error AccessControlBadConfirmation()",
  "error EnforcedPause()",
  "error ExpectedPause()",
  "error ReentrancyGuardReentrantCall()",
  "error SafeERC20FailedOperation(address token)",
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InvalidSender(address sender)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ECDSAInvalidSignature()",
  "error ECDSAInvalidSignatureLength(uint256 length)",
  "error ECDSAInvalidSignatureS(bytes32 s)",
];

/** Every custom error the CLI may meet, for decoding reverts. */
export const ALL_ERRORS = new Interface([
  ...IWorkLedger__factory.createInterface().fragments.filter((f) => f.type === "error"),
  ...IRevenueLedger__factory.createInterface().fragments.filter((f) => f.type === "error"),
  ...EXTRA_ERRORS,
]);

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

/** Turn a failed call into a ContractRevertError with the custom error's name and arguments, if it is one. */
export function decodeRevert(err: unknown): Error {
  if (err instanceof WorkLedgerError) return err;
  const known = toContractRevertError(err);
  if (known) return known;
  const data = findRevertData(err);
  if (data) {
    try {
      const desc = ALL_ERRORS.parseError(data);
      if (desc) {
        const args: Record<string, unknown> = {};
        desc.fragment.inputs.forEach((input, i) => (args[input.name || `arg${i}`] = desc.args[i]));
        return new ContractRevertError(desc.name, args, err);
      }
    } catch {
      // not one of ours
    }
    if (data.startsWith("0x08c379a0")) {
      try {
        const [reason] = new Interface(["function Error(string)"]).decodeFunctionData("Error", data);
        return new ContractRevertError(`Error`, { reason }, err);
      } catch {
        // fall through
      }
    }
  }
  const text = collectMessages(err);
  if (/insufficient funds|enough funds/i.test(text)) return new WorkLedgerError("the sending account has not enough ETH to pay for gas", { code: "E_FUNDS", cause: err });
  if (/nonce too low|nonce has already been used/i.test(text)) return new WorkLedgerError("nonce too low: another transaction from this account was mined first; run the command again", { code: "E_NONCE", cause: err });
  if (isError(err, "CALL_EXCEPTION")) return new WorkLedgerError(`transaction would revert: ${err.shortMessage}`, { code: "E_REVERT", cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/** One contract call to send. */
export interface TxPlan {
  /** Contract name for display, e.g. "RevenueLedger". */
  contract: string;
  to: string;
  iface: Interface;
  method: string;
  args: unknown[];
}

/** What happened (or, with dryRun, what would happen). */
export interface TxOutcome {
  dryRun: boolean;
  contract: string;
  method: string;
  from: string;
  to: string;
  data: string;
  gasEstimate: bigint;
  txHash?: string;
  blockNumber?: number;
  gasUsed?: bigint;
  receipt?: TransactionReceipt;
}

/** Simulate a call with eth_call and estimate its gas; throws the decoded revert. */
export async function simulate(signer: Signer, plan: TxPlan): Promise<{ from: string; data: string; gasEstimate: bigint; result: string }> {
  const provider = signer.provider;
  if (!provider) throw new WorkLedgerError("signer has no provider");
  const from = await signer.getAddress();
  const data = plan.iface.encodeFunctionData(plan.method, plan.args);
  try {
    const result = await provider.call({ from, to: plan.to, data });
    const gasEstimate = await provider.estimateGas({ from, to: plan.to, data });
    return { from, data, gasEstimate, result };
  } catch (e) {
    throw decodeRevert(e);
  }
}

/**
 * Simulate, then (unless dryRun) send and wait for the receipt. Only one transaction per call;
 * nothing is sent when simulation fails.
 */
export async function execute(signer: Signer, plan: TxPlan, dryRun: boolean): Promise<TxOutcome> {
  const sim = await simulate(signer, plan);
  const base: TxOutcome = { dryRun, contract: plan.contract, method: plan.method, from: sim.from, to: plan.to, data: sim.data, gasEstimate: sim.gasEstimate };
  if (dryRun) return base;
  let receipt: TransactionReceipt | null;
  try {
    const tx = await signer.sendTransaction({ to: plan.to, data: sim.data, gasLimit: (sim.gasEstimate * 13n) / 10n + 10_000n });
    receipt = await tx.wait();
  } catch (e) {
    throw decodeRevert(e);
  }
  if (!receipt || receipt.status !== 1) throw new WorkLedgerError(`transaction ${receipt?.hash ?? "?"} failed`, { code: "E_REVERT" });
  return { ...base, txHash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, receipt };
}

/** JSON-safe view of an outcome (no receipt object). */
export function outcomeData(o: TxOutcome): Record<string, unknown> {
  return {
    dryRun: o.dryRun,
    contract: o.contract,
    method: o.method,
    from: o.from,
    to: o.to,
    data: o.data,
    gasEstimate: o.gasEstimate.toString(),
    ...(o.txHash ? { txHash: o.txHash, blockNumber: o.blockNumber, gasUsed: o.gasUsed?.toString() } : {}),
  };
}

/** Human lines for an outcome. */
export function outcomeLines(o: TxOutcome): string[] {
  if (o.dryRun) {
    return [
      `dry run: would call ${o.contract}.${o.method} at ${o.to} from ${o.from}`,
      `  simulation: ok (eth_call)   gas estimate: ${o.gasEstimate.toLocaleString("en-US")}`,
      `  calldata: ${o.data.length > 138 ? `${o.data.slice(0, 138)}… (${(o.data.length - 2) / 2} bytes)` : o.data}`,
      "  nothing was sent",
    ];
  }
  return [`tx ${o.txHash} (block ${o.blockNumber}, gas ${o.gasUsed?.toLocaleString("en-US")})`];
}
