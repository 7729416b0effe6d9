/**
 * `workledger epoch status --network ID --epoch E`: status, version, root and usage root of an epoch's
 * latest version, and whether the network's finality cursor already covers it (epoch < finalizedCount).
 */
import { InvalidInputError, epochStatusName } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";
import { parseNetworkId, parseUint } from "../parse";

export async function epochStatusCommand(ctx: CliContext, o: { network?: string; epoch?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  await ctx.requireNetwork(networkId);
  const { workLedger } = await ctx.ledgers();
  const [status, version] = await workLedger.epochStatus(networkId, epoch);
  if (Number(status) === 0) throw new InvalidInputError(`unknown epoch ${epoch} on network ${networkId}: it was never committed`);
  const v = await workLedger.latestEpoch(networkId, epoch);
  const finalized = await workLedger.finalizedCount(networkId);
  const data = {
    networkId: Number(networkId),
    epoch: Number(epoch),
    version: Number(version),
    status: epochStatusName(status),
    root: v.root,
    usageRoot: v.usageRoot,
    finalizedCount: Number(finalized),
    committedAt: Number(v.committedAt),
    finalizesAt: Number(v.finalizesAt),
  };
  return {
    data,
    lines: kv([
      ["epoch", `${data.epoch} of network ${data.networkId}`],
      ["version", data.version],
      ["status", data.status],
      ["root", data.root],
      ["usage root", /^0x0{64}$/.test(data.usageRoot) ? "- (no usage)" : data.usageRoot],
      ["finality cursor", `${data.finalizedCount} (${epoch < finalized ? "covers this epoch" : "not up to this epoch yet: epoch advance"})`],
      ["committed", new Date(data.committedAt * 1000).toISOString()],
      ["finalizes", data.finalizesAt ? new Date(data.finalizesAt * 1000).toISOString() : "-"],
    ]),
  };
}
