/** `workledger withdraw --network ID --amount A [--to ADDR]`: the SDK's withdraw (free escrow only). */
import { InvalidInputError, networkToken, withdraw } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount } from "../output";
import { parseAddress, parseAmount, parseNetworkId } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function withdrawCommand(ctx: CliContext, o: { network?: string; amount?: string; to?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  if (o.amount === undefined) throw new InvalidInputError("missing --amount A (token units)");
  const to = o.to === undefined ? undefined : parseAddress(o.to, "--to");
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const amount = parseAmount(o.amount, token.decimals);
  const r = await withdraw(await ctx.signer(), deployment, { networkId, amount, to }, ctx.send);
  return {
    data: { networkId: Number(networkId), customer: r.customer, to: r.to, amount: amount.toString(), ...outcomeData(r.outcome) },
    lines: [`${ctx.dryRun ? "withdraw" : "withdrew"} ${formatAmount(amount, token.decimals, token.symbol)} from network ${networkId} escrow to ${r.to}`, ...outcomeLines(r.outcome)],
  };
}
