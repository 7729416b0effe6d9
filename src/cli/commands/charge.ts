/** `workledger charge --network ID --customer ADDR --epoch E --amount A --ref REF`: the SDK's charge (escrow -> held; biller role). */
import { InvalidInputError, charge, networkToken } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount } from "../output";
import { parseAddress, parseAmount, parseBytes32, parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function chargeCommand(ctx: CliContext, o: { network?: string; customer?: string; epoch?: string; amount?: string; ref?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const customer = parseAddress(o.customer, "--customer");
  const epoch = parseUint(o.epoch, "--epoch");
  if (o.amount === undefined) throw new InvalidInputError("missing --amount A (token units)");
  if (o.ref === undefined || o.ref === "") throw new InvalidInputError("missing --ref");
  const ref = parseBytes32(o.ref, "--ref");
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const amount = parseAmount(o.amount, token.decimals);
  const r = await charge(await ctx.signer(), deployment, { networkId, customer, epoch, amount, ref }, ctx.send);
  return {
    data: { networkId: Number(networkId), customer, epoch: Number(epoch), amount: amount.toString(), ref, chargeId: r.chargeId, ...outcomeData(r.outcome) },
    lines: [`${ctx.dryRun ? "charge" : "charged"} ${customer} ${formatAmount(amount, token.decimals, token.symbol)} for epoch ${epoch} of network ${networkId}${r.chargeId ? ` (charge ${r.chargeId})` : ""}`, ...outcomeLines(r.outcome)],
  };
}
