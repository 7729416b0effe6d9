/**
 * The admin's remaining levers over a network (#13), none of which touches committed versions: pause
 * and unpause (a pause stops only commitEpoch, registerNode and charges: rule 10), the challenge window
 * for later commits (MIN..MAX, and the thaw rule), and deactivating a node (registrar or its operator).
 */
import { Signer, getAddress } from "ethers";

import { InvalidInputError } from "../errors";
import { normalizeNodeId } from "../records/nodeId";
import { Deployment } from "./deployment";
import { workLedgerCall as wlCall } from "./calls";
import { assertNetwork } from "./network";
import { WORKLEDGER_LIMITS, durationText, sendRefusable } from "./refusal";
import { minThawSeconds } from "./trust";
import { SendOptions, TxOutcome } from "./tx";

type Ledger = Pick<Deployment, "workLedger">;


/** Pauses or unpauses a network (admin). Refuses a no-op with the current state. */
export async function setNetworkPaused(signer: Signer, deployment: Ledger, p: { networkId: bigint; paused: boolean }, options: SendOptions = {}): Promise<{ outcome: TxOutcome; paused: boolean }> {
  const wl = await assertNetwork(signer, deployment, p.networkId);
  const n = await wl.network(p.networkId);
  if (n.paused === p.paused) throw new InvalidInputError(`network ${p.networkId} is already ${p.paused ? "paused" : "running (not paused)"}`);
  return { outcome: await sendRefusable(signer, wlCall(deployment, "setPaused", [p.networkId, p.paused]), options), paused: p.paused };
}

/**
 * Sets the challenge window of versions committed from now on (admin). Committed versions keep theirs.
 * Checked here first: MIN_CHALLENGE_WINDOW..MAX_CHALLENGE_WINDOW and the thaw rule (thaw ≥ window +
 * arbiter deadline + max statement epochs × epoch length).
 */
export async function setChallengeWindow(signer: Signer, deployment: Ledger, p: { networkId: bigint; challengeWindow: bigint }, options: SendOptions = {}): Promise<{ outcome: TxOutcome; previous: bigint; challengeWindow: bigint }> {
  const wl = await assertNetwork(signer, deployment, p.networkId);
  if (p.challengeWindow < WORKLEDGER_LIMITS.MIN_CHALLENGE_WINDOW || p.challengeWindow > WORKLEDGER_LIMITS.MAX_CHALLENGE_WINDOW) {
    throw new InvalidInputError(`a challenge window must be from ${durationText(WORKLEDGER_LIMITS.MIN_CHALLENGE_WINDOW)} to ${durationText(WORKLEDGER_LIMITS.MAX_CHALLENGE_WINDOW)}, got ${p.challengeWindow} s`);
  }
  const [n, thaw, deadline, maxEpochs] = await Promise.all([wl.network(p.networkId), wl.thawSecondsOf(p.networkId), wl.arbiterDeadlineOf(p.networkId), wl.maxStatementEpochsOf(p.networkId)]);
  const required = minThawSeconds(p.challengeWindow, deadline, Number(maxEpochs), n.epochSeconds);
  if (thaw < required) {
    throw new InvalidInputError(`a challenge window of ${p.challengeWindow} s needs a thaw of at least ${required} s, but network ${p.networkId}'s thaw is ${thaw} s (fixed at creation): the largest window allowed is ${thaw - (required - p.challengeWindow)} s`);
  }
  const outcome = await sendRefusable(signer, wlCall(deployment, "setChallengeWindow", [p.networkId, p.challengeWindow]), options);
  return { outcome, previous: n.challengeWindow, challengeWindow: p.challengeWindow };
}

/** Deactivates a node (registrar role, or the node's operator). nodeId rule as registerNode. */
export async function deactivateNode(signer: Signer, deployment: Ledger, p: { networkId: bigint; nodeId: string }, options: SendOptions = {}): Promise<{ outcome: TxOutcome; nodeId: string; operator: string }> {
  const nodeId = normalizeNodeId(p.nodeId);
  const wl = await assertNetwork(signer, deployment, p.networkId);
  const [operator, active] = await wl.node(p.networkId, nodeId);
  if (BigInt(operator) === 0n) throw new InvalidInputError(`node ${p.nodeId} (${nodeId}) is not registered on network ${p.networkId}`);
  if (!active) throw new InvalidInputError(`node ${p.nodeId} (${nodeId}) is already inactive on network ${p.networkId}`);
  return { outcome: await sendRefusable(signer, wlCall(deployment, "deactivateNode", [p.networkId, nodeId]), options), nodeId, operator: getAddress(operator) };
}
