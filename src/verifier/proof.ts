/** Moved to src/merkle/proof.ts (H2). Transition re-export for verifier/report.ts, removed once it imports ../merkle. */
export type { ProofCheck, VerifyProofsOptions } from "../merkle/proof";
export { verifyRecordProof, verifyRecordProofs } from "../merkle/proof";
