/** `workledger arbiter accept --network ID`: the nominee becomes the arbiter. */
import { acceptArbiter } from "../../index";
import { arbiterAsContract } from "../asContract";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseNetworkId } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function arbiterAcceptCommand(ctx: CliContext, o: { network?: string; as?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  if (o.as !== undefined) return arbiterAsContract(ctx, o.as, { kind: "accept", networkId }, `accept the arbiter role of network ${networkId}`);
  const { deployment } = await ctx.ledgers();
  const r = await acceptArbiter(await ctx.signer(), deployment, { networkId }, ctx.send);
  return {
    data: { networkId: Number(networkId), previousArbiter: r.previousArbiter, arbiter: r.arbiter, ...outcomeData(r.outcome) },
    lines: [ctx.dryRun ? `${r.arbiter} would become the arbiter of network ${networkId}` : `${r.arbiter} is now the arbiter of network ${networkId} (was ${r.previousArbiter})`, ...outcomeLines(r.outcome)],
  };
}
