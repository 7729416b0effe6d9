/**
 * commitEpoch: publish a signed epoch summary to WorkLedger, idempotently and resumably.
 *
 * 1. Checks the deployment: the provider's chainId must be the expected one and code must exist
 *    at the WorkLedger address (else ChainMismatchError). Nothing is sent before these checks.
 * 2. Reads the epoch's state: the same root and usage root already committed -> `{alreadyCommitted: true}`,
 *    nothing sent; a different root or usage root -> refused unless a correction (reasonHash) is declared, in
 *    which case `correctEpoch` is called at version latest + 1.
 * 3. Checks every signature file against what is committed (chain, contract, network, epoch,
 *    version, summary; recovered signer), sorts them by ascending signer address.
 * 4. Simulates the call (custom errors come back as ContractRevertError with name and args), then
 *    sends with a fixed nonce, waits with a timeout and rebroadcasts the same transaction if it was
 *    dropped; if its nonce was taken by another transaction (replaced), it re-reads the epoch and
 *    resubmits. Returns a typed result decoded from the EpochCommitted event.
 */
import { Provider, Signer, TransactionReceipt, TransactionRequest, getAddress } from "ethers";

import { IWorkLedger, IWorkLedger__factory } from "../contracts";
import { ChainMismatchError, InvalidInputError, VerificationError, WorkLedgerError } from "../errors";
import { EpochSummary, NO_USAGE } from "../records/types";
import { summaryFromJson } from "./bundle";
import { SUMMARY_FIELDS, SignatureFile, recoverSignatureFile, summaryDifference } from "./sign";
import { toContractRevertError, withRevertDecoding } from "../chain/revert";

export interface CommitEpochParams {
  /** Sends the transaction; must be connected to a provider. */
  signer: Signer;
  /** WorkLedger address of the deployment. */
  workLedger: string;
  /** The deployment's chainId (from deployment.json). */
  chainId: bigint | number;
  networkId: bigint | number;
  epoch: bigint | number;
  summary: EpochSummary;
  signatures: readonly SignatureFile[];
  /** Labels of the signatures in errors (e.g. their file names), by index. */
  signatureNames?: readonly string[];
  /** Declares a correction of an epoch committed with a different root. */
  correction?: { reasonHash: string };
  /** How long to wait for a receipt before checking / rebroadcasting (default 120 s). */
  timeoutMs?: number;
  /** Receipt polling interval (default 1 s). */
  pollMs?: number;
  /** Rebroadcasts of one transaction before giving up (default 5). */
  maxRebroadcasts?: number;
  /** Fresh submissions after a replaced transaction (default 3). */
  maxResubmissions?: number;
  /** Called after every broadcast (tests use it to drop or replace the transaction). */
  onBroadcast?: (info: { hash: string; nonce: number; attempt: number; submission: number }) => void | Promise<void>;
}

export interface CommitEpochResult {
  /** True when the same root was already committed: nothing was sent. */
  alreadyCommitted: boolean;
  /** True when this call sent a correction. */
  corrected: boolean;
  networkId: bigint;
  epoch: bigint;
  version: number;
  root: string;
  recordCount: bigint;
  activeNodes: bigint;
  totalWorkUnits: bigint;
  totalRevenue: bigint;
  dataHash: string;
  /** Usage words (from EpochUsageCommitted; zero for a version without usage). */
  usageRoot: string;
  usageCount: bigint;
  totalUsage: bigint;
  /** From the EpochCommitted event (absent when already committed and the event was not found). */
  verifierSetId?: number;
  finalizesAt?: bigint;
  signers?: string[];
  txHash?: string;
  blockNumber?: number;
  gasUsed?: bigint;
}

const ZERO32 = /^0x0{64}$/;

/**
 * Checks the signature files for a commit and returns them sorted by ascending signer: each must be
 * for this deployment, network, epoch and version, sign exactly this summary and recover to its
 * signer, and no signer may sign twice. `names[i]` (e.g. a file name) labels signature i in errors.
 */
