/**
 * The reader's schema, one definition for both engines (SQLite and PostgreSQL): raw events,
 * bookkeeping (checkpoint, block hashes, undo log) and the derived tables a report or a person can
 * query directly.
 *
 * Column kinds and how each engine stores them:
 * - `int`: SQLite INTEGER, PostgreSQL BIGINT (read back as a JS number);
 * - `small`: SQLite INTEGER, PostgreSQL INTEGER (log indexes, versions, flags, basis points);
 * - `text`: TEXT in both; token amounts, work units and revenue are decimal strings (they exceed 64 bits);
 * - `hash`: 32-byte values (block and tx hashes, roots, node ids, account ids, refs) as BLOB / BYTEA,
 *   read back as lowercase 0x-hex;
 * - `addr`: 20-byte addresses as BLOB / BYTEA, read back checksummed;
 * - `blob`: raw bytes (the packed log words of `events.data`).
 *
 * Conventions of the derived tables:
 * - every row carries the position of the event that created it (`block_number`, `log_index`; the
 *   transaction is `events.tx_hash` at that position); a rollback deletes the rows created above the fork block;
 * - a row that a later event changes is saved to `undo_log` (as JSON) before the change, so a
 *   rollback restores it;
 * - ids, epochs, versions and times are integers; the RevenueLedger's NO_EPOCH is stored as NULL.
 */

export type ColumnKind = "int" | "small" | "text" | "hash" | "addr" | "blob";

export interface ColumnDef {
  name: string;
  kind: ColumnKind;
  nullable: boolean;
}

export interface TableDef {
  name: string;
  columns: ColumnDef[];
  primaryKey: string[];
  /** Secondary indexes: [name, columns]. */
  indexes?: [string, string[]][];
  /** True for derived tables (created and rolled back by events). */
  derived: boolean;
}

/** `name kind` or `name kind?` (nullable). */
function cols(spec: string): ColumnDef[] {
  return spec
    .trim()
    .split(/\s*,\s*/)
    .map((c) => {
      const [name, k] = c.split(/\s+/);
      const nullable = k.endsWith("?");
      return { name, kind: (nullable ? k.slice(0, -1) : k) as ColumnKind, nullable };
    });
}

const POS = "block_number int, log_index small";

function derived(name: string, spec: string, primaryKey: string[], indexes: [string, string[]][] = []): TableDef {
  return { name, columns: cols(`${spec}, ${POS}`), primaryKey, indexes, derived: true };
}

