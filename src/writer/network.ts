/**
 * Network, node and epoch-lifecycle jobs over WorkLedger: create a network (its id, genesis time,
 * name and work unit decoded from NetworkCreated), read one back, register nodes, find node ids
 * that were never registered, list an epoch history (challenges: ./challenge). Each takes a signer
 * or a provider plus the deployment.
 */
import { ContractRunner, Provider, Signer, ZeroAddress, getAddress } from "ethers";

import { IWorkLedger, IWorkLedger__factory } from "../contracts";
import { InvalidInputError, WorkLedgerError } from "../errors";
import { normalizeNodeId } from "../records/nodeId";
import { Deployment } from "./deployment";
import { workLedgerCall, workLedgerInterface as wlInterface } from "./calls";
import { SendOptions, TxOutcome, receiptEvents, sendCall } from "./tx";
import { sendRefusable } from "./refusal";
import { TrustParams, resolveTrustParams } from "./trust";

type Ledger = Pick<Deployment, "workLedger">;

/** Names of the EpochStatus enum values, in order. */
export const EPOCH_STATUS_NAMES = ["none", "pending", "challenged", "final", "voided"] as const;
export type EpochStatusName = (typeof EPOCH_STATUS_NAMES)[number];

/** Name of an EpochStatus value. */
export function epochStatusName(v: bigint | number): EpochStatusName {
  const name = EPOCH_STATUS_NAMES[Number(v)];
  if (!name) throw new WorkLedgerError(`unknown epoch status ${v}`);
  return name;
}

/** Default challenge window of a new network: one day. */
export const DEFAULT_CHALLENGE_WINDOW = 86_400n;

/**
 * Parameters of a new network (IWorkLedger.NetworkParams). The trust fields are optional: see
 * resolveTrustParams (./trust) for their defaults (DESIGN rules 6 and 9).
 */
export interface NetworkParams extends Partial<TrustParams> {
  admin: string;
  token: string;
  /** Start of epoch 0 in unix seconds; 0 = the creation block's timestamp. */
  genesisTime: bigint;
  epochSeconds: bigint;
  challengeWindow: bigint;
  capacityPerNode: bigint;
  threshold: number;
  name: string;
  workUnit: string;
  verifiers: string[];
}

/** A network as created: the figures NetworkCreated logged (the genesis time actually used). */
export interface CreatedNetwork {
  networkId: bigint;
  admin: string;
  token: string;
  name: string;
  workUnit: string;
  genesisTime: bigint;
  epochSeconds: bigint;
  challengeWindow: bigint;
  capacityPerNode: bigint;
}


function createdFrom(result: unknown): CreatedNetwork {
  const args = result as Record<string, unknown>;
  return {
    networkId: BigInt(args.networkId as bigint),
    admin: getAddress(String(args.admin)),
    token: getAddress(String(args.token)),
    name: String(args.name),
    workUnit: String(args.workUnit),
    genesisTime: BigInt(args.genesisTime as bigint),
    epochSeconds: BigInt(args.epochSeconds as bigint),
    challengeWindow: BigInt(args.challengeWindow as bigint),
    capacityPerNode: BigInt(args.capacityPerNode as bigint),
  };
}

/**
 * Creates a network. Fills in the trust defaults (resolveTrustParams: the arbiter defaults to the
 * first verifier that is not the sender, with a warning). Returns the network as NetworkCreated
 * logged it (null in a dry run), the trust parameters sent, the warnings and the transaction outcome.
 *
 * @example
 * const { network, trust } = await createNetwork(signer, deployment, { admin, token, genesisTime: 0n, epochSeconds: 3600n,
 *   challengeWindow: 86_400n, capacityPerNode: 0n, threshold: 2, name: "GPU net", workUnit: "GPU-seconds", verifiers, arbiter });
 * console.log(network!.networkId, network!.genesisTime, trust.thawSeconds);
 */
