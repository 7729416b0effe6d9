/** `workledger challenge expire --network ID --epoch E`: anyone expires a challenge the arbiter left past its deadline (voided, bond returned). */
import { expireChallenge } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount } from "../output";
import { parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function challengeExpireCommand(ctx: CliContext, o: { network?: string; epoch?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  const { deployment, workLedger } = await ctx.ledgers();
  await ctx.requireNetwork(networkId);
  const token = await ctx.token((await workLedger.network(networkId)).token);
  const r = await expireChallenge(await ctx.signer(), deployment, { networkId, epoch }, ctx.send);
  const head = ctx.dryRun
    ? `would expire the challenge of epoch ${epoch} of network ${networkId}`
    : `expired the challenge of epoch ${epoch} v${r.version} of network ${networkId}: the arbiter missed its deadline, the version is voided${r.bond ? `; bond of ${formatAmount(r.bond.amount, token.decimals, token.symbol)} returned to ${r.bond.challenger}` : ""}`;
  return {
    data: { networkId: Number(networkId), epoch: Number(epoch), version: r.version, bond: r.bond ? { challenger: r.bond.challenger, amount: r.bond.amount.toString(), fate: r.bond.fate, paid: r.bond.paid } : null, ...outcomeData(r.outcome) },
    lines: [head, ...outcomeLines(r.outcome)],
  };
}
