/**
 * The CLI's single door into the SDK modules (records, writer, verifier, reader, report). Commands
 * import SDK functions from here, so any thin adapter the CLI needs over an SDK API lives in one place.
 */
import { normalizeNodeId } from "../records/nodeId";

/** nodeId rule: 0x + 32-byte hex used as is (lowercased), any other string keccak256(utf8(s)). */
export function nodeIdFromString(s: string): string {
  return normalizeNodeId(s);
}
