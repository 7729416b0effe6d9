/**
 * merkle/: the one Merkle module. The keccak256 engine (WebAssembly, ./keccak), the StandardMerkleTree
 * builder over packed records with its proofs and EMPTY_ROOT (./tree, on one or two threads via
 * ./pool), leaf hashing overlapped with parsing (./prehash), epoch trees over record objects for
 * reports (./epochTree), and single and batch proof checks (./proof). The writer, the reports and the
 * verifier all use it.
 */
export type { KeccakEngine } from "./keccak";
export { keccakEngine, createKeccakEngine, keccak256Bytes } from "./keccak";
export type { RecordTree, BuildTreeOptions } from "./tree";
export { EMPTY_ROOT, buildRecordTree, buildRecordTreeSync, buildTreeFromLeafHashes, treeRoot, treeProof, proofPath, hashPairHex } from "./tree";
export type { HashWorker } from "./pool";
export { startHashWorker, PARALLEL_THRESHOLD } from "./pool";
export { LeafPrehasher } from "./prehash";
export type { EpochTree, BundleLike } from "./epochTree";
export { recordTreeSync, buildEpochTree, buildEpochTreeSync, epochFromBundle } from "./epochTree";
export type { ProofCheck, VerifyProofsOptions } from "./proof";
export { verifyRecordProof, verifyRecordProofs } from "./proof";
