/**
 * Epoch lifecycle commands: `epoch status`, `challenge`, `resolve`, and `time advance` for dev chains.
 */
import { keccak256, toUtf8Bytes } from "ethers";

import { IWorkLedger__factory } from "../../contracts";
import { InvalidInputError } from "../../errors";
import { advanceTime } from "../chain";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";
import { parseNetworkId, parseUint } from "../parse";
import { execute, outcomeData, outcomeLines } from "../tx";
import { statusName } from "./network";

/** `epoch status --network ID --epoch E`. */
export async function epochStatusCommand(ctx: CliContext, o: { network?: string; epoch?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  await ctx.requireNetwork(networkId);
  const { workLedger } = await ctx.ledgers();
  const [status, version] = await workLedger.epochStatus(networkId, epoch);
  if (Number(status) === 0) throw new InvalidInputError(`unknown epoch ${epoch} on network ${networkId}: it was never committed`);
  const v = await workLedger.latestEpoch(networkId, epoch);
  const data = {
    networkId: Number(networkId),
    epoch: Number(epoch),
    version: Number(version),
    status: statusName(status),
    root: v.root,
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
      ["committed", new Date(data.committedAt * 1000).toISOString()],
      ["finalizes", data.finalizesAt ? new Date(data.finalizesAt * 1000).toISOString() : "-"],
    ]),
  };
}

function reason(v: string | undefined): string {
  if (v === undefined || v === "") throw new InvalidInputError("missing --reason TEXT");
  return /^0x[0-9a-fA-F]{64}$/.test(v) ? v.toLowerCase() : keccak256(toUtf8Bytes(v));
}

/** `challenge --network ID --epoch E --reason TEXT` (challenger role). */
export async function challengeCommand(ctx: CliContext, o: { network?: string; epoch?: string; reason?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  const reasonHash = reason(o.reason);
  await ctx.requireNetwork(networkId);
  const { workLedger, deployment } = await ctx.ledgers();
  const [status] = await workLedger.epochStatus(networkId, epoch);
  if (Number(status) !== 1) throw new InvalidInputError(`epoch ${epoch} of network ${networkId} is ${statusName(status)}: only a pending epoch can be challenged`);
  const signer = await ctx.signer();
  const outcome = await execute(signer, { contract: "WorkLedger", to: deployment.workLedger, iface: IWorkLedger__factory.createInterface(), method: "challengeEpoch", args: [networkId, epoch, reasonHash] }, ctx.dryRun);
  return {
    data: { networkId: Number(networkId), epoch: Number(epoch), reasonHash, ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "challenge" : "challenged"} epoch ${epoch} of network ${networkId}`, ...outcomeLines(outcome)],
  };
}

/** `resolve --network ID --epoch E --upheld|--rejected` (arbiter role). */
export async function resolveCommand(ctx: CliContext, o: { network?: string; epoch?: string; upheld?: boolean; rejected?: boolean }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (Boolean(o.upheld) === Boolean(o.rejected)) throw new InvalidInputError("pass exactly one of --upheld or --rejected");
  await ctx.requireNetwork(networkId);
  const { workLedger, deployment } = await ctx.ledgers();
  const [status] = await workLedger.epochStatus(networkId, epoch);
  if (Number(status) !== 2) throw new InvalidInputError(`epoch ${epoch} of network ${networkId} is ${statusName(status)}, not challenged`);
  const signer = await ctx.signer();
  const upheld = Boolean(o.upheld);
  const outcome = await execute(signer, { contract: "WorkLedger", to: deployment.workLedger, iface: IWorkLedger__factory.createInterface(), method: "resolveChallenge", args: [networkId, epoch, upheld] }, ctx.dryRun);
  return {
    data: { networkId: Number(networkId), epoch: Number(epoch), upheld, ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "resolve" : "resolved"} challenge of epoch ${epoch}: ${upheld ? "upheld (voided)" : "rejected (pending again)"}`, ...outcomeLines(outcome)],
  };
}

/** `time advance --seconds S`: move a dev chain's clock (hardhat node, anvil). */
export async function timeAdvanceCommand(ctx: CliContext, o: { seconds?: string }): Promise<CommandOutput> {
  const seconds = parseUint(o.seconds, "--seconds", 32);
  const chain = await ctx.chain();
  try {
    await advanceTime(chain, seconds);
  } catch (e) {
    throw new InvalidInputError(`${chain.url} does not support evm_increaseTime (not a dev chain): ${(e as Error).message.split("\n")[0]}`);
  }
  const block = await chain.provider.getBlock("latest");
  return { data: { advanced: Number(seconds), blockNumber: block?.number ?? null, timestamp: block?.timestamp ?? null }, lines: [`advanced ${seconds} s: block ${block?.number} at ${new Date((block?.timestamp ?? 0) * 1000).toISOString()}`] };
}
