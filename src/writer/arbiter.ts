/**
 * Arbiter handover (#13): the arbiter is fixed at network creation, never the admin, and changes only
 * by itself in two steps — the current arbiter nominates (`transferArbiter`), the nominee accepts
 * (`acceptArbiter`). The admin has no path to it. A Safe or a TimelockController can be the arbiter:
 * arbiterCallAs simulates its call and gives the `to`/`data` to submit through it.
 */
import { Provider, Signer, ZeroAddress, getAddress } from "ethers";

import { InvalidInputError } from "../errors";
import { Deployment } from "./deployment";
import { workLedgerCall as wlCall, workLedgerInterface as wlInterface } from "./calls";
import { assertNetwork } from "./network";
import { decodeRevert } from "../chain/revert";
import { asRefusal, sendRefusable } from "./refusal";
import { ContractCall, SendOptions, TxOutcome, receiptEvents } from "./tx";

type Ledger = Pick<Deployment, "workLedger">;


/** The current arbiter nominates the next one (who must then accept). */
export async function transferArbiter(signer: Signer, deployment: Ledger, p: { networkId: bigint; to: string }, options: SendOptions = {}): Promise<{ outcome: TxOutcome; arbiter: string; pendingArbiter: string }> {
  const wl = await assertNetwork(signer, deployment, p.networkId);
  const to = getAddress(p.to);
  if (to === ZeroAddress) throw new InvalidInputError("the new arbiter must not be the zero address");
  const arbiter = getAddress(await wl.arbiterOf(p.networkId));
  if (to === arbiter) throw new InvalidInputError(`${to} already is the arbiter of network ${p.networkId}`);
  const outcome = await sendRefusable(signer, wlCall(deployment, "transferArbiter", [p.networkId, to]), options);
  const [ev] = receiptEvents(outcome.receipt, wlInterface(), deployment.workLedger, "ArbiterTransferStarted");
  return { outcome, arbiter, pendingArbiter: ev ? getAddress(String(ev.args.pendingArbiter)) : to };
}

/** The nominee accepts and becomes the arbiter. */
export async function acceptArbiter(signer: Signer, deployment: Ledger, p: { networkId: bigint }, options: SendOptions = {}): Promise<{ outcome: TxOutcome; previousArbiter: string; arbiter: string }> {
  const wl = await assertNetwork(signer, deployment, p.networkId);
  const me = getAddress(await signer.getAddress());
  const [current, pending] = await Promise.all([wl.arbiterOf(p.networkId), wl.pendingArbiterOf(p.networkId)]);
  if (pending === ZeroAddress) throw new InvalidInputError(`network ${p.networkId} has no arbiter handover pending: the current arbiter ${getAddress(current)} nominates with \`arbiter transfer\``);
  if (getAddress(pending) !== me) throw new InvalidInputError(`${me} is not the nominated arbiter of network ${p.networkId} (the nominee is ${getAddress(pending)})`);
  const outcome = await sendRefusable(signer, wlCall(deployment, "acceptArbiter", [p.networkId]), options);
  const [ev] = receiptEvents(outcome.receipt, wlInterface(), deployment.workLedger, "ArbiterTransferred");
  return { outcome, previousArbiter: ev ? getAddress(String(ev.args.previousArbiter)) : getAddress(current), arbiter: ev ? getAddress(String(ev.args.arbiter)) : me };
}

/** An arbiter's action, for an arbiter that is a contract (a Safe, a TimelockController). */
export type ArbiterAction =
  | { kind: "resolve"; networkId: bigint; epoch: bigint; upheld: boolean }
  | { kind: "cancelRecovery"; networkId: bigint }
  | { kind: "transfer"; networkId: bigint; to: string }
  | { kind: "accept"; networkId: bigint };

/** The WorkLedger call of an arbiter action. */
export function arbiterCall(deployment: Ledger, action: ArbiterAction): ContractCall {
  switch (action.kind) {
    case "resolve":
      return wlCall(deployment, "resolveChallenge", [action.networkId, action.epoch, action.upheld]);
    case "cancelRecovery":
      return wlCall(deployment, "cancelRecovery", [action.networkId]);
    case "transfer":
      return wlCall(deployment, "transferArbiter", [action.networkId, getAddress(action.to)]);
    case "accept":
      return wlCall(deployment, "acceptArbiter", [action.networkId]);
  }
}

/**
 * Simulates an arbiter action as `from` — the Safe or timelock that is (or is nominated as) the
 * arbiter — and returns the call to submit through it (`to`, `data`, gas estimate). Needs no key and
 * sends nothing; a call `from` may not make is refused in words, as a send would be.
 *
 * @example
 * const call = await arbiterCallAs(provider, deployment, safeAddress, { kind: "resolve", networkId: 1n, epoch: 3n, upheld: true });
 * // propose call.to / call.data as a Safe transaction (value 0), or schedule it on the timelock
 */
export async function arbiterCallAs(provider: Provider, deployment: Ledger, from: string, action: ArbiterAction): Promise<TxOutcome> {
  await assertNetwork(provider, deployment, action.networkId);
  const call = arbiterCall(deployment, action);
  const data = call.iface.encodeFunctionData(call.method, [...call.args]);
  const sender = getAddress(from);
  try {
    await provider.call({ from: sender, to: call.to, data });
    const gasEstimate = await provider.estimateGas({ from: sender, to: call.to, data });
    return { dryRun: true, contract: call.contract, method: call.method, from: sender, to: call.to, data, gasEstimate };
  } catch (e) {
    throw asRefusal(decodeRevert(e));
  }
}
