/**
 * Ethereum addresses in files and flags: 0x + 40 hex digits. All-lowercase or all-uppercase digits
 * carry no checksum and are taken as they are; mixed case must be the EIP-55 checksum, and a wrong
 * one is reported as a checksum problem (the usual sign of a typo), never as a length problem.
 * Output is always checksummed. Hashing uses the project's Keccak engine (no ethers call per row).
 */
import { InvalidInputError } from "../errors";
import { decodeHexInto, hasHexPrefix, latin1 } from "./fields";
import { KeccakEngine, keccakEngine } from "../merkle/keccak";

const LOWER_HEX = Buffer.from("0123456789abcdef", "latin1");
const ASCII = new Uint8Array(40);
const DIGEST = new Uint8Array(32);

/** keccak256 of the 40 lowercase hex digits of the address at bytes[off..off+20) into DIGEST (EIP-55's hash). */
function checksumDigest(bytes: Uint8Array, off: number, engine: KeccakEngine): Uint8Array {
  for (let i = 0; i < 20; i++) {
    ASCII[2 * i] = LOWER_HEX[bytes[off + i] >> 4];
    ASCII[2 * i + 1] = LOWER_HEX[bytes[off + i] & 15];
  }
  engine.hashInto(ASCII, DIGEST, 0);
  return DIGEST;
}

/** Whether hex digit `i` (0..39) is upper case in the EIP-55 form, given the checksum digest. */
function upperAt(digest: Uint8Array, i: number): boolean {
  const nibble = i % 2 === 0 ? digest[i >> 1] >> 4 : digest[i >> 1] & 15;
  return nibble >= 8;
}

/**
 * True unless the 40 hex digits at digits[s..s+40) (already decoded into bytes[off..off+20)) mix
 * upper and lower case letters in a way that is not the address's EIP-55 checksum.
 */
export function checkAddressChecksum(digits: Uint8Array, s: number, bytes: Uint8Array, off: number, engine: KeccakEngine = keccakEngine()): boolean {
  let upper = false;
  let lower = false;
  for (let i = 0; i < 40; i++) {
    const c = digits[s + i];
    if (c >= 65 && c <= 70) upper = true;
    else if (c >= 97 && c <= 102) lower = true;
  }
  if (!upper || !lower) return true;
  const digest = checksumDigest(bytes, off, engine);
  for (let i = 0; i < 40; i++) {
    const c = digits[s + i];
    if (c < 65) continue; // a decimal digit
    if ((c <= 70) !== upperAt(digest, i)) return false;
  }
  return true;
}

/** The EIP-55 checksummed form of the address at bytes[off..off+20). */
export function checksumAddressOf(bytes: Uint8Array, off = 0, engine: KeccakEngine = keccakEngine()): string {
  const digest = checksumDigest(bytes, off, engine);
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const c = ASCII[i];
    out += String.fromCharCode(c >= 97 && upperAt(digest, i) ? c - 32 : c);
  }
  return out;
}

/**
 * Validates an address field at buf[s..e) into out[off..off+20); returns the reason it is invalid,
 * or null. The reasons: empty, no 0x prefix, wrong length (in hex digits), a bad hex character, or
 * a bad EIP-55 checksum.
 */
export function parseAddressField(buf: Uint8Array, s: number, e: number, out: Uint8Array, off: number, engine: KeccakEngine, what: string): string | null {
  if (e <= s) return `empty ${what}`;
  if (!hasHexPrefix(buf, s, e)) return `${what} must be a 0x-prefixed address (20 bytes, 40 hex digits), got ${latin1(buf, s, e)}`;
  const digits = e - s - 2;
  if (digits !== 40) return `${what} must be a 20-byte address (40 hex digits), got ${digits} digits`;
  const bad = decodeHexInto(buf, s + 2, 20, out, off, what);
  if (bad) return bad;
  if (!checkAddressChecksum(buf, s + 2, out, off, engine)) {
    return `${what} ${latin1(buf, s, e)} has a bad EIP-55 checksum (the case of its letters does not match: check it for a typo, or write it all lowercase)`;
  }
  return null;
}

/**
 * A checksummed address from user input, or an InvalidInputError naming `what` and the problem
 * (checksum, length, hex or prefix).
 *
 * @example
 * parseAddress("0x8ba1f109551bd432803012645ac136ddd64dba72", "--operator"); // "0x8ba1f109551bD432803012645Ac136ddd64DBA72"
 * parseAddress("0x8Ba1f109551bD432803012645Ac136ddd64DBA72", "--operator"); // throws: bad EIP-55 checksum
 */
export function parseAddress(value: string, what = "address"): string {
  const buf = Buffer.from(String(value), "utf8");
  const bytes = new Uint8Array(20);
  const engine = keccakEngine();
  const reason = parseAddressField(buf, 0, buf.length, bytes, 0, engine, what);
  if (reason) throw new InvalidInputError(reason);
  return checksumAddressOf(bytes, 0, engine);
}