export function prepareSignatures(
  sigs: readonly SignatureFile[],
  expect: { chainId: bigint; workLedger: string; networkId: bigint; epoch: bigint; version: number; summary: EpochSummary },
  names: readonly string[] = [],
): SignatureFile[] {
  if (sigs.length === 0) throw new InvalidInputError("no signatures given");
  const seen = new Set<string>();
  sigs.forEach((s, i) => {
    const where = names[i] ?? `signature ${i + 1} (${s.signer})`;
    if (BigInt(s.chainId) !== expect.chainId || getAddress(s.workLedger) !== getAddress(expect.workLedger)) {
      throw new VerificationError(`${where}: signed for chain ${s.chainId} / ${s.workLedger}, not this deployment (chain ${expect.chainId} / ${getAddress(expect.workLedger)})`);
    }
    if (BigInt(s.networkId) !== expect.networkId || BigInt(s.epoch) !== expect.epoch) {
      throw new VerificationError(`${where}: signed for network ${s.networkId} epoch ${s.epoch}, not network ${expect.networkId} epoch ${expect.epoch}`);
    }
    if (Number(s.version) !== expect.version) throw new VerificationError(`${where}: signed version ${s.version}, but this commit is version ${expect.version}`);
    const diff = summaryDifference(summaryFromJson(s.summary), expect.summary);
    if (diff) throw new VerificationError(`${where}: signed ${diff.field} ${diff.claimed} but the records give ${diff.rebuilt}`);
    const recovered = recoverSignatureFile(s);
    if (recovered !== getAddress(s.signer)) throw new VerificationError(`${where}: signature recovers to ${recovered}`);
    if (seen.has(recovered)) throw new VerificationError(`${where}: ${recovered} signed twice`);
    seen.add(recovered);
  });
  return [...sigs].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
}

/** Checks that `provider` is on the deployment's chain and that WorkLedger's code is there. */
export async function checkDeployment(provider: Provider, chainId: bigint | number, workLedger: string): Promise<void> {
  const net = await provider.getNetwork();
  if (net.chainId !== BigInt(chainId)) {
    throw new ChainMismatchError(`the RPC endpoint is on chainId ${net.chainId}, the deployment is on chainId ${chainId}`);
  }
  const code = await provider.getCode(workLedger);
  if (!code || code === "0x") throw new ChainMismatchError(`no contract at WorkLedger address ${workLedger} on chainId ${net.chainId}`);
}

/**
 * Publishes an epoch (see the module doc).
 *
 * @example
 * const res = await commitEpoch({ signer, workLedger, chainId: 31337n, networkId: 1n, epoch: 0n, summary, signatures });
 * if (res.alreadyCommitted) console.log("nothing to do");
 */
