/** `workledger charge list --network ID [--customer ADDR]`: charged statements and their refunds, from chain events. */
import { listCharges, networkToken } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount, table } from "../output";
import { parseAddress, parseNetworkId } from "../parse";

export async function chargeListCommand(ctx: CliContext, o: { network?: string; customer?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const customer = o.customer === undefined ? undefined : parseAddress(o.customer, "--customer");
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const list = await listCharges(chain.provider, deployment, { networkId, customer });
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  const charges = list.map((c) => ({
    chargeId: c.chargeId,
    networkId: Number(c.networkId),
    customer: c.customer,
    fromEpoch: Number(c.fromEpoch),
    toEpoch: Number(c.toEpoch),
    amount: c.amount.toString(),
    fee: c.fee.toString(),
    refunded: c.refunded.toString(),
    capPerEpoch: c.capPerEpoch.toString(),
    usageHash: c.usageHash,
    signers: c.signers,
    referenceText: c.referenceText,
    txHash: c.txHash,
    blockNumber: c.blockNumber,
  }));
  const lines =
    list.length === 0
      ? [`no charges on network ${networkId}${customer ? ` for ${customer}` : ""}`]
      : table(
          ["charge id", "customer", "epochs", "amount", "fee", "refunded", "cap/epoch", "reference"],
          list.map((c) => [c.chargeId, c.customer, `${c.fromEpoch}-${c.toEpoch}`, fmt(c.amount), fmt(c.fee), fmt(c.refunded), fmt(c.capPerEpoch), c.referenceText || "-"]),
        );
  return { data: { networkId: Number(networkId), customer: customer ?? null, charges }, lines };
}
