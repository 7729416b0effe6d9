/**
 * Verifier-set changes (#13, DESIGN "Trust model"). The normal path: a rotation proposal (the exact
 * EIP-712 VerifierRotation message: network, new set id = current + 1, members, threshold) is signed
 * by k of the CURRENT verifiers, each on its own machine into its own file, and anyone relays the
 * files (`rotateVerifiers`). The recovery path for a lost set: the admin proposes, the proposal waits
 * in public for recoveryDelay = max(7 d, 2 × window, thaw + 1 d), the arbiter may cancel it, and
 * anyone applies it afterwards. Neither path touches committed versions.
 */
import fs from "fs";
import path from "path";
import { AbiCoder, ContractRunner, Signer, ZeroHash, getAddress, keccak256, verifyTypedData } from "ethers";

import { InvalidInputError, VerificationError } from "../errors";
import { VERIFIER_ROTATION_TYPES, workLedgerDomain } from "../records/eip712";
import { Deployment } from "./deployment";
import { workLedgerCall as wlCall, workLedgerInterface as wlInterface } from "./calls";
import { assertNetwork } from "./network";
import { isoDate, sendRefusable } from "./refusal";
import { SendOptions, TxOutcome, receiptEvents } from "./tx";

type Ledger = Pick<Deployment, "workLedger" | "chainId">;


/** A verifier rotation: what k of the current set sign. */
export interface RotationProposal {
  kind: "workledger-verifier-rotation";
  chainId: string;
  workLedger: string;
  networkId: string;
  /** The id the new set gets: the current set id + 1 (one signature serves one rotation only). */
  verifierSetId: string;
  verifiers: string[];
  threshold: number;
}

/** One verifier's signature over a rotation proposal. */
export interface RotationSignatureFile extends Omit<RotationProposal, "kind"> {
  kind: "workledger-verifier-rotation-signature";
  signer: string;
  signature: string;
}

/** Checks members (distinct, non-zero, checksummed) and threshold (1..n), naming the problem. */
export function checkVerifierSet(verifiers: readonly string[], threshold: number): string[] {
  if (verifiers.length === 0) throw new InvalidInputError("the new verifier set is empty");
  if (verifiers.length > 255) throw new InvalidInputError(`at most 255 verifiers, got ${verifiers.length}`);
  const seen = new Set<string>();
  const out = verifiers.map((v, i) => {
    let a: string;
    try {
      a = getAddress(v);
    } catch {
      throw new InvalidInputError(`verifier ${i + 1} is not an address: "${v}"`);
    }
    if (BigInt(a) === 0n) throw new InvalidInputError(`verifier ${i + 1} is the zero address`);
    if (seen.has(a)) throw new InvalidInputError(`verifier ${a} is listed twice`);
    seen.add(a);
    return a;
  });
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > out.length) throw new InvalidInputError(`threshold must be from 1 to ${out.length} (the number of verifiers), got ${threshold}`);
  return out;
}

/**
 * The rotation proposal for the network's NEXT verifier set (current set id + 1), read from the chain.
 *
 * @example
 * const proposal = await proposeRotation(provider, deployment, 1n, [a, b, c, d], 3);
 * writeRotationFile(proposal, "rotation.json"); // each current verifier signs it with signRotation
 */
export async function proposeRotation(runner: ContractRunner, deployment: Ledger, networkId: bigint, verifiers: readonly string[], threshold: number): Promise<RotationProposal> {
  const members = checkVerifierSet(verifiers, threshold);
  const wl = await assertNetwork(runner, deployment, networkId);
  const n = await wl.network(networkId);
  return {
    kind: "workledger-verifier-rotation",
    chainId: String(deployment.chainId),
    workLedger: getAddress(deployment.workLedger),
    networkId: networkId.toString(),
    verifierSetId: (n.verifierSetId + 1n).toString(),
    verifiers: members,
    threshold,
  };
}

function rotationMessage(p: Omit<RotationProposal, "kind">) {
  return { networkId: BigInt(p.networkId), verifierSetId: BigInt(p.verifierSetId), verifiers: p.verifiers, threshold: p.threshold };
}

function rotationDomain(p: Pick<RotationProposal, "chainId" | "workLedger">) {
  return workLedgerDomain(BigInt(p.chainId), getAddress(p.workLedger));
}

/** Signs a rotation proposal (EIP-712 VerifierRotation) with one verifier's key. */
export async function signRotation(proposal: RotationProposal, signer: Signer): Promise<RotationSignatureFile> {
  const members = checkVerifierSet(proposal.verifiers, proposal.threshold);
  const p = { ...proposal, verifiers: members };
  const signature = await signer.signTypedData(rotationDomain(p), VERIFIER_ROTATION_TYPES, rotationMessage(p));
  const { kind: _kind, ...rest } = p;
  void _kind;
  return { kind: "workledger-verifier-rotation-signature", ...rest, signer: getAddress(await signer.getAddress()), signature };
}

