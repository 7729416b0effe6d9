/**
 * Epoch totals of a table of packed records: recordCount, activeNodes (workUnits > 0),
 * totalWorkUnits (uint128) and totalRevenue (uint128; overflow is an error). Summed in 32-bit
 * limbs with plain numbers (exact up to 2^20 rows per flush) so a million rows need no bigint per row.
 */
import { InvalidInputError } from "../errors";
import { PACKED, PACKED_RECORD_SIZE } from "../records/codec";
import { RecordTable } from "../records/table";

export interface EpochTotals {
  recordCount: bigint;
  activeNodes: bigint;
  totalWorkUnits: bigint;
  totalRevenue: bigint;
}

/** uint128 maximum. */
export const UINT128_MAX = (1n << 128n) - 1n;

const FLUSH = 1 << 20;

/** Totals of a table; throws InvalidInputError if totalRevenue exceeds uint128. */
export function computeTotals(table: RecordTable): EpochTotals {
  const d = table.data;
  const n = table.count;
  let active = 0;
  let work = 0n;
  let revenue = 0n;
  const wl = [0, 0]; // workUnits limbs, most significant first
  const rl = [0, 0, 0, 0]; // revenue limbs
  const u32 = (o: number) => ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
  const flush = () => {
    work += (BigInt(wl[0]) << 32n) + BigInt(wl[1]);
    revenue += (BigInt(rl[0]) << 96n) + (BigInt(rl[1]) << 64n) + (BigInt(rl[2]) << 32n) + BigInt(rl[3]);
    wl.fill(0);
    rl.fill(0);
  };
  for (let i = 0; i < n; i++) {
    const o = i * PACKED_RECORD_SIZE;
    const w0 = u32(o + PACKED.workUnits);
    const w1 = u32(o + PACKED.workUnits + 4);
    if (w0 !== 0 || w1 !== 0) active++;
    wl[0] += w0;
    wl[1] += w1;
    const r = o + PACKED.revenue;
    rl[0] += u32(r);
    rl[1] += u32(r + 4);
    rl[2] += u32(r + 8);
    rl[3] += u32(r + 12);
    if ((i + 1) % FLUSH === 0) flush();
  }
  flush();
  if (revenue > UINT128_MAX) {
    throw new InvalidInputError(`totalRevenue ${revenue} exceeds the uint128 maximum`, {
      details: "The sum of the revenue column must fit a uint128 (EpochSummary.totalRevenue).",
    });
  }
  return { recordCount: BigInt(n), activeNodes: BigInt(active), totalWorkUnits: work, totalRevenue: revenue };
}
