/** `workledger challenge resolve --network ID --epoch E --upheld|--rejected`: the arbiter rules (the SDK's resolveChallenge). */
import { InvalidInputError, isoDate, resolveChallenge } from "../../index";
import { arbiterAsContract } from "../asContract";
import { CliContext } from "../context";
import { CommandOutput, formatAmount } from "../output";
import { parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function challengeResolveCommand(ctx: CliContext, o: { network?: string; epoch?: string; upheld?: boolean; rejected?: boolean; as?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (Boolean(o.upheld) === Boolean(o.rejected)) throw new InvalidInputError("pass exactly one of --upheld (void the version, return the bond) or --rejected (bond to network revenue, the window resumes)");
  const upheld = Boolean(o.upheld);
  if (o.as !== undefined) return arbiterAsContract(ctx, o.as, { kind: "resolve", networkId, epoch, upheld }, `${upheld ? "uphold" : "reject"} the challenge of epoch ${epoch} of network ${networkId}`);
  const { deployment, workLedger } = await ctx.ledgers();
  await ctx.requireNetwork(networkId);
  const token = await ctx.token((await workLedger.network(networkId)).token);
  const r = await resolveChallenge(await ctx.signer(), deployment, { networkId, epoch, upheld }, ctx.send);
  const bondText = r.bond ? `bond of ${formatAmount(r.bond.amount, token.decimals, token.symbol)} ${r.bond.fate === "returned" ? `returned to ${r.bond.challenger}${r.bond.paid ? "" : " (the token refused the transfer: it stays withdrawable)"}` : "forfeited to the network's revenue"}` : null;
  const head = ctx.dryRun
    ? `would ${upheld ? "uphold" : "reject"} the challenge of epoch ${epoch} of network ${networkId}`
    : upheld
      ? `upheld the challenge of epoch ${epoch} v${r.version} of network ${networkId}: the version is voided${bondText ? `; ${bondText}` : ""}`
      : `rejected the challenge of epoch ${epoch} v${r.version} of network ${networkId}: pending again, final at ${isoDate(r.finalizesAt!)}${bondText ? `; ${bondText}` : ""}`;
  return {
    data: {
      networkId: Number(networkId),
      epoch: Number(epoch),
      version: r.version,
      upheld,
      finalizesAt: r.finalizesAt === null ? null : isoDate(r.finalizesAt),
      bond: r.bond ? { challenger: r.bond.challenger, amount: r.bond.amount.toString(), fate: r.bond.fate, paid: r.bond.paid } : null,
      ...outcomeData(r.outcome),
    },
    lines: [head, ...outcomeLines(r.outcome)],
  };
}
