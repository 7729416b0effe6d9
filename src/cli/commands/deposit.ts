/** `workledger deposit --network ID --amount A`: the SDK's deposit (approves the RevenueLedger first if needed). */
import { InvalidInputError, customerEscrow, deposit, networkToken } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount } from "../output";
import { parseAmount, parseNetworkId } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function depositCommand(ctx: CliContext, o: { network?: string; amount?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  if (o.amount === undefined) throw new InvalidInputError("missing --amount A (token units)");
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const amount = parseAmount(o.amount, token.decimals);
  const signer = await ctx.signer();
  const r = await deposit(signer, deployment, { networkId, amount }, ctx.send);
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  const lines = [`${ctx.dryRun ? "deposit" : "deposited"} ${fmt(amount)} into network ${networkId} escrow of ${r.customer}`, ...r.transactions.flatMap(outcomeLines)];
  if (!r.depositSimulated) lines.push("  deposit: not simulated (needs the approval above to be mined first)");
  if (!ctx.dryRun) {
    const c = await customerEscrow(chain.provider, deployment, networkId, r.customer);
    lines.push(`escrow now ${fmt(c.escrow)} (${fmt(c.thawing)} thawing, ${fmt(c.free)} free)`);
  }
  return { data: { networkId: Number(networkId), customer: r.customer, amount: amount.toString(), transactions: r.transactions.map(outcomeData) }, lines };
}