export async function createNetwork(
  signer: Signer,
  deployment: Ledger,
  params: NetworkParams,
  options: SendOptions = {},
): Promise<{ network: CreatedNetwork | null; trust: TrustParams; warnings: string[]; outcome: TxOutcome }> {
  const { trust, warnings } = resolveTrustParams({ ...params, sender: await signer.getAddress() });
  const full = { ...params, ...trust };
  const outcome = await sendRefusable(signer, workLedgerCall(deployment, "createNetwork", [full]), options);
  const [ev] = receiptEvents(outcome.receipt, wlInterface(), deployment.workLedger, "NetworkCreated");
  return { network: ev ? createdFrom(ev.args) : null, trust, warnings, outcome };
}

/** A network's stored configuration, with its name and work unit from NetworkCreated. */
export interface NetworkInfo {
  networkId: bigint;
  name: string | null;
  workUnit: string | null;
  admin: string | null;
  token: string;
  genesisTime: bigint;
  epochSeconds: bigint;
  challengeWindow: bigint;
  capacityPerNode: bigint;
  threshold: number;
  verifierCount: number;
  verifierSetId: number;
  paused: boolean;
  nextEpoch: bigint;
}

/** Throws a one-line InvalidInputError unless network `networkId` exists. */
export async function assertNetwork(runner: ContractRunner, deployment: Ledger, networkId: bigint): Promise<IWorkLedger> {
  const wl = IWorkLedger__factory.connect(deployment.workLedger, runner);
  const count = await wl.networkCount();
  if (networkId < 1n || networkId > count) {
    throw new InvalidInputError(`unknown network ${networkId}: the WorkLedger at ${deployment.workLedger} has ${count} network${count === 1n ? "" : "s"}`);
  }
  return wl;
}

/**
 * Reads a network: its stored configuration and, from its NetworkCreated event (searched from
 * `deployment.fromBlock`), its name, work unit and admin (null if the RPC cannot return the log).
 */
export async function readNetwork(provider: Provider, deployment: Ledger & Partial<Pick<Deployment, "fromBlock">>, networkId: bigint): Promise<NetworkInfo> {
  const wl = await assertNetwork(provider, deployment, networkId);
  const n = await wl.network(networkId);
  let created: CreatedNetwork | null = null;
  try {
    const logs = await wl.queryFilter(wl.filters.NetworkCreated(networkId), deployment.fromBlock ?? 0);
    const last = logs[logs.length - 1];
    if (last) created = createdFrom(last.args);
  } catch {
    created = null; // some RPCs cap log ranges: the stored figures still come back
  }
  return {
    networkId,
    name: created?.name ?? null,
    workUnit: created?.workUnit ?? null,
    admin: created?.admin ?? null,
    token: n.token,
    genesisTime: n.genesisTime,
    epochSeconds: n.epochSeconds,
    challengeWindow: n.challengeWindow,
    capacityPerNode: n.capacityPerNode,
    threshold: Number(n.threshold),
    verifierCount: Number(n.verifierCount),
    verifierSetId: Number(n.verifierSetId),
    paused: n.paused,
    nextEpoch: n.nextEpoch,
  };
}

/** Registers a node (nodeId rule: 0x + 32-byte hex as is, any other string keccak256(utf8)). */
export async function registerNode(
  signer: Signer,
  deployment: Ledger,
  p: { networkId: bigint; nodeId: string; operator: string },
  options: SendOptions = {},
): Promise<{ nodeId: string; operator: string; outcome: TxOutcome }> {
  const nodeId = normalizeNodeId(p.nodeId);
  const wl = await assertNetwork(signer, deployment, p.networkId);
  const [existing] = await wl.node(p.networkId, nodeId);
  if (existing !== ZeroAddress) throw new InvalidInputError(`node ${p.nodeId} (${nodeId}) is already registered on network ${p.networkId} (operator ${existing})`);
  const outcome = await sendCall(signer, workLedgerCall(deployment, "registerNode", [p.networkId, nodeId, getAddress(p.operator)]), options);
  return { nodeId, operator: getAddress(p.operator), outcome };
}

/**
 * The node ids among `nodeIds` that were never registered on the network (a typo in a records file
 * would otherwise go on chain). Reads NodeRegistered logs from `deployment.fromBlock`; if the RPC
 * refuses the log query, asks `node(networkId, id)` for each distinct id instead.
 */
