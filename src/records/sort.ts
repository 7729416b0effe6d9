/**
 * Sorting of fixed-size rows by a 32-byte key (nodeIds, leaf hashes) without comparator calls on
 * the hot path: a stable LSD radix sort on the key's first 4 bytes, then a comparator sort only
 * inside runs whose first 4 bytes are equal (rare for hashes). Ties on the whole key keep input order.
 */

/** Compares the 32-byte keys at a and b (byte offsets into buf). */
export function compareKey32(buf: Uint8Array, a: number, b: number): number {
  for (let i = 0; i < 32; i++) {
    const d = buf[a + i] - buf[b + i];
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The permutation `perm` such that rows perm[0], perm[1], … are in ascending byte order of the
 * 32-byte key at `row * stride + keyOffset`.
 */
export function sortByKey32(buf: Uint8Array, stride: number, keyOffset: number, n: number): Uint32Array {
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * stride + keyOffset;
    keys[i] = ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;
  }
  let idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let tmp = new Uint32Array(n);
  const count = new Uint32Array(65537);
  for (const shift of [0, 16]) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[((keys[idx[i]] >>> shift) & 0xffff) + 1]++;
    for (let i = 0; i < 65536; i++) count[i + 1] += count[i];
    for (let i = 0; i < n; i++) {
      const id = idx[i];
      tmp[count[(keys[id] >>> shift) & 0xffff]++] = id;
    }
    const t = idx;
    idx = tmp;
    tmp = t;
  }
  // Runs with equal 4-byte prefixes: order by the full key, then by input position (stable).
  let i = 0;
  while (i < n) {
    let j = i + 1;
    const k = keys[idx[i]];
    while (j < n && keys[idx[j]] === k) j++;
    if (j - i > 1) {
      const run = Array.from(idx.subarray(i, j));
      run.sort((a, b) => compareKey32(buf, a * stride + keyOffset, b * stride + keyOffset) || a - b);
      idx.set(run, i);
    }
    i = j;
  }
  return idx;
}
