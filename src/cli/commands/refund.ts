/**
 * `workledger refund --network ID --charge ID --epoch E --amount A --reason TEXT [--bundles DIR]` (also
 * `charge refund`): an SLA credit against one epoch of a charged statement, at most that epoch's net.
 */
import { InvalidInputError, networkToken, refundStatement } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount, kv } from "../output";
import { parseAmount, parseHex32, parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function refundCommand(ctx: CliContext, o: { network?: string; charge?: string; epoch?: string; amount?: string; reason?: string; bundles?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const chargeId = parseHex32(o.charge, "--charge");
  const epoch = parseUint(o.epoch, "--epoch");
  if (o.amount === undefined) throw new InvalidInputError("missing --amount A (token units)");
  if (o.reason === undefined || o.reason.trim() === "") throw new InvalidInputError("missing --reason TEXT");
  if (BigInt(chargeId) >> 224n !== networkId) throw new InvalidInputError(`charge ${chargeId} belongs to network ${BigInt(chargeId) >> 224n}, not to --network ${networkId}`);
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const amount = parseAmount(o.amount, token.decimals);
  const r = await refundStatement(await ctx.signer(), deployment, { chargeId, epoch, amount, reason: o.reason, bundlesDir: o.bundles ?? "." }, ctx.send);
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  return {
    data: { chargeId, networkId: Number(r.networkId), customer: r.customer, epoch: Number(epoch), amount: amount.toString(), epochRefundable: r.epochRefundable.toString(), reasonHash: r.reasonHash, ...outcomeData(r.outcome) },
    lines: [
      `${ctx.dryRun ? "refund" : "refunded"} ${fmt(amount)} of charge ${chargeId} (epoch ${epoch}) to ${r.customer}'s escrow`,
      ...kv([["epoch refundable before", fmt(r.epochRefundable)], ["reason hash", r.reasonHash]]),
      ...outcomeLines(r.outcome),
    ],
  };
}
