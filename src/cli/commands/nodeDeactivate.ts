/** `workledger node deactivate --network ID --node NODEID`: the registrar or the node's operator deactivates a node. */
import { deactivateNode } from "../../index";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseNetworkId, parseNodeId } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function nodeDeactivateCommand(ctx: CliContext, o: { network?: string; node?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  parseNodeId(o.node);
  const { deployment } = await ctx.ledgers();
  const r = await deactivateNode(await ctx.signer(), deployment, { networkId, nodeId: o.node! }, ctx.send);
  return {
    data: { networkId: Number(networkId), nodeId: r.nodeId, operator: r.operator, ...outcomeData(r.outcome) },
    lines: [ctx.dryRun ? `would deactivate node ${r.nodeId} on network ${networkId}` : `deactivated node ${r.nodeId} on network ${networkId} (operator ${r.operator})`, ...outcomeLines(r.outcome)],
  };
}
