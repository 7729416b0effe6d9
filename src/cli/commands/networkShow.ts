/**
 * `workledger network show --network ID`: the SDK's readNetwork (configuration, and name and work unit
 * from NetworkCreated) and readTrust (arbiter, bond, thaw, arbiter deadline, statements, finality cursor).
 */
import { durationText, readNetwork, readTrust } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount, kv } from "../output";
import { parseNetworkId } from "../parse";

export async function networkShowCommand(ctx: CliContext, o: { network?: string }): Promise<CommandOutput> {
  const id = parseNetworkId(o.network);
  const { deployment, chain } = await ctx.ledgers();
  const n = await readNetwork(chain.provider, deployment, id);
  const t = await readTrust(chain.provider, deployment, id);
  const token = await ctx.token(n.token);
  const data = {
    networkId: Number(id),
    name: n.name,
    workUnit: n.workUnit,
    admin: n.admin,
    token: n.token,
    tokenSymbol: token.symbol,
    tokenDecimals: token.decimals,
    genesisTime: Number(n.genesisTime),
    epochSeconds: Number(n.epochSeconds),
    challengeWindow: Number(n.challengeWindow),
    capacityPerNode: n.capacityPerNode.toString(),
    threshold: n.threshold,
    verifierCount: n.verifierCount,
    verifierSetId: n.verifierSetId,
    paused: n.paused,
    nextEpoch: Number(n.nextEpoch),
    arbiter: t.arbiter,
    pendingArbiter: t.pendingArbiter,
    bond: t.bond.toString(),
    thawSeconds: Number(t.thawSeconds),
    arbiterDeadline: Number(t.arbiterDeadline),
    maxStatementEpochs: t.maxStatementEpochs,
    finalizedCount: Number(t.finalizedCount),
    recoveryDelay: Number(t.recoveryDelay),
  };
  return {
    data,
    lines: kv([
      ["network", `${data.networkId}${data.name === null ? "" : ` "${data.name}"`}`],
      ["work unit", data.workUnit ?? "-"],
      ["token", `${data.token} (${data.tokenSymbol}, ${data.tokenDecimals} decimals)`],
      ["verifiers", `${data.threshold}-of-${data.verifierCount} (set ${data.verifierSetId})`],
      ["epoch length", `${data.epochSeconds} s from ${new Date(data.genesisTime * 1000).toISOString()}`],
      ["challenge window", `${data.challengeWindow} s`],
      ["capacity per node", data.capacityPerNode],
      ["next epoch", data.nextEpoch],
      ["final epochs", `${data.finalizedCount} (finality cursor)`],
      ["paused", String(data.paused)],
      ["arbiter", `${t.arbiter}${t.pendingArbiter ? ` (handover to ${t.pendingArbiter} pending)` : ""}`],
      ["challenge bond", formatAmount(t.bond, token.decimals, token.symbol)],
      ["arbiter deadline", durationText(t.arbiterDeadline)],
      ["withdrawal thaw", durationText(t.thawSeconds)],
      ["statements", `up to ${t.maxStatementEpochs} epochs`],
      ["recovery delay", durationText(t.recoveryDelay)],
    ]),
  };
}