/** The address that produced a rotation signature (recomputed, not taken from the file). */
export function recoverRotationSigner(s: RotationSignatureFile): string {
  return getAddress(verifyTypedData(rotationDomain(s), VERIFIER_ROTATION_TYPES, rotationMessage(s), s.signature));
}

/** Writes a proposal or signature file (creating its directory). */
export function writeRotationFile(value: RotationProposal | RotationSignatureFile, file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new InvalidInputError(`file not found: ${file}`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("not a JSON object");
    return v as Record<string, unknown>;
  } catch (e) {
    throw new InvalidInputError(`${file} is not a JSON object: ${(e as Error).message}`);
  }
}

function parseProposalFields(raw: Record<string, unknown>, file: string): Omit<RotationProposal, "kind"> {
  const str = (k: string, re: RegExp) => {
    const v = raw[k];
    if (typeof v !== "string" || !re.test(v)) throw new InvalidInputError(`${file}: field "${k}" is missing or malformed`);
    return v;
  };
  const verifiers = raw.verifiers;
  if (!Array.isArray(verifiers) || verifiers.some((v) => typeof v !== "string")) throw new InvalidInputError(`${file}: field "verifiers" must be a list of addresses`);
  const threshold = raw.threshold;
  if (typeof threshold !== "number") throw new InvalidInputError(`${file}: field "threshold" must be a number`);
  const members = checkVerifierSet(verifiers as string[], threshold);
  return {
    chainId: str("chainId", /^[0-9]+$/),
    workLedger: getAddress(str("workLedger", /^0x[0-9a-fA-F]{40}$/)),
    networkId: str("networkId", /^[0-9]+$/),
    verifierSetId: str("verifierSetId", /^[0-9]+$/),
    verifiers: members,
    threshold,
  };
}

/** Reads a rotation proposal file (or the proposal inside a signature file). */
export function readRotationProposal(file: string): RotationProposal {
  const raw = readJson(file);
  if (raw.kind !== "workledger-verifier-rotation" && raw.kind !== "workledger-verifier-rotation-signature") {
    throw new InvalidInputError(`${file} is not a verifier rotation proposal (kind "${String(raw.kind)}")`);
  }
  return { kind: "workledger-verifier-rotation", ...parseProposalFields(raw, file) };
}

/** Reads a rotation signature file; its signature must recover to its `signer`. */
export function readRotationSignature(file: string): RotationSignatureFile {
  const raw = readJson(file);
  if (raw.kind !== "workledger-verifier-rotation-signature") throw new InvalidInputError(`${file} is not a verifier rotation signature (kind "${String(raw.kind)}")`);
  const fields = parseProposalFields(raw, file);
  if (typeof raw.signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(raw.signature)) throw new InvalidInputError(`${file}: field "signature" must be 65 bytes of hex`);
  if (typeof raw.signer !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(raw.signer)) throw new InvalidInputError(`${file}: field "signer" must be an address`);
  const s: RotationSignatureFile = { kind: "workledger-verifier-rotation-signature", ...fields, signer: getAddress(raw.signer), signature: raw.signature };
  const recovered = recoverRotationSigner(s);
  if (recovered !== s.signer) throw new VerificationError(`${file}: the signature recovers to ${recovered}, not to the signer ${s.signer} the file names`);
  return s;
}

/** What a relayed rotation did. */
export interface RotationResult {
  outcome: TxOutcome;
  /** The new set id (from VerifierSetUpdated; the expected one in a dry run). */
  verifierSetId: number;
  verifiers: string[];
  threshold: number;
  /** The signers relayed, in ascending address order. */
  signers: string[];
}

/**
 * Relays k (or more) signatures of the current set over one rotation (anyone may send it). The files
 * must agree on the proposal and this deployment, each signer must be a current verifier (checked
 * here so the error names the file), and at least `threshold` of them are needed.
 */
