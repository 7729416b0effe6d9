/** `workledger demo`. */
import { WorkLedgerError } from "../../errors";
import { CliContext } from "../context";
import { CommandOutput } from "../output";

export async function demoCommand(_ctx: CliContext, _o: unknown): Promise<CommandOutput> {
  throw new WorkLedgerError("demo: not available yet");
}
