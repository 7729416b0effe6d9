/**
 * The human document of a report, shared by the HTML, PDF and Markdown renderers so that they say
 * the same thing in the same words: a one-page summary (key figures, the chart, incidents or
 * customers or networks), then the details grouped (per epoch, customer, network or day) with human
 * column headers and one number format per unit (./format.ts), then the chain evidence.
 */
import { createHash } from "crypto";

import { decodeAccountId } from "../../chain/accounts";
import { journalAccountName } from "../journal";
import type { EconomicsReport, JournalReport, Report, SpendLine, SpendReport, TokenInfo, UptimeReport } from "../types";
import { Chart, applySpendLine, revenueUtilizationChart, summaryChart } from "./charts";
import { LabelBook, fmtAmount, fmtDate, fmtInt, fmtMoney, fmtPct, shortId, tokenOf } from "./format";
import { renderJson } from "./json";

export type Tone = "breach" | "ok" | "warn" | "muted";

export interface Cell {
  text: string;
  /** Full value (e.g. the whole hash) for a tooltip. */
  title?: string;
  tone?: Tone;
}

export interface Column {
  header: string;
  align: "left" | "right";
  /** Relative width. */
  width: number;
}

export interface TableModel {
  columns: Column[];
  rows: Cell[][];
}

export interface Figure {
  label: string;
  value: string;
  note?: string;
  tone?: Tone;
}

export type Block =
  | { type: "table"; title?: string; table: TableModel; more?: string }
  | { type: "text"; text: string }
  | { type: "pairs"; rows: [string, string][] }
  | { type: "chart"; chart: Chart };

export interface Group {
  id: string;
  title: string;
  subtitle?: string;
  blocks: Block[];
}

export interface Section {
  id: string;
  title: string;
  intro?: string;
  groups: Group[];
}

export interface ReportDocument {
  kind: Report["kind"];
  title: string;
  /** Who and what the report is about (customer, network). */
  subject: string[];
  /** The period, by date and by block. */
  period: string[];
  figures: Figure[];
  chart: Chart | null;
  summary: Block[];
  sections: Section[];
  evidence: [string, string][];
  /** The report JSON's SHA-256 (hex) and the file name it travels under. */
  sha256: string;
  jsonName: string;
  verifyCommand: string;
}

export const TITLES: Record<Report["kind"], string> = {
  spend: "Spend statement",
  uptime: "Uptime / SLA report",
  economics: "Network economics",
  journal: "Journal and trial balance",
};

const col = (header: string, align: "left" | "right" = "left", width = 1): Column => ({ header, align, width });
const c = (text: string, title?: string, tone?: Tone): Cell => ({ text, ...(title ? { title } : {}), ...(tone ? { tone } : {}) });
const idCell = (id: string) => c(shortId(id), id);

/** The SHA-256 (hex) of the report's JSON file, exactly as `renderJson` writes it. */
export function reportSha256(report: Report, json?: string): string {
  return createHash("sha256").update(json ?? renderJson(report)).digest("hex");
}

/** The period as text: dates (UTC) and blocks. */
function period(report: Report): string[] {
  const m = report.manifest;
  const p = report.parameters;
  const out = [`${m.fromTime ? fmtDate(m.fromTime) : "deployment"} → ${fmtDate(m.toTime)} (blocks ${fmtInt(m.fromBlock)}–${fmtInt(m.toBlock)}, chain ${m.chainId})`];
  if (p?.fromDate || p?.toDate) out.push(`Asked for: ${p.fromDate ?? "the start"} to ${p.toDate ?? "now"}${p.toDate && p.toDate.length === 10 ? " (whole day)" : ""}, resolved to the blocks above by their timestamps`);
  if (p?.fromEpoch !== null && p?.fromEpoch !== undefined) out.push(`Epochs from ${p.fromEpoch}${p.toEpoch !== null ? ` to ${p.toEpoch}` : ""}`);
  return out;
}

/** Manifest rows (the chain evidence). */
export function evidenceRows(report: Report, sha: string): [string, string][] {
  const m = report.manifest;
  const rows: [string, string][] = [
    ["Chain id", String(m.chainId)],
    ["WorkLedger contract", m.ledger],
    ["RevenueLedger contract", m.revenueLedger],
    ["Blocks", `${m.fromBlock} to ${m.toBlock}`],
    ["Period (block times, UTC)", `${m.fromTime ?? "–"} to ${m.toTime}`],
    ["Block hash at the last block", m.toBlockHash],
    ["Generated", m.generatedAt],
    ["Tool", m.tool],
  ];
  if (m.sla) rows.push(["SLA terms applied", slaText(m.sla)]);
  for (const t of report.tokens) rows.push(["Token", `${t.symbol}, ${t.decimals} decimals, ${t.address}`]);
  rows.push([`SHA-256 of ${report.kind}.json`, sha]);
  return rows;
}

