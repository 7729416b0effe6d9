/**
 * Reports: spend statement, uptime/SLA report, network economics, journal and trial balance;
 * built from a ReportInput, rendered to JSON, CSV, Markdown, HTML, PDF and Beancount.
 */
export { buildReport, REPORT_KINDS } from "./build";
export { buildSpendReport } from "./spend";
export { buildUptimeReport, MissingRecordsError } from "./uptime";
export { buildEconomicsReport } from "./economics";
export { buildJournalReport, decodeAccountId, encodeAccountId, accountName, AccountKind } from "./journal";
export { DEFAULT_CREDIT_TIERS, DEFAULT_SLA_BPS, TOOL } from "./common";
export type { ReportOptions } from "./common";
export type { ReportInput, ReportRange, RecordSource } from "./input";
export { reportInputFromChain, fetchLedgerEvents } from "./fromChain";
export { reportInputFromStore } from "./fromStore";
export type { ReportStore } from "./fromStore";
export { buildRecordTree, recordTreeSync } from "./merkle";
export type { EpochTree } from "./merkle";
export { renderJson } from "./render/json";
export { renderCsv, renderCsvTables } from "./render/csv";
export { renderMarkdown } from "./render/markdown";
export { renderHtml } from "./render/html";
export { renderPdf } from "./render/pdf";
export { renderBeancount } from "./render/beancount";
export { writeReportFiles, renderFormat, REPORT_FORMATS } from "./write";
export type { ReportFormat } from "./write";
export type * from "./types";
