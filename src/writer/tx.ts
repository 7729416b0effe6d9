/**
 * Simulate-then-send: every write is first run with eth_call and gas-estimated, so a revert becomes
 * one decoded error (./revert) before anything is signed; a dry run stops there and reports what
 * would be sent. The outcome carries the receipt, from which each job decodes its typed result
 * (as eas-sdk's transaction.ts does).
 */
import { Interface, LogDescription, Signer, TransactionReceipt, getAddress } from "ethers";

import { WorkLedgerError } from "../errors";
import { decodeRevert } from "../chain/revert";

/** One contract call to send. */
export interface ContractCall {
  /** Contract name for display, e.g. "RevenueLedger". */
  contract: string;
  to: string;
  iface: Interface;
  method: string;
  args: readonly unknown[];
}

/** Options of every write. */
export interface SendOptions {
  /** Simulate and estimate only; send nothing (default false). */
  dryRun?: boolean;
}

/** What a write did (or, with dryRun, would do). */
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

/** Simulates a call with eth_call and estimates its gas; throws the decoded revert. */
export async function simulateCall(signer: Signer, call: ContractCall): Promise<{ from: string; data: string; gasEstimate: bigint; result: string }> {
  const provider = signer.provider;
  if (!provider) throw new WorkLedgerError("the signer has no provider");
  const from = await signer.getAddress();
  const data = call.iface.encodeFunctionData(call.method, [...call.args]);
  try {
    const result = await provider.call({ from, to: call.to, data });
    const gasEstimate = await provider.estimateGas({ from, to: call.to, data });
    return { from, data, gasEstimate, result };
  } catch (e) {
    throw decodeRevert(e);
  }
}

/**
 * Simulates, then (unless dryRun) sends and waits for the receipt: one transaction per call, and
 * nothing is sent when the simulation fails.
 *
 * @example
 * const out = await sendCall(signer, { contract: "RevenueLedger", to, iface: IRevenueLedger__factory.createInterface(), method: "deposit", args: [1n, 10_000_000n] });
 * console.log(out.txHash, out.gasUsed);
 */
export async function sendCall(signer: Signer, call: ContractCall, options: SendOptions = {}): Promise<TxOutcome> {
  const dryRun = Boolean(options.dryRun);
  const sim = await simulateCall(signer, call);
  const base: TxOutcome = { dryRun, contract: call.contract, method: call.method, from: sim.from, to: call.to, data: sim.data, gasEstimate: sim.gasEstimate };
  if (dryRun) return base;
  let receipt: TransactionReceipt | null;
  try {
    const tx = await signer.sendTransaction({ to: call.to, data: sim.data, gasLimit: (sim.gasEstimate * 13n) / 10n + 10_000n });
    receipt = await tx.wait();
  } catch (e) {
    throw decodeRevert(e);
  }
  if (!receipt || receipt.status !== 1) throw new WorkLedgerError(`transaction ${receipt?.hash ?? "?"} failed`, { code: "E_REVERT" });
  return { ...base, txHash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, receipt };
}

/** The events named `name` that `address` emitted in a receipt, decoded with `iface`. */
export function receiptEvents(receipt: TransactionReceipt | undefined | null, iface: Interface, address: string, name: string): LogDescription[] {
  const out: LogDescription[] = [];
  if (!receipt) return out;
  const emitter = getAddress(address);
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== emitter) continue;
    let parsed: LogDescription | null;
    try {
      parsed = iface.parseLog(log);
    } catch {
      parsed = null; // not one of this interface's events
    }
    if (parsed?.name === name) out.push(parsed);
  }
  return out;
}
