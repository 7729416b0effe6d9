/**
 * keccak256 and the StandardMerkleTree hashing loops as one small WebAssembly module, emitted
 * at load time by the generator below (no compiler, no binary checked in).
 *
 * Why not a library: hash-wasm's Keccak costs about 0.7 µs for a 64-byte input through its
 * one-shot export, and a Merkle proof of a 1M-record epoch is 23 such hashes plus the JavaScript
 * that copies 32-byte nodes in and out. Here the loops that call Keccak-f[1600] (a proof, a tree
 * level, a run of leaves) run inside the module, so a node hash never crosses into JavaScript;
 * the permutation works plane by plane with few live values (V8 keeps them in registers), with
 * lane complementing, and loops over pairs of rounds so its code stays in the instruction cache.
 *
 * The module imports its memory (`env.memory`, shared or not). Its data segment writes the round
 * constants below KECCAK_RESERVED, which callers leave alone; apart from that it keeps no state:
 * each call takes a KECCAK_SCRATCH-byte scratch area `s` of the caller's choosing, so two threads
 * can run the module over one shared memory with different scratch areas. Checked against ethers'
 * keccak256 for every input length 0..1,100 and against @openzeppelin/merkle-tree by the tree
 * property tests.
 *
 * Exports (all pointers are byte offsets into the imported memory):
 * - `keccak(ptr, len, out, s)`: keccak256 of mem[ptr, ptr+len) into mem[out, out+32);
 *   `init(s)`, `update(ptr, len, s)`, `final(out, s)`: the same in pieces.
 * - `pair(a, b, out, s)`: keccak256 of the two 32-byte nodes in ascending byte order (an inner node).
 * - `pairCached(a, b, out, s, memo, bits)`: pair through a cache of node hashes.
 * - `leaves(rec, count, out, s)`: the leaf hash of `count` packed records (98 bytes each, see
 *   ./codec PACKED) into consecutive 32-byte slots.
 * - `pairs(src, count, dst, s)`: `count` inner nodes from 2·count consecutive nodes (a tree level).
 * - `hex32(src, dst) -> ok`: 66 characters of 0x-hex at src to 32 bytes at dst.
 * - `verify(items, count, results, s, memo, bits, from)`: proof checks over items laid out as
 *   [packed record 98, nodeId and evidence left blank][root 32][u32 LE proof length]
 *   [nodeId, evidence and the proof's siblings, 66 characters of 0x-hex each]; one byte 1/0 per
 *   item (0 also when any of that text is not hex). Inner nodes of levels `from` and up go
 *   through a cache of 2^bits entries at memo (see pairCached; bits 0: none), so proofs of one
 *   tree hash their shared upper nodes once.
 */

/** Size of a packed record (see ./codec PACKED: nodeId 32, epoch 8, workUnits 8, uptimeBps 2, revenue 16, evidence 32). */
export const PACKED_RECORD_BYTES = 98;

/** Bytes of scratch each call needs at `s`: state 200, digest 32, leaf encoding 192, second state 200, position, D, sibling. */
export const KECCAK_SCRATCH = 768;
/** Offset of the permutation's second state buffer in the scratch area. */
const PERMUTE_BUF = 424;
/** Offset of the sponge's absorb position (i32) in the scratch area. */
const POS = 632;
/** Offset of an item's text (nodeId, evidence, siblings) in verify's layout. */
export const ITEM_TEXT = 134;
/** Offset of a decoded proof sibling in the scratch area. */
const SIBLING = 680;

const I32 = 0x7f;
const I64 = 0x7e;

/** Keccak-f[1600] round constants. */
const RC = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n, 0x000000000000808bn, 0x0000000080000001n,
  0x8000000080008081n, 0x8000000000008009n, 0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n, 0x8000000000008002n, 0x8000000000000080n,
  0x000000000000800an, 0x800000008000000an, 0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];