export async function applyRotation(signer: Signer, deployment: Ledger, signatures: readonly RotationSignatureFile[], options: SendOptions & { names?: readonly string[] } = {}): Promise<RotationResult> {
  if (signatures.length === 0) throw new InvalidInputError("no rotation signatures given");
  const name = (i: number) => options.names?.[i] ?? `signature ${i + 1}`;
  const first = signatures[0];
  const key = (s: RotationSignatureFile) => JSON.stringify([s.chainId, getAddress(s.workLedger), s.networkId, s.verifierSetId, s.verifiers, s.threshold]);
  signatures.forEach((s, i) => {
    if (key(s) !== key(first)) throw new InvalidInputError(`${name(i)} signs a different rotation than ${name(0)} (network, set id, members or threshold differ)`);
  });
  if (BigInt(first.chainId) !== BigInt(deployment.chainId) || getAddress(first.workLedger) !== getAddress(deployment.workLedger)) {
    throw new InvalidInputError(`the rotation was signed for chain ${first.chainId} / ${first.workLedger}, not this deployment (chain ${deployment.chainId} / ${getAddress(deployment.workLedger)})`);
  }
  const networkId = BigInt(first.networkId);
  const wl = await assertNetwork(signer, deployment, networkId);
  const n = await wl.network(networkId);
  if (BigInt(first.verifierSetId) !== n.verifierSetId + 1n) {
    throw new InvalidInputError(`the rotation would create verifier set ${first.verifierSetId}, but network ${networkId} is at set ${n.verifierSetId} (the next is ${n.verifierSetId + 1n}): sign a new proposal`);
  }
  const seen = new Set<string>();
  for (const [i, s] of signatures.entries()) {
    const who = recoverRotationSigner(s);
    if (seen.has(who)) throw new InvalidInputError(`${name(i)}: ${who} signed twice`);
    seen.add(who);
    if (!(await wl.isVerifier(networkId, n.verifierSetId, who))) throw new InvalidInputError(`${name(i)}: ${who} is not in the current verifier set ${n.verifierSetId} of network ${networkId}`);
  }
  if (signatures.length < Number(n.threshold)) throw new InvalidInputError(`${signatures.length} signature(s) given, the current threshold of network ${networkId} is ${n.threshold}`);
  const sorted = [...signatures].sort((a, b) => (BigInt(recoverRotationSigner(a)) < BigInt(recoverRotationSigner(b)) ? -1 : 1));
  const outcome = await sendRefusable(signer, wlCall(deployment, "rotateVerifiers", [networkId, first.verifiers, first.threshold, sorted.map((s) => s.signature)]), options);
  const [ev] = receiptEvents(outcome.receipt, wlInterface(), deployment.workLedger, "VerifierSetUpdated");
  return {
    outcome,
    verifierSetId: ev ? Number(ev.args.verifierSetId) : Number(first.verifierSetId),
    verifiers: first.verifiers,
    threshold: first.threshold,
    signers: sorted.map(recoverRotationSigner),
  };
}

/** keccak256(abi.encode(verifiers, threshold)): how the contract names a recovery proposal. */
export function recoverySetHash(verifiers: readonly string[], threshold: number): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address[]", "uint8"], [verifiers, threshold]));
}

/** What a recovery proposal did. */
export interface RecoveryProposalResult {
  outcome: TxOutcome;
  verifierSetId: number | null;
  /** When anyone may apply it (from RecoveryProposed; null in a dry run). */
  executableAt: bigint | null;
}

/** The admin proposes a recovery rotation (replacing any pending one); it waits recoveryDelay in public. */
export async function proposeRecovery(signer: Signer, deployment: Ledger, p: { networkId: bigint; verifiers: readonly string[]; threshold: number }, options: SendOptions = {}): Promise<RecoveryProposalResult> {
  const members = checkVerifierSet(p.verifiers, p.threshold);
  await assertNetwork(signer, deployment, p.networkId);
  const outcome = await sendRefusable(signer, wlCall(deployment, "proposeRecovery", [p.networkId, members, p.threshold]), options);
  const [ev] = receiptEvents(outcome.receipt, wlInterface(), deployment.workLedger, "RecoveryProposed");
  return { outcome, verifierSetId: ev ? Number(ev.args.verifierSetId) : null, executableAt: ev ? BigInt(ev.args.executableAt as bigint) : null };
}

/** Applies the pending recovery once its delay has passed (anyone), naming its members and threshold exactly. */
export async function applyRecovery(signer: Signer, deployment: Ledger, p: { networkId: bigint; verifiers: readonly string[]; threshold: number }, options: SendOptions = {}): Promise<{ outcome: TxOutcome; verifierSetId: number | null }> {
  const members = checkVerifierSet(p.verifiers, p.threshold);
  const status = await readVerifierStatus(signer, deployment, p.networkId);
  if (!status.recovery) throw new InvalidInputError(`network ${p.networkId} has no pending recovery proposal`);
  if (status.recovery.setHash !== recoverySetHash(members, p.threshold)) throw new InvalidInputError(`the verifiers and threshold given are not those proposed for network ${p.networkId}`);
  const outcome = await sendRefusable(signer, wlCall(deployment, "applyRecovery", [p.networkId, members, p.threshold]), options);
  const [ev] = receiptEvents(outcome.receipt, wlInterface(), deployment.workLedger, "RecoveryApplied");
  return { outcome, verifierSetId: ev ? Number(ev.args.verifierSetId) : null };
}

