/**
 * The finality cursor (DESIGN rule 1): `finalizedCount(networkId)` is the number of leading epochs,
 * from epoch 0, whose latest version is Final (0 = none yet). Commits do not move it; anyone may
 * advance it with `advanceFinality(networkId, maxSteps)`, which stops at the first epoch that is
 * uncommitted, Pending, Challenged or Voided (a corrected epoch holds it back until its new version
 * is Final). Billing statements and payout roots need `toEpoch < finalizedCount`.
 */
import { ContractRunner, Signer } from "ethers";

import { InvalidInputError } from "../errors";
import { Deployment } from "./deployment";
import { workLedgerCall } from "./calls";
import { assertNetwork } from "./network";
import { SendOptions, TxOutcome, receiptEvents, sendCall, simulateCall } from "./tx";

type Ledger = Pick<Deployment, "workLedger">;

/** Default `maxSteps` of advanceFinality: 720 epochs (a month of hourly epochs) per call. */
export const DEFAULT_FINALITY_STEPS = 720n;

const UINT64_MAX = (1n << 64n) - 1n;

/**
 * The network's finality cursor: how many leading epochs (from 0) are Final, as last advanced.
 * Throws InvalidInputError for an unknown network.
 *
 * @example
 * const n = await finalizedCount(provider, deployment, 1n); // epochs 0..n-1 are Final
 */
export async function finalizedCount(runner: ContractRunner, deployment: Ledger, networkId: bigint | number): Promise<bigint> {
  const wl = await assertNetwork(runner, deployment, BigInt(networkId));
  return wl.finalizedCount(BigInt(networkId));
}

/** What advanceFinality did (or, in a dry run, would do). */
export interface AdvanceFinalityResult {
  networkId: bigint;
  /** finalizedCount before the call. */
  fromCount: bigint;
  /** finalizedCount after it (in a dry run: what the call would return). */
  toCount: bigint;
  /** True when the cursor moved (a FinalityAdvanced event was, or would be, emitted). */
  advanced: boolean;
  /** The transaction (or, with dryRun, the simulation). */
  outcome: TxOutcome;
}

/**
 * Advances the finality cursor over at most `maxSteps` epochs (anyone may call it; a call with
 * nothing to do does not revert: it changes nothing and emits no event). The result comes from the
 * FinalityAdvanced event; when the cursor did not move, from the view. With `dryRun`, the call is
 * simulated and `toCount` is what it would return; nothing is sent.
 *
 * @example
 * const r = await advanceFinality(signer, deployment, 1n, 100n);
 * console.log(`${r.fromCount} -> ${r.toCount}`, r.outcome.txHash);
 */
export async function advanceFinality(
  signer: Signer,
  deployment: Ledger,
  networkId: bigint | number,
  maxSteps: bigint | number = DEFAULT_FINALITY_STEPS,
  options: SendOptions = {},
): Promise<AdvanceFinalityResult> {
  const id = BigInt(networkId);
  const steps = BigInt(maxSteps);
  if (steps < 1n || steps > UINT64_MAX) throw new InvalidInputError(`maxSteps must be between 1 and ${UINT64_MAX}, got ${steps}`);
  const runner = signer.provider;
  if (!runner) throw new InvalidInputError("advanceFinality: the signer has no provider");
  const wl = await assertNetwork(runner, deployment, id);
  const call = workLedgerCall(deployment, "advanceFinality", [id, steps]);
  const fromCount = await wl.finalizedCount(id);
  if (options.dryRun) {
    const sim = await simulateCall(signer, call);
    const toCount = BigInt(call.iface.decodeFunctionResult("advanceFinality", sim.result)[0]);
    const outcome: TxOutcome = { dryRun: true, contract: call.contract, method: call.method, from: sim.from, to: call.to, data: sim.data, gasEstimate: sim.gasEstimate };
    return { networkId: id, fromCount, toCount, advanced: toCount !== fromCount, outcome };
  }
  const outcome = await sendCall(signer, call);
  const [ev] = receiptEvents(outcome.receipt, call.iface, deployment.workLedger, "FinalityAdvanced").filter((e) => e.args.networkId === id);
  if (ev) return { networkId: id, fromCount: BigInt(ev.args.fromCount), toCount: BigInt(ev.args.toCount), advanced: true, outcome };
  const now = await wl.finalizedCount(id, { blockTag: outcome.blockNumber });
  return { networkId: id, fromCount: now, toCount: now, advanced: false, outcome };
}
