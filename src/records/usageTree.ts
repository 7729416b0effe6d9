/**
 * The usage tree of an epoch, its proofs, and the UsageRef hash of billing statements.
 *
 * - Tree (DESIGN.md, fixed): OpenZeppelin StandardMerkleTree over USAGE_LEAF_ENCODING
 *   `["address","uint64","uint64","uint128","bytes32"]`, default options (leaves sorted by hash);
 *   leaf hash = keccak256(bytes.concat(keccak256(abi.encode(leaf)))). Built with the project's
 *   Keccak engine and tree builder over leaf hashes (../merkle); equal to
 *   @openzeppelin/merkle-tree's, root for root and proof for proof (test/sdk/records/usageTree.test.ts).
 *   An epoch without usage has root bytes32(0), usageCount 0 and totalUsage 0.
 * - UsageRef (DESIGN rule 9): `usageHash = keccak256(abi.encode(UsageRef[]))`, UsageRef =
 *   `(uint64 epoch, uint32 version, bytes32 usageRoot, bytes32 leafHash)`, epochs ascending.
 */
import { InvalidInputError } from "../errors";
import { buildTreeFromLeafHashes, treeProof, treeRoot } from "../merkle/tree";
import { parseAddress } from "./address";
import { bytesToHex, hashPairInto, tryHexToBytesInto, writeUintBE } from "./codec";
import { keccak256Bytes, keccakEngine } from "../merkle/keccak";
import { USAGE_ROW_SIZE, UsageRecord, UsageRecordInput, UsageRecordJson, UsageRows, findDuplicateCustomers, usageRowAt, usageRowsFrom } from "./usage";

/** A built Merkle tree in the library's layout (see ../merkle/tree). */
export interface UsageMerkleTree {
  /** Number of leaves. */
  leafCount: number;
  /** 2n-1 nodes of 32 bytes; node 0 is the root; the leaf of sorted index k is node 2n-2-k. */
  nodes: Uint8Array;
  /** order[k] = index in `leaves` of the leaf with sorted index k. */
  order: Uint32Array;
}

/** The usage words of an epoch's signed summary, with the leaves and the tree. */
export interface UsageBuild {
  /** usageRoot: the tree's root, bytes32(0) without usage. */
  root: string;
  /** usageCount: number of usage records. */
  usageCount: bigint;
  /** totalUsage: Σ amount (fits uint128). */
  totalUsage: bigint;
  /** The usage records, ordered by customer address (the canonical order, whatever the file's). */
  leaves: UsageRecord[];
  tree: UsageMerkleTree;
}

/** A usage proof: the leaf, its leaf hash, the sibling hashes from the leaf up, and the root. */
export interface UsageProof {
  leaf: UsageRecord;
  leafHash: string;
  proof: string[];
  root: string;
}

/** One epoch's usage reference in a billing statement (DESIGN rule 9). */
export interface UsageRef {
  epoch: bigint | number;
  version: bigint | number;
  usageRoot: string;
  leafHash: string;
}

/** Leaf hashes (32 bytes each) of `count` ABI-encoded usage rows, in row order. */
function hashUsageRows(data: Uint8Array, count: number): Uint8Array {
  const engine = keccakEngine();
  const mem = engine.mem;
  const out = new Uint8Array(count * 32);
  for (let i = 0; i < count; i++) {
    mem.set(data.subarray(i * USAGE_ROW_SIZE, (i + 1) * USAGE_ROW_SIZE), 0);
    engine.hashInPlace(USAGE_ROW_SIZE);
    engine.hashInPlace(32);
    out.set(mem.subarray(0, 32), i * 32);
  }
  return out;
}

/**
 * StandardMerkleTree leaf hash of a usage record (0x-hex): keccak256(keccak256(abi.encode(leaf))).
 * The record is validated as a file row would be (a text `ref` is hashed like a nodeId).
 */
export function usageLeafHash(leaf: UsageRecordInput): string {
  const rows = usageRowsFrom([leaf]);
  return bytesToHex(hashUsageRows(rows.data, 1));
}

