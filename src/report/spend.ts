/**
 * Spend statement (enterprise customer): one line per escrow movement, opening and closing free and
 * held balances per customer, the two identities of DESIGN.md, and runway. A billing statement gives
 * one `charge` line (epoch null; the statement, its usage leaves with proofs, reference text and cap)
 * and one `post` line per covered epoch with usage (DESIGN rule 2); held and voided stay 0 for
 * statements. closingThawing is the part of closingFree asked for withdrawal (rule 6).
 */
import { ReportOptions, eventsUpTo, makeManifest, resolveParameters, tokenList } from "./common";
import type { ReportInput } from "./input";
import { LabelUse } from "./labels";
import { blockTime } from "./state";
import { big, evidenceOf, num, replay, str } from "./state";
import { settleInputStatements } from "./statements";
import type { CustomerSpend, Runway, SpendFigures, SpendLine, SpendLineKind, SpendReport } from "./types";

const SECONDS_PER_DAY = 86_400n;

interface Acc {
  openingFree: bigint;
  openingHeld: bigint;
  deposited: bigint;
  withdrawn: bigint;
  charged: bigint;
  voided: bigint;
  posted: bigint;
  refunded: bigint;
  /** Escrow asked for withdrawal and not yet gone, at the end (part of closingFree). */
  thawing: bigint;
}

function zero(): Acc {
  return { openingFree: 0n, openingHeld: 0n, deposited: 0n, withdrawn: 0n, charged: 0n, voided: 0n, posted: 0n, refunded: 0n, thawing: 0n };
}

/** closingFree and closingHeld by the identities. */
export function closing(a: Acc): { closingFree: bigint; closingHeld: bigint } {
  return {
    closingFree: a.openingFree + a.deposited + a.voided + a.refunded - a.withdrawn - a.charged,
    closingHeld: a.openingHeld + a.charged - a.voided - a.posted,
  };
}

function figures(a: Acc): SpendFigures {
  const c = closing(a);
  return {
    openingFree: a.openingFree.toString(),
    openingHeld: a.openingHeld.toString(),
    deposited: a.deposited.toString(),
    withdrawn: a.withdrawn.toString(),
    charged: a.charged.toString(),
    voided: a.voided.toString(),
    posted: a.posted.toString(),
    refunded: a.refunded.toString(),
    closingFree: c.closingFree.toString(),
    closingHeld: c.closingHeld.toString(),
    closingThawing: a.thawing.toString(),
  };
}

/** Applies one movement to an accumulator, into the opening or the period figures. */
function apply(acc: Acc, kind: SpendLineKind, amount: bigint, opening: boolean): void {
  if (opening) {
    switch (kind) {
      case "deposit":
      case "void":
      case "refund":
        acc.openingFree += amount;
        if (kind === "void") acc.openingHeld -= amount;
        break;
      case "withdraw":
        acc.openingFree -= amount;
        break;
      case "charge":
        acc.openingFree -= amount;
        acc.openingHeld += amount;
        break;
      case "post":
        acc.openingHeld -= amount;
        break;
    }
    return;
  }
  switch (kind) {
    case "deposit":
      acc.deposited += amount;
      break;
    case "withdraw":
      acc.withdrawn += amount;
      break;
    case "charge":
      acc.charged += amount;
      break;
    case "post":
      acc.posted += amount;
      break;
    case "void":
      acc.voided += amount;
      break;
    case "refund":
      acc.refunded += amount;
      break;
  }
}

/** The line with its fields in the one order every report uses (the JSON is compared byte for byte). */
function reorder(l: SpendLine): SpendLine {
  const { customer, networkId, token, epoch, kind, amount, reference, chargeId, status, fee, counterparty, reasonHash, timestamp, evidence, ...rest } = l;
  return { customer, networkId, token, epoch, kind, amount, reference, chargeId, status, fee, counterparty, reasonHash, timestamp, evidence, ...rest };
}

