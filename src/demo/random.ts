/**
 * Deterministic randomness for the demo: every draw is a hash of (seed, labels), so a value does
 * not depend on how many other values were drawn before it (changing --nodes keeps node 3's story).
 */
import { keccak256, toUtf8Bytes } from "ethers";

/** A number in [0, 1) from the seed and labels. */
export function draw(seed: string, ...labels: Array<string | number>): number {
  const h = keccak256(toUtf8Bytes(`${seed}|${labels.join("|")}`));
  return Number(BigInt(h.slice(0, 15)) % 1_000_000_007n) / 1_000_000_007;
}

/** An integer in [lo, hi] from the seed and labels. */
export function drawInt(seed: string, lo: number, hi: number, ...labels: Array<string | number>): number {
  return lo + Math.floor(draw(seed, ...labels) * (hi - lo + 1));
}

/** A bytes32 from the seed and labels (evidence hashes, keys). */
export function drawBytes32(seed: string, ...labels: Array<string | number>): string {
  return keccak256(toUtf8Bytes(`${seed}|${labels.join("|")}`));
}
