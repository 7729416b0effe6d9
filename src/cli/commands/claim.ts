/** `workledger claim --network ID --epoch E --node NODEID --payouts FILE [--to ADDR]`: the SDK's claimPayout (the operator's key). */
import { InvalidInputError, claimPayout, networkToken, readPayoutFile } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount } from "../output";
import { parseAddress, parseNetworkId, parseNodeId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function claimCommand(ctx: CliContext, o: { network?: string; epoch?: string; node?: string; payouts?: string; to?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  const nodeId = parseNodeId(o.node);
  if (!o.payouts) throw new InvalidInputError("missing --payouts FILE");
  const to = o.to === undefined ? undefined : parseAddress(o.to, "--to");
  const set = readPayoutFile(o.payouts);
  if (!set.leaves.some((l) => l.nodeId === nodeId)) throw new InvalidInputError(`node ${o.node} has no leaf in ${o.payouts}`);
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const r = await claimPayout(await ctx.signer(), deployment, { networkId, epoch, set, nodeId, to }, ctx.send);
  return {
    data: { networkId: Number(networkId), epoch: Number(epoch), index: r.leaf.index, nodeId, operator: r.leaf.operator, to: r.to, amount: r.leaf.amount.toString(), proof: r.proof, ...outcomeData(r.outcome) },
    lines: [`${ctx.dryRun ? "claim" : "claimed"} ${formatAmount(r.leaf.amount, token.decimals, token.symbol)} for node ${nodeId} (epoch ${epoch}, leaf ${r.leaf.index}) to ${r.to}`, ...outcomeLines(r.outcome)],
  };
}
