/**
 * Titles and the period line shared by the human formats.
 */
import type { Report } from "../types";

export const TITLES: Record<Report["kind"], string> = {
  spend: "Spend statement",
  uptime: "Uptime / SLA report",
  economics: "Network economics",
  journal: "Journal and trial balance",
};

/** "blocks A–B (chain C)". */
export function periodText(report: Report): string {
  const m = report.manifest;
  return `blocks ${m.fromBlock}–${m.toBlock} on chain ${m.chainId}`;
}

/** Parties and evidence lines (label, value) of the manifest. */
export function manifestRows(report: Report): [string, string][] {
  const m = report.manifest;
  const p = report.parameters;
  const rows: [string, string][] = [
    ["Chain id", String(m.chainId)],
    ["WorkLedger", m.ledger],
    ["RevenueLedger", m.revenueLedger],
    ["Blocks", `${m.fromBlock} to ${m.toBlock}`],
    ["Block hash at toBlock", m.toBlockHash],
    ["Generated", m.generatedAt],
    ["Tool", m.tool],
  ];
  if (p.networkId !== null) rows.push(["Network", String(p.networkId)]);
  if (p.customer !== null) rows.push(["Customer", p.customer]);
  if (report.kind === "uptime") rows.push(["SLA target", `${(p.slaBps / 100).toFixed(2)}%`]);
  for (const t of report.tokens) rows.push(["Token", `${t.symbol} (${t.decimals} decimals) ${t.address}`]);
  return rows;
}

/** "Amounts in mUSD (6 decimals)." — how the human formats show token amounts. */
export function amountsNote(report: Report): string {
  if (report.tokens.length === 0) return "Amounts in the token's smallest unit.";
  return `Amounts in ${report.tokens.map((t) => `${t.symbol} (${t.decimals} decimals)`).join(", ")}; the JSON and CSV files keep exact integers in the smallest unit.`;
}
