/**
 * `workledger node register|show`: register a node (nodeId, operator) on a network, or read it.
 */
import { IWorkLedger__factory } from "../../contracts";
import { InvalidInputError } from "../../errors";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";
import { parseAddress, parseNetworkId, parseNodeId } from "../parse";
import { execute, outcomeData, outcomeLines } from "../tx";

/** The `node register` command. */
export async function nodeRegisterCommand(ctx: CliContext, o: { network?: string; node?: string; operator?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const nodeId = parseNodeId(o.node);
  const operator = parseAddress(o.operator, "--operator");
  await ctx.requireNetwork(networkId);
  const { workLedger, deployment } = await ctx.ledgers();
  const [existing] = await workLedger.node(networkId, nodeId);
  if (existing !== "0x0000000000000000000000000000000000000000") {
    throw new InvalidInputError(`node ${o.node} (${nodeId}) is already registered on network ${networkId} (operator ${existing})`);
  }
  const signer = await ctx.signer();
  const outcome = await execute(
    signer,
    { contract: "WorkLedger", to: deployment.workLedger, iface: IWorkLedger__factory.createInterface(), method: "registerNode", args: [networkId, nodeId, operator] },
    ctx.dryRun,
  );
  return {
    data: { networkId: Number(networkId), nodeId, operator, ...outcomeData(outcome) },
    lines: [ctx.dryRun ? `node ${nodeId} -> operator ${operator}` : `registered node ${nodeId} on network ${networkId} (operator ${operator})`, ...outcomeLines(outcome)],
  };
}

/** The `node show` command. */
export async function nodeShowCommand(ctx: CliContext, o: { network?: string; node?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const nodeId = parseNodeId(o.node);
  await ctx.requireNetwork(networkId);
  const { workLedger } = await ctx.ledgers();
  const [operator, active] = await workLedger.node(networkId, nodeId);
  if (operator === "0x0000000000000000000000000000000000000000") throw new InvalidInputError(`unknown node ${o.node} (${nodeId}) on network ${networkId}`);
  return { data: { networkId: Number(networkId), nodeId, operator, active }, lines: kv([["node", nodeId], ["operator", operator], ["active", String(active)]]) };
}
