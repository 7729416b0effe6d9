/**
 * `workledger token mint|balance`: test-token helpers (MockStablecoin's open mint) and balances.
 */
import { Contract, Interface } from "ethers";

import { CliContext, ERC20_ABI } from "../context";
import { CommandOutput, formatAmount, kv } from "../output";
import { parseAddress, parseAmount, parseNetworkId } from "../parse";
import { execute, outcomeData, outcomeLines } from "../tx";
import { InvalidInputError } from "../../errors";

/** `token mint --to ADDR --amount A`. */
export async function tokenMintCommand(ctx: CliContext, o: { to?: string; amount?: string; token?: string }): Promise<CommandOutput> {
  const to = parseAddress(o.to, "--to");
  if (o.amount === undefined) throw new InvalidInputError("missing --amount A (token units)");
  const { deployment } = await ctx.ledgers();
  const tokenAddr = o.token === undefined ? deployment.token : parseAddress(o.token, "--token");
  const t = await ctx.token(tokenAddr);
  const amount = parseAmount(o.amount, t.decimals);
  const signer = await ctx.signer();
  const outcome = await execute(signer, { contract: t.symbol || "Token", to: tokenAddr, iface: new Interface(ERC20_ABI), method: "mint", args: [to, amount] }, ctx.dryRun);
  return {
    data: { token: tokenAddr, to, amount: amount.toString(), ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "mint" : "minted"} ${formatAmount(amount, t.decimals, t.symbol)} to ${to}`, ...outcomeLines(outcome)],
  };
}

/** `token balance --address ADDR [--network ID]`. */
export async function tokenBalanceCommand(ctx: CliContext, o: { address?: string; network?: string; token?: string }): Promise<CommandOutput> {
  const address = parseAddress(o.address, "--address");
  const networkId = o.network === undefined ? undefined : parseNetworkId(o.network);
  const { deployment, chain, revenueLedger } = await ctx.ledgers();
  const tokenAddr = o.token === undefined ? deployment.token : parseAddress(o.token, "--token");
  const t = await ctx.token(tokenAddr);
  const balance = (await new Contract(tokenAddr, ERC20_ABI, chain.provider).balanceOf(address)) as bigint;
  const data: Record<string, unknown> = { address, token: tokenAddr, balance: balance.toString() };
  const rows: Array<[string, string]> = [["wallet", formatAmount(balance, t.decimals, t.symbol)]];
  if (networkId !== undefined) {
    await ctx.requireNetwork(networkId);
    const c = await revenueLedger.customer(networkId, address);
    Object.assign(data, { networkId: Number(networkId), free: c.free.toString(), held: c.held.toString() });
    rows.push([`free escrow (network ${networkId})`, formatAmount(c.free, t.decimals, t.symbol)], ["held charges", formatAmount(c.held, t.decimals, t.symbol)]);
  }
  return { data, lines: [address, ...kv(rows)] };
}
