/** What `charge post` and `charge void` share: the SDK's settleCharge and its output. */
import { networkToken, settleCharge } from "../index";
import type { CliContext } from "./context";
import { CommandOutput, formatAmount } from "./output";
import { parseHex32 } from "./parse";
import { outcomeData, outcomeLines } from "./txOutput";

/** Post (epoch final) or void (epoch voided) a held charge. */
export async function settleChargeCommand(ctx: CliContext, action: "post" | "void", o: { charge?: string }): Promise<CommandOutput> {
  const chargeId = parseHex32(o.charge, "--charge");
  const { deployment, chain } = await ctx.ledgers();
  const { charge: c, outcome } = await settleCharge(await ctx.signer(), deployment, { chargeId, action }, ctx.send);
  const token = await networkToken(chain.provider, deployment, c.networkId);
  return {
    data: { chargeId, action, networkId: Number(c.networkId), epoch: Number(c.epoch), customer: c.customer, amount: c.amount.toString(), ...outcomeData(outcome) },
    lines: [`${action}${ctx.dryRun ? "" : "ed"} charge ${chargeId}: ${formatAmount(c.amount, token.decimals, token.symbol)} of ${c.customer} for epoch ${c.epoch}`, ...outcomeLines(outcome)],
  };
}
