/**
 * Report JSON shapes (DESIGN.md "Report JSON", **fixed** fields plus additions). Integers that can
 * exceed 2^53 (amounts, work units, revenue) are decimal strings; the small counters DESIGN.md lists
 * (chainId, blocks, logIndex, networkId, epoch, version, recordCount, activeNodes, *Bps, entryId)
 * are JSON numbers. Hashes and node ids are lowercase 0x-hex, addresses checksummed.
 */

export type ReportKind = "spend" | "uptime" | "economics" | "journal";

/** Where a figure comes from on chain: the log that carries it. */
export interface Evidence {
  txHash: string;
  blockNumber: number;
  logIndex: number;
}

/** The chain, contracts and block range a report was derived from. */
export interface ReportManifest {
  chainId: number;
  ledger: string; // WorkLedger address
  revenueLedger: string;
  fromBlock: number;
  toBlock: number;
  toBlockHash: string;
  generatedAt: string; // ISO-8601 UTC; the only field that differs between two runs over a range
  tool: string; // "workledger@x.y.z"
  fromTime: string | null; // ISO-8601 UTC timestamp of fromBlock (null when not read)
  toTime: string; // ISO-8601 UTC timestamp of toBlock
  /** Uptime reports: the SLA terms applied (checked by verify). */
  sla?: SlaTerms;
}

/** The SLA terms an uptime report applies: target and credit tiers. */
export interface SlaTerms {
  slaBps: number;
  creditTiers: CreditTier[]; // sorted by belowBps descending
}

/** A name and group (e.g. region) given to an id by a labels file (`--labels`, CSV id,name,group).
 * Never checked by verify: names are the reader's own. */
export interface LabelJson {
  id: string; // node id / reference (0x + 64 hex, lowercase), customer (checksummed address) or network id (decimal)
  name: string;
  group: string | null;
}

/** Options that shape a report; kept in the report so that a verifier rebuilds the same one. */
export interface ReportParameters {
  networkId: number | null; // only this network (null: every network)
  customer: string | null; // spend: only this customer (checksummed)
  fromEpoch: number | null; // uptime/economics: only epochs >= this
  toEpoch: number | null; // uptime/economics: only epochs <= this
  fromDate: string | null; // the period as asked by date (ISO-8601 UTC), resolved to fromBlock
  toDate: string | null; // ... and to toBlock (exclusive end: the last block before it)
}

/** Below `belowBps` of uptime, `creditBps` of the epoch's charge is credited. */
export interface CreditTier {
  belowBps: number;
  creditBps: number;
}

export type EpochStatusName = "pending" | "challenged" | "final" | "voided";

/** Token metadata read at toBlock (for human formats). */
export interface TokenInfo {
  address: string;
  symbol: string;
  decimals: number;
}

interface ReportBase<K extends ReportKind, T, L> {
  kind: K;
  manifest: ReportManifest;
  parameters: ReportParameters;
  tokens: TokenInfo[];
  /** Names of the ids this report mentions, from `--labels` (absent without labels). */
  labels?: LabelJson[];
  totals: T;
  lines: L[];
}

/** Label-derived fields a line or total row may carry (ignored by verify). */
export interface Named {
  name?: string;
  group?: string | null;
}

/* ------------------------------------------------------------------ spend */

export type SpendLineKind = "deposit" | "charge" | "post" | "void" | "withdraw" | "refund";

/** The verifier-signed billing statement behind a charge line (StatementCharged). */
export interface StatementJson {
  networkId: number;
  customer: string;
  fromEpoch: number;
  toEpoch: number;
  amount: string;
  usageHash: string;
  signers: string[];
}

/** One usage leaf of a statement, with its proof against the epoch's usage root. */
export interface UsageProofJson {
  leaf: { customer: string; epoch: number; workUnits: string; amount: string; ref: string };
  usageRoot: string;
  proof: string[];
}

