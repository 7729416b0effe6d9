/**
 * Journal and trial balance (accountant): one line per posted entry (EntryPosted), account ids
 * decoded into names (a statement's charge, fee and refund entries carry its reference text), SLA
 * credits shown as contra-revenue, payout roots (revenue -> payable by the increase), claims, bonds, and a trial balance as of toBlock whose
 * asset side equals the tokens the RevenueLedger holds (balanceOf read at toBlock).
 */
import { AccountKind, DecodedAccount, accountName, decodeAccountId, encodeAccountId } from "../chain/accounts";

import { ReportOptions, eventsUpTo, makeManifest, resolveParameters, tokenList } from "./common";
import type { ReportInput } from "./input";
import { LabelUse } from "./labels";
import { blockTime } from "./state";
import { big, epochOrNull, evidenceOf, num, replay, str } from "./state";
import type { EntryKind, JournalLine, JournalReport, TrialBalanceRow } from "./types";

export { AccountKind, accountName, decodeAccountId, encodeAccountId };
export type { DecodedAccount };

/** The contra-revenue account that SLA credits (refunds) are debited to in the journal. */
export function contraRevenueAccount(networkId: number): string {
  return `contra-revenue:${networkId}`;
}

/** IRevenueLedger.AccountKind.Bond: a challenger's bond on a network (rule 5 of DESIGN.md). */
export const BOND_KIND = AccountKind.Bond;

/** The journal name of an account (bonds: bond:<networkId>:<challenger>). */
export function journalAccountName(a: DecodedAccount): string {
  return Number(a.kind) === BOND_KIND ? `bond:${a.networkId}:${a.holder}` : accountName(a);
}

const KIND_BY_PAIR: Record<string, EntryKind> = {
  [`${AccountKind.Assets}>${BOND_KIND}`]: "bond",
  [`${BOND_KIND}>${AccountKind.Assets}`]: "bond-return",
  [`${BOND_KIND}>${AccountKind.Revenue}`]: "bond-forfeit",
  [`${AccountKind.Assets}>${AccountKind.Escrow}`]: "deposit",
  [`${AccountKind.Escrow}>${AccountKind.Assets}`]: "withdraw",
  // A billing statement: escrow -> revenue (net) and escrow -> fee, in one transaction.
  [`${AccountKind.Escrow}>${AccountKind.Revenue}`]: "charge",
  [`${AccountKind.Escrow}>${AccountKind.Fee}`]: "fee",
  [`${AccountKind.Revenue}>${AccountKind.Escrow}`]: "refund",
  [`${AccountKind.Revenue}>${AccountKind.Payable}`]: "payout",
  [`${AccountKind.Payable}>${AccountKind.Assets}`]: "claim",
  [`${AccountKind.Fee}>${AccountKind.Assets}`]: "fee-withdraw",
};

/** What an entry is, from the kinds of its two accounts. */
export function entryKind(debit: AccountKind, credit: AccountKind): EntryKind {
  return KIND_BY_PAIR[`${debit}>${credit}`] ?? "other";
}

/**
 * Builds the journal over `input`'s block range. entryId numbers every entry since deployment from
 * 1 in the order posted (so ids are stable across reports); lines are the entries in the range
 * (narrowed by `networkId`); the trial balance covers every entry up to toBlock, so that its asset
 * accounts equal the tokens the contract holds.
 */
