/**
 * Spend statement (enterprise customer): one line per escrow movement, opening and closing free and
 * held balances per customer, the two identities of DESIGN.md, and runway.
 */
import { ReportOptions, eventsUpTo, makeManifest, resolveParameters, tokenList } from "./common";
import type { ReportInput } from "./input";
import { LabelUse } from "./labels";
import { blockTime } from "./state";
import { big, evidenceOf, num, replay, str } from "./state";
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
}

function zero(): Acc {
  return { openingFree: 0n, openingHeld: 0n, deposited: 0n, withdrawn: 0n, charged: 0n, voided: 0n, posted: 0n, refunded: 0n };
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
  };
}

const SPEND_EVENTS: Record<string, SpendLineKind> = {
  Deposited: "deposit",
  Withdrawn: "withdraw",
  Charged: "charge",
  ChargePosted: "post",
  ChargeVoided: "void",
  Refunded: "refund",
};

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
  const tokenOf = (networkId: number): string => state.networks.get(networkId)?.token ?? "0x0000000000000000000000000000000000000000";

  const total = zero();
  const byCustomer = new Map<string, Acc>(); // key customer|token
  const byCustomerNetwork = new Map<string, { acc: Acc; epochs: Set<number> }>(); // key customer|networkId
  const lines: SpendLine[] = [];

  for (const e of events) {
    if (e.contract !== "RevenueLedger") continue;
    const kind = SPEND_EVENTS[e.name];
    if (!kind) continue;
    const networkId = num(e, "networkId");
    const customer = str(e, "customer");
    if (parameters.networkId !== null && networkId !== parameters.networkId) continue;
    if (parameters.customer !== null && customer !== parameters.customer) continue;
    // ChargePosted carries the net amount and the fee separately; held falls by both.
    const amount = kind === "post" ? big(e, "amount") + big(e, "fee") : big(e, "amount");
    const token = tokenOf(networkId);
    const opening = e.blockNumber < input.fromBlock;

    const ck = `${customer}|${token}`;
    let acc = byCustomer.get(ck);
    if (!acc) byCustomer.set(ck, (acc = zero()));
    const nk = `${customer}|${networkId}`;
    let cn = byCustomerNetwork.get(nk);
    if (!cn) byCustomerNetwork.set(nk, (cn = { acc: zero(), epochs: new Set() }));
    apply(total, kind, amount, opening);
    apply(acc, kind, amount, opening);
    apply(cn.acc, kind, amount, opening);
    if (opening) continue;

    const chargeId = kind === "deposit" || kind === "withdraw" ? null : str(e, "chargeId");
    const charge = chargeId ? state.charges.get(chargeId) : undefined;
    const epoch = chargeId ? num(e, "epoch") : null;
    if (kind === "charge" && epoch !== null) cn.epochs.add(epoch);
    if (charge) labels.of(charge.ref);
    const line: SpendLine = {
      customer,
      networkId,
      token,
      epoch,
      kind,
      amount: amount.toString(),
      reference: charge ? charge.ref : null,
      chargeId,
      status: kind === "charge" && charge ? charge.status : null,
      fee: kind === "post" ? big(e, "fee").toString() : null,
      counterparty: kind === "deposit" ? str(e, "from") : kind === "withdraw" ? str(e, "to") : null,
      reasonHash: kind === "refund" ? str(e, "reasonHash") : null,
      timestamp: blockTime(input, e.blockNumber),
      evidence: evidenceOf(e),
    };
    if (kind === "charge") {
      // Per-epoch charges: the reference is a bytes32 on chain (no text), no statement, no cap.
      line.referenceText = null;
      line.statement = null;
      line.usage = [];
      line.epochsCovered = { from: epoch as number, to: epoch as number };
      line.capPerEpoch = null;
    }
    lines.push(labels.tag(line, customer));
  }

  const customerRows: CustomerSpend[] = [...byCustomer.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, acc]) => {
      const [customer, token] = k.split("|");
      return labels.tag({ customer, token, ...figures(acc) }, customer);
    });

  const runway: Runway[] = [...byCustomerNetwork.entries()]
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