export interface SpendLine extends Named {
  customer: string;
  networkId: number;
  token: string;
  epoch: number | null;
  kind: SpendLineKind;
  amount: string; // charge: the statement's amount; post: that epoch's usage leaf (gross, fee included)
  reference: string | null; // charge/refund: the statement's reference text; post: the usage leaf's ref; null otherwise
  chargeId: string | null;
  status: "held" | "posted" | "voided" | null; // charge lines: "posted" (a statement charges and posts at once)
  fee: string | null; // charge: the statement's fee entry; post: that epoch's settledFee share (rule 2)
  counterparty: string | null; // deposit: who sent; withdraw: who received
  reasonHash: string | null; // refund lines
  timestamp: string | null; // ISO UTC time of the block
  evidence: Evidence;
  /* charge lines only: */
  referenceText?: string | null; // the reference as charged, when the charge carried text (else null)
  statement?: StatementJson | null; // the billing statement charged (null: a per-epoch charge)
  usage?: UsageProofJson[]; // one per covered epoch with usage
  epochsCovered?: { from: number; to: number };
  capPerEpoch?: string | null; // the cap the charge ran under (null: no cap on chain)
  /** The usage leaves at hand hash to usageHash and add up to the amount; false: the amount is posted
   * on toEpoch in one line and `usage` is empty (bundles were missing). */
  usageProven?: boolean;
}

export interface SpendFigures {
  openingFree: string;
  openingHeld: string;
  deposited: string;
  withdrawn: string;
  charged: string;
  voided: string;
  posted: string;
  refunded: string;
  closingFree: string;
  closingHeld: string;
  closingThawing: string; // part of closingFree asked for withdrawal and not yet gone (rule 6)
}

export interface CustomerSpend extends SpendFigures, Named {
  customer: string;
  token: string;
}

export interface Runway extends Named {
  customer: string;
  networkId: number;
  token: string;
  free: string; // closing free balance on that network (the escrow, thawing part included)
  thawing: string; // the thawing part of `free`
  epochsCharged: number; // distinct epochs covered by statements charged in the period
  averageChargePerEpoch: string | null; // floor(charged / epochsCharged); null when nothing was charged
  epochs: string | null; // free / average, 2 decimals (truncated); null when nothing was charged
  days: string | null; // epochs × epochSeconds / 86400, 2 decimals (truncated)
}

export interface SpendTotals extends SpendFigures {
  byCustomer: CustomerSpend[];
  runway: Runway[];
}

export type SpendReport = ReportBase<"spend", SpendTotals, SpendLine>;

/* ----------------------------------------------------------------- uptime */

export interface RecordJson {
  nodeId: string;
  epoch: number;
  workUnits: string;
  uptimeBps: number;
  revenue: string;
  evidence: string;
}

export interface UptimeLine extends Named {
  networkId: number;
  nodeId: string;
  epoch: number;
  version: number;
  status: EpochStatusName;
  uptimeBps: number;
  slaBps: number;
  breach: boolean;
  creditBps: number;
  record: RecordJson;
  root: string;
  proof: string[];
  timestamp: string | null; // ISO UTC time of the commit's block
  evidence: Evidence; // the EpochCommitted log of that version
}

export interface EpochRef {
  networkId: number;
  epoch: number;
  version: number;
  root: string;
  recordCount: number;
  status: EpochStatusName;
  startTime: string; // ISO UTC
  endTime: string;
  timestamp: string | null; // ISO UTC time of the commit's block
  evidence: Evidence;
}

export interface IncidentWindow extends Named {
  networkId: number;
  nodeId: string;
  fromEpoch: number;
  toEpoch: number;
  epochs: number;
  start: string; // ISO UTC start of fromEpoch
  end: string; // ISO UTC end (exclusive) of toEpoch
  worstUptimeBps: number;
  creditBps: number; // the credit tier of the worst epoch (the deepest credit of the window)
  settled: boolean; // every epoch of the window is Final
  pendingEpochs: number[]; // epochs of the window not yet Final (Pending or Challenged)
}

export interface NetworkUptime extends Named {
  networkId: number;
  epochs: number; // epochs in the report (any status)
  finalEpochs: number;
  records: number; // lines of non-voided epochs
  uptimeBps: number | null; // floor(mean uptimeBps) over lines of non-voided epochs
  settledUptimeBps: number | null; // same over Final epochs only
  breaches: number; // breached lines of non-voided epochs
  incidents: IncidentWindow[];
}

export interface UptimeTotals {
  epochs: EpochRef[];
  networks: NetworkUptime[];
  lines: number;
  breaches: number;
}

export type UptimeReport = ReportBase<"uptime", UptimeTotals, UptimeLine>;

/* -------------------------------------------------------------- economics */

