/** `workledger token balance --address ADDR [--network ID] [--token ADDR]`: wallet balance, and free and held escrow on a network. */
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
    Object.assign(data, { networkId: Number(networkId), free: c.free.toString(), held: c.held.toString() });
    rows.push([`free escrow (network ${networkId})`, formatAmount(c.free, t.decimals, t.symbol)], ["held charges", formatAmount(c.held, t.decimals, t.symbol)]);
  }
  return { data, lines: [address, ...kv(rows)] };
}
