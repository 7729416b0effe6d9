/**
 * Arbiter handover (#13): the arbiter is fixed at network creation, never the admin, and changes only
 * by itself in two steps — the current arbiter nominates (`transferArbiter`), the nominee accepts
 * (`acceptArbiter`). The admin has no path to it. A Safe or a TimelockController can be the arbiter:
 * then these calls go through it (see the `data` of a dry run's outcome).
 */
import { Signer, ZeroAddress, getAddress } from "ethers";

import { IWorkLedger__factory } from "../contracts";
import { InvalidInputError } from "../errors";
import { Deployment } from "./deployment";
import { assertNetwork } from "./network";
import { sendRefusable } from "./refusal";
import { SendOptions, TxOutcome, receiptEvents } from "./tx";

type Ledger = Pick<Deployment, "workLedger">;

const wlInterface = () => IWorkLedger__factory.createInterface();
const wlCall = (d: Ledger, method: string, args: readonly unknown[]) => ({ contract: "WorkLedger", to: d.workLedger, iface: wlInterface(), method, args });

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
