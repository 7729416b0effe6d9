/**
 * The CLI's single door into the SDK modules (records, writer, verifier, reader, report). Commands
 * import SDK functions from here, so any thin adapter the CLI needs over an SDK API lives in one
 * place. Adapters (marked ADAPTER) cover what the SDK did not export when the CLI was wired.
 */
import { Signer, keccak256, toUtf8Bytes } from "ethers";

import { IWorkLedger__factory } from "../contracts";
import { normalizeNodeId } from "../records/nodeId";
import { EpochSummary } from "../records/types";
import { commitEpoch, prepareSignatures } from "../writer/commit";
import type { SignatureFile } from "../writer/sign";
import type { Deployment } from "./deployment";
import { TxOutcome, execute } from "./tx";

export { readRecordsFile } from "../records/parse";
export { buildEpoch } from "../writer/build";
export { EpochBundle, bundleProof, readBundle, summaryFromJson, summaryToJson, writeBundle } from "../writer/bundle";
export { readSignatureFile, signEpoch, writeSignatureFile } from "../writer/sign";
export type { SignatureFile } from "../writer/sign";
export type { EpochSummary, WorkRecord } from "../records/types";
export { makeProofFile, readProofFile, verifyProofFile } from "../verifier/proofFile";
export type { ProofFile, ProofFileCheck } from "../verifier/proofFile";
export { toContractRevertError } from "../writer/revert";


/** nodeId rule: 0x + 32-byte hex used as is (lowercased), any other string keccak256(utf8(s)). */
export function nodeIdFromString(s: string): string {
  return normalizeNodeId(s);
}

/** File name of an epoch bundle: `network-<N>-epoch-<E>-v<V>.wlb`. */
export function bundleFileName(networkId: bigint | number, epoch: bigint | number, version: number): string {
  return `network-${networkId}-epoch-${epoch}-v${version}.wlb`;
}

/**
 * Commit (or correct) an epoch through the writer's commitEpoch (signature checks, idempotence,
 * rebroadcast). With dryRun: the writer's prepareSignatures, then an eth_call simulation and gas
 * estimate of the exact call, nothing sent.
 */
export async function commitEpochTx(
  signer: Signer,
  deployment: Pick<Deployment, "workLedger" | "chainId">,
  p: { networkId: bigint; epoch: bigint; version: number; summary: EpochSummary; signatures: SignatureFile[]; correctionReason?: string; dryRun: boolean },
): Promise<TxOutcome> {
  const reasonHash =
    p.correctionReason === undefined ? undefined : /^0x[0-9a-fA-F]{64}$/.test(p.correctionReason) ? p.correctionReason.toLowerCase() : keccak256(toUtf8Bytes(p.correctionReason));
  const iface = IWorkLedger__factory.createInterface();
  const method = reasonHash ? "correctEpoch" : "commitEpoch";
  if (p.dryRun) {
    const sorted = prepareSignatures(p.signatures, { chainId: BigInt(deployment.chainId), workLedger: deployment.workLedger, networkId: p.networkId, epoch: p.epoch, version: p.version, summary: p.summary });
    const sigs = sorted.map((s) => s.signature);
    const args = reasonHash ? [p.networkId, p.epoch, p.summary, sigs, reasonHash] : [p.networkId, p.epoch, p.summary, sigs];
    return execute(signer, { contract: "WorkLedger", to: deployment.workLedger, iface, method, args }, true);
  }
  const r = await commitEpoch({
    signer,
    workLedger: deployment.workLedger,
    chainId: deployment.chainId,
    networkId: p.networkId,
    epoch: p.epoch,
    summary: p.summary,
    signatures: p.signatures,
    correction: reasonHash ? { reasonHash } : undefined,
    pollMs: 100,
  });
  return {
    dryRun: false,
    contract: "WorkLedger",
    method,
    from: await signer.getAddress(),
    to: deployment.workLedger,
    data: "",
    gasEstimate: r.gasUsed ?? 0n,
    txHash: r.txHash,
    blockNumber: r.blockNumber,
    gasUsed: r.gasUsed,
  };
}

