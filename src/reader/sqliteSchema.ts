/**
 * The SQLite schema of the reader: raw events, bookkeeping (checkpoint, block hashes, undo log) and
 * the derived tables a report or a person can query directly.
 *
 * Conventions of the derived tables:
 * - every row carries the position of the event that created it (`block_number`, `log_index`,
 *   `tx_hash`); a rollback deletes the rows created above the fork block;
 * - a row that a later event changes is saved to `undo_log` (as JSON, exactly) before the change, so
 *   a rollback restores it;
 * - token amounts, work units and revenue are decimal strings (they exceed SQLite's 64-bit integers);
 *   ids, epochs, versions and times are integers; the RevenueLedger's NO_EPOCH is stored as NULL;
 * - hashes and node ids are lowercase 0x-hex, addresses checksummed (as in ChainEvent).
 */

export interface TableDef {
  name: string;
  columns: [name: string, type: string][];
  primaryKey: string[];
  /** Extra SQL after the column list (e.g. indexes are separate). */
  indexes?: string[];
  /** True for derived tables (created and rolled back by events). */
  derived: boolean;
  /** WITHOUT ROWID (clustered by the primary key). */
  withoutRowid?: boolean;
}

const POS: [string, string][] = [
  ["block_number", "INTEGER NOT NULL"],
  ["log_index", "INTEGER NOT NULL"],
  ["tx_hash", "TEXT NOT NULL"],
];

