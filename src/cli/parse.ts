/**
 * Flag value parsers. Each throws InvalidInputError (exit code 2) naming the flag and the value.
 * Values stay strings in commander; conversion happens here (no silent casts to numbers).
 */
import { parseUnits } from "ethers";

import { InvalidInputError, normalizeNodeId as nodeIdFromString, parseAddress as parseAddressValue } from "../index";

/** A positive integer id (networks count from 1). */
export function parseNetworkId(v: string | undefined, flag = "--network"): bigint {
  if (v === undefined) throw new InvalidInputError(`missing ${flag} ID`);
  if (!/^[0-9]+$/.test(v) || BigInt(v) === 0n) throw new InvalidInputError(`${flag} must be a network id (an integer from 1), got "${v}"`);
  return BigInt(v);
}

/** A non-negative integer below 2^bits. */
export function parseUint(v: string | undefined, flag: string, bits = 64): bigint {
  if (v === undefined) throw new InvalidInputError(`missing ${flag}`);
  if (!/^[0-9]+$/.test(v)) throw new InvalidInputError(`${flag} must be a non-negative integer, got "${v}"`);
  const n = BigInt(v);
  if (n >= 1n << BigInt(bits)) throw new InvalidInputError(`${flag} must be below 2^${bits}, got "${v}"`);
  return n;
}

/** A checksummed address (a bad EIP-55 checksum is called one, not a length problem). */
export function parseAddress(v: string | undefined, flag: string): string {
  if (v === undefined) throw new InvalidInputError(`missing ${flag} ADDR`);
  return parseAddressValue(v, flag);
}

/** A comma-separated list of addresses. */
export function parseAddressList(v: string | undefined, flag: string): string[] {
  if (v === undefined || v.trim() === "") throw new InvalidInputError(`missing ${flag} A,B,C`);
  return v.split(",").map((s, i) => {
    const t = s.trim();
    if (!/^0x[0-9a-fA-F]{40}$/.test(t)) throw new InvalidInputError(`${flag}: item ${i + 1} is not an address: "${t}"`);
    return parseAddressValue(t, `${flag} item ${i + 1}`);
  });
}

/** A nodeId: 0x + 32-byte hex used as is, any other string keccak256(utf8(string)). */
export function parseNodeId(v: string | undefined, flag = "--node"): string {
  if (v === undefined || v === "") throw new InvalidInputError(`missing ${flag} NODEID`);
  if (v.startsWith("0x") && !/^0x[0-9a-fA-F]{64}$/.test(v)) {
    throw new InvalidInputError(`${flag} starts with 0x so it must be 32-byte hex (64 hex digits), got "${v}"`);
  }
  return nodeIdFromString(v);
}

/** A bytes32: 0x + 64 hex, or any text hashed with keccak256(utf8). */
export function parseBytes32(v: string | undefined, flag: string): string {
  if (v === undefined) throw new InvalidInputError(`missing ${flag}`);
  if (v.startsWith("0x")) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(v)) throw new InvalidInputError(`${flag} must be 32-byte hex, got "${v}"`);
    return v.toLowerCase();
  }
  return nodeIdFromString(v);
}

/** A strict 32-byte hex value (charge ids). */
export function parseHex32(v: string | undefined, flag: string): string {
  if (v === undefined || !/^0x[0-9a-fA-F]{64}$/.test(v)) throw new InvalidInputError(`${flag} must be 32-byte hex (0x + 64 hex digits), got "${v ?? ""}"`);
  return v.toLowerCase();
}

/** A token amount given in token units ("1250.5") with the token's decimals -> smallest unit. */
export function parseAmount(v: string | undefined, decimals: number, flag = "--amount"): bigint {
  if (v === undefined) throw new InvalidInputError(`missing ${flag}`);
  const clean = v.replace(/_/g, "");
  if (!/^[0-9]+(\.[0-9]+)?$/.test(clean)) throw new InvalidInputError(`${flag} must be a positive amount in token units (e.g. 1250.50), got "${v}"`);
  let n: bigint;
  try {
    n = parseUnits(clean, decimals);
  } catch {
    throw new InvalidInputError(`${flag} has more than ${decimals} decimals: "${v}"`);
  }
  if (n === 0n) throw new InvalidInputError(`${flag} must be greater than zero`);
  return n;
}

/** A positive integer option such as --nodes. */
export function parsePositiveInt(v: string | undefined, flag: string, max = 1_000_000): number {
  if (v === undefined || !/^[0-9]+$/.test(v) || Number(v) < 1 || Number(v) > max) {
    throw new InvalidInputError(`${flag} must be an integer from 1 to ${max}, got "${v ?? ""}"`);
  }
  return Number(v);
}

/** One of a fixed set of values. */
export function parseChoice<T extends string>(v: string | undefined, flag: string, choices: readonly T[]): T {
  if (v === undefined || !(choices as readonly string[]).includes(v)) {
    throw new InvalidInputError(`${flag} must be one of ${choices.join("|")}, got "${v ?? ""}"`);
  }
  return v as T;
}

/** A TCP port flag: 0..65535 (0 = any free port). */
export function parsePort(v: string, flag: string): number {
  if (!/^[0-9]{1,5}$/.test(v) || Number(v) > 65535) throw new InvalidInputError(`${flag} must be a port 0..65535 (0 = any free port), got "${v}"`);
  return Number(v);
}
