/**
 * The CLI's single door into the SDK modules (records, writer, verifier, reader, report). Commands
 * import SDK functions from here, so any thin adapter the CLI needs over an SDK API lives in one
 * place. Adapters (marked ADAPTER) cover what the SDK did not export when the CLI was wired.
 */
import { Signer, keccak256, toUtf8Bytes } from "ethers";

import { IWorkLedger__factory } from "../contracts";
import { InvalidInputError } from "../errors";
import type { SqliteStore } from "../reader/sqliteStore";
import { readBundle } from "../writer/bundle";
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
export { openStore } from "../reader/sqliteStore";
export { syncChain, followChain } from "../reader/sync";
export type { SyncResult } from "../reader/sync";
export { buildReport } from "../report/build";
export { reportInputFromStore } from "../report/fromStore";
export { writeReportFiles, renderFormat, REPORT_FORMATS } from "../report/write";
export type { ReportFormat } from "../report/write";
export type { Report, ReportKind } from "../report/types";
export { verifyReport } from "../verifier/report";

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

/** Outcome of importing one bundle file. */
export interface BundleImport {
  file: string;
  networkId: number | null;
  epoch: number;
  version: number | null;
  records: number;
  imported: boolean;
  reason?: string;
}

/**
 * ADAPTER (reader's importBundle): read a bundle file (the writer's readBundle re-checks its root,
 * dataHash and totals), match it to the epoch's latest committed version in the store by root and
 * dataHash, and store its records. A bundle of a superseded version is skipped, not an error.
 */
export async function importBundleFile(store: SqliteStore, file: string, defaultNetworkId?: number): Promise<BundleImport> {
  const bundle = await readBundle(file);
  const networkId = bundle.networkId !== undefined ? Number(bundle.networkId) : defaultNetworkId ?? null;
  const base = { file, networkId, epoch: Number(bundle.epoch), records: bundle.recordCount };
  if (networkId === null) return { ...base, version: null, imported: false, reason: "the bundle names no network" };
  const latest = store.latestEpochVersion(networkId, bundle.epoch);
  if (!latest) return { ...base, version: null, imported: false, reason: `epoch ${bundle.epoch} of network ${networkId} is not in the store (sync first)` };
  if (latest.root.toLowerCase() !== bundle.root.toLowerCase() || latest.dataHash.toLowerCase() !== bundle.summary.dataHash.toLowerCase()) {
    return { ...base, version: latest.version, imported: false, reason: `not the latest version: epoch ${bundle.epoch} v${latest.version} has root ${latest.root}, the bundle ${bundle.root}` };
  }
  store.putBundle({ networkId, epoch: bundle.epoch, version: latest.version, root: latest.root, dataHash: latest.dataHash, source: file, records: [...bundle.records()] });
  return { ...base, version: latest.version, imported: true };
}

/** Import every *.wlb bundle in `dir` (sorted by name). */
export async function importBundleDir(store: SqliteStore, dir: string): Promise<BundleImport[]> {
  const fsMod = await import("fs");
  const pathMod = await import("path");
  if (!fsMod.existsSync(dir) || !fsMod.statSync(dir).isDirectory()) throw new InvalidInputError(`--bundles ${dir} is not a directory`);
  const files = fsMod.readdirSync(dir).filter((f) => f.endsWith(".wlb")).sort();
  const out: BundleImport[] = [];
  for (const f of files) out.push(await importBundleFile(store, pathMod.join(dir, f)));
  return out;
}
