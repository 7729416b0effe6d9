/** `workledger network pause|unpause --network ID`: the admin pauses commits, node registrations and charges (nothing else stops: rule 10). */
import { setNetworkPaused } from "../../index";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseNetworkId } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

async function run(ctx: CliContext, o: { network?: string }, paused: boolean): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const { deployment } = await ctx.ledgers();
  const r = await setNetworkPaused(await ctx.signer(), deployment, { networkId, paused }, ctx.send);
  const what = paused ? "paused (commits, node registrations and charges stop; challenges, rulings, corrections, rotations, deposits and withdrawals go on)" : "unpaused";
  return {
    data: { networkId: Number(networkId), paused, ...outcomeData(r.outcome) },
    lines: [ctx.dryRun ? `would ${paused ? "pause" : "unpause"} network ${networkId}` : `network ${networkId} ${what}`, ...outcomeLines(r.outcome)],
  };
}

export const networkPauseCommand = (ctx: CliContext, o: { network?: string }): Promise<CommandOutput> => run(ctx, o, true);
export const networkUnpauseCommand = (ctx: CliContext, o: { network?: string }): Promise<CommandOutput> => run(ctx, o, false);
