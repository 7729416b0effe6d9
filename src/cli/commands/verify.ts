/** `workledger verify REPORT.json`: re-derive from the chain (verifier/report). */
import { WorkLedgerError } from "../../errors";
import { CliContext } from "../context";
import { CommandOutput } from "../output";

export async function verifyCommand(_ctx: CliContext, _o: unknown, _args: string[]): Promise<CommandOutput> {
  throw new WorkLedgerError("verify: not available yet");
}