export async function commitEpoch(params: CommitEpochParams): Promise<CommitEpochResult> {
  const provider = params.signer.provider;
  if (!provider) throw new InvalidInputError("commitEpoch: the signer has no provider");
  const networkId = BigInt(params.networkId);
  const epoch = BigInt(params.epoch);
  const chainId = BigInt(params.chainId);
  const workLedger = getAddress(params.workLedger);
  const summary = params.summary;
  if (params.correction && !/^0x[0-9a-fA-F]{64}$/.test(params.correction.reasonHash)) throw new InvalidInputError("correction.reasonHash must be 32-byte hex");
  await checkDeployment(provider, chainId, workLedger);
  const wl = IWorkLedger__factory.connect(workLedger, params.signer);
  const maxResubmissions = params.maxResubmissions ?? 3;
  for (let submission = 0; ; submission++) {
    const [, latestVersionBig] = await wl.epochStatus(networkId, epoch);
    const latestVersion = Number(latestVersionBig);
    let version = 1;
    if (latestVersion > 0) {
      const latest = await wl.latestEpoch(networkId, epoch);
      if (latest.root.toLowerCase() === summary.root.toLowerCase() && latest.usageRoot.toLowerCase() === summary.usageRoot.toLowerCase()) {
        return { ...(await findCommitted(provider, wl, networkId, epoch, latestVersion, summary)), alreadyCommitted: true, corrected: false };
      }
      if (!params.correction) {
        const field = latest.root.toLowerCase() === summary.root.toLowerCase() ? "usage root" : "root";
        const value = field === "root" ? latest.root : latest.usageRoot;
        throw new WorkLedgerError(`epoch ${epoch} of network ${networkId} is already committed with ${field} ${value} (version ${latestVersion}); refusing a different ${field} without a correction`, {
          code: "E_ALREADY_COMMITTED",
          details: "Pass a correction (reasonHash) to supersede it with a new version.",
        });
      }
      version = latestVersion + 1;
    } else if (params.correction) {
      throw new InvalidInputError(`epoch ${epoch} of network ${networkId} was never committed: nothing to correct`);
    }
    if (ZERO32.test(summary.root) !== (summary.recordCount === 0n)) {
      throw new InvalidInputError("summary: root must be 0x00…00 exactly when recordCount is 0");
    }
    if (ZERO32.test(summary.usageRoot) !== (summary.usageCount === 0n) || (summary.usageCount === 0n && summary.totalUsage !== 0n)) {
      throw new InvalidInputError("summary: usageRoot must be 0x00…00 exactly when usageCount is 0 (and totalUsage 0 then)");
    }
    const sorted = prepareSignatures(params.signatures, { chainId, workLedger, networkId, epoch, version, summary }, params.signatureNames);
    const sigBytes = sorted.map((s) => s.signature);
    // exactly the struct's fields, in order (a caller's summary object may carry more)
    const summaryTuple = Object.fromEntries(SUMMARY_FIELDS.map((k) => [k, summary[k]])) as unknown as IWorkLedger.EpochSummaryStruct;
    const data = params.correction
      ? wl.interface.encodeFunctionData("correctEpoch", [networkId, epoch, summaryTuple, sigBytes, params.correction.reasonHash])
      : wl.interface.encodeFunctionData("commitEpoch", [networkId, epoch, summaryTuple, sigBytes]);
    const from = await params.signer.getAddress();
    const gas = await withRevertDecoding(() => provider.estimateGas({ from, to: workLedger, data }));
    const sent = await sendWithRebroadcast(params.signer, { to: workLedger, data, gasLimit: (gas * 12n) / 10n + 10_000n }, params, submission);
    if (sent.replaced) {
      if (submission >= maxResubmissions) throw new WorkLedgerError(`the commit transaction was replaced ${submission + 1} times; giving up`, { code: "E_TX_REPLACED" });
      continue; // the epoch may have been committed by the replacement: re-read and retry
    }
    const receipt = sent.receipt;
    if (receipt.status !== 1) {
      try {
        await provider.call({ from, to: workLedger, data, blockTag: receipt.blockNumber });
      } catch (e) {
        throw toContractRevertError(e) ?? e;
      }
      throw new WorkLedgerError(`commit transaction ${receipt.hash} reverted`, { code: "E_REVERT" });
    }
    const committed = decodeCommitted(wl, receipt, networkId, epoch);
    if (!committed) throw new WorkLedgerError(`commit transaction ${receipt.hash} emitted no EpochCommitted event`);
    return { ...committed, alreadyCommitted: false, corrected: !!params.correction, txHash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
  }
}

type Committed = Omit<CommitEpochResult, "alreadyCommitted" | "corrected">;

function decodeCommitted(wl: ReturnType<typeof IWorkLedger__factory.connect>, receipt: TransactionReceipt, networkId: bigint, epoch: bigint): Committed | null {
  let committed: Committed | null = null;
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== getAddress(String(wl.target))) continue;
    let parsed;
    try {
      parsed = wl.interface.parseLog(log);
    } catch {
      continue;
    }
    if (!parsed) continue;
    const a = parsed.args;
    if (a.networkId !== networkId || a.epoch !== epoch) continue;
    if (parsed.name === "EpochUsageCommitted" && committed && Number(a.version) === committed.version) {
      committed.usageRoot = String(a.usageRoot).toLowerCase();
      committed.usageCount = a.usageCount;
      committed.totalUsage = a.totalUsage;
      continue;
    }
    if (parsed.name !== "EpochCommitted" || committed) continue;
    committed = {
      networkId,
      epoch,
      version: Number(a.version),
      root: String(a.root).toLowerCase(),
      recordCount: a.recordCount,
      activeNodes: a.activeNodes,
      totalWorkUnits: a.totalWorkUnits,
      totalRevenue: a.totalRevenue,
      dataHash: String(a.dataHash).toLowerCase(),
      ...NO_USAGE, // EpochUsageCommitted follows for a version with usage
      verifierSetId: Number(a.verifierSetId),
      finalizesAt: a.finalizesAt,
      signers: Array.from(a.signers as string[]).map((s) => getAddress(s)),
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
    };
  }
  return committed;
}

