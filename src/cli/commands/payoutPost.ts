/** `workledger payout post --network ID --epoch E --payouts FILE`: the SDK's postPayoutRoot (revenue -> payable under a Merkle root). */
import { InvalidInputError, networkToken, postPayoutRoot, readPayoutFile } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount } from "../output";
import { parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function payoutPostCommand(ctx: CliContext, o: { network?: string; epoch?: string; payouts?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (!o.payouts) throw new InvalidInputError("missing --payouts FILE");
  const set = readPayoutFile(o.payouts);
  if (set.networkId !== null && BigInt(set.networkId) !== networkId) throw new InvalidInputError(`${o.payouts} is for network ${set.networkId}, not ${networkId}`);
  if (set.epoch !== null && BigInt(set.epoch) !== epoch) throw new InvalidInputError(`${o.payouts} is for epoch ${set.epoch}, not ${epoch}`);
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const outcome = await postPayoutRoot(await ctx.signer(), deployment, { networkId, epoch, set }, ctx.send);
  return {
    data: { networkId: Number(networkId), epoch: Number(epoch), root: set.root, total: set.total.toString(), leafCount: set.leaves.length, ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "post" : "posted"} payout root ${set.root} for epoch ${epoch}: ${set.leaves.length} leaves, ${formatAmount(set.total, token.decimals, token.symbol)}`, ...outcomeLines(outcome)],
  };
}
