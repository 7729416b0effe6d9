/**
 * `workledger claim --network ID --node NODEID [--to ADDR] [--bundles DIR]`: the SDK's claimPayout —
 * the operator's key claims the node's cumulative amount under the latest root, less what it
 * claimed before (one claim for any number of epochs; works while paused). JSON: `recipient` is who
 * was paid (--to, default the operator); `to` is the transaction's (the RevenueLedger).
 */
import { claimPayout, networkToken } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount } from "../output";
import { parseAddress, parseNetworkId, parseNodeId } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function claimCommand(ctx: CliContext, o: { network?: string; node?: string; to?: string; bundles?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  parseNodeId(o.node); // checks the flag; the SDK hashes a non-hex id the same way and names it as given
  const nodeId = o.node!;
  const to = o.to === undefined ? undefined : parseAddress(o.to, "--to");
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const r = await claimPayout(await ctx.signer(), deployment, { networkId, nodeId, to, bundleDir: o.bundles ?? "bundles" }, ctx.send);
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  return {
    data: {
      networkId: Number(networkId),
      nodeId: r.nodeId,
      operator: r.operator,
      recipient: r.to,
      amount: r.amount.toString(),
      cumulativeAmount: r.cumulativeAmount.toString(),
      claimedBefore: r.claimedBefore.toString(),
      throughEpoch: Number(r.throughEpoch),
      root: r.root,
      proof: r.proof,
      ...outcomeData(r.outcome),
    },
    lines: [`${ctx.dryRun ? "claim" : "claimed"} ${fmt(r.amount)} for node ${r.nodeId} to ${r.to} (cumulative ${fmt(r.cumulativeAmount)} through epoch ${r.throughEpoch}; claimed before ${fmt(r.claimedBefore)})`, ...outcomeLines(r.outcome)],
  };
}