function slaText(sla: NonNullable<Report["manifest"]["sla"]>): string {
  const tiers = sla.creditTiers.map((t) => `below ${fmtPct(t.belowBps)}: ${fmtPct(t.creditBps)} credit`).join("; ");
  return `target ${fmtPct(sla.slaBps)}${tiers ? `; ${tiers}` : ""}`;
}

/* ------------------------------------------------------------ uptime */

function uptimeDoc(r: UptimeReport, book: LabelBook): Omit<ReportDocument, "sha256" | "jsonName" | "verifyCommand" | "evidence" | "period" | "title" | "kind"> {
  const sla = r.manifest.sla ?? { slaBps: 9_990, creditTiers: [] };
  const token = tokenOf(r);
  const nets = r.totals.networks;
  const n = nets.length === 1 ? nets[0] : undefined;
  const incidents = nets.flatMap((x) => x.incidents);
  const status = (s: string) => r.totals.epochs.filter((e) => e.status === s).length;
  const epochsOf = new Map(r.totals.epochs.map((e) => [`${e.networkId}:${e.epoch}`, e]));
  const figures: Figure[] = [
    { label: "Uptime, all epochs", value: fmtPct(n ? n.uptimeBps : null), note: n ? "mean over node-epochs of epochs not voided" : "see the networks table" },
    { label: "Uptime, final epochs", value: fmtPct(n ? n.settledUptimeBps : null), note: "settled: past the challenge window" },
    { label: "SLA target", value: fmtPct(sla.slaBps), note: sla.creditTiers.map((t) => `<${fmtPct(t.belowBps)}: ${fmtPct(t.creditBps)}`).join(", ") },
    { label: "Breaches", value: fmtInt(r.totals.breaches), note: `of ${fmtInt(r.totals.lines)} node-epochs`, tone: r.totals.breaches ? "breach" : "ok" },
    { label: "Incidents", value: fmtInt(incidents.length), note: `${incidents.filter((i) => i.settled).length} settled, ${incidents.filter((i) => !i.settled).length} open`, tone: incidents.length ? "breach" : "ok" },
    { label: "Epochs", value: fmtInt(r.totals.epochs.length), note: `${status("final")} final, ${status("pending")} pending, ${status("challenged")} challenged, ${status("voided")} voided` },
  ];
  const incidentRow = (i: (typeof incidents)[number]): Cell[] => [
    c(`${fmtDate(i.start, false)} → ${fmtDate(i.end, false)}`, `${i.start} to ${i.end}`),
    c(book.who(i.nodeId), i.nodeId),
    c(book.group(i.nodeId)),
    c(i.fromEpoch === i.toEpoch ? String(i.fromEpoch) : `${i.fromEpoch}–${i.toEpoch}`),
    c(fmtPct(i.worstUptimeBps), undefined, "breach"),
    c(fmtPct(i.creditBps)),
    c(i.settled ? "settled (final)" : `open: epoch${i.pendingEpochs.length > 1 ? "s" : ""} ${i.pendingEpochs.join(", ")} not final`, undefined, i.settled ? undefined : "warn"),
  ];
  const incidentCols = [col("Window (UTC)", "left", 2.4), col("Node", "left", 2.4), col("Group"), col("Epochs", "right", 0.6), col("Worst uptime", "right", 0.9), col("Credit", "right", 0.7), col("Settlement", "left", 1.6)];
  const byWorst = [...incidents].sort((a, b) => a.worstUptimeBps - b.worstUptimeBps || a.fromEpoch - b.fromEpoch);
  const breaches = r.lines.filter((l) => l.breach && l.status !== "voided").sort((a, b) => a.uptimeBps - b.uptimeBps || a.epoch - b.epoch);
  const breachCols = [col("Node", "left", 2.4), col("Group"), col("Epoch", "right", 0.6), col("Epoch dates (UTC)", "left", 2.4), col("Uptime", "right", 0.8), col("Credit", "right", 0.7), col("Status", "left", 0.8)];
  const breachRow = (l: UptimeReport["lines"][number]): Cell[] => {
    const e = epochsOf.get(`${l.networkId}:${l.epoch}`);
    return [c(book.who(l.nodeId), l.nodeId), c(book.group(l.nodeId)), c(String(l.epoch)), c(e ? `${fmtDate(e.startTime, false)} → ${fmtDate(e.endTime, false).slice(11)}` : "–"), c(fmtPct(l.uptimeBps), undefined, "breach"), c(fmtPct(l.creditBps)), c(l.status)];
  };
  const SUMMARY_ROWS = 5;
  const summary: Block[] = [
    {
      type: "table",
      title: "Incidents (worst first)",
      table: { columns: incidentCols, rows: byWorst.slice(0, SUMMARY_ROWS).map(incidentRow) },
      more: byWorst.length > SUMMARY_ROWS ? `${byWorst.length - SUMMARY_ROWS} more in "Incidents" below.` : undefined,
    },
    {
      type: "table",
      title: "Breaches (lowest uptime first)",
      table: { columns: breachCols, rows: breaches.slice(0, SUMMARY_ROWS).map(breachRow) },
      more: breaches.length > SUMMARY_ROWS ? `${breaches.length - SUMMARY_ROWS} more in "Breaches" below.` : undefined,
    },
  ];
  const sections: Section[] = [];
  sections.push({
    id: "incidents",
    title: "Incidents",
    intro: "An incident is a run of consecutive epochs in which one node stayed below the SLA target. Its credit is the tier of its worst epoch; it is settled when every epoch of the window is final.",
    groups: [{ id: "incidents-all", title: `All incidents (${incidents.length})`, blocks: [{ type: "table", table: { columns: incidentCols, rows: [...incidents].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)).map(incidentRow) } }] }],
  });
  sections.push({
    id: "breaches",
    title: "Breaches",
    groups: [{ id: "breaches-all", title: `All breached node-epochs (${breaches.length})`, blocks: [{ type: "table", table: { columns: breachCols, rows: breaches.map(breachRow) } }] }],
  });
  if (nets.length > 1) {
    sections.push({
      id: "networks",
      title: "Networks",
      groups: [
        {
          id: "networks-all",
          title: "Per network",
          blocks: [{ type: "table", table: { columns: [col("Network", "left", 2), col("Epochs", "right"), col("Final", "right"), col("Node-epochs", "right"), col("Uptime", "right"), col("Final uptime", "right"), col("Breaches", "right"), col("Incidents", "right")], rows: nets.map((x) => [c(book.network(x.networkId)), c(fmtInt(x.epochs)), c(fmtInt(x.finalEpochs)), c(fmtInt(x.records)), c(fmtPct(x.uptimeBps)), c(fmtPct(x.settledUptimeBps)), c(fmtInt(x.breaches)), c(fmtInt(x.incidents.length))]) } }],
        },
      ],
    });
  }
  sections.push({
    id: "epochs",
    title: "Epochs",
    intro: "Each epoch as committed on chain: its latest version, status at the report's last block, Merkle root and the commit's log.",
    groups: [
      {
        id: "epochs-all",
        title: `All epochs (${r.totals.epochs.length})`,
        blocks: [
          {
            type: "table",
            table: {
              columns: [col("Epoch", "right", 0.6), col("Start → end (UTC)", "left", 2.6), col("Version", "right", 0.6), col("Status"), col("Records", "right", 0.8), col("Root", "left", 1.4), col("Committed (UTC)", "left", 1.4), col("Block", "right", 0.8)],
              rows: r.totals.epochs.map((e) => [c(nets.length > 1 ? `${e.networkId}/${e.epoch}` : String(e.epoch)), c(`${fmtDate(e.startTime, false)} → ${fmtDate(e.endTime, false)}`), c(String(e.version)), c(e.status, undefined, e.status === "voided" ? "muted" : e.status === "final" ? undefined : "warn"), c(fmtInt(e.recordCount)), idCell(e.root), c(fmtDate(e.timestamp, false)), c(fmtInt(e.evidence.blockNumber), e.evidence.txHash)]),
            },
          },
        ],
      },
    ],
  });
  // Node-epochs, one group per epoch.
  const lineCols = [col("Node", "left", 2.6), col("Group", "left", 1.1), col("Uptime", "right", 0.8), col("Work units", "right", 0.9), col(`Revenue (${token?.symbol ?? "units"})`, "right", 1.3), col("Breach", "left", 0.6), col("Credit", "right", 0.7)];
  const groups: Group[] = [];
  let current: Group | undefined;
  let rows: Cell[][] = [];
  for (const l of r.lines) {
    const key = `epoch-${l.networkId}-${l.epoch}`;
    if (!current || current.id !== key) {
      if (current) (current.blocks[0] as { table: TableModel }).table.rows = rows;
      const e = epochsOf.get(`${l.networkId}:${l.epoch}`);
      rows = [];
      current = {
        id: key,
        title: `Epoch ${nets.length > 1 ? `${l.networkId}/` : ""}${l.epoch}${e ? `: ${fmtDate(e.startTime)} → ${fmtDate(e.endTime).slice(11)}` : ""}`,
        subtitle: e ? `version ${e.version}, ${e.status}; ${fmtInt(e.recordCount)} records; root ${e.root}; committed ${fmtDate(e.timestamp)} in block ${e.evidence.blockNumber} (tx ${e.evidence.txHash}, log ${e.evidence.logIndex})` : undefined,
        blocks: [{ type: "table", table: { columns: lineCols, rows: [] } }],
      };
      groups.push(current);
    }
    const voided = l.status === "voided";
    rows.push([c(book.who(l.nodeId), l.nodeId), c(book.group(l.nodeId)), c(fmtPct(l.uptimeBps), undefined, voided ? "muted" : l.breach ? "breach" : undefined), c(fmtInt(l.record.workUnits)), c(fmtAmount(l.record.revenue, token)), c(voided ? "voided" : l.breach ? "yes" : "no", undefined, voided ? "muted" : l.breach ? "breach" : undefined), c(fmtPct(l.creditBps))]);
  }
  if (current) (current.blocks[0] as { table: TableModel }).table.rows = rows;
  sections.push({ id: "node-epochs", title: "Node-epochs by epoch", intro: "Every record of every epoch, as signed by the verifiers; the JSON carries each record's Merkle proof against the epoch's on-chain root.", groups });
  const subject = nets.map((x) => book.network(x.networkId));
  return { subject, figures, chart: summaryChart(r), summary, sections };
}