/** Rotation offsets r[x][y]. */
const ROT = [
  [0, 36, 3, 41, 18],
  [1, 44, 10, 45, 2],
  [62, 6, 43, 15, 61],
  [28, 55, 25, 21, 56],
  [27, 20, 39, 8, 14],
];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(v: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function name(s: string): number[] {
  const b = [...Buffer.from(s, "utf8")];
  return [...uleb(b.length), ...b];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** A function body under construction: parameters are locals 0..params-1, then declared locals. */
class Body {
  readonly code: number[] = [];
  private readonly locals: number[] = [];
  constructor(
    readonly params: number,
    readonly result?: number,
  ) {}
  /** Declares a local of the given type and returns its index. */
  local(type: number): number {
    this.locals.push(type);
    return this.params + this.locals.length - 1;
  }
  op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }
  get(i: number): this {
    return this.op(0x20, ...uleb(i));
  }
  set(i: number): this {
    return this.op(0x21, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(0x22, ...uleb(i));
  }
  i32(v: number): this {
    return this.op(0x41, ...sleb(BigInt(v)));
  }
  i64(v: bigint): this {
    return this.op(0x42, ...sleb(BigInt.asIntN(64, v)));
  }
  /** Memory access with a static offset: opcode, log2 alignment, offset. */
  mem(opcode: number, align: number, offset: number): this {
    return this.op(opcode, align, ...uleb(offset));
  }
  loadI64(offset = 0): this {
    return this.mem(0x29, 0, offset);
  }
  storeI64(offset = 0): this {
    return this.mem(0x37, 0, offset);
  }
  call(f: number): this {
    return this.op(0x10, ...uleb(f));
  }
  encode(): number[] {
    const groups: number[][] = this.locals.map((t) => [1, t]);
    const body = [...vec(groups), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

// opcodes used below (WebAssembly core spec, binary format)
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, ELSE = 0x05, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, RETURN = 0x0f, VOID = 0x40;
const I32_EQZ = 0x45, I32_EQ = 0x46, I32_NE = 0x47, I32_LT_U = 0x49, I32_GT_U = 0x4b, I32_GE_U = 0x4f;
const I32_ADD = 0x6a, I32_SUB = 0x6b, I32_AND = 0x71, I32_OR = 0x72, I32_XOR = 0x73, I32_SHL = 0x74;
const I64_EQZ = 0x50, I64_ADD = 0x7c, I64_MUL = 0x7e, I64_AND = 0x83, I64_OR = 0x84, I64_XOR = 0x85, I64_SHL = 0x86, I64_SHR_U = 0x88, I64_ROTL = 0x89;
const I32_MUL = 0x6c, I32_WRAP_I64 = 0xa7;
const I32_LOAD = 0x28, I32_LOAD8_U = 0x2d, I32_LOAD16_U = 0x2f, I32_STORE = 0x36, I32_STORE8 = 0x3a, I32_STORE16 = 0x3b;

const F_PERMUTE = 0, F_KECCAK = 1, F_PAIR = 2, F_INIT = 6, F_UPDATE = 7, F_FINAL = 8, F_PAIR_CACHED = 9, F_HEX32 = 10;

/** The module's data segment writes the 24 round constants here; memory below KECCAK_RESERVED is the module's. */
const RC_TABLE = 0;
export const KECCAK_RESERVED = 256;

/** Lanes kept complemented inside permute (the "lane complementing" transform of the Keccak team). */
const COMPLEMENTED = [1, 2, 8, 12, 17, 20];

/**
 * chi under lane complementing, per plane Y and lane X: E = [~]B[X] ^ ([~]B[X+1] op [~]B[X+2]).
 * Entries: negate B[X+1], "and" (else "or"), negate B[X+2], negate B[X]. Five NOTs a round
 * instead of 25 (Keccak implementation overview, section 2.2; as in XKCP's 64-bit code).
 */
const CHI: [boolean, boolean, boolean, boolean][][] = [
  [[false, false, false, false], [true, false, false, false], [false, true, false, false], [false, false, false, false], [false, true, false, false]],
  [[false, false, false, false], [false, true, false, false], [false, false, true, false], [false, false, false, false], [false, true, false, false]],
  [[false, false, false, false], [false, true, false, false], [true, true, false, false], [false, false, false, true], [false, true, false, false]],
  [[false, true, false, false], [false, false, false, false], [true, false, false, false], [false, true, false, true], [false, false, false, false]],
  [[true, true, false, false], [false, false, false, true], [false, true, false, false], [false, false, false, false], [false, true, false, false]],
];

/**
 * permute(s): Keccak-f[1600] in place on the 25 little-endian lanes at s. The state stays in
 * memory and each round works plane by plane (theta's D in 5 locals, one plane's 5 B lanes at a
 * time), writing the next state to s+PERMUTE_BUF and back: far fewer live values than 25 lanes in
 * locals, which V8's register allocator turns into faster code. Lane complementing saves 20 NOTs
 * a round.
 */
function permute(): Body {
  const f = new Body(1);
  const s = 0;
  const B = Array.from({ length: 5 }, () => f.local(I64));
  const D = Array.from({ length: 5 }, () => f.local(I64));
  const complement = () => {
    for (const i of COMPLEMENTED) f.get(s).get(s).loadI64(8 * i).i64(-1n).op(I64_XOR).storeI64(8 * i);
  };
  complement();
  const C = Array.from({ length: 5 }, () => f.local(I64));
  const v = f.local(I64);
  // column parities of the input; later rounds accumulate them while chi writes its output
  for (let x = 0; x < 5; x++) {
    f.get(s).loadI64(8 * x);
    for (let y = 1; y < 5; y++) f.get(s).loadI64(8 * (x + 5 * y)).op(I64_XOR);
    f.set(C[x]);
  }
  // two rounds per iteration (there and back between the buffers); the round constants come from
  // the table the module's data segment writes at RC_TABLE
  const rc = f.local(I32);
  f.i32(RC_TABLE).set(rc);
  f.op(LOOP, VOID);
  for (let half = 0; half < 2; half++) {
    const src = half === 0 ? 0 : PERMUTE_BUF;
    const dst = half === 0 ? PERMUTE_BUF : 0;
    for (let x = 0; x < 5; x++) f.get(C[(x + 4) % 5]).get(C[(x + 1) % 5]).i64(1n).op(I64_ROTL).op(I64_XOR).set(D[x]);
    for (let Y = 0; Y < 5; Y++) {
      for (let X = 0; X < 5; X++) {
        const y = X;
        let x = 0;
        while ((2 * x + 3 * y) % 5 !== Y) x++;
        f.get(s).loadI64(src + 8 * (x + 5 * y)).get(D[x]).op(I64_XOR);
        if (ROT[x][y] !== 0) f.i64(BigInt(ROT[x][y])).op(I64_ROTL);
        f.set(B[X]);
      }
      for (let X = 0; X < 5; X++) {
        const [n1, and, n2, n0] = CHI[Y][X];
        f.get(B[X]);
        if (n0) f.i64(-1n).op(I64_XOR);
        f.get(B[(X + 1) % 5]);
        if (n1) f.i64(-1n).op(I64_XOR);
        f.get(B[(X + 2) % 5]);
        if (n2) f.i64(-1n).op(I64_XOR);
        f.op(and ? I64_AND : I64_OR).op(I64_XOR);
        if (X === 0 && Y === 0) f.get(rc).loadI64(8 * half).op(I64_XOR);
        f.set(v);
        f.get(s).get(v).storeI64(dst + 8 * (X + 5 * Y));
        if (Y === 0) f.get(v).set(C[X]);
        else f.get(C[X]).get(v).op(I64_XOR).set(C[X]);
      }
    }
  }
  f.get(rc).i32(16).op(I32_ADD).tee(rc).i32(RC_TABLE + 8 * 24).op(I32_LT_U, BR_IF, 0, END);
  complement();
  return f;
}

/** init(s): an empty sponge (zero state, absorb position 0). */
function init(): Body {
  const f = new Body(1);
  for (let k = 0; k < 25; k++) f.get(0).i64(0n).storeI64(8 * k);
  f.get(0).i32(0).mem(I32_STORE, 0, POS);
  return f;
}

/** update(ptr, len, s): absorbs mem[ptr, ptr+len) (rate 136; whole lanes where aligned to the block). */
function update(): Body {
  const f = new Body(3);
  const [ptr, len, s] = [0, 1, 2];
  const pos = f.local(I32);
  const i = f.local(I32);
  const permuteIfFull = () => {
    f.get(pos).i32(136).op(I32_EQ, IF, VOID);
    f.get(s).call(F_PERMUTE).i32(0).set(pos);
    f.op(END);
  };
  f.get(s).mem(I32_LOAD, 0, POS).set(pos);
  // finish a block begun by an earlier call, byte by byte
  f.op(BLOCK, VOID, LOOP, VOID);
  f.get(pos).op(I32_EQZ).get(len).op(I32_EQZ).op(I32_OR, BR_IF, 1);
  f.get(s).get(pos).op(I32_ADD).get(s).get(pos).op(I32_ADD).mem(I32_LOAD8_U, 0, 0).get(ptr).mem(I32_LOAD8_U, 0, 0).op(I32_XOR).mem(I32_STORE8, 0, 0);
  f.get(ptr).i32(1).op(I32_ADD).set(ptr);
  f.get(len).i32(1).op(I32_SUB).set(len);
  f.get(pos).i32(1).op(I32_ADD).set(pos);
  permuteIfFull();
  f.op(BR, 0, END, END);
  // whole blocks (here pos is 0 unless len is 0)
  f.op(BLOCK, VOID, LOOP, VOID);
  f.get(len).i32(136).op(I32_LT_U, BR_IF, 1);
  for (let k = 0; k < 17; k++) f.get(s).get(s).loadI64(8 * k).get(ptr).loadI64(8 * k).op(I64_XOR).storeI64(8 * k);
  f.get(s).call(F_PERMUTE);
  f.get(ptr).i32(136).op(I32_ADD).set(ptr);
  f.get(len).i32(136).op(I32_SUB).set(len);
  f.op(BR, 0, END, END);
  // the rest (< 136 bytes, into a fresh block): whole lanes, then bytes
  f.i32(0).set(i);
  f.op(BLOCK, VOID, LOOP, VOID);
  f.get(i).i32(8).op(I32_ADD).get(len).op(I32_GT_U, BR_IF, 1);
  f.get(s).get(i).op(I32_ADD).get(s).get(i).op(I32_ADD).loadI64().get(ptr).get(i).op(I32_ADD).loadI64().op(I64_XOR).storeI64();
  f.get(i).i32(8).op(I32_ADD).set(i);
  f.op(BR, 0, END, END);
  f.op(BLOCK, VOID, LOOP, VOID);
  f.get(i).get(len).op(I32_GE_U, BR_IF, 1);
  f.get(s).get(i).op(I32_ADD).get(s).get(i).op(I32_ADD).mem(I32_LOAD8_U, 0, 0).get(ptr).get(i).op(I32_ADD).mem(I32_LOAD8_U, 0, 0).op(I32_XOR).mem(I32_STORE8, 0, 0);
  f.get(i).i32(1).op(I32_ADD).set(i);
  f.op(BR, 0, END, END);
  f.get(s).get(pos).get(len).op(I32_ADD).mem(I32_STORE, 0, POS);
  return f;
}

/** final(out, s): keccak padding (0x01 … 0x80), the last permutation, and the 32-byte digest to out. */
function final(): Body {
  const f = new Body(2);
  const [out, s] = [0, 1];
  const at = f.local(I32);
  f.get(s).get(s).mem(I32_LOAD, 0, POS).op(I32_ADD).tee(at).get(at).mem(I32_LOAD8_U, 0, 0).i32(0x01).op(I32_XOR).mem(I32_STORE8, 0, 0);
  f.get(s).get(s).mem(I32_LOAD8_U, 0, 135).i32(0x80).op(I32_XOR).mem(I32_STORE8, 0, 135);
  f.get(s).call(F_PERMUTE);
  for (let k = 0; k < 4; k++) f.get(out).get(s).loadI64(8 * k).storeI64(8 * k);
  return f;
}

/** keccak(ptr, len, out, s): one-shot keccak256. */
function keccak(): Body {
  const f = new Body(4);
  const [ptr, len, out, s] = [0, 1, 2, 3];
  f.get(s).call(F_INIT);
  f.get(ptr).get(len).get(s).call(F_UPDATE);
  f.get(out).get(s).call(F_FINAL);
  return f;
}

/** Swaps the locals a and b when the 32-byte node at b sorts before the one at a. */
function emitSortPair(f: Body, a: number, b: number): void {
  const i = f.local(I32);
  const x = f.local(I32);
  const y = f.local(I32);
  // find the first differing byte
  f.i32(0).set(i);
  f.op(BLOCK, VOID, LOOP, VOID);
  f.get(i).i32(32).op(I32_GE_U, BR_IF, 1);
  f.get(a).get(i).op(I32_ADD).mem(I32_LOAD8_U, 0, 0).tee(x);
  f.get(b).get(i).op(I32_ADD).mem(I32_LOAD8_U, 0, 0).tee(y);
  f.op(I32_NE, BR_IF, 1);
  f.get(i).i32(1).op(I32_ADD).set(i);
  f.op(BR, 0, END, END);
  f.get(i).i32(32).op(I32_LT_U).get(y).get(x).op(I32_LT_U).op(I32_AND);
  f.op(IF, VOID);
  f.get(a).set(i).get(b).set(a).get(i).set(b);
  f.op(END);
}

/** Loads the state with the 64-byte message a ‖ b (one block with keccak padding) and permutes. */
function emitHashSorted(f: Body, a: number, b: number, s: number): void {
  for (let k = 0; k < 4; k++) f.get(s).get(a).loadI64(8 * k).storeI64(8 * k);
  for (let k = 0; k < 4; k++) f.get(s).get(b).loadI64(8 * k).storeI64(32 + 8 * k);
  f.get(s).i64(1n).storeI64(64);
  for (let k = 9; k < 25; k++) f.get(s).i64(k === 16 ? 0x8000000000000000n : 0n).storeI64(8 * k);
  f.get(s).call(F_PERMUTE);
}

/** pair(a, b, out, s): keccak256(min(a, b) ‖ max(a, b)) for 32-byte a, b. */
function pair(): Body {
  const f = new Body(4);
  const [a, b, out, s] = [0, 1, 2, 3];
  emitSortPair(f, a, b);
  emitHashSorted(f, a, b, s);
  for (let k = 0; k < 4; k++) f.get(out).get(s).loadI64(8 * k).storeI64(8 * k);
  return f;
}

/**
 * pairCached(a, b, out, s, memo, bits): pair() through a direct-mapped cache of 2^bits entries at
 * memo (128 bytes each: the sorted 64-byte input, the 32-byte digest, a used flag). Proofs of one
 * tree share their upper nodes; a hit is taken only when all 64 input bytes match, so the result
 * is always keccak256 of this input. bits = 0 turns the cache off.
 */
function pairCached(): Body {
  const f = new Body(6);
  const [a, b, out, s, memo, bits] = [0, 1, 2, 3, 4, 5];
  const e = f.local(I32);
  const diff = f.local(I64);
  f.get(bits).op(I32_EQZ, IF, VOID);
  f.get(a).get(b).get(out).get(s).call(F_PAIR).op(RETURN);
  f.op(END);
  emitSortPair(f, a, b);
  // entry index: low bits of the nodes (keccak outputs, so well spread)
  f.get(memo);
  f.get(a).mem(I32_LOAD, 0, 0).get(b).mem(I32_LOAD, 0, 8).op(I32_XOR);
  f.i32(1).get(bits).op(I32_SHL).i32(1).op(I32_SUB).op(I32_AND);
  f.i32(7).op(I32_SHL).op(I32_ADD).set(e);
  f.get(e).mem(I32_LOAD, 0, 96).op(IF, VOID);
  f.i64(0n).set(diff);
  for (let k = 0; k < 4; k++) f.get(diff).get(e).loadI64(8 * k).get(a).loadI64(8 * k).op(I64_XOR).op(I64_OR).set(diff);
  for (let k = 0; k < 4; k++) f.get(diff).get(e).loadI64(32 + 8 * k).get(b).loadI64(8 * k).op(I64_XOR).op(I64_OR).set(diff);
  f.get(diff).op(I64_EQZ, IF, VOID);
  for (let k = 0; k < 4; k++) f.get(out).get(e).loadI64(64 + 8 * k).storeI64(8 * k);
  f.op(RETURN, END, END);
  // miss: hash, and remember
  for (let k = 0; k < 4; k++) f.get(e).get(a).loadI64(8 * k).storeI64(8 * k);
  for (let k = 0; k < 4; k++) f.get(e).get(b).loadI64(8 * k).storeI64(32 + 8 * k);
  emitHashSorted(f, a, b, s);
  for (let k = 0; k < 4; k++) f.get(e).get(s).loadI64(8 * k).storeI64(64 + 8 * k);
  f.get(e).i32(1).mem(I32_STORE, 0, 96);
  for (let k = 0; k < 4; k++) f.get(out).get(s).loadI64(8 * k).storeI64(8 * k);
  return f;
}

/** Writes the leaf hash of the packed record at `rec` to `out` (uses s+232..s+424 for the encoding). */
function emitLeaf(f: Body, rec: number, out: number, s: number, enc: number): void {
  f.get(s).i32(232).op(I32_ADD).set(enc);
  for (let k = 0; k < 24; k++) f.get(enc).i64(0n).storeI64(8 * k);
  // abi.encode(bytes32 nodeId, uint64 epoch, uint64 workUnits, uint16 uptimeBps, uint128 revenue, bytes32 evidence)
  const copies: [number, number, number][] = [
    [0, 0, 32], // nodeId
    [32, 56, 8], // epoch
    [40, 88, 8], // workUnits
    [50, 144, 16], // revenue
    [66, 160, 32], // evidence
  ];
  for (const [from, to, len] of copies) {
    for (let k = 0; k < len; k += 8) f.get(enc).get(rec).loadI64(from + k).storeI64(to + k);
  }
  f.get(enc).get(rec).mem(I32_LOAD16_U, 0, 48).mem(I32_STORE16, 0, 126); // uptimeBps
  f.get(enc).i32(192).get(out).get(s).call(F_KECCAK);
  f.get(out).i32(32).get(out).get(s).call(F_KECCAK);
}

/** leaves(rec, count, out, s). */
function leaves(): Body {
  const f = new Body(4);
  const [rec, count, out, s] = [0, 1, 2, 3];
  const enc = f.local(I32);
  f.op(BLOCK, VOID, LOOP, VOID);
  f.get(count).op(I32_EQZ, BR_IF, 1);
  emitLeaf(f, rec, out, s, enc);
  f.get(rec).i32(PACKED_RECORD_BYTES).op(I32_ADD).set(rec);
  f.get(out).i32(32).op(I32_ADD).set(out);
  f.get(count).i32(1).op(I32_SUB).set(count);
  f.op(BR, 0, END, END);
  return f;
}

/** pairs(src, count, dst, s): dst[k] = pair(src[2k], src[2k+1]) for 32-byte nodes, k < count. */
function pairs(): Body {
  const f = new Body(4);
  const [src, count, dst, s] = [0, 1, 2, 3];
  f.op(BLOCK, VOID, LOOP, VOID);
  f.get(count).op(I32_EQZ, BR_IF, 1);
  f.get(src).get(src).i32(32).op(I32_ADD).get(dst).get(s).call(F_PAIR);
  f.get(src).i32(64).op(I32_ADD).set(src);
  f.get(dst).i32(32).op(I32_ADD).set(dst);
  f.get(count).i32(1).op(I32_SUB).set(count);
  f.op(BR, 0, END, END);
  return f;
}

/**
 * hex32(src, dst) -> ok: decodes "0x" + 64 hex digits (either case) at src into 32 bytes at dst,
 * eight characters at a time (SWAR on i64); 0 when any character is not a hex digit.
 */
function hex32(): Body {
  const f = new Body(2, I32);
  const [src, dst] = [0, 1];
  const x = f.local(I64);
  const y = f.local(I64);
  const alpha = f.local(I64);
  const v = f.local(I64);
  const bad = f.local(I64);
  const B = (b: number) => BigInt.asUintN(64, 0x0101010101010101n * BigInt(b));
  f.i64(0n).set(bad);
  for (let k = 0; k < 8; k++) {
    f.get(src).loadI64(2 + 8 * k).set(x);
    f.get(x).i64(B(0x20)).op(I64_OR).set(y);
    // alpha: (x | 0x20) in 'a'..'f'; digit: x in '0'..'9'; each byte must be one or the other, below 0x80
    f.get(y).i64(B(0x1f)).op(I64_ADD).get(y).i64(B(0x19)).op(I64_ADD).i64(-1n).op(I64_XOR).op(I64_AND).i64(B(0x80)).op(I64_AND).set(alpha);
    f.get(bad);
    f.get(x).i64(B(0x80)).op(I64_AND).op(I64_OR);
    f.get(x).i64(B(0x50)).op(I64_ADD).get(x).i64(B(0x46)).op(I64_ADD).i64(-1n).op(I64_XOR).op(I64_AND).i64(B(0x80)).op(I64_AND);
    f.get(alpha).op(I64_OR).i64(B(0x80)).op(I64_XOR).op(I64_OR).set(bad);
    // nibbles: low four bits, plus 9 for letters
    f.get(x).i64(B(0x0f)).op(I64_AND).get(alpha).i64(7n).op(I64_SHR_U).i64(9n).op(I64_MUL).op(I64_ADD).set(v);
    // pairs of nibbles to bytes, then the four bytes together
    f.get(v).i64(0x000f000f000f000fn).op(I64_AND).i64(4n).op(I64_SHL).get(v).i64(8n).op(I64_SHR_U).i64(0x000f000f000f000fn).op(I64_AND).op(I64_OR).set(v);
    f.get(v).get(v).i64(8n).op(I64_SHR_U).op(I64_OR).i64(0x0000ffff0000ffffn).op(I64_AND).set(v);
    f.get(dst).get(v).get(v).i64(16n).op(I64_SHR_U).op(I64_OR).op(I32_WRAP_I64).mem(I32_STORE, 0, 4 * k);
  }
  f.get(bad).op(I64_EQZ);
  f.get(src).mem(I32_LOAD8_U, 0, 0).i32(0x30).op(I32_EQ).op(I32_AND);
  f.get(src).mem(I32_LOAD8_U, 0, 1).i32(0x20).op(I32_OR).i32(0x78).op(I32_EQ).op(I32_AND);
  return f;
}

/**
 * verify(items, count, results, s, memo, bits, from): siblings decoded by hex32; inner nodes of
 * proof levels from `from` up go through pairCached, lower ones (rarely shared) straight to pair.
 */
function verify(): Body {
  const f = new Body(7);
  const [items, count, results, s, memo, bits, from] = [0, 1, 2, 3, 4, 5, 6];
  const level = f.local(I32);
  const enc = f.local(I32);
  const acc = f.local(I32);
  const n = f.local(I32);
  const q = f.local(I32);
  const end = f.local(I32);
  const sib = f.local(I32);
  const ok = f.local(I32);
  const diff = f.local(I64);
  f.get(s).i32(200).op(I32_ADD).set(acc);
  f.get(s).i32(SIBLING).op(I32_ADD).set(sib);
  f.op(BLOCK, VOID, LOOP, VOID);
  f.get(count).op(I32_EQZ, BR_IF, 1);
  // nodeId and evidence arrive as text after the header; decode them into the packed record
  f.get(items).i32(ITEM_TEXT).op(I32_ADD).get(items).call(F_HEX32);
  f.get(items).i32(ITEM_TEXT + 66).op(I32_ADD).get(items).i32(66).op(I32_ADD).call(F_HEX32);
  f.op(I32_AND).set(ok);
  emitLeaf(f, items, acc, s, enc);
  f.get(items).mem(I32_LOAD, 0, 130).set(n);
  f.get(items).i32(ITEM_TEXT + 132).op(I32_ADD).set(q);
  f.get(q).get(n).i32(66).op(I32_MUL).op(I32_ADD).set(end);
  f.i32(0).set(level);
  f.op(BLOCK, VOID, LOOP, VOID);
  f.get(q).get(end).op(I32_GE_U).get(ok).op(I32_EQZ).op(I32_OR, BR_IF, 1);
  f.get(q).get(sib).call(F_HEX32).tee(ok).op(I32_EQZ, BR_IF, 1);
  f.get(level).get(from).op(I32_LT_U, IF, VOID);
  f.get(acc).get(sib).get(acc).get(s).call(F_PAIR);
  f.op(ELSE);
  f.get(acc).get(sib).get(acc).get(s).get(memo).get(bits).call(F_PAIR_CACHED);
  f.op(END);
  f.get(level).i32(1).op(I32_ADD).set(level);
  f.get(q).i32(66).op(I32_ADD).set(q);
  f.op(BR, 0, END, END);
  // acc == root?
  f.i64(0n).set(diff);
  for (let k = 0; k < 4; k++) f.get(diff).get(acc).loadI64(8 * k).get(items).loadI64(PACKED_RECORD_BYTES + 8 * k).op(I64_XOR).op(I64_OR).set(diff);
  f.get(results).get(diff).op(I64_EQZ).get(ok).op(I32_AND).mem(I32_STORE8, 0, 0);
  f.get(results).i32(1).op(I32_ADD).set(results);
  f.get(end).set(items);
  f.get(count).i32(1).op(I32_SUB).set(count);
  f.op(BR, 0, END, END);
  return f;
}

/** The module's bytes; `shared` makes it import a shared memory (for use from several threads). */
export function keccakModuleBytes(shared: boolean): Uint8Array {
  // one function type per (parameter count, result)
  const sig = (b: Body) => [0x60, ...vec(Array.from({ length: b.params }, () => [I32])), ...vec(b.result === undefined ? [] : [[b.result]])];
  const limits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const imports = section(2, vec([[...name("env"), ...name("memory"), 0x02, ...limits]]));
  // function index order fixes F_* above
  const fns: [string, Body][] = [
    ["permute", permute()],
    ["keccak", keccak()],
    ["pair", pair()],
    ["leaves", leaves()],
    ["pairs", pairs()],
    ["verify", verify()],
    ["init", init()],
    ["update", update()],
    ["final", final()],
    ["pairCached", pairCached()],
    ["hex32", hex32()],
  ];
  const sigs = fns.map(([, b]) => sig(b));
  const types = section(1, vec(sigs));
  const funcs = section(3, vec(fns.map((_, k) => uleb(k))));
  const exports = section(7, vec(fns.map(([n], k) => [...name(n), 0x00, ...uleb(k)])));
  const code = section(10, vec(fns.map(([, b]) => b.encode())));
  const rcBytes = Buffer.alloc(8 * 24);
  RC.forEach((v, i) => rcBytes.writeBigUInt64LE(v, 8 * i));
  const data = section(11, vec([[0x00, 0x41, ...sleb(BigInt(RC_TABLE)), 0x0b, ...uleb(rcBytes.length), ...rcBytes]]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code, ...data]);
}