/** The arbiter cancels the pending recovery proposal. */
export async function cancelRecovery(signer: Signer, deployment: Ledger, p: { networkId: bigint }, options: SendOptions = {}): Promise<{ outcome: TxOutcome; verifierSetId: number | null }> {
  await assertNetwork(signer, deployment, p.networkId);
  const outcome = await sendRefusable(signer, wlCall(deployment, "cancelRecovery", [p.networkId]), options);
  const [ev] = receiptEvents(outcome.receipt, wlInterface(), deployment.workLedger, "RecoveryCancelled");
  return { outcome, verifierSetId: ev ? Number(ev.args.verifierSetId) : null };
}

/** A network's verifier set, and its pending recovery proposal. */
export interface VerifierStatus {
  networkId: bigint;
  verifierSetId: number;
  verifiers: string[];
  threshold: number;
  /** Seconds a recovery waits now: max(7 d, 2 × window, thaw + 1 d). */
  recoveryDelay: bigint;
  recovery: null | {
    setHash: string;
    verifierSetId: number;
    proposedAt: bigint;
    executableAt: bigint;
    /** Whether the chain's latest block is at or after executableAt. */
    executable: boolean;
    /** Members and threshold from the RecoveryProposed event (null if the RPC refused the log query). */
    verifiers: string[] | null;
    threshold: number | null;
    /** Set when the proposal is for an older set id (a rotation happened since): it can no longer apply. */
    stale: boolean;
  };
  /** Time of the latest block (unix seconds). */
  now: bigint;
}

/** The current verifier set and the pending recovery (with when it is executable), from the chain. */
export async function readVerifierStatus(runner: ContractRunner, deployment: Pick<Deployment, "workLedger"> & Partial<Pick<Deployment, "fromBlock">>, networkId: bigint): Promise<VerifierStatus> {
  const wl = await assertNetwork(runner, deployment, networkId);
  const n = await wl.network(networkId);
  const [[members, threshold], [setHash, proposedSetId, proposedAt, executableAt], delay] = await Promise.all([
    wl.verifierSet(networkId, n.verifierSetId),
    wl.recoveryProposal(networkId),
    wl.recoveryDelay(networkId),
  ]);
  const provider = runner.provider;
  const now = BigInt((await provider?.getBlock("latest"))?.timestamp ?? 0);
  let recovery: VerifierStatus["recovery"] = null;
  if (setHash !== ZeroHash) {
    let proposedMembers: string[] | null = null;
    let proposedThreshold: number | null = null;
    try {
      const logs = await wl.queryFilter(wl.filters.RecoveryProposed(networkId), deployment.fromBlock ?? 0);
      const match = [...logs].reverse().find((l) => recoverySetHash(l.args.verifiers, Number(l.args.threshold)) === setHash);
      if (match) {
        proposedMembers = match.args.verifiers.map((v) => getAddress(v));
        proposedThreshold = Number(match.args.threshold);
      }
    } catch {
      proposedMembers = null; // some RPCs cap log ranges: the stored figures still come back
    }
    recovery = {
      setHash,
      verifierSetId: Number(proposedSetId),
      proposedAt,
      executableAt,
      executable: now >= executableAt,
      verifiers: proposedMembers,
      threshold: proposedThreshold,
      stale: proposedSetId !== n.verifierSetId + 1n,
    };
  }
  return { networkId, verifierSetId: Number(n.verifierSetId), verifiers: members.map((v) => getAddress(v)), threshold: Number(threshold), recoveryDelay: delay, recovery, now };
}

/** "2026-12-06T04:00:00.000Z (in 3 d 2 h)" style text of a time relative to `now`. */
export function whenText(at: bigint, now: bigint): string {
  const d = Number(at - now);
  const abs = Math.abs(d);
  const parts = abs >= 86_400 ? `${Math.floor(abs / 86_400)} d ${Math.floor((abs % 86_400) / 3_600)} h` : abs >= 3_600 ? `${Math.floor(abs / 3_600)} h ${Math.floor((abs % 3_600) / 60)} min` : `${Math.floor(abs / 60)} min`;
  return `${isoDate(at)} (${d > 0 ? `in ${parts}` : d === 0 ? "now" : `${parts} ago`})`;
}
