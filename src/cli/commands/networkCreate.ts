/**
 * `workledger network create --name NAME --verifiers A,B,C --threshold K --epoch-seconds S [...]`:
 * the SDK's createNetwork. Prints the network as NetworkCreated logged it (the genesis time used).
 */
import { DEFAULT_CHALLENGE_WINDOW, InvalidInputError, NetworkParams, createNetwork, durationText } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount } from "../output";
import { parseAddress, parseAddressList, parseAmount, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export interface NetworkCreateFlags {
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
  arbiter?: string;
  bond?: string;
  thawSeconds?: string;
  arbiterDeadline?: string;
  maxStatementEpochs?: string;
}

/** Validate the flags (before any connection); admin and token may come from the signer and deployment. */
export function parseNetworkFlags(o: NetworkCreateFlags): Omit<NetworkParams, "admin" | "token" | "bond"> & { admin?: string; token?: string } {
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
    token: o.token === undefined ? undefined : parseAddress(o.token, "--token"),
    admin: o.admin === undefined ? undefined : parseAddress(o.admin, "--admin"),
    // trust (#13): left undefined, each gets DESIGN's default in the SDK (resolveTrustParams)
    arbiter: o.arbiter === undefined ? undefined : parseAddress(o.arbiter, "--arbiter"),
    thawSeconds: o.thawSeconds === undefined ? undefined : parseUint(o.thawSeconds, "--thaw-seconds"),
    arbiterDeadline: o.arbiterDeadline === undefined ? undefined : parseUint(o.arbiterDeadline, "--arbiter-deadline"),
    maxStatementEpochs: o.maxStatementEpochs === undefined ? undefined : Number(parseUint(o.maxStatementEpochs, "--max-statement-epochs", 32)),
  };
}

export async function networkCreateCommand(ctx: CliContext, o: NetworkCreateFlags): Promise<CommandOutput> {
  const parsed = parseNetworkFlags(o);
  const { deployment, chain } = await ctx.ledgers();
  const token = parsed.token ?? deployment.token;
  if ((await chain.provider.getCode(token)) === "0x") throw new InvalidInputError(`--token ${token} has no contract code on chain ${chain.chainId}`);
  const tokenMeta = await ctx.token(token);
  const bond = o.bond === undefined ? undefined : parseAmount(o.bond, tokenMeta.decimals, "--bond");
  const signer = await ctx.signer();
  const admin = parsed.admin ?? (await signer.getAddress());
  const params: NetworkParams = { ...parsed, token, admin, bond };
  const { network, trust, warnings, outcome } = await createNetwork(signer, deployment, params, ctx.send);
  for (const w of warnings) ctx.log.info(`warning: ${w}`);
  // In a dry run nothing was created: the figures are those asked for (genesisTime 0 = "the creation block").
  const data = {
    networkId: network === null ? null : Number(network.networkId),
    name: network?.name ?? params.name,
    admin: network?.admin ?? admin,
    token: network?.token ?? token,
    verifiers: params.verifiers,
    threshold: params.threshold,
    epochSeconds: Number(network?.epochSeconds ?? params.epochSeconds),
    challengeWindow: Number(network?.challengeWindow ?? params.challengeWindow),
    capacityPerNode: (network?.capacityPerNode ?? params.capacityPerNode).toString(),
    workUnit: network?.workUnit ?? params.workUnit,
    genesisTime: Number(network?.genesisTime ?? params.genesisTime),
    arbiter: trust.arbiter,
    bond: trust.bond.toString(),
    thawSeconds: Number(trust.thawSeconds),
    arbiterDeadline: Number(trust.arbiterDeadline),
    maxStatementEpochs: trust.maxStatementEpochs,
    warnings,
  };
  const trustLine = `arbiter ${trust.arbiter}, challenge bond ${formatAmount(trust.bond, tokenMeta.decimals, tokenMeta.symbol)}, arbiter deadline ${durationText(trust.arbiterDeadline)}, thaw ${durationText(trust.thawSeconds)}, statements up to ${trust.maxStatementEpochs} epochs`;
  const lines = network
    ? [
        `created network ${data.networkId} "${data.name}" (${params.threshold}-of-${params.verifiers.length} verifiers, epochs of ${data.epochSeconds} s from ${new Date(data.genesisTime * 1000).toISOString()}, admin ${data.admin})`,
        trustLine,
        ...outcomeLines(outcome),
      ]
    : [`network "${params.name}": ${params.threshold}-of-${params.verifiers.length} verifiers, epochs of ${params.epochSeconds} s`, trustLine, ...outcomeLines(outcome)];
  return { data: { ...data, ...outcomeData(outcome) }, lines };
}