export const TABLES: TableDef[] = [
  { name: "meta", columns: cols("key text, value text"), primaryKey: ["key"], derived: false },
  { name: "sync_state", columns: cols("id small, block_number int, block_hash hash"), primaryKey: ["id"], derived: false },
  // Hashes of blocks that hold events (kept for good: events are read back with them) and of the
  // headers inside the reorg window (pruned as the window moves).
  { name: "blocks", columns: cols("block_number int, block_hash hash, has_events small"), primaryKey: ["block_number"], derived: false },
  // One row per log: `sig` is the first 4 bytes of topic0 (a signed 32-bit integer), `contract` 0 for
  // the WorkLedger and 1 for the RevenueLedger, `data` the other topics and the data words, packed
  // (see codec.ts). The decoded event is rebuilt from them with the reader's decoder.
  {
    name: "events",
    columns: cols("block_number int, log_index small, tx_hash hash, contract small, sig small, data blob"),
    primaryKey: ["block_number", "log_index"],
    derived: false,
  },
  { name: "undo_log", columns: cols("seq int, block_number int, tbl text, old text"), primaryKey: ["seq"], indexes: [["undo_log_block", ["block_number"]]], derived: false },
  // ----------------------------------------------------------------- WorkLedger
  derived(
    "networks",
    // arbiter … max_statement_epochs: the trust terms (NetworkTrustSet); finalized_count: the finality cursor
    "network_id int, admin addr, token addr, name text, work_unit text, genesis_time int?, epoch_seconds int?, challenge_window int?, capacity_per_node text, verifier_set_id int?, threshold small?, verifier_count small?, paused small, arbiter addr?, bond text?, thaw_seconds int?, arbiter_deadline int?, max_statement_epochs int?, finalized_count int",
    ["network_id"],
  ),
  derived("verifier_sets", "network_id int, verifier_set_id int, threshold small, verifiers text", ["network_id", "verifier_set_id"]),
  derived("verifiers", "network_id int, verifier_set_id int, verifier addr, position small", ["network_id", "verifier_set_id", "verifier"], [["verifiers_address", ["verifier"]]]),
  derived("nodes", "network_id int, node_id hash, operator addr, active small, registered_block int, deactivated_block int?", ["network_id", "node_id"], [["nodes_operator", ["operator"]]]),
  derived("node_status", "network_id int, node_id hash, status text, account addr", ["block_number", "log_index"], [["node_status_node", ["network_id", "node_id"]]]),
  derived(
    "epochs",
    "network_id int, epoch int, latest_version small, status text, root hash, record_count int, active_nodes int, total_work_units text, total_revenue text, data_hash hash, usage_root hash, usage_count int, total_usage text, finalizes_at int?, committed_block int",
    ["network_id", "epoch"],
  ),
  derived(
    "epoch_versions",
    "network_id int, epoch int, version small, status text, root hash, record_count int, active_nodes int, total_work_units text, total_revenue text, data_hash hash, usage_root hash, usage_count int, total_usage text, verifier_set_id int, finalizes_at int?, signers text, superseded_by small?, reason_hash hash?",
    ["network_id", "epoch", "version"],
  ),
  derived(
    "epoch_status_changes",
    // change: committed | corrected | challenged | resolved | expired
    "network_id int, epoch int, version small, change text, status text, upheld small?, account addr?, reason_hash hash?",
    ["block_number", "log_index"],
    [["epoch_status_changes_epoch", ["network_id", "epoch", "version"]]],
  ),
  derived(
    "challenges",
    // bond: posted by the challenger (token units); deadline: the arbiter rules before it, then anyone may expire it (expired = 1)
    "network_id int, epoch int, version small, challenger addr, reason_hash hash, bond text, deadline int, resolved small, upheld small?, expired small, arbiter addr?, resolved_block int?, resolved_tx_hash hash?",
    ["block_number", "log_index"],
    [["challenges_epoch", ["network_id", "epoch", "version"]]],
  ),
  // -------------------------------------------------------------- RevenueLedger
  derived(
    "accounts",
    // kind: escrow | held (retired) | revenue | payable | fee | assets | bond; holder: customer, token (assets), challenger (bond) or the zero address
    "account_id hash, kind text, network_id int, holder addr, balance text, last_block int, last_log_index small",
    ["account_id"],
    [["accounts_holder", ["holder"]]],
  ),
  derived(
    "entries",
    // entry_id: 1, 2, ... in the order posted; an account's kind and holder are in `accounts`
    "entry_id int, network_id int, debit_account hash, credit_account hash, amount text, epoch int?, ref hash, debit_balance text, credit_balance text",
    ["entry_id"],
    [
      ["entries_debit", ["debit_account", "block_number"]],
      ["entries_credit", ["credit_account", "block_number"]],
    ],
  ),
  derived("deposits", "network_id int, customer addr, from_address addr, amount text, requested text", ["block_number", "log_index"], [["deposits_customer", ["customer"]]]),
  derived("withdrawals", "network_id int, customer addr, to_address addr, amount text", ["block_number", "log_index"]),
  derived(
    "billing_authorizations",
    // BillingAuthorized: cap 0 = revoked; change_epoch: first epoch the change binds (a raise binds every unbilled epoch);
    // next_epoch: the customer's next billable epoch; relayer: who sent it (the customer or a relayer of its signature)
    "network_id int, customer addr, cap_per_epoch text, expiry int, change_epoch int?, next_epoch int?, relayer addr",
    ["block_number", "log_index"],
    [["billing_authorizations_customer", ["customer", "network_id"]]],
  ),
  derived(
    "statements",
    // StatementCharged: amount is gross (net + fee); signers JSON array; refunded: Σ Refunded against it
    "charge_id hash, network_id int, customer addr, from_epoch int, to_epoch int, amount text, fee text, usage_hash hash, cap_per_epoch text, signers text, reference_text text, refunded text",
    ["charge_id"],
    [
      ["statements_customer", ["customer", "network_id"]],
      ["statements_epochs", ["network_id", "from_epoch"]],
    ],
  ),
  derived(
    "statement_epochs",
    // The covered epochs committed when the statement was charged, with their latest version and usage root then
    "charge_id hash, network_id int, epoch int, version small, usage_root hash",
    ["charge_id", "epoch"],
    [["statement_epochs_epoch", ["network_id", "epoch"]]],
  ),
  derived("refunds", "charge_id hash, network_id int, customer addr, epoch int?, amount text, reason_hash hash", ["block_number", "log_index"], [["refunds_charge", ["charge_id"]]]),
  derived(
    "withdrawal_requests",
    // WithdrawalRequested: replaces an earlier request, 0 cancels; thaw_from_epoch: first epoch it no longer pays for
    "network_id int, customer addr, amount text, ready_at int, thaw_from_epoch int?",
    ["block_number", "log_index"],
    [["withdrawal_requests_customer", ["customer", "network_id"]]],
  ),
  derived(
    "payout_roots",
    // PayoutRootPosted (cumulative): increase = what moved revenue -> payable; signers JSON array
    "network_id int, through_epoch int, root hash, total text, increase text, data_hash hash, signers text",
    ["network_id", "through_epoch"],
  ),
  derived(
    "claims",
    // PayoutClaimed: cumulative_claimed = the node's total claimed after it; through_epoch: of the root claimed under
    "network_id int, node_id hash, operator addr, to_address addr, amount text, cumulative_claimed text, through_epoch int",
    ["block_number", "log_index"],
    [["claims_node", ["network_id", "node_id"]]],
  ),
  // ---------------------------------------------------------------- bundles
  {
    name: "bundles",
    // commit_block: block of the EpochCommitted it was checked against
    columns: cols("network_id int, epoch int, version small, root hash, data_hash hash, record_count int, source text, commit_block int"),
    primaryKey: ["network_id", "epoch", "version"],
    derived: false,
  },
  {
    name: "bundle_records",
    columns: cols("network_id int, epoch int, version small, position int, node_id hash, record_epoch text, work_units text, uptime_bps small, revenue text, evidence hash"),
    primaryKey: ["network_id", "epoch", "version", "position"],
    indexes: [["bundle_records_node", ["node_id"]]],
    derived: false,
  },
  {
    // The usage records of an imported bundle (customer order), checked against the version's usageRoot.
    name: "bundle_usage",
    columns: cols("network_id int, epoch int, version small, position int, customer addr, usage_epoch text, work_units text, amount text, ref hash"),
    primaryKey: ["network_id", "epoch", "version", "position"],
    indexes: [["bundle_usage_customer", ["customer"]]],
    derived: false,
  },
];

