/** `workledger epoch list --network ID`: every committed epoch with every version, status, root and dates (ISO 8601, UTC). */
import { listEpochs } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, table } from "../output";
import { parseNetworkId } from "../parse";

const iso = (unix: bigint): string | null => (unix === 0n ? null : new Date(Number(unix) * 1000).toISOString());

export async function epochListCommand(ctx: CliContext, o: { network?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const { deployment, chain } = await ctx.ledgers();
  const versions = await listEpochs(chain.provider, deployment, networkId);
  const epochs = versions.map((v) => ({
    epoch: Number(v.epoch),
    version: v.version,
    status: v.status,
    superseded: v.superseded,
    root: v.root,
    committedAt: iso(v.committedAt),
    finalizesAt: iso(v.finalizesAt),
  }));
  const lines =
    epochs.length === 0
      ? [`network ${networkId} has no committed epoch yet`]
      : table(
          ["epoch", "version", "status", "root", "committed", "finalizes"],
          epochs.map((e) => [String(e.epoch), String(e.version), e.superseded ? `${e.status} (superseded)` : e.status, e.root, e.committedAt ?? "-", e.finalizesAt ?? "-"]),
        );
  return { data: { networkId: Number(networkId), epochs }, lines };
}
