/**
 * A report built from the index as it is (never synced here: toBlock ≤ the checkpoint), from the
 * `workledger report` options given as query parameters, and rendered to one format. What the CLI's
 * report command does between parsing its flags and writing files, minus the sync and bundle import.
 */
import type { Provider } from "ethers";

import { InvalidInputError } from "../errors";
import { parseCreditTiers, parseSla } from "../report/common";
import type { CreditTier } from "../report/types";
import { blocksForDates, normalizeDate } from "../report/dates";
import { reportFromStore } from "../report/fromStore";
import { Labels, resolveCustomer } from "../report/labels";
import type { Report, ReportKind } from "../report/types";
import { ReportFormat, renderFormat } from "../report/write";
import type { SqlStore } from "../reader/sqlStore";
import type { ServerDeployment } from "./context";
import { apiError } from "./errors";

export const REPORT_KIND_NAMES = ["spend", "uptime", "economics", "journal"] as const;
export const SERVED_FORMATS = ["json", "csv", "pdf", "html", "md", "beancount"] as const;

/** The query parameters of /v1/reports/{kind} (the `report` command's flags). */
export interface ReportQuery {
  format?: ReportFormat;
  network?: number;
  customer?: string;
  from?: string;
  to?: string;
  fromBlock?: number;
  toBlock?: number;
  sla?: string;
  creditTiers?: string;
}

/** Content type and file extension of each format. */
export const FORMAT_MEDIA: Record<ReportFormat, { type: string; ext: string; inline: boolean }> = {
  json: { type: "application/json; charset=utf-8", ext: "json", inline: true },
  csv: { type: "text/csv; charset=utf-8", ext: "csv", inline: false },
  pdf: { type: "application/pdf", ext: "pdf", inline: false },
  html: { type: "text/html; charset=utf-8", ext: "html", inline: true },
  md: { type: "text/markdown; charset=utf-8", ext: "md", inline: true },
  beancount: { type: "text/plain; charset=utf-8", ext: "beancount", inline: false },
};

const FLAG_PARAM: Record<string, string> = { "--sla": "sla", "--credit-tiers": "creditTiers", "--from": "from", "--to": "to" };

/** An SDK InvalidInputError about a flag, as a 400 naming the query parameter. */
function asParamError(e: unknown, param: string): never {
  if (e instanceof InvalidInputError) {
    const msg = e.message.split("\n")[0].replace(/--(sla|credit-tiers|from|to)\b/g, (f) => `query parameter "${FLAG_PARAM[f]}"`);
    throw apiError(400, "bad_parameter", msg, param);
  }
  throw e;
}

/** Checks the options that need no store or chain (400s naming the parameter). */
export function checkReportQuery(kind: ReportKind, q: ReportQuery, labels: Labels | undefined): { customer?: string; slaBps?: number; creditTiers?: CreditTier[] } {
  const format = q.format ?? "json";
  if (format === "beancount" && kind !== "journal") throw apiError(400, "bad_parameter", `format "beancount" is only for the journal report`, "format");
  if (kind !== "uptime" && q.sla !== undefined) throw apiError(400, "bad_parameter", `query parameter "sla" is for the uptime report`, "sla");
  if (kind !== "uptime" && q.creditTiers !== undefined) throw apiError(400, "bad_parameter", `query parameter "creditTiers" is for the uptime report`, "creditTiers");
  if (q.from !== undefined && q.fromBlock !== undefined) throw apiError(400, "conflicting_parameters", `give the start by date (from) or by block (fromBlock), not both`, "from");
  if (q.to !== undefined && q.toBlock !== undefined) throw apiError(400, "conflicting_parameters", `give the end by date (to) or by block (toBlock), not both`, "to");
  if (q.fromBlock !== undefined && q.toBlock !== undefined && q.fromBlock > q.toBlock) throw apiError(400, "bad_range", `fromBlock ${q.fromBlock} is after toBlock ${q.toBlock}`, "fromBlock");
  for (const p of ["from", "to"] as const) {
    if (q[p] !== undefined) {
      try {
        normalizeDate(q[p], `--${p}`);
      } catch (e) {
        asParamError(e, p);
      }
    }
  }
  const out: { customer?: string; slaBps?: number; creditTiers?: CreditTier[] } = {};
  if (q.customer !== undefined) {
    try {
      out.customer = resolveCustomer(q.customer, labels);
    } catch (e) {
      if (e instanceof InvalidInputError) throw apiError(400, "bad_parameter", `query parameter "customer": ${e.message.split("\n")[0]}`, "customer");
      throw e;
    }
  }
  if (q.sla !== undefined) {
    try {
      out.slaBps = parseSla(q.sla);
    } catch (e) {
      asParamError(e, "sla");
    }
  }
  if (q.creditTiers !== undefined) {
    try {
      out.creditTiers = parseCreditTiers(q.creditTiers);
    } catch (e) {
      asParamError(e, "creditTiers");
    }
  }
  return out;
}

/**
 * Builds the report of `kind` from the store up to at most its checkpoint `indexedBlock`, with the
 * chain for block times, token metadata and balances at toBlock.
 */
export async function storeReport(
  store: SqlStore,
  provider: Provider,
  deployment: ServerDeployment,
  indexedBlock: number,
  kind: ReportKind,
  q: ReportQuery,
  labels: Labels | undefined,
): Promise<Report> {
  const checked = checkReportQuery(kind, q, labels);
  let toBlock = q.toBlock ?? indexedBlock;
  if (toBlock > indexedBlock) throw apiError(400, "beyond_index", `toBlock ${toBlock} is beyond the index (block ${indexedBlock}); the server never syncs`, "toBlock");
  let fromBlock = q.fromBlock ?? deployment.fromBlock;
  if (fromBlock > toBlock) throw apiError(400, "bad_range", `fromBlock ${fromBlock} is after the last block of the period (${toBlock})`, "fromBlock");
  let dates: { fromDate: string | null; toDate: string | null } = { fromDate: null, toDate: null };
  if (q.from !== undefined || q.to !== undefined) {
    try {
      const r = await blocksForDates(provider, { from: q.from, to: q.to }, fromBlock, toBlock);
      ({ fromBlock, toBlock } = r);
      dates = { fromDate: r.fromDate, toDate: r.toDate };
    } catch (e) {
      asParamError(e, q.from !== undefined ? "from" : "to");
    }
  }
  const range = { chainId: deployment.chainId, ledger: deployment.workLedger, revenueLedger: deployment.revenueLedger, fromBlock, toBlock };
  try {
    return await reportFromStore(store, provider, kind, range, {
      networkId: q.network ?? null,
      customer: checked.customer ?? null,
      labels,
      slaBps: checked.slaBps,
      creditTiers: checked.creditTiers,
      ...dates,
    });
  } catch (e) {
    if ((e as Error).name === "MissingRecordsError") throw apiError(503, "missing_bundles", `${(e as Error).message.split("\n")[0]}: the index has not imported that epoch's bundle (sync --bundles DIR)`);
    throw e;
  }
}

/** The report rendered as `format`: the body (the main file of the format). */
export async function renderReportBody(report: Report, format: ReportFormat): Promise<string | Buffer> {
  const files = await renderFormat(report, format);
  const body = files[`.${format}`];
  if (body === undefined) throw apiError(400, "bad_parameter", `format "${format}" is not available for the ${report.kind} report`, "format");
  return body;
}
