/**
 * One number format per unit, shared by every human format (HTML, PDF, Markdown):
 * - token amounts: the token's decimals, all of them, thousands grouped: "1,404.000000";
 * - percentages from bps: two decimals: "99.90%";
 * - counts and work units: integers, thousands grouped: "12,345";
 * - dates: UTC, "2026-11-03 14:05 UTC" (tables drop the " UTC": their header says it);
 * - ids: the short form "0x3869e6…9df7", the label's name beside it when there is one.
 */
import type { LabelJson, Report, TokenInfo } from "../types";

/** Groups the integer part of a decimal string with commas. */
function group(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A token amount (smallest units, decimal string) with all the token's decimals: "1,404.000000". */
export function fmtAmount(value: string | bigint | null | undefined, token: TokenInfo | undefined): string {
  if (value === null || value === undefined || value === "") return "–";
  const s = String(value);
  if (!/^-?\d+$/.test(s)) return s;
  const neg = s.startsWith("-");
  const digits = neg ? s.slice(1) : s;
  const d = token?.decimals ?? 0;
  const padded = digits.padStart(d + 1, "0");
  const int = padded.slice(0, padded.length - d);
  const frac = d > 0 ? `.${padded.slice(padded.length - d)}` : "";
  return `${neg ? "-" : ""}${group(int)}${frac}`;
}

/** An amount with its symbol: "1,404.000000 mUSD". */
export function fmtMoney(value: string | bigint | null | undefined, token: TokenInfo | undefined): string {
  const a = fmtAmount(value, token);
  return a === "–" ? a : `${a} ${token?.symbol ?? "units"}`;
}

/** Basis points as a percentage with two decimals: 9990 → "99.90%"; null → "–". */
export function fmtPct(bps: number | null | undefined): string {
  if (bps === null || bps === undefined) return "–";
  const neg = bps < 0;
  const a = Math.abs(bps);
  return `${neg ? "-" : ""}${Math.floor(a / 100)}.${String(a % 100).padStart(2, "0")}%`;
}

/** An integer (number or decimal string), grouped: "12,345". */
export function fmtInt(v: number | string | bigint | null | undefined): string {
  if (v === null || v === undefined || v === "") return "–";
  const s = String(v);
  if (!/^-?\d+$/.test(s)) return s;
  return s.startsWith("-") ? `-${group(s.slice(1))}` : group(s);
}

/** "2026-11-03 14:05 UTC" (or without " UTC" for table cells); null → "–". */
export function fmtDate(iso: string | null | undefined, withZone = true): string {
  if (!iso) return "–";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  if (!m) return iso.length === 10 ? iso : iso;
  return `${m[1]} ${m[2]}${withZone ? " UTC" : ""}`;
}

/** The day of an ISO time: "2026-11-03". */
export function fmtDay(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : "–";
}

/** "0x3869e6…9df7" for a long hex id (addresses and 32-byte ids). */
export function shortId(id: string): string {
  return /^0x[0-9a-fA-F]{16,}$/.test(id) ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

/** Looks up the labels a report carries. */
export class LabelBook {
  private readonly byId = new Map<string, LabelJson>();
  constructor(report: Pick<Report, "labels">) {
    for (const l of report.labels ?? []) this.byId.set(l.id.toLowerCase(), l);
  }
  get(id: string | number): LabelJson | undefined {
    return this.byId.get(String(id).toLowerCase());
  }
  /** The label's name, or undefined. */
  name(id: string | number): string | undefined {
    return this.get(id)?.name;
  }
  /** The label's group, or "". */
  group(id: string | number): string {
    return this.get(id)?.group ?? "";
  }
  /** "name (0x3869e6…9df7)", or the short id alone when unlabelled. */
  who(id: string): string {
    const n = this.name(id);
    return n ? `${n} (${shortId(id)})` : shortId(id);
  }
  /** A network: "Scenario GPU (network 1)" or "network 1". */
  network(id: number): string {
    const n = this.name(id);
    return n ? `${n} (network ${id})` : `network ${id}`;
  }
}

/** The token of an address among the report's tokens (the only one when there is one). */
export function tokenOf(report: Pick<Report, "tokens">, address?: string | null): TokenInfo | undefined {
  const ts = report.tokens ?? [];
  return ts.find((t) => t.address === address) ?? (ts.length === 1 ? ts[0] : undefined);
}
