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
export type { ReportInput, ReportRange, RecordSource, UsageSource, UsageLeafProof } from "./input";
export { settleStatement, settleStatements } from "./statements";
export type { StatementPost, StatementSettlement } from "./statements";
export { firstUsageSource, usageSourceFromBundles, usageSourceFromLeaves, usageSourceFromSpendLines } from "./usageSource";
export type { UsageBundleLike } from "./usageSource";
export { reportInputFromChain, fetchLedgerEvents } from "./fromChain";
export { reportFromStore, reportInputFromStore } from "./fromStore";
export type { ReportStore } from "./fromStore";
export { buildEpochTree, recordTreeSync } from "../merkle";
export type { EpochTree } from "../merkle";
export { blocksForDates, firstBlockAtOrAfter, normalizeDate } from "./dates";
export { labelKey, labelsCsv, parseLabels, readLabels, resolveCustomer, writeLabels } from "./labels";
export type { Label, LabelRow, Labels } from "./labels";
export { parseCreditTiers, parseSla, resolveSla } from "./common";
export { csvDifferences, embeddedReport, htmlRenderingDifferences, pdfRenderingDifferences, sniffFormat } from "./embedded";
export type { DocumentFormat } from "./embedded";
export { reportDocument } from "./render/document";
export { uptimeColour } from "./render/charts";
export { renderJson } from "./render/json";
export { renderCsv, renderCsvTables } from "./render/csv";
export { renderMarkdown } from "./render/markdown";
export { renderHtml } from "./render/html";
export { renderPdf } from "./render/pdf";
export { renderBeancount } from "./render/beancount";
export { writeReportFiles, renderFormat, REPORT_FORMATS } from "./write";
export type { ReportFormat } from "./write";
export type * from "./types";
