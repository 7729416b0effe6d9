/** `workledger arbiter transfer --network ID --to ADDR`: the current arbiter nominates its successor (who runs `arbiter accept`). */
import { transferArbiter } from "../../index";
import { arbiterAsContract } from "../asContract";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseAddress, parseNetworkId } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function arbiterTransferCommand(ctx: CliContext, o: { network?: string; to?: string; as?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const to = parseAddress(o.to, "--to");
  if (o.as !== undefined) return arbiterAsContract(ctx, o.as, { kind: "transfer", networkId, to }, `nominate ${to} as the next arbiter of network ${networkId}`);
  const { deployment } = await ctx.ledgers();
  const r = await transferArbiter(await ctx.signer(), deployment, { networkId, to }, ctx.send);
  return {
    data: { networkId: Number(networkId), arbiter: r.arbiter, pendingArbiter: r.pendingArbiter, ...outcomeData(r.outcome) },
    lines: [
      ctx.dryRun
        ? `would nominate ${r.pendingArbiter} as the next arbiter of network ${networkId}`
        : `nominated ${r.pendingArbiter} as the next arbiter of network ${networkId}; ${r.arbiter} stays arbiter until the nominee runs \`workledger arbiter accept --network ${networkId}\``,
      ...outcomeLines(r.outcome),
    ],
  };
}
