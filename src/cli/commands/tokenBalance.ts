/** `workledger token balance --address ADDR [--network ID] [--token ADDR]`: wallet balance, and escrow (free and thawing) on a network. */
import { customerEscrow, tokenBalance } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount, kv } from "../output";
import { parseAddress, parseNetworkId } from "../parse";

export async function tokenBalanceCommand(ctx: CliContext, o: { address?: string; network?: string; token?: string }): Promise<CommandOutput> {
  const address = parseAddress(o.address, "--address");
  const networkId = o.network === undefined ? undefined : parseNetworkId(o.network);
  const { deployment, chain } = await ctx.ledgers();
  const tokenAddr = o.token === undefined ? deployment.token : parseAddress(o.token, "--token");
  const t = await ctx.token(tokenAddr);
  const balance = await tokenBalance(chain.provider, tokenAddr, address);
  const data: Record<string, unknown> = { address, token: tokenAddr, balance: balance.toString() };
  const rows: Array<[string, string]> = [["wallet", formatAmount(balance, t.decimals, t.symbol)]];
  if (networkId !== undefined) {
    const c = await customerEscrow(chain.provider, deployment, networkId, address);
    Object.assign(data, { networkId: Number(networkId), escrow: c.escrow.toString(), thawing: c.thawing.toString(), free: c.free.toString() });
    rows.push([`escrow (network ${networkId})`, formatAmount(c.escrow, t.decimals, t.symbol)], ["thawing", formatAmount(c.thawing, t.decimals, t.symbol)], ["free", formatAmount(c.free, t.decimals, t.symbol)]);
  }
  return { data, lines: [address, ...kv(rows)] };
}