export function buildJournalReport(input: ReportInput, options: ReportOptions = {}): JournalReport {
  const parameters = resolveParameters(options);
  const labels = new LabelUse(options.labels);
  const events = eventsUpTo(input.events, input.toBlock);
  const state = replay(events);
  const lines: JournalLine[] = [];
  const rows = new Map<string, { account: string; token: string; debit: bigint; credit: bigint }>();
  const contra: Record<string, bigint> = {};
  let entryId = 0;
  let debits = 0n;
  const cache = new Map<string, DecodedAccount & { name: string }>();
  const decoded = (id: string) => {
    let a = cache.get(id);
    if (!a) {
      const x = decodeAccountId(id);
      cache.set(id, (a = { ...x, name: journalAccountName(x) }));
    }
    return a;
  };
  const post = (account: string, token: string, debit: bigint, credit: bigint) => {
    const k = `${account}|${token}`;
    let r = rows.get(k);
    if (!r) rows.set(k, (r = { account, token, debit: 0n, credit: 0n }));
    r.debit += debit;
    r.credit += credit;
  };
  for (const e of events) {
    if (e.contract !== "RevenueLedger" || e.name !== "EntryPosted") continue;
    entryId++;
    const networkId = num(e, "networkId");
    const debitId = str(e, "debitAccount");
    const creditId = str(e, "creditAccount");
    const d = decoded(debitId);
    const c = decoded(creditId);
    const kind = entryKind(d.kind, c.kind);
    const token = d.kind === AccountKind.Assets ? d.holder : c.kind === AccountKind.Assets ? c.holder : (state.networks.get(networkId)?.token ?? "");
    const isContra = kind === "refund";
    const debitAccount = isContra ? contraRevenueAccount(d.networkId) : d.name;
    const creditAccount = c.name;
    const amount = big(e, "amount");
    post(debitAccount, token, amount, 0n);
    post(creditAccount, token, 0n, amount);
    if (e.blockNumber < input.fromBlock) continue;
    if (parameters.networkId !== null && networkId !== parameters.networkId) continue;
    if (isContra) contra[token] = (contra[token] ?? 0n) + amount;
    debits += amount;
    // Names for the holders of the two accounts (customers) and the reference, for the human formats.
    labels.of(d.holder);
    labels.of(c.holder);
    labels.of(str(e, "ref"));
    const line: JournalLine = {
      entryId,
      networkId,
      token,
      debitAccount,
      creditAccount,
      amount: amount.toString(),
      epoch: epochOrNull(big(e, "epoch")),
      reference: str(e, "ref"),
      entryKind: kind,
      referenceText: state.statements.get(str(e, "ref"))?.referenceText || null,
      contraRevenue: isContra,
      debitAccountId: debitId,
      creditAccountId: creditId,
      timestamp: blockTime(input, e.blockNumber),
      evidence: evidenceOf(e),
    };
    lines.push(labels.tag(line, networkId));
  }
  const trialBalance: TrialBalanceRow[] = [...rows.values()]
    .sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : a.token < b.token ? -1 : a.token > b.token ? 1 : 0))
    .map((r) => ({ account: r.account, token: r.token, debit: r.debit.toString(), credit: r.credit.toString(), balance: (r.debit - r.credit).toString() }));
  const tokens = new Set<string>();
  for (const n of state.networks.values()) tokens.add(n.token);
  for (const t of Object.keys(input.heldByContract)) tokens.add(t);
  const heldByContract: Record<string, string> = {};
  const ledgerAssets: Record<string, string> = {};
  for (const t of [...tokens].sort()) {
    heldByContract[t] = (input.heldByContract[t] ?? 0n).toString();
    const r = rows.get(`assets:${t}|${t}`);
    ledgerAssets[t] = r ? (r.debit - r.credit).toString() : "0";
  }
  const contraRevenue: Record<string, string> = {};
  for (const t of Object.keys(contra).sort()) contraRevenue[t] = contra[t].toString();
  const used = labels.list();
  return {
    kind: "journal",
    manifest: makeManifest(input, options.generatedAt),
    parameters,
    tokens: tokenList(input, tokens),
    ...(used ? { labels: used } : {}),
    totals: {
      entries: lines.length,
      debits: debits.toString(),
      credits: debits.toString(),
      trialBalance,
      heldByContract,
      ledgerAssets,
      contraRevenue,
    },
    lines,
  };
}
