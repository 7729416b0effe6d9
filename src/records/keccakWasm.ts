/** Moved to src/merkle/keccakWasm.ts (H2). Transition re-export, removed once nothing imports it from here. */
export * from "../merkle/keccakWasm";
