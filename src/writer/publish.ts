/**
 * publishEpoch: the publisher's whole job in one call. Read and validate the records file (and the
 * usage file, if any: a bad row or a row of another epoch is refused, naming its line), rebuild
 * the epoch, read the epoch's state on chain (the same root and usage root already there: nothing to do), check
 * every signature (deployment, network, epoch, version, summary, recovered signer, current verifier,
 * distinct, threshold) and the node ids (registered?), then commit, and only after the commit
 * succeeded put the epoch bundle in place. A failure at any step sends nothing or writes nothing:
 * the bundle goes to a temporary file first and is renamed into place only after the commit.
 */
import fs from "fs";
import path from "path";
import { Signer, keccak256, toUtf8Bytes } from "ethers";

import { InvalidInputError, VerificationError, WorkLedgerError } from "../errors";
import { ReadRecordsOptions } from "../records/parse";
import { EpochSummary } from "../records/types";
import { UsageRecordInput } from "../records/usage";
import { UsageBuild, UsageRevenueComparison } from "../records/usageTree";
import { BuildEpochFromFileOptions, buildEpochFromFile } from "./build";
import { EpochBundle, writeBundle } from "./bundle";
import { CommitEpochParams, CommitEpochResult, commitEpoch, prepareSignatures } from "./commit";
import { Deployment, assertDeployment } from "./deployment";
import { workLedgerCall } from "./calls";
import { assertNetwork, epochStatusName, unregisteredNodes } from "./network";
import { SignatureFile, readSignatureFile } from "./sign";
import { SendOptions, TxOutcome, sendCall } from "./tx";

/** What to do about node ids that were never registered on the network. */
export type NodeCheck = "warn" | "strict" | "skip";

/** File name of an epoch bundle: `network-<N>-epoch-<E>-v<V>.wlb` (**fixed**). */
export function bundleFileName(networkId: bigint | number, epoch: bigint | number, version: number): string {
  return `network-${networkId}-epoch-${epoch}-v${version}.wlb`;
}

/** bytes32 of a reason: 0x + 64 hex as is, any other text keccak256(utf8). */
export function reasonHash(reason: string): string {
  return /^0x[0-9a-fA-F]{64}$/.test(reason) ? reason.toLowerCase() : keccak256(toUtf8Bytes(reason));
}

export interface PublishEpochParams extends SendOptions, Pick<CommitEpochParams, "timeoutMs" | "pollMs" | "maxRebroadcasts" | "maxResubmissions" | "onBroadcast"> {
  networkId: bigint | number;
  epoch: bigint | number;
  recordsFile: string;
  /** Format of the records file (default: from its extension). */
  format?: ReadRecordsOptions["format"];
  /** Signature files, read (and named in errors by their path) or already parsed. */
  signatures: ReadonlyArray<SignatureFile | string>;
  /** Where the bundle goes; default `bundleDir`/{@link bundleFileName}; neither: no bundle is written. */
  bundleFile?: string;
  /** Directory for the bundle under its fixed name (ignored when bundleFile is given). */
  bundleDir?: string;
  /** Supersede the committed version with a new one (network admin); the reason is text or bytes32. */
  correction?: { reason: string };
  /** Node ids never registered on the network: listed in the result ("warn", default), refused ("strict"), or not looked up ("skip"). */
  nodeCheck?: NodeCheck;
  /** The epoch's usage records (objects or JSON form) or a built usage tree; takes precedence over usageFile. */
  usage?: readonly UsageRecordInput[] | UsageBuild | null;
  /** A usage file (CSV `customer,epoch,workUnits,amount,ref`, JSON or NDJSON); the verifiers must have signed the same usage. */
  usageFile?: string;
  /** Format of the usage file (default: from its extension). */
  usageFormat?: BuildEpochFromFileOptions["usageFormat"];
}

export interface PublishEpochResult {
  summary: EpochSummary;
  bundle: EpochBundle;
  /** The version committed (or that would be, in a dry run; the existing one when already committed). */
  version: number;
  /** True when the same root was already committed: nothing was sent. */
  alreadyCommitted: boolean;
  /** Recovered signers of the signatures sent (empty when already committed). */
  signers: string[];
  /** Path of the bundle written, or null (dry run, or no bundle asked for). */
  bundleFile: string | null;
  /** Node ids of the records never registered on the network (nodeCheck "warn"). */
  unregisteredNodes: string[];
  /** The commit, decoded from its EpochCommitted event (null in a dry run). */
  commit: CommitEpochResult | null;
  /** The simulated call (dry run only). */
  simulation: TxOutcome | null;
  /** Σ usage against Σ node revenue (null without usage); a non-null `message` is a warning, never an error. */
  usageRevenue: UsageRevenueComparison | null;
}

/**
 * Publishes an epoch from its records file and the verifiers' signature files; see the module doc.
 *
 * @example
 * const r = await publishEpoch(signer, deployment, { networkId: 1n, epoch: 0n, recordsFile: "epoch-0.csv",
 *   signatures: ["sig-a.json", "sig-b.json"], bundleDir: "bundles" });
 * console.log(r.commit?.txHash, r.bundleFile);
 */
