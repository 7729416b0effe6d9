/** `workledger node show --network ID --node NODEID`. */
import { ZeroAddress } from "ethers";

import { InvalidInputError } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";
import { parseNetworkId, parseNodeId } from "../parse";

export async function nodeShowCommand(ctx: CliContext, o: { network?: string; node?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const nodeId = parseNodeId(o.node);
  await ctx.requireNetwork(networkId);
  const { workLedger } = await ctx.ledgers();
  const [operator, active] = await workLedger.node(networkId, nodeId);
  if (operator === ZeroAddress) throw new InvalidInputError(`unknown node ${o.node} (${nodeId}) on network ${networkId}`);
  return { data: { networkId: Number(networkId), nodeId, operator, active }, lines: kv([["node", nodeId], ["operator", operator], ["active", String(active)]]) };
}
