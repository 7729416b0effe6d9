/**
 * RevenueLedger account ids: bytes32(kind << 248 | networkId << 160 | holder), as packed by
 * IRevenueLedger.accountId. One codec for the indexer and the reports.
 */
import { toBeHex } from "ethers";

import { keccakEngine } from "../merkle/keccak";

/** IRevenueLedger.AccountKind. */
export enum AccountKind {
  None = 0,
  Escrow = 1,
  Held = 2,
  Revenue = 3,
  Payable = 4,
  Fee = 5,
  Assets = 6,
  Bond = 7,
}

/** Lowercase names of the kinds, by enum value (the indexer's `kind` column). */
export const ACCOUNT_KINDS = ["none", "escrow", "held", "revenue", "payable", "fee", "assets", "bond"] as const;
export type AccountKindName = (typeof ACCOUNT_KINDS)[number];

export interface DecodedAccount {
  kind: AccountKind;
  networkId: number;
  holder: string; // checksummed
}

const HOLDER_MASK = (1n << 160n) - 1n;
const NETWORK_MASK = (1n << 88n) - 1n;
const CACHE_LIMIT = 100_000;
const cache = new Map<string, DecodedAccount>();

/** EIP-55 checksum of 40 lowercase hex digits, hashed with the WASM keccak engine (fast). */
function checksum(lower40: string): string {
  const engine = keccakEngine();
  const mem = engine.mem;
  for (let i = 0; i < 40; i++) mem[i] = lower40.charCodeAt(i);
  engine.hashInPlace(40);
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const nib = i % 2 === 0 ? mem[i >> 1] >> 4 : mem[i >> 1] & 15;
    out += nib >= 8 ? lower40[i].toUpperCase() : lower40[i];
  }
  return out;
}

/** Decodes a packed account id (results are cached: reports and the indexer see few distinct ids). */
export function decodeAccountId(id: string): DecodedAccount {
  const hit = cache.get(id);
  if (hit) return { ...hit };
  const v = BigInt(id);
  const decoded: DecodedAccount = {
    kind: Number(v >> 248n),
    networkId: Number((v >> 160n) & NETWORK_MASK),
    holder: checksum((v & HOLDER_MASK).toString(16).padStart(40, "0")),
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(id, decoded);
  return { ...decoded };
}

/** Packs an account id (the inverse of decodeAccountId). */
export function encodeAccountId(kind: AccountKind, networkId: number, holder: string): string {
  return toBeHex((BigInt(kind) << 248n) | (BigInt(networkId) << 160n) | BigInt(holder), 32);
}

/** The lowercase name of a kind ("escrow", ...), or `kind<N>` for a value the enum does not know. */
export function accountKindName(kind: AccountKind | number): string {
  return ACCOUNT_KINDS[kind] ?? `kind${kind}`;
}

/** The journal name of an account: escrow:<networkId>:<customer>, held:…, revenue:<networkId>,
 * payable:<networkId>, fee:<networkId>, assets:<token>, bond:<networkId>:<challenger>. */
export function accountName(a: DecodedAccount): string {
  switch (a.kind) {
    case AccountKind.Escrow:
      return `escrow:${a.networkId}:${a.holder}`;
    case AccountKind.Held:
      return `held:${a.networkId}:${a.holder}`;
    case AccountKind.Revenue:
      return `revenue:${a.networkId}`;
    case AccountKind.Payable:
      return `payable:${a.networkId}`;
    case AccountKind.Fee:
      return `fee:${a.networkId}`;
    case AccountKind.Assets:
      return `assets:${a.holder}`;
    case AccountKind.Bond:
      return `bond:${a.networkId}:${a.holder}`;
    default:
      return `unknown:${a.kind}:${a.networkId}:${a.holder}`;
  }
}
