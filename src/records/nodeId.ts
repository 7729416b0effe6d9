/**
 * The nodeId rule (DESIGN.md, fixed): a value starting with `0x` must be 32-byte hex and is used
 * as is (lowercased); any other non-empty string is `keccak256(utf8(value))`.
 */
import { InvalidInputError } from "../errors";
import { bytesToHex } from "./codec";
import { parseNodeIdField } from "./fields";
import { keccakEngine } from "../merkle/keccak";

/**
 * The bytes32 nodeId of a user-given node name or id.
 *
 * @example
 * normalizeNodeId("hotspot-42"); // keccak256("hotspot-42")
 * normalizeNodeId("0xAB…");      // "0xab…" (must be 64 hex digits)
 */
export function normalizeNodeId(value: string): string {
  const buf = Buffer.from(value, "utf8");
  const out = new Uint8Array(32);
  const reason = parseNodeIdField(buf, 0, buf.length, out, 0, keccakEngine());
  if (reason) throw new InvalidInputError(`invalid nodeId "${value}": ${reason}`);
  return bytesToHex(out);
}