export async function unregisteredNodes(provider: Provider, deployment: Ledger & Partial<Pick<Deployment, "fromBlock">>, networkId: bigint, nodeIds: Iterable<string>): Promise<string[]> {
  const wl = IWorkLedger__factory.connect(deployment.workLedger, provider);
  const wanted = [...new Set([...nodeIds].map((id) => id.toLowerCase()))];
  if (wanted.length === 0) return [];
  let registered: Set<string> | null = null;
  try {
    const logs = await wl.queryFilter(wl.filters.NodeRegistered(networkId), deployment.fromBlock ?? 0);
    registered = new Set(logs.map((l) => String(l.args.nodeId).toLowerCase()));
  } catch {
    registered = null;
  }
  if (registered) return wanted.filter((id) => !registered.has(id));
  const missing: string[] = [];
  for (const id of wanted) if ((await wl.node(networkId, id))[0] === ZeroAddress) missing.push(id);
  return missing;
}

/** Whether `account` is in the network's current verifier set. */
export async function isCurrentVerifier(runner: ContractRunner, deployment: Ledger, networkId: bigint, account: string): Promise<boolean> {
  const wl = IWorkLedger__factory.connect(deployment.workLedger, runner);
  const n = await wl.network(networkId);
  return wl.isVerifier(networkId, n.verifierSetId, account);
}

/** The version a new signature or commit of the epoch gets: latest + 1 (1 for a new epoch). */
export async function nextEpochVersion(runner: ContractRunner, deployment: Ledger, networkId: bigint, epoch: bigint): Promise<number> {
  const [, version] = await IWorkLedger__factory.connect(deployment.workLedger, runner).epochStatus(networkId, epoch);
  return Number(version) + 1;
}

/** One committed version of an epoch. */
export interface EpochVersionInfo {
  networkId: bigint;
  epoch: bigint;
  version: number;
  /** Effective status (a pending version past finalizesAt is final); superseded versions keep theirs. */
  status: EpochStatusName;
  /** Whether a later version superseded this one. */
  superseded: boolean;
  root: string;
  verifierSetId: number;
  committedAt: bigint;
  /** 0 while challenged or once voided. */
  finalizesAt: bigint;
}

/** Every committed version of one epoch, oldest first (empty if it was never committed). */
export async function epochVersions(provider: Provider, deployment: Ledger, networkId: bigint, epoch: bigint): Promise<EpochVersionInfo[]> {
  const wl = IWorkLedger__factory.connect(deployment.workLedger, provider);
  const [latestStatus, latest] = await wl.epochStatus(networkId, epoch);
  const now = BigInt((await provider.getBlock("latest"))?.timestamp ?? 0);
  const out: EpochVersionInfo[] = [];
  for (let v = 1; v <= Number(latest); v++) {
    const ev = await wl.epochVersion(networkId, epoch, v);
    const isLatest = v === Number(latest);
    let status = isLatest ? epochStatusName(latestStatus) : epochStatusName(ev.status);
    if (!isLatest && status === "pending" && ev.finalizesAt > 0n && ev.finalizesAt <= now) status = "final";
    out.push({ networkId, epoch, version: v, status, superseded: !isLatest, root: ev.root, verifierSetId: Number(ev.verifierSetId), committedAt: ev.committedAt, finalizesAt: ev.finalizesAt });
  }
  return out;
}

/**
 * The epoch history of a network: every committed epoch (0 .. nextEpoch - 1) with every version.
 *
 * @example
 * for (const v of await listEpochs(provider, deployment, 1n)) console.log(v.epoch, v.version, v.status, v.root);
 */
export async function listEpochs(provider: Provider, deployment: Ledger, networkId: bigint): Promise<EpochVersionInfo[]> {
  const wl = await assertNetwork(provider, deployment, networkId);
  const { nextEpoch } = await wl.network(networkId);
  const out: EpochVersionInfo[] = [];
  for (let e = 0n; e < nextEpoch; e++) out.push(...(await epochVersions(provider, deployment, networkId, e)));
  return out;
}
