/**
 * `workledger network create|show`: create a network (verifier set, threshold, epoch length,
 * token, challenge window, capacity, work unit) and read one back.
 */
import { IWorkLedger__factory } from "../../contracts";
import { InvalidInputError } from "../../errors";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";
import { parseAddress, parseAddressList, parseNetworkId, parseUint } from "../parse";
import { TxOutcome, execute, outcomeData, outcomeLines } from "../tx";

export interface NetworkCreateOptions {
  name?: string;
  verifiers?: string;
  threshold?: string;
  epochSeconds?: string;
  token?: string;
  challengeWindow?: string;
  capacity?: string;
  workUnit?: string;
  genesis?: string;
  admin?: string;
}

/** Default challenge window: one day. */
export const DEFAULT_CHALLENGE_WINDOW = 86_400n;

/** Validated parameters of createNetwork. */
export interface NetworkParamsInput {
  admin: string;
  token: string;
  genesisTime: bigint;
  epochSeconds: bigint;
  challengeWindow: bigint;
  capacityPerNode: bigint;
  threshold: number;
  name: string;
  workUnit: string;
  verifiers: string[];
}

/** Validate the flags of `network create` (before any connection). */
export function parseNetworkParams(o: NetworkCreateOptions, defaults: { admin?: string; token?: string }): Omit<NetworkParamsInput, "admin" | "token"> & { admin?: string; token?: string } {
  if (!o.name || o.name.trim() === "") throw new InvalidInputError("missing --name NAME");
  const verifiers = parseAddressList(o.verifiers, "--verifiers");
  const seen = new Set<string>();
  for (const v of verifiers) {
    if (seen.has(v)) throw new InvalidInputError(`--verifiers lists ${v} twice`);
    seen.add(v);
  }
  const threshold = Number(parseUint(o.threshold, "--threshold", 8));
  if (threshold < 1 || threshold > verifiers.length) throw new InvalidInputError(`--threshold must be from 1 to ${verifiers.length} (the number of verifiers), got ${threshold}`);
  const epochSeconds = parseUint(o.epochSeconds, "--epoch-seconds");
  if (epochSeconds === 0n) throw new InvalidInputError("--epoch-seconds must be greater than zero");
  return {
    name: o.name,
    verifiers,
    threshold,
    epochSeconds,
    challengeWindow: o.challengeWindow === undefined ? DEFAULT_CHALLENGE_WINDOW : parseUint(o.challengeWindow, "--challenge-window"),
    capacityPerNode: o.capacity === undefined ? 0n : parseUint(o.capacity, "--capacity"),
    workUnit: o.workUnit ?? "work units",
    genesisTime: o.genesis === undefined ? 0n : parseUint(o.genesis, "--genesis"),
    token: o.token === undefined ? defaults.token : parseAddress(o.token, "--token"),
    admin: o.admin === undefined ? defaults.admin : parseAddress(o.admin, "--admin"),
  };
}

/** Send createNetwork and return the new id (from NetworkCreated) with the outcome. */
export async function createNetwork(ctx: CliContext, p: NetworkParamsInput): Promise<{ networkId: bigint | null; outcome: TxOutcome }> {
  const { deployment } = await ctx.ledgers();
  const signer = await ctx.signer();
  const iface = IWorkLedger__factory.createInterface();
  const outcome = await execute(signer, { contract: "WorkLedger", to: deployment.workLedger, iface, method: "createNetwork", args: [p] }, ctx.dryRun);
  let networkId: bigint | null = null;
  if (outcome.receipt) {
    for (const log of outcome.receipt.logs) {
      const parsed = (() => {
        try {
          return iface.parseLog(log);
        } catch {
          return null;
        }
      })();
      if (parsed?.name === "NetworkCreated") networkId = parsed.args.networkId as bigint;
    }
  }
  return { networkId, outcome };
}

/** The `network create` command. */
export async function networkCreateCommand(ctx: CliContext, o: NetworkCreateOptions): Promise<CommandOutput> {
  const parsed = parseNetworkParams(o, {});
  const { deployment, chain } = await ctx.ledgers();
  const token = parsed.token ?? deployment.token;
  if ((await chain.provider.getCode(token)) === "0x") throw new InvalidInputError(`--token ${token} has no contract code on chain ${chain.chainId}`);
  const signer = await ctx.signer();
  const admin = parsed.admin ?? (await signer.getAddress());
  const params: NetworkParamsInput = { ...parsed, token, admin };
  const { networkId, outcome } = await createNetwork(ctx, params);
  const summary = {
    networkId: networkId === null ? null : Number(networkId),
    name: params.name,
    admin,
    token,
    verifiers: params.verifiers,
    threshold: params.threshold,
    epochSeconds: Number(params.epochSeconds),
    challengeWindow: Number(params.challengeWindow),
    capacityPerNode: params.capacityPerNode.toString(),
    workUnit: params.workUnit,
    genesisTime: Number(params.genesisTime),
  };
  const lines = ctx.dryRun
    ? [`network "${params.name}": ${params.threshold}-of-${params.verifiers.length} verifiers, epochs of ${params.epochSeconds} s`, ...outcomeLines(outcome)]
    : [`created network ${networkId} "${params.name}" (${params.threshold}-of-${params.verifiers.length} verifiers, epochs of ${params.epochSeconds} s, admin ${admin})`, ...outcomeLines(outcome)];
  return { data: { ...summary, ...outcomeData(outcome) }, lines };
}

const STATUS = ["none", "pending", "challenged", "final", "voided"] as const;

/** Name of an EpochStatus enum value. */
export function statusName(v: bigint | number): string {
  return STATUS[Number(v)] ?? `status${v}`;
}

/** The `network show --network ID` command. */
export async function networkShowCommand(ctx: CliContext, o: { network?: string }): Promise<CommandOutput> {
  const id = parseNetworkId(o.network);
  await ctx.requireNetwork(id);
  const { workLedger } = await ctx.ledgers();
  const n = await workLedger.network(id);
  const token = await ctx.token(n.token);
  const data = {
    networkId: Number(id),
    token: n.token,
    tokenSymbol: token.symbol,
    tokenDecimals: token.decimals,
    genesisTime: Number(n.genesisTime),
    epochSeconds: Number(n.epochSeconds),
    challengeWindow: Number(n.challengeWindow),
    capacityPerNode: n.capacityPerNode.toString(),
    threshold: Number(n.threshold),
    verifierCount: Number(n.verifierCount),
    verifierSetId: Number(n.verifierSetId),
    paused: n.paused,
    nextEpoch: Number(n.nextEpoch),
  };
  return {
    data,
    lines: kv([
      ["network", data.networkId],
      ["token", `${data.token} (${data.tokenSymbol}, ${data.tokenDecimals} decimals)`],
      ["verifiers", `${data.threshold}-of-${data.verifierCount} (set ${data.verifierSetId})`],
      ["epoch length", `${data.epochSeconds} s from ${new Date(data.genesisTime * 1000).toISOString()}`],
      ["challenge window", `${data.challengeWindow} s`],
      ["capacity per node", data.capacityPerNode],
      ["next epoch", data.nextEpoch],
      ["paused", String(data.paused)],
    ]),
  };
}
