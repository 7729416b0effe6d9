/**
 * `workledger withdraw --network ID --amount A --request` (start the thaw; `--amount 0` cancels), then
 * `workledger withdraw --network ID [--to ADDR]` once it is over (before that: refused, naming the ready date).
 */
import { InvalidInputError, isoDate, networkToken, requestWithdrawal, withdraw } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount, kv } from "../output";
import { parseAddress, parseAmount, parseNetworkId } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function withdrawCommand(ctx: CliContext, o: { network?: string; amount?: string; to?: string; request?: boolean }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  if (o.request) {
    if (o.amount === undefined) throw new InvalidInputError("withdraw --request needs --amount A (token units; 0 cancels the request)");
    if (o.to !== undefined) throw new InvalidInputError("--to goes with the withdrawal after the thaw (withdraw --network ID --to ADDR), not with --request");
    const { deployment, chain } = await ctx.ledgers();
    const token = await networkToken(chain.provider, deployment, networkId);
    const amount = /^0+(\.0+)?$/.test(o.amount.trim()) ? 0n : parseAmount(o.amount, token.decimals);
    const r = await requestWithdrawal(await ctx.signer(), deployment, { networkId, amount }, ctx.send);
    const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
    return {
      data: { networkId: Number(networkId), customer: r.customer, amount: r.amount.toString(), readyAt: r.amount === 0n ? null : isoDate(r.readyAt), thawFromEpoch: r.amount === 0n ? null : Number(r.thawFromEpoch), ...outcomeData(r.outcome) },
      lines: [
        r.amount === 0n
          ? `${ctx.dryRun ? "cancel" : "cancelled"} the withdrawal request of ${r.customer} on network ${networkId}`
          : `${ctx.dryRun ? "request" : "requested"} a withdrawal of ${fmt(r.amount)} from network ${networkId} escrow of ${r.customer}`,
        ...(r.amount === 0n
          ? []
          : kv([
              ["ready at", `${isoDate(r.readyAt)} (then: withdraw --network ${networkId})`],
              ["still pays for", `epochs before ${r.thawFromEpoch} (started before the request)`],
            ])),
        ...outcomeLines(r.outcome),
      ],
    };
  }
  if (o.amount !== undefined) {
    throw new InvalidInputError(`withdrawals thaw first: request with \`withdraw --network ${networkId} --amount ${o.amount} --request\`, then run \`withdraw --network ${networkId}\` after the network's thaw; nothing was sent`);
  }
  const to = o.to === undefined ? undefined : parseAddress(o.to, "--to");
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const r = await withdraw(await ctx.signer(), deployment, { networkId, to }, ctx.send);
  return {
    data: { networkId: Number(networkId), customer: r.customer, recipient: r.to, amount: r.amount.toString(), ...outcomeData(r.outcome) },
    lines: [`${ctx.dryRun ? "withdraw" : "withdrew"} ${formatAmount(r.amount, token.decimals, token.symbol)} from network ${networkId} escrow to ${r.to}`, ...outcomeLines(r.outcome)],
  };
}
