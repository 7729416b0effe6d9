/**
 * Canonical encoding of an epoch's records, pinned on chain by `EpochSummary.dataHash`:
 *
 *     dataHash = keccak256( packed(r_1) ‖ packed(r_2) ‖ … ‖ packed(r_n) )
 *
 * where r_1 … r_n are the records sorted by nodeId (ascending bytes) and
 * `packed(r) = abi.encodePacked(bytes32 nodeId, uint64 epoch, uint64 workUnits, uint16 uptimeBps,
 * uint128 revenue, bytes32 evidence)` (98 bytes). The empty epoch's dataHash is keccak256("").
 * Any verifier reproduces it from the same records file, whatever the file's row order or format
 * (e.g. with ethers: `keccak256(concat(sorted.map(r => solidityPacked(RECORD_PACKED_TYPES, fields(r)))))`).
 */
import { PACKED, PACKED_RECORD_SIZE, bytesToHex } from "./codec";
import { KECCAK_ENGINE_BUFFER, keccakEngine } from "../merkle/keccak";
import { sortByKey32 } from "./sort";
import { RecordTable } from "./table";

/** Solidity types of the packed (canonical) encoding, for `solidityPacked`. */
export const RECORD_PACKED_TYPES = ["bytes32", "uint64", "uint64", "uint16", "uint128", "bytes32"] as const;

/** The permutation that orders a table by nodeId. */
export function nodeIdOrder(table: RecordTable): Uint32Array {
  return sortByKey32(table.data, PACKED_RECORD_SIZE, PACKED.nodeId, table.count);
}

/** keccak256 of the canonical encoding (see the module doc); `order` is the nodeId order if known. */
export function canonicalDataHash(table: RecordTable, order: Uint32Array = nodeIdOrder(table)): string {
  const engine = keccakEngine();
  const mem = engine.mem;
  const perChunk = Math.floor(KECCAK_ENGINE_BUFFER / PACKED_RECORD_SIZE);
  const d = table.data;
  engine.begin();
  for (let i = 0; i < table.count; i += perChunk) {
    const end = Math.min(table.count, i + perChunk);
    let w = 0;
    for (let k = i; k < end; k++) {
      const o = order[k] * PACKED_RECORD_SIZE;
      for (let b = 0; b < PACKED_RECORD_SIZE; b++) mem[w + b] = d[o + b];
      w += PACKED_RECORD_SIZE;
    }
    engine.absorb(w);
  }
  return bytesToHex(engine.finish());
}