/** The committed version's figures, from its EpochCommitted event when it can be found. */
async function findCommitted(provider: Provider, wl: ReturnType<typeof IWorkLedger__factory.connect>, networkId: bigint, epoch: bigint, version: number, summary: EpochSummary): Promise<Committed> {
  const base: Committed = {
    networkId,
    epoch,
    version,
    root: summary.root.toLowerCase(),
    ...pickTotals(summary),
    dataHash: summary.dataHash.toLowerCase(),
    usageRoot: summary.usageRoot.toLowerCase(),
    usageCount: summary.usageCount,
    totalUsage: summary.totalUsage,
  };
  try {
    const logs = await wl.queryFilter(wl.filters.EpochCommitted(networkId, epoch, version));
    const last = logs[logs.length - 1];
    if (last) {
      const receipt = await provider.getTransactionReceipt(last.transactionHash);
      if (receipt) return decodeCommitted(wl, receipt, networkId, epoch) ?? base;
    }
  } catch {
    // event lookup is best effort (some RPCs cap log ranges)
  }
  return base;
}

function pickTotals(s: EpochSummary) {
  return { recordCount: s.recordCount, activeNodes: s.activeNodes, totalWorkUnits: s.totalWorkUnits, totalRevenue: s.totalRevenue };
}

type Sent = { replaced: true } | { replaced: false; receipt: TransactionReceipt };

const BENIGN_REBROADCAST = /already known|known transaction|already imported|nonce too low|nonce has already been used|replacement transaction underpriced|already in the mempool/i;

/**
 * Sends a transaction with a fixed nonce; on timeout, rebroadcasts the same transaction (same
 * nonce) if its nonce is still free, or reports `replaced` if another transaction took the nonce.
 */
export async function sendWithRebroadcast(
  signer: Signer,
  tx: TransactionRequest,
  opts: Pick<CommitEpochParams, "timeoutMs" | "pollMs" | "maxRebroadcasts" | "onBroadcast">,
  submission = 0,
): Promise<Sent> {
  const provider = signer.provider as Provider;
  const from = await signer.getAddress();
  const nonce = await provider.getTransactionCount(from, "pending");
  const populated = await signer.populateTransaction({ ...tx, from, nonce });
  let raw: string | null = null;
  try {
    raw = await signer.signTransaction(populated);
  } catch {
    raw = null; // e.g. a node-held (unlocked) account: re-send the same request instead
  }
  const broadcast = async (): Promise<string> => {
    if (raw) return (await provider.broadcastTransaction(raw)).hash;
    return (await signer.sendTransaction(populated)).hash;
  };
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const pollMs = opts.pollMs ?? 1000;
  const maxRebroadcasts = opts.maxRebroadcasts ?? 5;
  let hash = await withRevertDecoding(broadcast);
  const hashes = new Set([hash]);
  for (let attempt = 0; ; attempt++) {
    await opts.onBroadcast?.({ hash, nonce, attempt, submission });
    const receipt = await waitForAnyReceipt(provider, [...hashes], timeoutMs, pollMs);
    if (receipt) return { replaced: false, receipt };
    const minedNonce = await provider.getTransactionCount(from, "latest");
    if (minedNonce > nonce) {
      for (const h of hashes) {
        const r = await provider.getTransactionReceipt(h);
        if (r) return { replaced: false, receipt: r };
      }
      return { replaced: true };
    }
    if (attempt >= maxRebroadcasts) {
      throw new WorkLedgerError(`transaction ${hash} (nonce ${nonce}) not mined after ${attempt + 1} broadcasts of ${timeoutMs} ms each`, { code: "E_TX_TIMEOUT" });
    }
    try {
      hash = await broadcast();
      hashes.add(hash);
    } catch (e) {
      if (!BENIGN_REBROADCAST.test(String((e as Error)?.message ?? e))) throw toContractRevertError(e) ?? e;
    }
  }
}

async function waitForAnyReceipt(provider: Provider, hashes: string[], timeoutMs: number, pollMs: number): Promise<TransactionReceipt | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const h of hashes) {
      const r = await provider.getTransactionReceipt(h);
      if (r && r.blockNumber !== null) return r;
    }
    if (Date.now() >= deadline) return null;
    await new Promise((res) => setTimeout(res, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
  }
}