/* ------------------------------------------------------------ spend */

const SPEND_WORDS: Record<SpendLine["kind"], string> = {
  deposit: "Deposit",
  charge: "Charge (held)",
  post: "Charge posted",
  void: "Charge voided",
  refund: "Refund",
  withdraw: "Withdrawal",
};

function spendDescription(l: SpendLine, book: LabelBook, token: TokenInfo | undefined): string {
  const epoch = l.epoch !== null ? ` for epoch ${l.epoch}` : "";
  switch (l.kind) {
    case "deposit":
      return `Deposit from ${l.counterparty && l.counterparty !== l.customer ? book.who(l.counterparty) : "own wallet"}`;
    case "withdraw":
      return `Withdrawal to ${l.counterparty && l.counterparty !== l.customer ? book.who(l.counterparty) : "own wallet"}`;
    case "charge":
      if (l.statement) {
        const usage = l.usage?.length ? `, usage in ${l.usage.length} epoch${l.usage.length > 1 ? "s" : ""}` : "";
        const cap = l.capPerEpoch ? `, cap ${fmtAmount(l.capPerEpoch, token)}/epoch` : "";
        const proven = l.usageProven === false ? " (usage leaves not at hand)" : "";
        return `Statement, epochs ${l.statement.fromEpoch}–${l.statement.toEpoch}${usage}${cap}${proven}: charged and posted`;
      }
      return `Charge${epoch}: held (now ${l.status ?? "held"})`;
    case "post":
      return `Posted${epoch} (fee ${fmtAmount(l.fee, token)})`;
    case "void":
      return `Voided${epoch}: back to free`;
    case "refund":
      return `Refund (SLA credit)${epoch}`;
    default:
      return SPEND_WORDS[l.kind as SpendLine["kind"]] ?? l.kind;
  }
}

