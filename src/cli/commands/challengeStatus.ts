/** `workledger challenge status --network ID --epoch E`: the epoch's status, its open challenge and deadline, and the next bond. */
import { isoDate, readChallenge } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount, kv } from "../output";
import { parseNetworkId, parseUint } from "../parse";

export async function challengeStatusCommand(ctx: CliContext, o: { network?: string; epoch?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  const { deployment, workLedger, chain } = await ctx.ledgers();
  const info = await readChallenge(chain.provider, deployment, networkId, epoch);
  const token = await ctx.token((await workLedger.network(networkId)).token);
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  const data = {
    networkId: Number(networkId),
    epoch: Number(epoch),
    version: info.version,
    status: info.status,
    challenges: info.challenges,
    open: info.open ? { challenger: info.open.challenger, bond: info.open.bond.toString(), deadline: info.open.deadlineIso } : null,
    nextBond: info.nextBond.toString(),
    finalizesAt: info.finalizesAt > 0n ? isoDate(info.finalizesAt) : null,
    arbiter: info.arbiter,
  };
  return {
    data,
    lines: kv([
      ["epoch", `${epoch} of network ${networkId}, version ${info.version}`],
      ["status", info.status],
      ["challenges so far", `${info.challenges} of 3`],
      ["open challenge", info.open ? `by ${info.open.challenger}, bond ${fmt(info.open.bond)}, the arbiter rules before ${info.open.deadlineIso}` : "none"],
      ["next bond", info.challenges >= 3 ? "no more challenges allowed" : fmt(info.nextBond)],
      ["finalizes", data.finalizesAt ?? "-"],
      ["arbiter", info.arbiter],
    ]),
  };
}
