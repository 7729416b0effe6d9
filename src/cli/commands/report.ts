/** `workledger report KIND`: write a report (report/). */
import { WorkLedgerError } from "../../errors";
import { CliContext } from "../context";
import { CommandOutput } from "../output";

export const REPORT_KINDS = ["spend", "uptime", "economics", "journal"] as const;
export const REPORT_FORMATS = ["json", "csv", "md", "html", "pdf", "beancount"] as const;

export async function reportCommand(_ctx: CliContext, _o: unknown, _args: string[]): Promise<CommandOutput> {
  throw new WorkLedgerError("report: not available yet");
}
