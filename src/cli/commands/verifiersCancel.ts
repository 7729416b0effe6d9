/** `workledger verifiers cancel --network ID`: the arbiter cancels the admin's pending recovery rotation. */
import { cancelRecovery } from "../../index";
import { arbiterAsContract } from "../asContract";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseNetworkId } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function verifiersCancelCommand(ctx: CliContext, o: { network?: string; as?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  if (o.as !== undefined) return arbiterAsContract(ctx, o.as, { kind: "cancelRecovery", networkId }, `cancel the pending recovery of network ${networkId}`);
  const { deployment } = await ctx.ledgers();
  const r = await cancelRecovery(await ctx.signer(), deployment, { networkId }, ctx.send);
  return {
    data: { networkId: Number(networkId), verifierSetId: r.verifierSetId, ...outcomeData(r.outcome) },
    lines: [ctx.dryRun ? `would cancel the pending recovery of network ${networkId}` : `cancelled the recovery proposal of network ${networkId} (verifier set ${r.verifierSetId})`, ...outcomeLines(r.outcome)],
  };
}
