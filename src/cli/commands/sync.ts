/** `workledger sync`: index the chain into SQLite (reader/). */
import { WorkLedgerError } from "../../errors";
import { CliContext } from "../context";
import { CommandOutput } from "../output";

export async function syncCommand(_ctx: CliContext, _o: unknown): Promise<CommandOutput> {
  throw new WorkLedgerError("sync: not available yet");
}
