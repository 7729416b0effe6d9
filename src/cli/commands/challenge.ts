/** `workledger challenge --network ID --epoch E --reason TEXT`: the SDK's challengeEpoch. */
import { InvalidInputError, challengeEpoch, reasonHash } from "../../index";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function challengeCommand(ctx: CliContext, o: { network?: string; epoch?: string; reason?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (o.reason === undefined || o.reason === "") throw new InvalidInputError("missing --reason TEXT");
  const hash = reasonHash(o.reason);
  const { deployment } = await ctx.ledgers();
  const outcome = await challengeEpoch(await ctx.signer(), deployment, { networkId, epoch, reasonHash: hash }, ctx.send);
  return {
    data: { networkId: Number(networkId), epoch: Number(epoch), reasonHash: hash, ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "challenge" : "challenged"} epoch ${epoch} of network ${networkId}`, ...outcomeLines(outcome)],
  };
}
