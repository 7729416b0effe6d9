/**
 * EIP-712 helpers for the WorkLedger tests: the domain read back from the contract, verifier
 * signatures over EpochCommit and VerifierRotation, and signature mutations (high-s, wrong length)
 * for forgery tests.
 */
import { Signature, Signer, TypedDataDomain, TypedDataEncoder, concat, getBytes, hexlify, toBeHex, verifyTypedData } from "ethers";
import { EPOCH_COMMIT_TYPES, VERIFIER_ROTATION_TYPES } from "../../src/records/eip712";
import type { EpochSummary as SdkEpochSummary } from "../../src/records/types";
import { SECP256K1_N } from "./constants";

/**
 * IWorkLedger.EpochSummary: the SDK's work summary plus the usage words (zero without usage). Spelled as
 * an intersection so that it stays compatible once the SDK's own type gains the usage words.
 */
export type EpochSummary = SdkEpochSummary & { usageRoot: string; usageCount: bigint; totalUsage: bigint };

/** The VerifierRotation message k of the current verifiers sign (verifierSetId = current + 1). */
export interface RotationMessage {
  networkId: bigint;
  verifierSetId: bigint;
  verifiers: string[];
  threshold: number;
}

/** The EpochCommit message verifiers sign. */
export interface EpochCommitMessage {
  networkId: bigint;
  epoch: bigint;
  version: bigint;
  summary: EpochSummary;
}

/** Anything with OZ EIP712's `eip712Domain()` view (ERC-5267). */
interface HasEip712Domain {
  eip712Domain(): Promise<[string, string, string, bigint, string, string, bigint[]]>;
}

/** Rebuilds a contract's EIP-712 domain from its ERC-5267 `eip712Domain()` view. */
export async function domainOf(contract: HasEip712Domain): Promise<TypedDataDomain> {
  const [, name, version, chainId, verifyingContract] = await contract.eip712Domain();
  return { name, version, chainId, verifyingContract };
}

/** The flat EpochCommit value of `message`, as ethers' signTypedData takes it. */
export function epochCommitValue(message: EpochCommitMessage): Record<string, unknown> {
  return { networkId: message.networkId, epoch: message.epoch, version: message.version, ...message.summary };
}

/** The EIP-712 digest ethers computes for `message` (what the contract's epochCommitDigest must return). */
export function epochCommitDigest(domain: TypedDataDomain, message: EpochCommitMessage): string {
  return TypedDataEncoder.hash(domain, EPOCH_COMMIT_TYPES, epochCommitValue(message));
}

/** One verifier's signature over `message`. */
export async function signEpochCommit(signer: Signer, domain: TypedDataDomain, message: EpochCommitMessage): Promise<string> {
  return signer.signTypedData(domain, EPOCH_COMMIT_TYPES, epochCommitValue(message));
}

/** The address `signature` recovers to for `message` under `domain` (what the contract will recover). */
export function recoverEpochCommit(domain: TypedDataDomain, message: EpochCommitMessage, signature: string): string {
  return verifyTypedData(domain, EPOCH_COMMIT_TYPES, epochCommitValue(message), signature);
}

/** Signers sorted by ascending address, the order commitEpoch requires. */
export async function sortByAddress<T extends Signer>(signers: T[]): Promise<T[]> {
  const withAddr = await Promise.all(signers.map(async (s) => ({ s, a: BigInt(await s.getAddress()) })));
  return withAddr.sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : 0)).map((x) => x.s);
}

/** Signatures of every signer over `message`, in ascending signer order. */
export async function signSorted(signers: Signer[], domain: TypedDataDomain, message: EpochCommitMessage): Promise<string[]> {
  const sorted = await sortByAddress(signers);
  return Promise.all(sorted.map((s) => signEpochCommit(s, domain, message)));
}

/** The EIP-712 digest ethers computes for a rotation (what verifierRotationDigest must return). */
export function rotationDigest(domain: TypedDataDomain, message: RotationMessage): string {
  return TypedDataEncoder.hash(domain, VERIFIER_ROTATION_TYPES, { ...message });
}

/** Signatures of every signer over a rotation, in ascending signer order. */
export async function signRotation(signers: Signer[], domain: TypedDataDomain, message: RotationMessage): Promise<string[]> {
  const sorted = await sortByAddress(signers);
  return Promise.all(sorted.map((s) => s.signTypedData(domain, VERIFIER_ROTATION_TYPES, { ...message })));
}

/** The malleable twin of a signature: s -> n - s and v flipped (27 <-> 28). Recovers the same address via raw ecrecover. */
export function toHighS(signature: string): string {
  const sig = Signature.from(signature);
  const highS = SECP256K1_N - BigInt(sig.s);
  const v = sig.v === 27 ? 28 : 27;
  return concat([sig.r, toBeHex(highS, 32), toBeHex(v, 1)]);
}

/** The signature cut to `length` bytes (64 = an ERC-2098-sized or truncated signature). */
export function truncate(signature: string, length: number): string {
  return hexlify(getBytes(signature).slice(0, length));
}
