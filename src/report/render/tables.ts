/**
 * Reports as flat tables (the lines plus each extra table of totals), shared by the CSV, Markdown,
 * HTML and PDF renderers. Cells are strings; nested objects flatten to dotted columns and arrays
 * join with ";". `human` formats token amounts with the token's decimals.
 */
import { formatUnits } from "ethers";

import type { Report, TokenInfo } from "../types";

export interface Table {
  name: string; // "" for the lines, else e.g. "byCustomer"
  title: string;
  columns: string[];
  rows: string[][];
}

/** Columns holding token amounts (formatted with the token's decimals in human formats). */
const AMOUNT_COLUMNS = new Set([
  "amount",
  "fee",
  "openingFree",
  "openingHeld",
  "deposited",
  "withdrawn",
  "charged",
  "voided",
  "posted",
  "refunded",
  "closingFree",
  "closingHeld",
  "free",
  "averageChargePerEpoch",
  "totalRevenue",
  "revenuePerActiveNode",
  "topNodesRevenue",
  "postedRevenue",
  "settledRevenue",
  "debit",
  "credit",
  "balance",
  "record.revenue",
  "heldByContract",
  "ledgerAssets",
  "debits",
  "credits",
]);

function flatten(obj: unknown, prefix: string, out: Record<string, string>): void {
  if (obj !== null && typeof obj === "object" && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(obj)) {
    out[prefix] = obj.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(";");
  } else {
    out[prefix] = obj === null || obj === undefined ? "" : String(obj);
  }
}

/** The token a row's amounts are in: its `token` field, else the report's only token. */
function tokenOfRow(row: Record<string, string>, tokens: TokenInfo[]): TokenInfo | undefined {
  const t = row.token ?? row["token"];
  return tokens.find((x) => x.address === t) ?? (tokens.length === 1 ? tokens[0] : undefined);
}

/** Token amount in token units, e.g. "1,234.5 mUSD"-style without grouping: "1234.5". */
export function humanAmount(value: string, token: TokenInfo | undefined): string {
  if (!token || !/^-?\d+$/.test(value)) return value;
  const neg = value.startsWith("-");
  const s = formatUnits(BigInt(neg ? value.slice(1) : value), token.decimals);
  return `${neg ? "-" : ""}${s.endsWith(".0") ? s.slice(0, -2) : s}`;
}

function toTable(name: string, title: string, items: object[], tokens: TokenInfo[], human: boolean, skip: Set<string>): Table {
  const flat = items.map((it) => {
    const o: Record<string, string> = {};
    flatten(it, "", o);
    return o;
  });
  const columns: string[] = [];
  for (const f of flat) for (const k of Object.keys(f)) if (!columns.includes(k) && !skip.has(k)) columns.push(k);
  const rows = flat.map((f) => {
    const token = tokenOfRow(f, tokens);
    return columns.map((c) => (human && AMOUNT_COLUMNS.has(c) ? humanAmount(f[c] ?? "", token) : (f[c] ?? "")));
  });
  return { name, title, columns, rows };
}

/** Options of the tables. */
export interface TableOptions {
  /** Token amounts in token units (human formats). */
  human?: boolean;
  /** Leave out bulky columns (proofs, raw account ids) — for the human formats. */
  compact?: boolean;
}

/**
 * The report's tables: its lines first, then one table per list or map of its totals.
 */
export function reportTables(report: Report, options: TableOptions = {}): Table[] {
  const human = options.human ?? false;
  const skip = new Set<string>(options.compact ? ["proof", "record.evidence", "record.nodeId", "record.epoch", "record.uptimeBps", "record.workUnits", "debitAccountId", "creditAccountId", "evidence.txHash", "root", "slaBps", "reasonHash", "chargeId", "token"] : []);
  const tokens = report.tokens ?? [];
  const tables: Table[] = [toTable("", "Lines", report.lines, tokens, human, skip)];
  const t = report.totals as unknown as Record<string, unknown>;
  const scalars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) {
    if (Array.isArray(v)) {
      if (k === "networks" && report.kind === "uptime") {
        const nets = v as { incidents: object[] }[];
        tables.push(toTable("networks", "Networks", nets.map(({ incidents: _i, ...rest }) => rest), tokens, human, skip));
        tables.push(toTable("incidents", "Incident windows", nets.flatMap((n) => n.incidents), tokens, human, skip));
      } else {
        tables.push(toTable(k, k.replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase()), v as object[], tokens, human, skip));
      }
    } else if (v !== null && typeof v === "object") {
      const rows = Object.entries(v as Record<string, string>).map(([token, amount]) => ({ token, amount }));
      tables.push(toTable(k, k.replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase()), rows, tokens, human, new Set()));
    } else {
      scalars[k] = v;
    }
  }
  if (Object.keys(scalars).length > 0) {
    const rows = Object.entries(scalars).map(([figure, value]) => ({ figure, value: value === null ? "" : String(value) }));
    const tbl = toTable("totals", "Totals", rows, tokens, false, new Set());
    const only = tokens.length === 1 ? tokens[0] : undefined;
    if (human) tbl.rows = tbl.rows.map(([f, v]) => [f, AMOUNT_COLUMNS.has(f) ? humanAmount(v, only) : v]);
    tables.splice(1, 0, tbl);
  }
  return tables;
}