/** A movement's amount, signed by its effect on the customer's escrow (+ in, - out; a charge moves free to held). */
function signedAmount(l: SpendLine, token: TokenInfo | undefined): string {
  const sign = l.kind === "withdraw" || l.kind === "post" ? "-" : l.kind === "charge" ? "" : "+";
  return `${sign}${fmtAmount(l.amount, token)}`;
}

function referenceCell(l: SpendLine, book: LabelBook): Cell {
  if (l.referenceText) return c(l.referenceText, l.reference ?? undefined);
  if (!l.reference) return c("–");
  return c(book.name(l.reference) ?? shortId(l.reference), l.reference);
}

/** The usage behind a customer's statements (one row per covered epoch with usage), when there is any. */
function usageGroups(r: SpendReport, customer: string, token: TokenInfo | undefined, book: LabelBook): Group[] {
  const rows: Cell[][] = [];
  for (const l of r.lines) {
    if (l.customer !== customer || l.kind !== "charge" || !l.usage?.length) continue;
    for (const u of l.usage) {
      rows.push([c(`${l.statement ? `${l.statement.fromEpoch}–${l.statement.toEpoch}` : "–"}`), c(String(u.leaf.epoch)), c(fmtInt(u.leaf.workUnits)), c(fmtAmount(u.leaf.amount, token)), c(book.name(u.leaf.ref) ?? shortId(u.leaf.ref), u.leaf.ref), c(shortId(u.usageRoot), u.usageRoot)]);
    }
  }
  if (rows.length === 0) return [];
  const columns = [col("Statement epochs", "left", 1), col("Epoch", "right", 0.6), col("Work units", "right", 1), col("Amount", "right", 1.2), col("Usage reference", "left", 1.6), col("Usage root", "left", 1.4)];
  return [{ id: `usage-${customer.toLowerCase()}`, title: "Usage behind the statements", blocks: [{ type: "table", table: { columns, rows } }] }];
}