export interface EconomicsLine extends Named {
  networkId: number;
  epoch: number;
  version: number;
  status: EpochStatusName;
  recordCount: number;
  activeNodes: number;
  totalWorkUnits: string;
  totalRevenue: string;
  revenuePerActiveNode: string | null; // null when activeNodes is 0
  capacityPerNode: string;
  utilizationBps: number | null;
  topNodes: number; // ceil(10% of records), at least 1 when there are records
  topNodesRevenue: string | null; // null only when the records were not available (verification without bundles)
  concentrationBps: number | null; // floor(10000 × topNodesRevenue / totalRevenue)
  postedRevenue: string; // statements' usage leaves posted for this network and epoch, gross (fee included)
  refunded: string; // refunds against those charges
  settledRevenue: string; // gross: postedRevenue − refunded
  settledFee: string; // rule 2: Σ floor(post × feeBps / 10000), the rounding remainder on a statement's last epoch with usage
  settledNet: string; // settledRevenue − settledFee: what the network's nodes can be paid from
  revenueBackedBps: number | null;
  /** false when a statement covering this epoch could not be split by its usage leaves (no bundles):
   * its whole amount then sits on its toEpoch. */
  settlementProven: boolean;
  bondsForfeited: string; // bonds forfeited on this epoch (revenue for rule 7)
  payoutAllocated: string | null; // rule 7: Σ over nodes of this epoch's term in the latest payout root (null: records not at hand)
  payoutClaimed: string | null; // claims allocated to the nodes' epochs oldest first
  payoutPayable: string | null; // payoutAllocated − payoutClaimed
  startTime: string; // ISO UTC start of the epoch
  endTime: string; // ISO UTC end (exclusive)
  root: string;
  timestamp: string | null; // ISO UTC time of the commit's block
  evidence: Evidence;
}

export interface EconomicsFigures {
  epochs: number;
  totalWorkUnits: string;
  totalRevenue: string;
  postedRevenue: string;
  refunded: string;
  settledRevenue: string;
  settledFee: string;
  settledNet: string;
  revenueBackedBps: number | null;
  payoutAllocated: string | null;
  payoutClaimed: string | null;
  payoutPayable: string | null;
}

export interface NetworkEconomics extends EconomicsFigures, Named {
  networkId: number;
}

export interface EconomicsTotals extends EconomicsFigures {
  networks: NetworkEconomics[];
}

export type EconomicsReport = ReportBase<"economics", EconomicsTotals, EconomicsLine>;

/* ---------------------------------------------------------------- journal */

export type EntryKind =
  | "deposit"
  | "withdraw"
  | "charge" // a statement's net: escrow -> revenue
  | "post" // (retired held charges)
  | "fee" // a statement's protocol fee: escrow -> fee
  | "void" // (retired held charges)
  | "refund"
  | "payout"
  | "claim"
  | "fee-withdraw"
  | "bond" // a challenger's bond locked (tokens in)
  | "bond-return" // a bond paid back to its challenger (returned or withdrawn)
  | "bond-forfeit" // a rejected challenge's bond, to the network's revenue
  | "other";

export interface JournalLine extends Named {
  entryId: number;
  networkId: number;
  token: string;
  debitAccount: string;
  creditAccount: string;
  amount: string;
  epoch: number | null;
  reference: string;
  entryKind: EntryKind;
  referenceText: string | null; // the statement's reference text when `reference` is its chargeId
  contraRevenue: boolean; // an SLA credit: a debit to revenue shown as contra-revenue
  debitAccountId: string; // the packed on-chain account ids
  creditAccountId: string;
  timestamp: string | null; // ISO UTC time of the block
  evidence: Evidence;
}

export interface TrialBalanceRow {
  account: string;
  token: string;
  debit: string;
  credit: string;
  balance: string; // debit − credit, signed decimal
}

export interface JournalTotals {
  entries: number;
  debits: string;
  credits: string;
  trialBalance: TrialBalanceRow[];
  heldByContract: Record<string, string>;
  ledgerAssets: Record<string, string>;
  contraRevenue: Record<string, string>; // SLA credits per token in the period
}

export type JournalReport = ReportBase<"journal", JournalTotals, JournalLine>;

export type Report = SpendReport | UptimeReport | EconomicsReport | JournalReport;
