/** `workledger network set-window --network ID --challenge-window S`: the admin sets the window of versions committed from now on. */
import { durationText, setChallengeWindow } from "../../index";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function networkSetWindowCommand(ctx: CliContext, o: { network?: string; challengeWindow?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const challengeWindow = parseUint(o.challengeWindow, "--challenge-window");
  const { deployment } = await ctx.ledgers();
  const r = await setChallengeWindow(await ctx.signer(), deployment, { networkId, challengeWindow }, ctx.send);
  return {
    data: { networkId: Number(networkId), previous: Number(r.previous), challengeWindow: Number(challengeWindow), ...outcomeData(r.outcome) },
    lines: [
      ctx.dryRun
        ? `would set the challenge window of network ${networkId} to ${durationText(challengeWindow)} (now ${durationText(r.previous)})`
        : `challenge window of network ${networkId}: ${durationText(r.previous)} -> ${durationText(challengeWindow)} for versions committed from now on (committed versions keep theirs)`,
      ...outcomeLines(r.outcome),
    ],
  };
}