/** Builds the usage tree of validated rows (see buildUsage). */
export function buildUsageFromRows(rows: UsageRows): UsageBuild {
  const n = rows.count;
  // canonical order: by customer (findDuplicateCustomers also guards rows that did not come through a sink)
  const dup: string[] = [];
  const byCustomer = findDuplicateCustomers(rows, (line, reason) => dup.push(`line ${line}: ${reason}`));
  if (dup.length > 0) throw new InvalidInputError(`usage: ${dup[0]}`);
  const data = new Uint8Array(n * USAGE_ROW_SIZE);
  const leaves: UsageRecord[] = new Array(n);
  let total = 0n;
  for (let k = 0; k < n; k++) {
    data.set(rows.data.subarray(byCustomer[k] * USAGE_ROW_SIZE, (byCustomer[k] + 1) * USAGE_ROW_SIZE), k * USAGE_ROW_SIZE);
    leaves[k] = usageRowAt({ data }, k);
    total += leaves[k].amount;
  }
  const tree = buildTreeFromLeafHashes(hashUsageRows(data, n), n);
  return { root: treeRoot(tree), usageCount: BigInt(n), totalUsage: total, leaves, tree };
}

/**
 * Builds the usage words of an epoch (usageRoot, usageCount, totalUsage), the leaves in canonical
 * order (by customer) and the tree. Rows are validated with the file rules (RecordsError naming the
 * row index + 1 as its line): checksums, widths, one epoch (`options.epoch` if given), one row per
 * customer, Σ amount within uint128.
 *
 * @example
 * const usage = await readUsageFile("usage-7.csv", { epoch: 7n });
 * const { root, usageCount, totalUsage } = buildUsage(usage);
 */
export function buildUsage(rows: readonly UsageRecordInput[], options: { epoch?: bigint | number } = {}): UsageBuild {
  return buildUsageFromRows(usageRowsFrom(rows, options));
}

/**
 * The proof of a customer's usage leaf, from a built tree or from a bundle's leaves (objects or
 * their JSON form; the tree is then rebuilt). Throws InvalidInputError if the customer has no usage record there.
 *
 * @example
 * const { leaf, proof, root } = usageProof(bundle.usage, "0x8ba1f109551bD432803012645Ac136ddd64DBA72");
 * StandardMerkleTree.verify(root, USAGE_LEAF_ENCODING, usageLeafToValues(leaf), proof); // true
 */
export function usageProof(source: UsageBuild | { leaves: readonly UsageRecordInput[] }, customer: string): UsageProof {
  const built = "tree" in source ? source : buildUsage(source.leaves);
  const who = parseAddress(customer, "customer");
  const index = built.leaves.findIndex((l) => l.customer === who);
  if (index < 0) throw new InvalidInputError(`no usage record for customer ${who} in this epoch (${built.leaves.length} customers)`);
  const { order } = built.tree;
  let sorted = -1;
  for (let k = 0; k < order.length; k++) if (order[k] === index) sorted = k;
  const n = built.tree.leafCount;
  return {
    leaf: built.leaves[index],
    leafHash: bytesToHex(built.tree.nodes, (2 * n - 2 - sorted) * 32, 32),
    proof: treeProof(built.tree, sorted),
    root: built.root,
  };
}

/**
 * Whether `proof` proves `leaf` under `root` (StandardMerkleTree's check: fold the leaf hash with
 * each sibling, pairs in ascending order). Throws InvalidInputError on a malformed leaf or proof.
 */
export function verifyUsageProof(leaf: UsageRecordInput, proof: readonly string[], root: string): boolean {
  const engine = keccakEngine();
  const node = Buffer.from(usageLeafHash(leaf).slice(2), "hex");
  const sibling = new Uint8Array(32);
  const want = new Uint8Array(32);
  if (!Array.isArray(proof)) throw new InvalidInputError("usage proof must be an array of bytes32 hex strings");
  if (!tryHexToBytesInto(root, want, 0, 32)) throw new InvalidInputError(`usage root must be bytes32 hex, got "${String(root).slice(0, 80)}"`);
  proof.forEach((p, i) => {
    if (!tryHexToBytesInto(p, sibling, 0, 32)) throw new InvalidInputError(`usage proof element ${i} must be bytes32 hex, got "${String(p).slice(0, 80)}"`);
    hashPairInto(engine, node, 0, sibling, 0, node, 0);
  });
  return Buffer.compare(node, want) === 0;
}

