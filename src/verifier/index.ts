/** verifier/: record proofs and signature sets, offline or against the chain (report verification lives in ./report). */
export type { ProofCheck, VerifyProofsOptions } from "../merkle/proof";
export { verifyRecordProof, verifyRecordProofs } from "../merkle/proof";
export { verifyRecordOnChain } from "./onchain";
export type { VerifierSet, SignatureCheck } from "./signatures";
export { verifyEpochSignatures } from "./signatures";
export type { ProofFile, ProofFileInput, ProofFileCheck, UsageProofFile, UsageProofFileInput, AnyProofFileInput, VerifyProofFileOptions, FetchedProofFile, FetchProofFileOptions, ProofRequest } from "./proofFile";
export {
  makeProofFile,
  parseProofFile,
  readProofFile,
  writeProofFile,
  verifyProofFile,
  PROOF_FILE_KIND,
  USAGE_PROOF_FILE_KIND,
  makeUsageProofFile,
  parseUsageProofFile,
  parseAnyProofFile,
  readAnyProofFile,
  fetchProofFile,
  proofRequestOfUrl,
} from "./proofFile";
export type { LeafStatus, LeafStatusName } from "./status";
export { recordStatusOnChain, usageStatusOnChain, verifyUsageOnChain, LEAF_STATUS_NAMES } from "./status";
