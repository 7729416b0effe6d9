/** Moved to src/merkle/keccak.ts (H2). Transition re-export, removed once records/ imports ../merkle/keccak. */
export * from "../merkle/keccak";