/** Bump when the schema changes incompatibly (2: binary hashes and addresses, packed events;
 * 3: billing statements, authorizations, thawing withdrawals, cumulative payout roots; held charges retired). */
export const SCHEMA_VERSION = 3;

export type Engine = "sqlite" | "postgres";

function sqlType(kind: ColumnKind, engine: Engine): string {
  if (engine === "sqlite") return kind === "int" || kind === "small" ? "INTEGER" : kind === "text" ? "TEXT" : "BLOB";
  return kind === "int" ? "BIGINT" : kind === "small" ? "INTEGER" : kind === "text" ? "TEXT" : "BYTEA";
}

/** The PostgreSQL array type of a column kind (for unnest bulk inserts). */
export function pgArrayType(kind: ColumnKind): string {
  return `${sqlType(kind, "postgres")}[]`;
}

/** DDL statements for every table and index, for one engine. */
export function schemaStatements(engine: Engine): string[] {
  const out: string[] = [];
  for (const t of TABLES) {
    const body = t.columns.map((c) => `  ${c.name} ${sqlType(c.kind, engine)}${c.nullable ? "" : " NOT NULL"}`).join(",\n");
    // SQLite: tables keyed by more than an integer are clustered by their key (no second copy of it).
    const pkKind = t.columns.find((c) => c.name === t.primaryKey[0])!.kind;
    const rowidKey = t.primaryKey.length === 1 && (pkKind === "int" || pkKind === "small");
    const clustered = engine === "sqlite" && !rowidKey;
    out.push(`CREATE TABLE IF NOT EXISTS ${t.name} (\n${body},\n  PRIMARY KEY (${t.primaryKey.join(", ")})\n)${clustered ? " WITHOUT ROWID" : ""}`);
    // Rollbacks delete by creation block: index it unless the primary key already starts with it.
    if (t.derived && t.primaryKey[0] !== "block_number") out.push(`CREATE INDEX IF NOT EXISTS ${t.name}_created ON ${t.name}(block_number)`);
    for (const [name, c] of t.indexes ?? []) out.push(`CREATE INDEX IF NOT EXISTS ${name} ON ${t.name}(${c.join(", ")})`);
  }
  return out;
}

export function tableDef(name: string): TableDef {
  const t = TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`unknown table ${name}`);
  return t;
}

export function derivedTables(): TableDef[] {
  return TABLES.filter((t) => t.derived);
}