function spendDoc(r: SpendReport, book: LabelBook): Omit<ReportDocument, "sha256" | "jsonName" | "verifyCommand" | "evidence" | "period" | "title" | "kind"> {
  const token = tokenOf(r);
  const t = r.totals;
  const money = (v: string) => fmtMoney(v, token);
  const opening = BigInt(t.openingFree) + BigInt(t.openingHeld);
  const closing = BigInt(t.closingFree) + BigInt(t.closingHeld);
  const runwayDays = t.runway.filter((x) => x.days !== null).map((x) => Number(x.days));
  const one = r.parameters.customer;
  const figures: Figure[] = [
    { label: "Opening balance", value: money(opening.toString()), note: `free ${fmtAmount(t.openingFree, token)}, held ${fmtAmount(t.openingHeld, token)}` },
    { label: "Deposited", value: money(t.deposited), note: `withdrawn ${fmtAmount(t.withdrawn, token)}` },
    { label: "Charged", value: money(t.charged), note: `voided ${fmtAmount(t.voided, token)}` },
    { label: "Posted (gross, fee included)", value: money(t.posted), note: "left escrow for the network" },
    { label: "Refunded (SLA credits)", value: money(t.refunded) },
    { label: "Closing balance", value: money(closing.toString()), note: `free ${fmtAmount(t.closingFree, token)}, held ${fmtAmount(t.closingHeld, token)}` },
    {
      label: "Runway",
      value: runwayDays.length ? `${Math.min(...runwayDays).toFixed(2)} days` : "–",
      note: runwayDays.length ? (one ? "free balance ÷ average charge per epoch" : "shortest of the customers") : "nothing charged in the period",
      tone: runwayDays.length && Math.min(...runwayDays) < 7 ? "warn" : undefined,
    },
  ];
  const custCols = [col("Customer", "left", 2.4), col("Group", "left", 1), col("Opening", "right", 1.3), col("Charged", "right", 1.3), col("Posted", "right", 1.3), col("Refunded", "right", 1.2), col("Closing free", "right", 1.3), col("Closing held", "right", 1.3), col("Runway (days)", "right", 0.9)];
  const runwayOf = (cust: string) => t.runway.filter((x) => x.customer === cust && x.days !== null).map((x) => Number(x.days));
  const custRow = (x: SpendReport["totals"]["byCustomer"][number]): Cell[] => {
    const tk = tokenOf(r, x.token);
    const rw = runwayOf(x.customer);
    return [c(book.who(x.customer), x.customer), c(book.group(x.customer)), c(fmtAmount((BigInt(x.openingFree) + BigInt(x.openingHeld)).toString(), tk)), c(fmtAmount(x.charged, tk)), c(fmtAmount(x.posted, tk)), c(fmtAmount(x.refunded, tk)), c(fmtAmount(x.closingFree, tk)), c(fmtAmount(x.closingHeld, tk)), c(rw.length ? Math.min(...rw).toFixed(2) : "–")];
  };
  const summary: Block[] = [];
  if (!one) summary.push({ type: "table", title: "Customers", table: { columns: custCols, rows: t.byCustomer.slice(0, 12).map(custRow) }, more: t.byCustomer.length > 12 ? `${t.byCustomer.length - 12} more customers: one section each below.` : undefined });
  const runwayCols = [col("Customer", "left", 2.4), col("Network", "left", 1.6), col("Free balance", "right", 1.2), col("Epochs", "right", 0.6), col("Avg charge / epoch", "right", 1.3), col("Runway epochs", "right", 1), col("Runway days", "right", 0.9)];
  const runwayRows = (list: SpendReport["totals"]["runway"]) =>
    list.map((x) => {
      const tk = tokenOf(r, x.token);
      return [c(book.who(x.customer), x.customer), c(book.network(x.networkId)), c(fmtAmount(x.free, tk)), c(fmtInt(x.epochsCharged)), c(fmtAmount(x.averageChargePerEpoch, tk)), c(x.epochs ?? "–"), c(x.days ?? "–")];
    });
  if (one) summary.push({ type: "table", title: "Runway", table: { columns: runwayCols, rows: runwayRows(t.runway) } });
  if (one) {
    // The latest movements, as a bank statement shows them on its first page.
    const LATEST = 10;
    const mine = r.lines.filter((l) => l.customer === one);
    summary.push({
      type: "table",
      title: `Latest movements (${Math.min(LATEST, mine.length)} of ${mine.length})`,
      table: {
        columns: [col("Date (UTC)", "left", 1.3), col("Description", "left", 2.6), col("Reference", "left", 1.6), col("Amount", "right", 1.2), col("Evidence (block · tx)", "left", 1.5)],
        rows: mine.slice(-LATEST).map((l) => [c(fmtDate(l.timestamp, false), l.timestamp ?? undefined), c(spendDescription(l, book, tokenOf(r, l.token))), referenceCell(l, book), c(signedAmount(l, tokenOf(r, l.token))), c(`${l.evidence.blockNumber} · ${shortId(l.evidence.txHash)}`, `tx ${l.evidence.txHash}, log ${l.evidence.logIndex}`)]),
      },
      more: mine.length > LATEST ? `Every movement, with running balances, under "Statement lines" below.` : undefined,
    });
  }

  // One section per customer: the account summary, then the statement lines with running balances.
  const lineCols = [col("Date (UTC)", "left", 1.35), col("Description", "left", 2.6), col("Reference", "left", 1.5), col("Amount", "right", 1.2), col("Free after", "right", 1.25), col("Held after", "right", 1.2), col("Evidence (block · tx)", "left", 1.5)];
  const sections: Section[] = [];
  for (const x of t.byCustomer) {
    const tk = tokenOf(r, x.token);
    const bal = { free: BigInt(x.openingFree), held: BigInt(x.openingHeld) };
    const rows: Cell[][] = [[c(""), c("Opening balance"), c(""), c(""), c(fmtAmount(bal.free, tk)), c(fmtAmount(bal.held, tk)), c("")]];
    for (const l of r.lines) {
      if (l.customer !== x.customer || l.token !== x.token) continue;
      applySpendLine(bal, l);
      const { free, held } = bal;
      rows.push([
        c(fmtDate(l.timestamp, false), l.timestamp ?? undefined),
        c(spendDescription(l, book, tk)),
        referenceCell(l, book),
        c(signedAmount(l, tk)),
        c(fmtAmount(free, tk)),
        c(fmtAmount(held, tk)),
        c(`${l.evidence.blockNumber} · ${shortId(l.evidence.txHash)}`, `tx ${l.evidence.txHash}, log ${l.evidence.logIndex}`),
      ]);
    }
    rows.push([c(""), c("Closing balance"), c(""), c(""), c(fmtAmount(x.closingFree, tk)), c(fmtAmount(x.closingHeld, tk)), c("")]);
    const name = book.name(x.customer);
    sections.push({
      id: `customer-${x.customer.toLowerCase()}`,
      title: `${name ? `${name} — ` : ""}${x.customer}`,
      intro: book.group(x.customer) ? `Group: ${book.group(x.customer)}` : undefined,
      groups: [
        {
          id: `account-${x.customer.toLowerCase()}`,
          title: "Account summary",
          blocks: [
            {
              type: "pairs",
              rows: [
                ["Opening balance (free + held)", fmtMoney((BigInt(x.openingFree) + BigInt(x.openingHeld)).toString(), tk)],
                ["Deposited", fmtMoney(x.deposited, tk)],
                ["Charged (moved to held)", fmtMoney(x.charged, tk)],
                ["Voided (back to free)", fmtMoney(x.voided, tk)],
                ["Posted (gross, fee included)", fmtMoney(x.posted, tk)],
                ["Refunded (SLA credits)", fmtMoney(x.refunded, tk)],
                ["Withdrawn", fmtMoney(x.withdrawn, tk)],
                ["Closing free", fmtMoney(x.closingFree, tk)],
                ["Closing held", fmtMoney(x.closingHeld, tk)],
                ["Closing balance (free + held)", fmtMoney((BigInt(x.closingFree) + BigInt(x.closingHeld)).toString(), tk)],
              ],
            },
            { type: "table", title: "Runway", table: { columns: runwayCols, rows: runwayRows(t.runway.filter((w) => w.customer === x.customer)) } },
          ],
        },
        { id: `lines-${x.customer.toLowerCase()}`, title: "Statement lines", blocks: [{ type: "table", table: { columns: lineCols, rows } }] },
        ...usageGroups(r, x.customer, tk, book),
      ],
    });
  }
  const subject = one ? [`Customer: ${book.name(one) ?? shortId(one)}${book.group(one) ? ` (${book.group(one)})` : ""}, account ${one}`] : [`${t.byCustomer.length} customers`];
  if (r.parameters.networkId !== null) subject.push(book.network(r.parameters.networkId));
  return { subject, figures, chart: summaryChart(r), summary, sections };
}