export async function publishEpoch(signer: Signer, deployment: Pick<Deployment, "chainId" | "workLedger"> & Partial<Pick<Deployment, "fromBlock">>, params: PublishEpochParams): Promise<PublishEpochResult> {
  const provider = signer.provider;
  if (!provider) throw new InvalidInputError("publishEpoch: the signer has no provider");
  const networkId = BigInt(params.networkId);
  const epoch = BigInt(params.epoch);
  const names = params.signatures.map((s, i) => (typeof s === "string" ? s : `signature ${i + 1} (${s.signer})`));
  const sigs = params.signatures.map((s) => {
    if (typeof s !== "string") return s;
    if (!fs.existsSync(s)) throw new InvalidInputError(`signature file not found: ${s}`);
    return readSignatureFile(s);
  });
  const { summary, bundle, usageRevenue } = await buildEpochFromFile(params.recordsFile, {
    epoch,
    networkId,
    format: params.format,
    usage: params.usage,
    usageFile: params.usageFile,
    usageFormat: params.usageFormat,
  });
  await assertDeployment(provider, deployment);
  const wl = await assertNetwork(provider, deployment, networkId);
  const [status, latestBig] = await wl.epochStatus(networkId, epoch);
  const latest = Number(latestBig);
  const bundlePath = (version: number) => params.bundleFile ?? (params.bundleDir !== undefined ? path.join(params.bundleDir, bundleFileName(networkId, epoch, version)) : null);
  const result = (over: Partial<PublishEpochResult> & Pick<PublishEpochResult, "version">): PublishEpochResult => ({
    summary, bundle, alreadyCommitted: false, signers: [], bundleFile: null, unregisteredNodes: [], commit: null, simulation: null, usageRevenue, ...over,
  });
  if (!params.correction && latest > 0) {
    const v = await wl.latestEpoch(networkId, epoch);
    const sameRoot = v.root.toLowerCase() === summary.root.toLowerCase();
    if (!sameRoot || v.usageRoot.toLowerCase() !== summary.usageRoot.toLowerCase()) {
      const what = sameRoot ? `usage root ${v.usageRoot} (these usage records give ${summary.usageRoot})` : `root ${v.root}`;
      throw new WorkLedgerError(`epoch ${epoch} of network ${networkId} is already committed (v${latest}, ${epochStatusName(status)}) with ${what}`, {
        code: "E_ALREADY_COMMITTED",
        exitCode: 2,
        details: "Publish a correction (with a reason) to supersede it with a new version.",
      });
    }
    // Resumable: a commit whose bundle was not written (e.g. the process died) gets it now.
    const file = params.dryRun ? null : bundlePath(latest);
    if (file && !fs.existsSync(file)) await placeBundle(bundle, file);
    return result({ version: latest, alreadyCommitted: true, bundleFile: file });
  }
  if (params.correction && latest === 0) throw new InvalidInputError(`epoch ${epoch} of network ${networkId} was never committed: nothing to correct`);
  if (params.correction && !params.correction.reason) throw new InvalidInputError("a correction needs a reason");
  const version = latest + 1;
  const expect = { chainId: BigInt(deployment.chainId), workLedger: deployment.workLedger, networkId, epoch, version, summary };
  const sorted = prepareSignatures(sigs, expect, names);
  const n = await wl.network(networkId);
  for (const [i, s] of sigs.entries()) {
    if (!(await wl.isVerifier(networkId, n.verifierSetId, s.signer))) throw new VerificationError(`${names[i]}: signer ${s.signer} is not a current verifier of network ${networkId}`);
  }
  if (sigs.length < Number(n.threshold)) throw new VerificationError(`${sigs.length} valid signature${sigs.length === 1 ? "" : "s"} but network ${networkId} needs ${n.threshold}`);
  let unregistered: string[] = [];
  if ((params.nodeCheck ?? "warn") !== "skip") {
    unregistered = await unregisteredNodes(provider, deployment, networkId, nodeIdsOf(bundle));
    if (unregistered.length > 0 && params.nodeCheck === "strict") throw unregisteredError(unregistered, networkId);
  }
  const correction = params.correction ? { reasonHash: reasonHash(params.correction.reason) } : undefined;
  if (params.dryRun) {
    const sigBytes = sorted.map((s) => s.signature);
    const args = correction ? [networkId, epoch, summary, sigBytes, correction.reasonHash] : [networkId, epoch, summary, sigBytes];
    const simulation = await sendCall(signer, workLedgerCall(deployment, correction ? "correctEpoch" : "commitEpoch", args), { dryRun: true });
    return result({ version, signers: sorted.map((s) => s.signer), unregisteredNodes: unregistered, simulation });
  }
  // Write the bundle next to its final name first (a full disk fails here, before anything is sent) ...
  const file = bundlePath(version);
  const tmp = file ? path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.publishing`) : null;
  if (file && tmp) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    await writeBundle(bundle, tmp);
  }
  let commit: CommitEpochResult;
  try {
    commit = await commitEpoch({ ...params, signer, workLedger: deployment.workLedger, chainId: deployment.chainId, networkId, epoch, summary, signatures: sigs, signatureNames: names, correction });
  } catch (e) {
    if (tmp) fs.rmSync(tmp, { force: true });
    throw e;
  }
  // ... and put it in place only once the commit is mined.
  if (file && tmp) fs.renameSync(tmp, file);
  return result({ version: commit.version, alreadyCommitted: commit.alreadyCommitted, signers: commit.signers ?? sorted.map((s) => s.signer), bundleFile: file, unregisteredNodes: unregistered, commit });
}

async function placeBundle(bundle: EpochBundle, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  await writeBundle(bundle, file);
}

/** The distinct node ids of a bundle's records. */
export function nodeIdsOf(bundle: EpochBundle): string[] {
  const out: string[] = [];
  for (const r of bundle.records()) out.push(r.nodeId);
  return out;
}

/** The error of `nodeCheck: "strict"`: names up to five of the unregistered node ids. */
export function unregisteredError(ids: readonly string[], networkId: bigint): InvalidInputError {
  const shown = ids.slice(0, 5).join(", ") + (ids.length > 5 ? ` (and ${ids.length - 5} more)` : "");
  return new InvalidInputError(`${ids.length} node id${ids.length === 1 ? " was" : "s were"} never registered on network ${networkId}: ${shown}`, { code: "E_UNREGISTERED_NODE" });
}