/** The usage record as the JSON-safe tuple StandardMerkleTree takes: [customer, epoch, workUnits, amount, ref]. */
export function usageLeafToValues(r: UsageRecord): [string, string, string, string, string] {
  return [r.customer, r.epoch.toString(), r.workUnits.toString(), r.amount.toString(), r.ref];
}

/** The usage record as JSON (integers as decimal strings): the form bundles and reports carry, and usage files accept. */
export function usageRecordToJson(r: UsageRecord): UsageRecordJson {
  return { customer: r.customer, epoch: r.epoch.toString(), workUnits: r.workUnits.toString(), amount: r.amount.toString(), ref: r.ref };
}

const UINT32_MAX = 0xffffffffn;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * usageHash of a billing statement: keccak256(abi.encode(UsageRef[])) over the covered epochs that
 * have usage, epochs strictly ascending (DESIGN rule 9). Throws InvalidInputError naming the entry
 * on a value out of range, a malformed hash or an epoch out of order.
 *
 * @example
 * const usageHash = usageRefsHash([{ epoch: 7n, version: 1, usageRoot, leafHash }]);
 */
export function usageRefsHash(refs: readonly UsageRef[]): string {
  const n = refs.length;
  const enc = new Uint8Array(64 + n * 128);
  enc[31] = 0x20; // offset of the array
  writeUintBE(enc, 32, 32, BigInt(n)); // its length
  let previous = -1n;
  refs.forEach((r, i) => {
    const o = 64 + i * 128;
    const epoch = toUint(r.epoch, UINT64_MAX, `UsageRef ${i}: epoch`);
    const version = toUint(r.version, UINT32_MAX, `UsageRef ${i}: version`);
    if (epoch <= previous) throw new InvalidInputError(`UsageRef ${i}: epoch ${epoch} is not after epoch ${previous} (epochs must be strictly ascending)`);
    previous = epoch;
    writeUintBE(enc, o + 24, 8, epoch);
    writeUintBE(enc, o + 60, 4, version);
    if (!tryHexToBytesInto(r.usageRoot, enc, o + 64, 32)) throw new InvalidInputError(`UsageRef ${i}: usageRoot must be bytes32 hex, got "${String(r.usageRoot).slice(0, 80)}"`);
    if (!tryHexToBytesInto(r.leafHash, enc, o + 96, 32)) throw new InvalidInputError(`UsageRef ${i}: leafHash must be bytes32 hex, got "${String(r.leafHash).slice(0, 80)}"`);
  });
  return bytesToHex(keccak256Bytes(enc));
}

function toUint(v: bigint | number, max: bigint, what: string): bigint {
  if (typeof v === "number" && !Number.isSafeInteger(v)) throw new InvalidInputError(`${what} must be an integer, got ${v}`);
  if (typeof v !== "bigint" && typeof v !== "number") throw new InvalidInputError(`${what} must be a bigint or an integer, got ${typeof v}`);
  const b = BigInt(v);
  if (b < 0n || b > max) throw new InvalidInputError(`${what} ${b} is out of range 0..${max}`);
  return b;
}

/** Σ usage against Σ node revenue of an epoch (DESIGN: a difference is reported, not hidden). */
export interface UsageRevenueComparison {
  totalUsage: bigint;
  totalRevenue: bigint;
  /** totalUsage − totalRevenue (negative when the nodes earned more than the customers used). */
  difference: bigint;
  matches: boolean;
  /** A one-line warning when they differ, else null. */
  message: string | null;
}

/**
 * Compares an epoch's Σ usage amounts with its Σ node revenue; both describe the same money from
 * two sides. The CLI warns with `message` when they differ.
 *
 * @example
 * const c = compareUsageToRevenue(usage.totalUsage, summary.totalRevenue);
 * if (!c.matches) console.warn(c.message);
 */
export function compareUsageToRevenue(totalUsage: bigint, totalRevenue: bigint): UsageRevenueComparison {
  const difference = totalUsage - totalRevenue;
  const matches = difference === 0n;
  const message = matches
    ? null
    : `Σ usage ${totalUsage} ≠ Σ node revenue ${totalRevenue}: usage is ${difference > 0n ? difference : -difference} ${difference > 0n ? "more" : "less"} than revenue (token's smallest unit)`;
  return { totalUsage, totalRevenue, difference, matches, message };
}
