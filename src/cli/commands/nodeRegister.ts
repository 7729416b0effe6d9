/** `workledger node register --network ID --node NODEID --operator ADDR`: the SDK's registerNode. */
import { registerNode } from "../../index";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseAddress, parseNetworkId, parseNodeId } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function nodeRegisterCommand(ctx: CliContext, o: { network?: string; node?: string; operator?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  parseNodeId(o.node);
  const operator = parseAddress(o.operator, "--operator");
  const { deployment } = await ctx.ledgers();
  const signer = await ctx.signer();
  const r = await registerNode(signer, deployment, { networkId, nodeId: o.node!, operator }, ctx.send);
  return {
    data: { networkId: Number(networkId), nodeId: r.nodeId, operator, ...outcomeData(r.outcome) },
    lines: [ctx.dryRun ? `node ${r.nodeId} -> operator ${operator}` : `registered node ${r.nodeId} on network ${networkId} (operator ${operator})`, ...outcomeLines(r.outcome)],
  };
}
