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
}

/** Options that shape a report; kept in the report so that a verifier rebuilds the same one. */
export interface ReportParameters {
  networkId: number | null; // only this network (null: every network)
  customer: string | null; // spend: only this customer (checksummed)
  fromEpoch: number | null; // uptime/economics: only epochs >= this
  toEpoch: number | null; // uptime/economics: only epochs <= this
  slaBps: number; // uptime: SLA target in bps (a line below it is a breach)
  creditTiers: CreditTier[]; // uptime: sorted by belowBps descending
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
  totals: T;
  lines: L[];
}

/* ------------------------------------------------------------------ spend */

export type SpendLineKind = "deposit" | "charge" | "post" | "void" | "withdraw" | "refund";

export interface SpendLine {
  customer: string;
  networkId: number;
  token: string;
  epoch: number | null;
  kind: SpendLineKind;
  amount: string; // post lines: the whole amount that left held (ChargePosted.amount + fee)
  reference: string | null; // usage reference of the charge (charge/post/void/refund); null otherwise
  chargeId: string | null;
  status: "held" | "posted" | "voided" | null; // charge lines: the charge's status at toBlock
  fee: string | null; // post lines: the protocol fee taken out of the posted amount
  counterparty: string | null; // deposit: who sent; withdraw: who received
  reasonHash: string | null; // refund lines
  timestamp: string | null; // ISO UTC time of the block
  evidence: Evidence;
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
}

export interface CustomerSpend extends SpendFigures {
  customer: string;
  token: string;
}

export interface Runway {
  customer: string;
  networkId: number;
  token: string;
  free: string; // closing free balance on that network
  epochsCharged: number; // distinct epochs charged in the period
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

export interface UptimeLine {
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
  evidence: Evidence;
}

export interface IncidentWindow {
  networkId: number;
  nodeId: string;
  fromEpoch: number;
  toEpoch: number;
  epochs: number;
  start: string; // ISO UTC start of fromEpoch
  end: string; // ISO UTC end (exclusive) of toEpoch
  worstUptimeBps: number;
  settled: boolean; // every epoch of the window is Final
}

export interface NetworkUptime {
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

export interface EconomicsLine {
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
  postedRevenue: string; // charges posted for this network and epoch, net of the protocol fee (Σ ChargePosted.amount)
  refunded: string; // refunds against those charges
  settledRevenue: string; // postedRevenue − refunded
  revenueBackedBps: number | null;
  root: string;
  evidence: Evidence;
}

export interface NetworkEconomics {
  networkId: number;
  epochs: number;
  totalWorkUnits: string;
  totalRevenue: string;
  settledRevenue: string;
  revenueBackedBps: number | null;
}

export interface EconomicsTotals {
  epochs: number;
  totalWorkUnits: string;
  totalRevenue: string;
  settledRevenue: string;
  revenueBackedBps: number | null;
  networks: NetworkEconomics[];
}

export type EconomicsReport = ReportBase<"economics", EconomicsTotals, EconomicsLine>;

/* ---------------------------------------------------------------- journal */

export type EntryKind =
  | "deposit"
  | "withdraw"
  | "charge"
  | "post"
  | "fee"
  | "void"
  | "refund"
  | "payout"
  | "claim"
  | "fee-withdraw"
  | "other";

export interface JournalLine {
  entryId: number;
  networkId: number;
  token: string;
  debitAccount: string;
  creditAccount: string;
  amount: string;
  epoch: number | null;
  reference: string;
  entryKind: EntryKind;
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
