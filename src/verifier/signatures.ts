/**
 * Offline check of a set of verifier signatures over an epoch summary: k-of-n distinct signers of
 * the verifier set, each signature recovered under the deployment's EIP-712 domain.
 */
import { getAddress, verifyTypedData } from "ethers";

import { EPOCH_COMMIT_TYPES } from "../records/eip712";
import { EpochSummary } from "../records/types";
import { EpochSigningContext, SignatureFile, contextDomain, epochCommitMessage } from "../writer/sign";

export interface VerifierSet {
  verifiers: readonly string[];
  threshold: number;
}

export interface SignatureCheck {
  /** True when at least `threshold` distinct verifiers of the set signed this exact summary and context. */
  valid: boolean;
  /** Distinct verifiers whose signatures are good, ascending. */
  signers: string[];
  /** One line per rejected signature (index, reason). */
  problems: string[];
}

/**
 * Checks signatures (raw hex or signature files) over `summary` in `ctx`.
 *
 * @example
 * const { valid, problems } = verifyEpochSignatures(summary, sigs, { verifiers, threshold: 2 }, ctx);
 */
export function verifyEpochSignatures(
  summary: EpochSummary,
  signatures: readonly (string | SignatureFile)[],
  set: VerifierSet,
  ctx: EpochSigningContext,
): SignatureCheck {
  const members = new Set(set.verifiers.map((v) => getAddress(v)));
  const domain = contextDomain(ctx);
  const message = epochCommitMessage(summary, ctx);
  const good = new Set<string>();
  const problems: string[] = [];
  signatures.forEach((s, i) => {
    const sig = typeof s === "string" ? s : s.signature;
    let who: string;
    try {
      who = verifyTypedData(domain, EPOCH_COMMIT_TYPES, message, sig);
    } catch (e) {
      problems.push(`signature ${i}: cannot be recovered (${(e as Error).message.split("\n")[0]})`);
      return;
    }
    if (typeof s !== "string" && getAddress(s.signer) !== who) {
      problems.push(`signature ${i}: recovers to ${who}, not to the stated signer ${s.signer} (wrong summary, context or key)`);
      return;
    }
    if (!members.has(who)) {
      problems.push(`signature ${i}: signer ${who} is not in the verifier set`);
      return;
    }
    if (good.has(who)) {
      problems.push(`signature ${i}: duplicate signer ${who}`);
      return;
    }
    good.add(who);
  });
  const signers = [...good].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  if (set.threshold < 1 || set.threshold > members.size) problems.push(`threshold ${set.threshold} is outside 1..${members.size}`);
  const valid = signers.length >= set.threshold && set.threshold >= 1 && set.threshold <= members.size;
  if (!valid && signers.length < set.threshold) problems.push(`${signers.length} valid distinct verifier signatures, threshold ${set.threshold}`);
  return { valid, signers, problems };
}