/* ------------------------------------------------------------ economics */

const chartBlock = (chart: Chart | null): Block[] => (chart ? [{ type: "chart", chart }] : []);

function economicsDoc(r: EconomicsReport, book: LabelBook): Omit<ReportDocument, "sha256" | "jsonName" | "verifyCommand" | "evidence" | "period" | "title" | "kind"> {
  const token = tokenOf(r);
  const t = r.totals;
  const money = (v: string) => fmtMoney(v, token);
  const utils = r.lines.map((l) => l.utilizationBps).filter((u): u is number => u !== null);
  const figures: Figure[] = [
    { label: "Revenue signed", value: money(t.totalRevenue), note: `${fmtInt(t.epochs)} epochs, ${fmtInt(t.totalWorkUnits)} work units` },
    { label: "Settled revenue (gross)", value: money(t.settledRevenue), note: `posted ${fmtAmount(t.postedRevenue, token)} less refunds ${fmtAmount(t.refunded, token)}` },
    { label: "Protocol fee", value: money(t.settledFee) },
    { label: "Settled net of fee", value: money(t.settledNet), note: "what the nodes can be paid from" },
    { label: "Revenue backed", value: fmtPct(t.revenueBackedBps), note: "settled (gross) ÷ signed" },
    { label: "Mean utilisation", value: utils.length ? fmtPct(Math.floor(utils.reduce((s, u) => s + u, 0) / utils.length)) : "–", note: "work units ÷ (active nodes × capacity)" },
  ];
  const netCols = [col("Network", "left", 2), col("Epochs", "right", 0.6), col("Work units", "right", 1.1), col("Revenue signed", "right", 1.3), col("Settled (gross)", "right", 1.3), col("Fee", "right", 1.1), col("Settled net", "right", 1.3), col("Backed", "right", 0.8)];
  const summary: Block[] = [
    {
      type: "table",
      title: "Networks",
      table: { columns: netCols, rows: t.networks.map((n) => [c(book.network(n.networkId)), c(fmtInt(n.epochs)), c(fmtInt(n.totalWorkUnits)), c(fmtAmount(n.totalRevenue, token)), c(fmtAmount(n.settledRevenue, token)), c(fmtAmount(n.settledFee, token)), c(fmtAmount(n.settledNet, token)), c(fmtPct(n.revenueBackedBps))]) },
    },
  ];
  const lineCols = [col("Epoch", "right", 0.5), col("Dates (UTC)", "left", 2.1), col("Status", "left", 0.75), col("Nodes", "right", 0.55), col("Work units", "right", 0.95), col("Utilisation", "right", 0.8), col("Revenue signed", "right", 1.25), col("Settled (gross)", "right", 1.25), col("Fee", "right", 1), col("Net", "right", 1.25), col("Backed", "right", 0.75), col("Top 10%", "right", 0.7)];
  const sections: Section[] = [
    {
      id: "epochs",
      title: "Epochs",
      intro: "Per network and epoch, from the epoch's latest version. Settled figures are gross (posted, fee included, less refunds); fee and net beside them. Top 10% is the share of revenue earned by the top tenth of nodes.",
      groups: t.networks.map((n) => ({
        id: `network-${n.networkId}`,
        title: book.network(n.networkId),
        blocks: [
          ...chartBlock(revenueUtilizationChart(r, n.networkId)),
          {
            type: "table" as const,
            table: {
              columns: lineCols,
              rows: r.lines
                .filter((l) => l.networkId === n.networkId)
                .map((l) => [c(String(l.epoch)), c(`${fmtDate(l.startTime, false)} → ${fmtDate(l.endTime, false).slice(11)}`, `${l.startTime} to ${l.endTime}`), c(l.status, undefined, l.status === "voided" ? "muted" : l.status === "final" ? undefined : "warn"), c(fmtInt(l.activeNodes)), c(fmtInt(l.totalWorkUnits)), c(fmtPct(l.utilizationBps)), c(fmtAmount(l.totalRevenue, token)), c(fmtAmount(l.settledRevenue, token)), c(fmtAmount(l.settledFee, token)), c(fmtAmount(l.settledNet, token)), c(fmtPct(l.revenueBackedBps)), c(fmtPct(l.concentrationBps))]),
            },
          },
        ],
      })),
    },
  ];
  return { subject: t.networks.map((n) => book.network(n.networkId)), figures, chart: summaryChart(r), summary, sections };
}

