/**
 * `workledger epoch advance --network ID [--max-steps N] [--dry-run]`: advances the network's finality
 * cursor (anyone may): finalizedCount becomes the number of leading epochs whose latest version is
 * Final, examining at most N epochs (default 720). A call with nothing to advance changes nothing.
 */
import { DEFAULT_FINALITY_STEPS, InvalidInputError, advanceFinality } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";
import { parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function epochAdvanceCommand(ctx: CliContext, o: { network?: string; maxSteps?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const maxSteps = o.maxSteps === undefined ? DEFAULT_FINALITY_STEPS : parseUint(o.maxSteps, "--max-steps");
  if (maxSteps < 1n) throw new InvalidInputError("--max-steps must be at least 1");
  await ctx.requireNetwork(networkId);
  const { deployment } = await ctx.ledgers();
  const signer = await ctx.signer();
  const r = await advanceFinality(signer, deployment, networkId, maxSteps, ctx.send);
  const n = Number(networkId);
  const head = r.advanced
    ? `${ctx.dryRun ? "would advance" : "advanced"} the finality cursor of network ${n} from ${r.fromCount} to ${r.toCount}: epochs 0..${r.toCount - 1n} are Final`
    : `the finality cursor of network ${n} stays at ${r.toCount}: epoch ${r.toCount} is not Final yet (uncommitted, pending, challenged or voided)`;
  return {
    data: { networkId: n, fromCount: r.fromCount.toString(), finalizedCount: r.toCount.toString(), advanced: r.advanced, maxSteps: maxSteps.toString(), ...outcomeData(r.outcome) },
    lines: [head, ...kv([["max steps", maxSteps.toString()]]), ...outcomeLines(r.outcome)],
  };
}
