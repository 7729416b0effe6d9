/**
 * The CLI's single door into the SDK modules (records, writer, verifier, reader, report). Commands
 * import SDK functions from here, so any thin adapter the CLI needs over an SDK API lives in one
 * place. Adapters (marked ADAPTER) cover what the SDK did not export when the CLI was wired.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { Contract, Provider, Signer, getAddress } from "ethers";

import { IWorkLedger__factory } from "../contracts";
import { InvalidInputError } from "../errors";
import { normalizeNodeId } from "../records/nodeId";
import { EpochSummary, RECORD_LEAF_ENCODING, WorkRecord } from "../records/types";
import type { SignatureFile } from "../writer/sign";
import type { Deployment } from "./deployment";
import { TxOutcome, execute } from "./tx";

export { readRecordsFile } from "../records/parse";
export { buildEpoch } from "../writer/build";
export { EpochBundle, bundleProof, readBundle, summaryFromJson, summaryToJson, writeBundle } from "../writer/bundle";
export { readSignatureFile, signEpoch, writeSignatureFile } from "../writer/sign";
export type { SignatureFile } from "../writer/sign";
export type { EpochSummary, WorkRecord } from "../records/types";

/** nodeId rule: 0x + 32-byte hex used as is (lowercased), any other string keccak256(utf8(s)). */
export function nodeIdFromString(s: string): string {
  return normalizeNodeId(s);
}

/** File name of an epoch bundle: `network-<N>-epoch-<E>-v<V>.wlb`. */
export function bundleFileName(networkId: bigint | number, epoch: bigint | number, version: number): string {
  return `network-${networkId}-epoch-${epoch}-v${version}.wlb`;
}

/** ADAPTER (writer's commitEpoch): send commitEpoch / correctEpoch with signatures sorted by signer. */
export async function commitEpochTx(
  signer: Signer,
  deployment: Pick<Deployment, "workLedger">,
  p: { networkId: bigint; epoch: bigint; summary: EpochSummary; signatures: SignatureFile[]; correctionReason?: string; dryRun: boolean },
): Promise<TxOutcome> {
  const sorted = [...p.signatures].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  const summary = [p.summary.root, p.summary.recordCount, p.summary.activeNodes, p.summary.totalWorkUnits, p.summary.totalRevenue, p.summary.dataHash];
  const sigs = sorted.map((s) => s.signature);
  const iface = IWorkLedger__factory.createInterface();
  if (p.correctionReason !== undefined) {
    const { keccak256, toUtf8Bytes } = await import("ethers");
    const reasonHash = /^0x[0-9a-fA-F]{64}$/.test(p.correctionReason) ? p.correctionReason : keccak256(toUtf8Bytes(p.correctionReason));
    return execute(signer, { contract: "WorkLedger", to: deployment.workLedger, iface, method: "correctEpoch", args: [p.networkId, p.epoch, summary, sigs, reasonHash] }, p.dryRun);
  }
  return execute(signer, { contract: "WorkLedger", to: deployment.workLedger, iface, method: "commitEpoch", args: [p.networkId, p.epoch, summary, sigs] }, p.dryRun);
}

/** A self-describing proof file. */
export interface ProofFile {
  kind: "workledger-record-proof";
  chainId: number;
  ledger: string;
  networkId: number;
  epoch: number;
  version: number;
  root: string;
  record: { nodeId: string; epoch: string; workUnits: string; uptimeBps: number; revenue: string; evidence: string };
  proof: string[];
}

/** ADAPTER (verifier's proof files): build a proof file object. */
export function makeProofFile(p: { chainId: number; ledger: string; networkId: bigint; epoch: bigint; version: number; root: string; record: WorkRecord; proof: string[] }): ProofFile {
  return {
    kind: "workledger-record-proof",
    chainId: p.chainId,
    ledger: getAddress(p.ledger),
    networkId: Number(p.networkId),
    epoch: Number(p.epoch),
    version: p.version,
    root: p.root,
    record: {
      nodeId: p.record.nodeId,
      epoch: p.record.epoch.toString(),
      workUnits: p.record.workUnits.toString(),
      uptimeBps: p.record.uptimeBps,
      revenue: p.record.revenue.toString(),
      evidence: p.record.evidence,
    },
    proof: p.proof,
  };
}

/** Result of {@link checkProofFile}. */
export interface ProofCheck {
  ok: boolean;
  offline: boolean;
  onChain: boolean | null;
  status: string | null;
  problems: string[];
  networkId: number;
  epoch: number;
  version: number;
  nodeId: string;
}

const STATUS = ["none", "pending", "challenged", "final", "voided"];

/** ADAPTER (verifier's verifyProofFile): check a proof file offline and, with a provider, on chain. */
export async function checkProofFile(file: string, provider: Provider | null): Promise<ProofCheck> {
  const fs = await import("fs");
  let j: ProofFile;
  try {
    j = JSON.parse(fs.readFileSync(file, "utf8")) as ProofFile;
  } catch (e) {
    throw new InvalidInputError(`proof file ${file} is not JSON: ${(e as Error).message}`);
  }
  const r = j?.record;
  if (!r || !Array.isArray(j.proof) || typeof j.root !== "string" || typeof j.networkId !== "number" || typeof j.epoch !== "number") {
    throw new InvalidInputError(`proof file ${file} lacks root, record, proof, networkId or epoch`);
  }
  const leaf = [r.nodeId, BigInt(r.epoch), BigInt(r.workUnits), r.uptimeBps, BigInt(r.revenue), r.evidence];
  const problems: string[] = [];
  let offline = false;
  try {
    offline = StandardMerkleTree.verify(j.root, [...RECORD_LEAF_ENCODING], leaf, j.proof);
  } catch (e) {
    problems.push(`record does not encode: ${(e as Error).message}`);
  }
  if (!offline) problems.push("the proof does not lead from the record to the stated root");
  if (BigInt(r.epoch) !== BigInt(j.epoch)) problems.push(`record epoch ${r.epoch} differs from the file's epoch ${j.epoch}`);
  let onChain: boolean | null = null;
  let status: string | null = null;
  if (provider) {
    const net = await provider.getNetwork();
    if (Number(net.chainId) !== j.chainId) problems.push(`proof is for chain ${j.chainId}, the RPC is chain ${net.chainId}`);
    else if ((await provider.getCode(j.ledger)) === "0x") problems.push(`no WorkLedger at ${j.ledger} on chain ${j.chainId}`);
    else {
      const wl = new Contract(j.ledger, IWorkLedger__factory.createInterface(), provider);
      const [st, version] = (await wl.epochStatus(j.networkId, j.epoch)) as [bigint, bigint];
      status = STATUS[Number(st)] ?? String(st);
      if (Number(version) !== j.version) problems.push(`proof is for version ${j.version}, the epoch's latest version on chain is ${version}`);
      if (Number(version) > 0) {
        const latest = (await wl.latestEpoch(j.networkId, j.epoch)) as { root: string };
        if (latest.root.toLowerCase() !== j.root.toLowerCase()) problems.push(`root ${j.root} is not the on-chain root ${latest.root}`);
      }
      onChain = (await wl.verifyRecord(j.networkId, j.epoch, leaf, j.proof)) as boolean;
      if (!onChain) problems.push(`verifyRecord returned false (status ${status})`);
    }
  }
  const ok = problems.length === 0 && offline && onChain !== false;
  return { ok, offline, onChain, status, problems, networkId: j.networkId, epoch: j.epoch, version: j.version, nodeId: r.nodeId };
}
