/** `workledger charge refund --charge ID --amount A --reason TEXT`: the SDK's refundCharge (an SLA credit, revenue -> escrow). */
import { InvalidInputError, networkToken, readCharge, refundCharge } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount } from "../output";
import { parseAmount, parseBytes32, parseHex32 } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function chargeRefundCommand(ctx: CliContext, o: { charge?: string; amount?: string; reason?: string }): Promise<CommandOutput> {
  const chargeId = parseHex32(o.charge, "--charge");
  if (o.amount === undefined) throw new InvalidInputError("missing --amount A (token units)");
  if (o.reason === undefined || o.reason === "") throw new InvalidInputError("missing --reason");
  const reasonHash = parseBytes32(o.reason, "--reason");
  const { deployment, chain } = await ctx.ledgers();
  const c = await readCharge(chain.provider, deployment, chargeId);
  const token = await networkToken(chain.provider, deployment, c.networkId);
  const amount = parseAmount(o.amount, token.decimals);
  const { outcome } = await refundCharge(await ctx.signer(), deployment, { chargeId, amount, reasonHash }, ctx.send);
  return {
    data: { chargeId, networkId: Number(c.networkId), epoch: Number(c.epoch), customer: c.customer, amount: amount.toString(), reasonHash, ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "refund" : "refunded"} ${formatAmount(amount, token.decimals, token.symbol)} of charge ${chargeId} to ${c.customer}`, ...outcomeLines(outcome)],
  };
}
