/**
 * Beancount: the journal as a ledger that `bean-check` accepts. Each posted entry is a transaction
 * dated by its block (UTC), debit account +amount, credit account −amount, in the token's units.
 * Account mapping: assets:<token> → Assets:WorkLedger:<SYMBOL>; escrow/held/payable/fee →
 * Liabilities:…; revenue → Income:Revenue:N<id>; SLA credits → Income:ContraRevenue:N<id>.
 * A closing `balance` assertion pins the asset account to the tokens the contract holds.
 */
import { formatUnits } from "ethers";

import type { JournalReport, TokenInfo } from "../types";

/** A Beancount commodity name from a token symbol (upper case, 2–24 chars, starts with a letter). */
export function commodity(token: TokenInfo | undefined): string {
  let s = (token?.symbol ?? "TOKEN").toUpperCase().replace(/[^A-Z0-9'._-]/g, "");
  if (!/^[A-Z]/.test(s)) s = `T${s}`;
  if (s.length < 2) s = `${s}X`;
  return s.slice(0, 24).replace(/[^A-Z0-9]+$/, "") || "TOKEN";
}

/** The Beancount account of a journal account name. */
export function beanAccount(name: string, token: TokenInfo | undefined): string {
  const [kind, a, b] = name.split(":");
  const holder = (h: string) => `A${h.replace(/^0x/, "")}`;
  switch (kind) {
    case "assets":
      return `Assets:WorkLedger:${commodity(token)}`;
    case "escrow":
      return `Liabilities:Escrow:N${a}:${holder(b)}`;
    case "held":
      return `Liabilities:Held:N${a}:${holder(b)}`;
    case "payable":
      return `Liabilities:Payable:N${a}`;
    case "fee":
      return `Liabilities:ProtocolFee:N${a}`;
    case "bond":
      return `Liabilities:Bond:N${a}:${holder(b)}`;
    case "revenue":
      return `Income:Revenue:N${a}`;
    case "contra-revenue":
      return `Income:ContraRevenue:N${a}`;
    default:
      return `Equity:Unknown:${name.replace(/[^A-Za-z0-9]/g, "")}`;
  }
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The journal report as a Beancount file. */
export function renderBeancount(report: JournalReport): string {
  const tokens = new Map(report.tokens.map((t) => [t.address, t]));
  const amount = (v: string, t: TokenInfo | undefined) => formatUnits(BigInt(v), t?.decimals ?? 0);
  const firstDate = report.lines.find((l) => l.timestamp)?.timestamp?.slice(0, 10) ?? "1970-01-01";
  const out: string[] = [
    `; ${report.kind} report, blocks ${report.manifest.fromBlock}-${report.manifest.toBlock} on chain ${report.manifest.chainId}`,
    `; WorkLedger ${report.manifest.ledger}, RevenueLedger ${report.manifest.revenueLedger}, block hash ${report.manifest.toBlockHash}`,
    `option "title" ${quote(`WorkLedger journal (chain ${report.manifest.chainId})`)}`,
    `option "name_income" "Income"`,
    "",
  ];
  const opened = new Set<string>();
  for (const row of report.totals.trialBalance) {
    const t = tokens.get(row.token);
    const acc = beanAccount(row.account, t);
    if (opened.has(acc)) continue;
    opened.add(acc);
    out.push(`${firstDate} open ${acc} ${commodity(t)}`);
  }
  for (const t of report.tokens) out.push(`${firstDate} commodity ${commodity(t)}`);
  out.push("");
  for (const l of report.lines) {
    const t = tokens.get(l.token);
    const c = commodity(t);
    const date = (l.timestamp ?? `${firstDate}T`).slice(0, 10);
    out.push(`${date} * ${quote(l.entryKind)} ${quote(`entry ${l.entryId}${l.epoch !== null ? ` epoch ${l.epoch}` : ""}`)}`);
    out.push(`  entry-id: ${l.entryId}`);
    out.push(`  tx: ${quote(l.evidence.txHash)}`);
    out.push(`  log-index: ${l.evidence.logIndex}`);
    out.push(`  reference: ${quote(l.reference)}`);
    out.push(`  ${beanAccount(l.debitAccount, t)}  ${amount(l.amount, t)} ${c}`);
    out.push(`  ${beanAccount(l.creditAccount, t)}  -${amount(l.amount, t)} ${c}`);
    out.push("");
  }
  // The asset side equals the tokens the contract holds (balanceOf at toBlock), checked by bean-check
  // when the journal starts at deployment (otherwise opening balances are outside this file).
  const lastDate = report.lines.reduce((d, l) => (l.timestamp && l.timestamp.slice(0, 10) > d ? l.timestamp.slice(0, 10) : d), firstDate);
  const next = new Date(Date.parse(`${lastDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  if (report.lines.length > 0 && report.lines[0].entryId === 1) {
    for (const [addr, held] of Object.entries(report.totals.heldByContract)) {
      const t = tokens.get(addr);
      if (!opened.has(beanAccount(`assets:${addr}`, t))) continue;
      out.push(`${next} balance ${beanAccount(`assets:${addr}`, t)}  ${amount(held, t)} ${commodity(t)}`);
    }
  }
  return `${out.join("\n")}\n`;
}