export const TABLES: TableDef[] = [
  {
    name: "meta",
    columns: [
      ["key", "TEXT NOT NULL"],
      ["value", "TEXT NOT NULL"],
    ],
    primaryKey: ["key"],
    derived: false,
  },
  {
    name: "sync_state",
    columns: [
      ["id", "INTEGER NOT NULL CHECK (id = 1)"],
      ["block_number", "INTEGER NOT NULL"],
      ["block_hash", "TEXT NOT NULL"],
    ],
    primaryKey: ["id"],
    derived: false,
  },
  {
    name: "blocks",
    columns: [
      ["block_number", "INTEGER NOT NULL"],
      ["block_hash", "TEXT NOT NULL"],
    ],
    primaryKey: ["block_number"],
    derived: false,
  },
  {
    name: "events",
    columns: [
      ["block_number", "INTEGER NOT NULL"],
      ["log_index", "INTEGER NOT NULL"],
      ["block_hash", "TEXT NOT NULL"],
      ["tx_hash", "TEXT NOT NULL"],
      ["contract", "TEXT NOT NULL"],
      ["address", "TEXT NOT NULL"],
      ["name", "TEXT NOT NULL"],
      ["args", "TEXT NOT NULL"],
    ],
    primaryKey: ["block_number", "log_index"],
    indexes: ["CREATE UNIQUE INDEX IF NOT EXISTS events_tx ON events(tx_hash, log_index)"],
    derived: false,
    withoutRowid: true,
  },
  {
    name: "undo_log",
    columns: [
      ["seq", "INTEGER NOT NULL"],
      ["block_number", "INTEGER NOT NULL"],
      ["tbl", "TEXT NOT NULL"],
      ["old", "TEXT NOT NULL"],
    ],
    primaryKey: ["seq"],
    indexes: ["CREATE INDEX IF NOT EXISTS undo_log_block ON undo_log(block_number)"],
    derived: false,
  },
  // ----------------------------------------------------------------- WorkLedger
  {
    name: "networks",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["admin", "TEXT NOT NULL"],
      ["token", "TEXT NOT NULL"],
      ["name", "TEXT NOT NULL"],
      ["work_unit", "TEXT NOT NULL"],
      ["genesis_time", "INTEGER"],
      ["epoch_seconds", "INTEGER"],
      ["challenge_window", "INTEGER"],
      ["capacity_per_node", "TEXT NOT NULL"],
      ["verifier_set_id", "INTEGER"],
      ["threshold", "INTEGER"],
      ["verifier_count", "INTEGER"],
      ["paused", "INTEGER NOT NULL"],
      ...POS,
    ],
    primaryKey: ["network_id"],
    derived: true,
  },
  {
    name: "verifier_sets",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["verifier_set_id", "INTEGER NOT NULL"],
      ["threshold", "INTEGER NOT NULL"],
      ["verifiers", "TEXT NOT NULL"], // JSON array of addresses
      ...POS,
    ],
    primaryKey: ["network_id", "verifier_set_id"],
    derived: true,
  },
  {
    name: "verifiers",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["verifier_set_id", "INTEGER NOT NULL"],
      ["verifier", "TEXT NOT NULL"],
      ["position", "INTEGER NOT NULL"],
      ...POS,
    ],
    primaryKey: ["network_id", "verifier_set_id", "verifier"],
    indexes: ["CREATE INDEX IF NOT EXISTS verifiers_address ON verifiers(verifier)"],
    derived: true,
  },
  {
    name: "nodes",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["node_id", "TEXT NOT NULL"],
      ["operator", "TEXT NOT NULL"],
      ["active", "INTEGER NOT NULL"],
      ["registered_block", "INTEGER NOT NULL"],
      ["deactivated_block", "INTEGER"],
      ...POS,
    ],
    primaryKey: ["network_id", "node_id"],
    indexes: ["CREATE INDEX IF NOT EXISTS nodes_operator ON nodes(operator)"],
    derived: true,
  },
  {
    name: "node_status",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["node_id", "TEXT NOT NULL"],
      ["status", "TEXT NOT NULL"], // registered | deactivated
      ["account", "TEXT NOT NULL"], // the operator (registered) or the caller (deactivated)
      ...POS,
    ],
    primaryKey: ["block_number", "log_index"],
    indexes: ["CREATE INDEX IF NOT EXISTS node_status_node ON node_status(network_id, node_id)"],
    derived: true,
  },
  {
    name: "epochs",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["epoch", "INTEGER NOT NULL"],
      ["latest_version", "INTEGER NOT NULL"],
      ["status", "TEXT NOT NULL"], // pending | challenged | voided (final is pending past finalizes_at)
      ["root", "TEXT NOT NULL"],
      ["record_count", "INTEGER NOT NULL"],
      ["active_nodes", "INTEGER NOT NULL"],
      ["total_work_units", "TEXT NOT NULL"],
      ["total_revenue", "TEXT NOT NULL"],
      ["data_hash", "TEXT NOT NULL"],
      ["finalizes_at", "INTEGER"],
      ["committed_block", "INTEGER NOT NULL"], // block of the latest version's commit
      ...POS,
    ],
    primaryKey: ["network_id", "epoch"],
    derived: true,
  },
  {
    name: "epoch_versions",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["epoch", "INTEGER NOT NULL"],
      ["version", "INTEGER NOT NULL"],
      ["status", "TEXT NOT NULL"], // pending | challenged | voided
      ["root", "TEXT NOT NULL"],
      ["record_count", "INTEGER NOT NULL"],
      ["active_nodes", "INTEGER NOT NULL"],
      ["total_work_units", "TEXT NOT NULL"],
      ["total_revenue", "TEXT NOT NULL"],
      ["data_hash", "TEXT NOT NULL"],
      ["verifier_set_id", "INTEGER NOT NULL"],
      ["finalizes_at", "INTEGER"],
      ["signers", "TEXT NOT NULL"], // JSON array of addresses
      ["superseded_by", "INTEGER"], // the version that corrected this one
      ["reason_hash", "TEXT"], // the correction's reason (versions > 1)
      ...POS,
    ],
    primaryKey: ["network_id", "epoch", "version"],
    derived: true,
  },
  {
    name: "epoch_status_changes",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["epoch", "INTEGER NOT NULL"],
      ["version", "INTEGER NOT NULL"],
      ["change", "TEXT NOT NULL"], // committed | corrected | challenged | resolved
      ["status", "TEXT NOT NULL"], // status of the version after the change
      ["upheld", "INTEGER"], // resolved: 1 upheld, 0 rejected
      ["account", "TEXT"], // challenger or arbiter
      ["reason_hash", "TEXT"],
      ...POS,
    ],
    primaryKey: ["block_number", "log_index"],
    indexes: ["CREATE INDEX IF NOT EXISTS epoch_status_changes_epoch ON epoch_status_changes(network_id, epoch, version)"],
    derived: true,
  },
  {
    name: "challenges",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["epoch", "INTEGER NOT NULL"],
      ["version", "INTEGER NOT NULL"],
      ["challenger", "TEXT NOT NULL"],
      ["reason_hash", "TEXT NOT NULL"],
      ["resolved", "INTEGER NOT NULL"],
      ["upheld", "INTEGER"],
      ["arbiter", "TEXT"],
      ["resolved_block", "INTEGER"],
      ["resolved_tx_hash", "TEXT"],
      ...POS,
    ],
    primaryKey: ["block_number", "log_index"],
    indexes: ["CREATE INDEX IF NOT EXISTS challenges_epoch ON challenges(network_id, epoch, version)"],
    derived: true,
  },
  // -------------------------------------------------------------- RevenueLedger
  {
    name: "accounts",
    columns: [
      ["account_id", "TEXT NOT NULL"],
      ["kind", "TEXT NOT NULL"], // escrow | held | revenue | payable | fee | assets
      ["network_id", "INTEGER NOT NULL"],
      ["holder", "TEXT NOT NULL"], // customer, token (assets) or the zero address
      ["balance", "TEXT NOT NULL"],
      ["last_block", "INTEGER NOT NULL"],
      ["last_log_index", "INTEGER NOT NULL"],
      ...POS,
    ],
    primaryKey: ["account_id"],
    indexes: ["CREATE INDEX IF NOT EXISTS accounts_holder ON accounts(holder)"],
    derived: true,
  },
  {
    name: "entries",
    columns: [
      ["entry_id", "INTEGER NOT NULL"], // 1, 2, ... in the order posted
      ["network_id", "INTEGER NOT NULL"],
      ["debit_account", "TEXT NOT NULL"],
      ["credit_account", "TEXT NOT NULL"],
      ["debit_kind", "TEXT NOT NULL"],
      ["debit_holder", "TEXT NOT NULL"],
      ["credit_kind", "TEXT NOT NULL"],
      ["credit_holder", "TEXT NOT NULL"],
      ["amount", "TEXT NOT NULL"],
      ["epoch", "INTEGER"], // NULL: NO_EPOCH
      ["ref", "TEXT NOT NULL"],
      ["debit_balance", "TEXT NOT NULL"],
      ["credit_balance", "TEXT NOT NULL"],
      ...POS,
    ],
    primaryKey: ["entry_id"],
    indexes: [
      "CREATE INDEX IF NOT EXISTS entries_debit ON entries(debit_account, block_number)",
      "CREATE INDEX IF NOT EXISTS entries_credit ON entries(credit_account, block_number)",
    ],
    derived: true,
  },
  {
    name: "deposits",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["customer", "TEXT NOT NULL"],
      ["from_address", "TEXT NOT NULL"],
      ["amount", "TEXT NOT NULL"],
      ["requested", "TEXT NOT NULL"],
      ...POS,
    ],
    primaryKey: ["block_number", "log_index"],
    indexes: ["CREATE INDEX IF NOT EXISTS deposits_customer ON deposits(customer)"],
    derived: true,
  },
  {
    name: "withdrawals",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["customer", "TEXT NOT NULL"],
      ["to_address", "TEXT NOT NULL"],
      ["amount", "TEXT NOT NULL"],
      ...POS,
    ],
    primaryKey: ["block_number", "log_index"],
    derived: true,
  },
  {
    name: "charges",
    columns: [
      ["charge_id", "TEXT NOT NULL"],
      ["network_id", "INTEGER NOT NULL"],
      ["customer", "TEXT NOT NULL"],
      ["epoch", "INTEGER"],
      ["amount", "TEXT NOT NULL"],
      ["ref", "TEXT NOT NULL"],
      ["fee_bps", "INTEGER NOT NULL"],
      ["status", "TEXT NOT NULL"], // held | posted | voided
      ["fee", "TEXT"], // posted: the protocol fee taken
      ["refunded", "TEXT NOT NULL"],
      ["settled_block", "INTEGER"],
      ["settled_tx_hash", "TEXT"],
      ...POS,
    ],
    primaryKey: ["charge_id"],
    indexes: ["CREATE INDEX IF NOT EXISTS charges_customer ON charges(customer, network_id)", "CREATE INDEX IF NOT EXISTS charges_epoch ON charges(network_id, epoch)"],
    derived: true,
  },
  {
    name: "refunds",
    columns: [
      ["charge_id", "TEXT NOT NULL"],
      ["network_id", "INTEGER NOT NULL"],
      ["customer", "TEXT NOT NULL"],
      ["epoch", "INTEGER"],
      ["amount", "TEXT NOT NULL"],
      ["reason_hash", "TEXT NOT NULL"],
      ...POS,
    ],
    primaryKey: ["block_number", "log_index"],
    derived: true,
  },
  {
    name: "payouts",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["epoch", "INTEGER NOT NULL"],
      ["root", "TEXT NOT NULL"],
      ["total", "TEXT NOT NULL"],
      ["leaf_count", "TEXT NOT NULL"],
      ["claimed", "TEXT NOT NULL"],
      ["claim_count", "INTEGER NOT NULL"],
      ...POS,
    ],
    primaryKey: ["network_id", "epoch"],
    derived: true,
  },
  {
    name: "claims",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["epoch", "INTEGER NOT NULL"],
      ["leaf_index", "TEXT NOT NULL"],
      ["node_id", "TEXT NOT NULL"],
      ["operator", "TEXT NOT NULL"],
      ["to_address", "TEXT NOT NULL"],
      ["amount", "TEXT NOT NULL"],
      ...POS,
    ],
    primaryKey: ["network_id", "epoch", "leaf_index"],
    indexes: ["CREATE INDEX IF NOT EXISTS claims_node ON claims(node_id)"],
    derived: true,
  },
  // ---------------------------------------------------------------- bundles
  {
    name: "bundles",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["epoch", "INTEGER NOT NULL"],
      ["version", "INTEGER NOT NULL"],
      ["root", "TEXT NOT NULL"],
      ["data_hash", "TEXT NOT NULL"],
      ["record_count", "INTEGER NOT NULL"],
      ["source", "TEXT NOT NULL"],
      ["commit_block", "INTEGER NOT NULL"], // block of the EpochCommitted it was checked against
    ],
    primaryKey: ["network_id", "epoch", "version"],
    derived: false,
  },
  {
    name: "bundle_records",
    columns: [
      ["network_id", "INTEGER NOT NULL"],
      ["epoch", "INTEGER NOT NULL"],
      ["version", "INTEGER NOT NULL"],
      ["position", "INTEGER NOT NULL"],
      ["node_id", "TEXT NOT NULL"],
      ["record_epoch", "TEXT NOT NULL"],
      ["work_units", "TEXT NOT NULL"],
      ["uptime_bps", "INTEGER NOT NULL"],
      ["revenue", "TEXT NOT NULL"],
      ["evidence", "TEXT NOT NULL"],
    ],
    primaryKey: ["network_id", "epoch", "version", "position"],
    indexes: ["CREATE INDEX IF NOT EXISTS bundle_records_node ON bundle_records(node_id)"],
    derived: false,
    withoutRowid: true,
  },
];

/** Bump when the schema changes incompatibly. */
export const SCHEMA_VERSION = 1;

/** DDL for every table and index. */
export function schemaSql(): string {
  const out: string[] = [];
  for (const t of TABLES) {
    const cols = t.columns.map(([n, ty]) => `  ${n} ${ty}`).join(",\n");
    out.push(`CREATE TABLE IF NOT EXISTS ${t.name} (\n${cols},\n  PRIMARY KEY (${t.primaryKey.join(", ")})\n)${t.withoutRowid ? " WITHOUT ROWID" : ""};`);
    // Rollbacks delete by creation block: index it unless the primary key already starts with it.
    if (t.derived && t.primaryKey[0] !== "block_number") out.push(`CREATE INDEX IF NOT EXISTS ${t.name}_created ON ${t.name}(block_number);`);
    for (const i of t.indexes ?? []) out.push(`${i};`);
  }
  return out.join("\n");
}

export function tableDef(name: string): TableDef {
  const t = TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`unknown table ${name}`);
  return t;
}