/** `value / 100` as a decimal string with two (truncated) decimals. */
function hundredths(value: bigint): string {
  const s = value.toString().padStart(3, "0");
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/**
 * Builds the spend statement over `input`'s block range.
 * @param input events and state reads (see {@link ReportInput})
 * @param options `customer` narrows it to one customer, `networkId` to one network
 * @returns the report; `totals` and every `totals.byCustomer` row satisfy
 *   closingFree = openingFree + deposited + voided + refunded − withdrawn − charged and
 *   closingHeld = openingHeld + charged − voided − posted
 * @example
 * const report = buildSpendReport(input, { customer: "0xabc…" });
 */
export function buildSpendReport(input: ReportInput, options: ReportOptions = {}): SpendReport {
  const parameters = resolveParameters(options);
  const labels = new LabelUse(options.labels);
  const events = eventsUpTo(input.events, input.toBlock);
  const state = replay(events);
  const settled = settleInputStatements(input, state);
  const tokenOf = (networkId: number): string => state.networks.get(networkId)?.token ?? "0x0000000000000000000000000000000000000000";

  const total = zero();
  const byCustomer = new Map<string, Acc>(); // key customer|token
  const byCustomerNetwork = new Map<string, { acc: Acc; epochs: Set<number>; escrow: bigint; thawing: bigint }>(); // key customer|networkId
  const lines: SpendLine[] = [];

  for (const e of events) {
    if (e.contract !== "RevenueLedger") continue;
    if (e.name !== "Deposited" && e.name !== "Withdrawn" && e.name !== "StatementCharged" && e.name !== "Refunded" && e.name !== "WithdrawalRequested") continue;
    const networkId = num(e, "networkId");
    const customer = str(e, "customer");
    const nk = `${customer}|${networkId}`;
    let cn = byCustomerNetwork.get(nk);
    if (!cn) byCustomerNetwork.set(nk, (cn = { acc: zero(), epochs: new Set(), escrow: 0n, thawing: 0n }));
    // The thawing part of the escrow (rule 6), as the contract keeps it: a request sets it, a
    // charge takes the non-thawing part first (thawing shrinks to what is left), withdraw ends it.
    if (e.name === "WithdrawalRequested") {
      cn.thawing = big(e, "amount");
      continue;
    }
    const amount = big(e, "amount");
    if (e.name === "Deposited" || e.name === "Refunded") cn.escrow += amount;
    else {
      cn.escrow -= amount;
      cn.thawing = e.name === "Withdrawn" ? 0n : cn.thawing < cn.escrow ? cn.thawing : cn.escrow;
    }
    if (parameters.networkId !== null && networkId !== parameters.networkId) continue;
    if (parameters.customer !== null && customer !== parameters.customer) continue;
    const token = tokenOf(networkId);
    const opening = e.blockNumber < input.fromBlock;
    const ck = `${customer}|${token}`;
    let acc = byCustomer.get(ck);
    if (!acc) byCustomer.set(ck, (acc = zero()));
    const move = (kind: SpendLineKind, value: bigint) => {
      apply(total, kind, value, opening);
      apply(acc, kind, value, opening);
      apply((cn as { acc: Acc }).acc, kind, value, opening);
    };
    const base = { customer, networkId, token, timestamp: blockTime(input, e.blockNumber), evidence: evidenceOf(e) };

    if (e.name === "Deposited" || e.name === "Withdrawn") {
      const kind: SpendLineKind = e.name === "Deposited" ? "deposit" : "withdraw";
      move(kind, amount);
      if (opening) continue;
      const line: SpendLine = { ...base, epoch: null, kind, amount: amount.toString(), reference: null, chargeId: null, status: null, fee: null, counterparty: str(e, kind === "deposit" ? "from" : "to"), reasonHash: null };
      lines.push(labels.tag(reorder(line), customer));
      continue;
    }
    const chargeId = str(e, "chargeId");
    if (e.name === "Refunded") {
      move("refund", amount);
      if (opening) continue;
      const line = { ...base, epoch: num(e, "epoch"), kind: "refund", amount: amount.toString(), reference: state.statements.get(chargeId)?.referenceText || null, chargeId, status: null, fee: null, counterparty: null, reasonHash: str(e, "reasonHash") } as SpendLine;
      lines.push(labels.tag(reorder(line), customer));
      continue;
    }
    // StatementCharged: one charge line, then one post line per covered epoch with usage.
    const s = settled.get(chargeId);
    if (!s) continue;
    const st = s.statement;
    move("charge", amount);
    for (const p of s.posts) move("post", p.amount);
    if (opening) continue;
    for (let x = st.fromEpoch; x <= st.toEpoch; x++) cn.epochs.add(x);
    const text = st.referenceText === "" ? null : st.referenceText;
    const charge = {
      ...base,
      epoch: null,
      kind: "charge",
      amount: amount.toString(),
      reference: text,
      chargeId,
      status: "posted",
      fee: st.fee.toString(),
      counterparty: null,
      reasonHash: null,
      referenceText: text,
      statement: { networkId, customer, fromEpoch: st.fromEpoch, toEpoch: st.toEpoch, amount: st.amount.toString(), usageHash: st.usageHash, signers: st.signers },
      usage: s.proven
        ? s.posts.map((p) => ({ leaf: { customer: p.leaf!.customer, epoch: Number(p.leaf!.epoch), workUnits: p.leaf!.workUnits.toString(), amount: p.leaf!.amount.toString(), ref: p.leaf!.ref }, usageRoot: p.usageRoot!, proof: p.proof }))
        : [],
      usageProven: s.proven,
      epochsCovered: { from: st.fromEpoch, to: st.toEpoch },
      capPerEpoch: st.capPerEpoch.toString(),
    } as SpendLine;
    lines.push(labels.tag(reorder(charge), customer));
    for (const p of s.posts) {
      if (p.leaf) labels.of(p.leaf.ref);
      const post = { ...base, epoch: p.epoch, kind: "post", amount: p.amount.toString(), reference: p.leaf ? p.leaf.ref : text, chargeId, status: null, fee: p.fee.toString(), counterparty: null, reasonHash: null } as SpendLine;
      lines.push(labels.tag(reorder(post), customer));
    }
  }
  for (const [k, cn] of byCustomerNetwork) {
    const [customer, nid] = k.split("|");
    const networkId = Number(nid);
    if (parameters.networkId !== null && networkId !== parameters.networkId) continue;
    if (parameters.customer !== null && customer !== parameters.customer) continue;
    const acc = byCustomer.get(`${customer}|${tokenOf(networkId)}`);
    if (!acc) continue;
    cn.acc.thawing = cn.thawing;
    acc.thawing += cn.thawing;
    total.thawing += cn.thawing;
  }

  const customerRows: CustomerSpend[] = [...byCustomer.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, acc]) => {
      const [customer, token] = k.split("|");
      return labels.tag({ customer, token, ...figures(acc) }, customer);
    });

  const runway: Runway[] = [...byCustomerNetwork.entries()]
    .filter(([k]) => byCustomer.has(`${k.split("|")[0]}|${tokenOf(Number(k.split("|")[1]))}`))
    .filter(([k]) => (parameters.networkId === null || Number(k.split("|")[1]) === parameters.networkId) && (parameters.customer === null || k.split("|")[0] === parameters.customer))
    .map(([k, v]) => {
      const [customer, nid] = k.split("|");
      const networkId = Number(nid);
      const free = closing(v.acc).closingFree;
      const n = v.epochs.size;
      const avg = n > 0 ? v.acc.charged / BigInt(n) : 0n;
      const epochSeconds = BigInt(state.networks.get(networkId)?.epochSeconds ?? 0);
      return labels.tag({
        customer,
        networkId,
        token: tokenOf(networkId),
        free: free.toString(),
        thawing: v.thawing.toString(),
        epochsCharged: n,
        averageChargePerEpoch: n > 0 ? avg.toString() : null,
        epochs: avg > 0n ? hundredths((free * 100n) / avg) : null,
        days: avg > 0n ? hundredths((free * 100n * epochSeconds) / (avg * SECONDS_PER_DAY)) : null,
      }, customer);
    })
    .sort((a, b) => (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : a.networkId - b.networkId));

  const tokens = new Set<string>(customerRows.map((r) => r.token));
  for (const n of new Set(lines.map((l) => l.networkId))) labels.of(n);
  const used = labels.list();
  return {
    kind: "spend",
    manifest: makeManifest(input, options.generatedAt),
    parameters,
    tokens: tokenList(input, tokens),
    ...(used ? { labels: used } : {}),
    totals: { ...figures(total), byCustomer: customerRows, runway },
    lines,
  };
}
