/** `workledger resolve --network ID --epoch E --upheld|--rejected`: the SDK's resolveChallenge (arbiter). */
import { InvalidInputError, resolveChallenge } from "../../index";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function resolveCommand(ctx: CliContext, o: { network?: string; epoch?: string; upheld?: boolean; rejected?: boolean }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (Boolean(o.upheld) === Boolean(o.rejected)) throw new InvalidInputError("pass exactly one of --upheld or --rejected");
  const upheld = Boolean(o.upheld);
  const { deployment } = await ctx.ledgers();
  const outcome = await resolveChallenge(await ctx.signer(), deployment, { networkId, epoch, upheld }, ctx.send);
  return {
    data: { networkId: Number(networkId), epoch: Number(epoch), upheld, ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "resolve" : "resolved"} challenge of epoch ${epoch}: ${upheld ? "upheld (voided)" : "rejected (pending again)"}`, ...outcomeLines(outcome)],
  };
}