/* ------------------------------------------------------------ journal */

/** An account name with its holder's label beside the short address: "escrow:1:Acme (0x12ab34…cdef)". */
function accountLabel(name: string, id: string | undefined, book: LabelBook): string {
  if (!id) return name;
  try {
    const a = decodeAccountId(id);
    const label = book.name(a.holder);
    if (!label) return name;
    return `${journalAccountName(a).split(":").slice(0, -1).join(":")}:${label} (${shortId(a.holder)})`;
  } catch {
    return name;
  }
}

function journalDoc(r: JournalReport, book: LabelBook): Omit<ReportDocument, "sha256" | "jsonName" | "verifyCommand" | "evidence" | "period" | "title" | "kind"> {
  const t = r.totals;
  const token = tokenOf(r);
  const held = Object.entries(t.heldByContract);
  const tied = held.every(([k, v]) => t.ledgerAssets[k] === v);
  const contra = Object.entries(t.contraRevenue);
  const figures: Figure[] = [
    { label: "Entries", value: fmtInt(t.entries) },
    { label: "Debits = credits", value: fmtMoney(t.debits, token), tone: t.debits === t.credits ? "ok" : "breach" },
    ...held.map(([k, v]): Figure => ({ label: `Held by the contract (${tokenOf(r, k)?.symbol ?? shortId(k)})`, value: fmtMoney(v, tokenOf(r, k)), note: `ledger assets ${fmtAmount(t.ledgerAssets[k], tokenOf(r, k))}: ${tied ? "equal" : "DIFFERENT"}`, tone: tied ? "ok" : "breach" })),
    { label: "SLA credits (contra-revenue)", value: contra.length ? contra.map(([k, v]) => fmtMoney(v, tokenOf(r, k))).join(", ") : "–" },
  ];
  const tbCols = [col("Account", "left", 3), col("Debit", "right", 1.3), col("Credit", "right", 1.3), col("Balance (debit − credit)", "right", 1.4)];
  const accountIds = new Map<string, string>();
  for (const l of r.lines) {
    accountIds.set(l.debitAccount, l.debitAccountId);
    accountIds.set(l.creditAccount, l.creditAccountId);
  }
  const tbRows = t.trialBalance.map((x) => {
    const tk = tokenOf(r, x.token);
    return [c(accountLabel(x.account, accountIds.get(x.account), book), x.account), c(fmtAmount(x.debit, tk)), c(fmtAmount(x.credit, tk)), c(fmtAmount(x.balance, tk))];
  });
  const summary: Block[] = [{ type: "table", title: "Trial balance", table: { columns: tbCols, rows: tbRows.slice(0, 14) }, more: tbRows.length > 14 ? `${tbRows.length - 14} more accounts in "Trial balance" below.` : undefined }];
  const lineCols = [col("Entry", "right", 0.5), col("Time (UTC)", "left", 0.6), col("Kind", "left", 0.85), col("Debit account", "left", 2.1), col("Credit account", "left", 2.1), col("Amount", "right", 1.2), col("Epoch", "right", 0.5), col("Evidence (block · tx)", "left", 1.4)];
  const groups = new Map<string, Cell[][]>();
  for (const l of r.lines) {
    const day = l.timestamp ? l.timestamp.slice(0, 10) : "undated";
    let rows = groups.get(day);
    if (!rows) groups.set(day, (rows = []));
    const tk = tokenOf(r, l.token);
    rows.push([c(String(l.entryId)), c(l.timestamp ? l.timestamp.slice(11, 16) : "–", l.timestamp ?? undefined), c(l.entryKind + (l.contraRevenue ? " (SLA credit)" : "")), c(accountLabel(l.debitAccount, l.debitAccountId, book), l.debitAccount), c(accountLabel(l.creditAccount, l.creditAccountId, book), l.creditAccount), c(fmtAmount(l.amount, tk)), c(l.epoch === null ? "–" : String(l.epoch)), c(`${l.evidence.blockNumber} · ${shortId(l.evidence.txHash)}`, `tx ${l.evidence.txHash}, log ${l.evidence.logIndex}`)]);
  }
  const sections: Section[] = [
    { id: "entries", title: "Entries by day", intro: "Every entry posted in the period, numbered from 1 since deployment. SLA credits are debited to contra-revenue.", groups: [...groups.entries()].map(([day, rows]) => ({ id: `day-${day}`, title: day, blocks: [{ type: "table" as const, table: { columns: lineCols, rows } }] })) },
    { id: "trial-balance", title: "Trial balance", groups: [{ id: "trial-balance-all", title: `As of block ${r.manifest.toBlock}`, blocks: [{ type: "table", table: { columns: tbCols, rows: tbRows } }] }] },
  ];
  return { subject: [...new Set(r.lines.map((l) => l.networkId))].map((n) => book.network(n)), figures, chart: summaryChart(r), summary, sections };
}

