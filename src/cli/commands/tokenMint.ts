/** `workledger token mint --to ADDR --amount A [--token ADDR]`: the SDK's mintTestToken (MockStablecoin's open mint). */
import { InvalidInputError, mintTestToken } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount } from "../output";
import { parseAddress, parseAmount } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function tokenMintCommand(ctx: CliContext, o: { to?: string; amount?: string; token?: string }): Promise<CommandOutput> {
  const to = parseAddress(o.to, "--to");
  if (o.amount === undefined) throw new InvalidInputError("missing --amount A (token units)");
  const { deployment } = await ctx.ledgers();
  const tokenAddr = o.token === undefined ? deployment.token : parseAddress(o.token, "--token");
  const t = await ctx.token(tokenAddr);
  const amount = parseAmount(o.amount, t.decimals);
  const outcome = await mintTestToken(await ctx.signer(), tokenAddr, { to, amount }, ctx.send);
  return {
    data: { token: tokenAddr, to, amount: amount.toString(), ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "mint" : "minted"} ${formatAmount(amount, t.decimals, t.symbol)} to ${to}`, ...outcomeLines(outcome)],
  };
}
