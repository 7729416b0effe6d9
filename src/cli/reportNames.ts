/**
 * Constants the command tree needs before any command module loads (kept dependency-free so that
 * `workledger --help` does not load ethers, SQLite or the report renderers).
 */
export const REPORT_KINDS = ["spend", "uptime", "economics", "journal"] as const;
export const REPORT_FORMATS = ["json", "csv", "md", "html", "pdf", "beancount"] as const;
/** `--rpc` value that selects the in-process Hardhat network. */
export const EMBEDDED_RPC = "embedded";
/** Default `--rpc` of every command that needs a chain that outlives the process. */
export const DEFAULT_RPC = "http://127.0.0.1:8545";