/**
 * The human document of `report`.
 * @param json the report's JSON text when already rendered (its SHA-256 is printed)
 */
export function reportDocument(report: Report, json?: string): ReportDocument {
  const book = new LabelBook(report);
  const body =
    report.kind === "uptime"
      ? uptimeDoc(report, book)
      : report.kind === "spend"
        ? spendDoc(report, book)
        : report.kind === "economics"
          ? economicsDoc(report, book)
          : journalDoc(report, book);
  const sha = reportSha256(report, json);
  const one = report.kind === "spend" && report.parameters.customer;
  return {
    kind: report.kind,
    title: one ? `Statement of account${book.name(report.parameters.customer!) ? `: ${book.name(report.parameters.customer!)}` : ""}` : TITLES[report.kind],
    period: period(report),
    ...body,
    evidence: evidenceRows(report, sha),
    sha256: sha,
    jsonName: `${report.kind}.json`,
    verifyCommand: `workledger verify ${report.kind}.pdf --rpc <URL of chain ${report.manifest.chainId}>`,
  };
}

/** Amounts note: which token and how many decimals the human formats show. */
export function amountsNote(report: Report): string {
  if (report.tokens.length === 0) return "Amounts in the token's smallest unit.";
  return `Amounts in ${report.tokens.map((t) => `${t.symbol} with its ${t.decimals} decimals`).join(", ")}; dates in UTC; percentages with two decimals.`;
}
