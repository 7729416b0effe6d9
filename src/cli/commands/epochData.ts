/**
 * Epoch data commands: sign, publish, prove, check-proof (wired to records/, writer/, verifier/).
 */
import { WorkLedgerError } from "../../errors";
import { CliContext } from "../context";
import { CommandOutput } from "../output";

const notYet = (what: string): never => {
  throw new WorkLedgerError(`${what}: not available yet`);
};

export async function signCommand(_ctx: CliContext, _o: unknown): Promise<CommandOutput> {
  return notYet("sign");
}
export async function publishCommand(_ctx: CliContext, _o: unknown): Promise<CommandOutput> {
  return notYet("publish");
}
export async function proveCommand(_ctx: CliContext, _o: unknown): Promise<CommandOutput> {
  return notYet("prove");
}
export async function checkProofCommand(_ctx: CliContext, _o: unknown, _args: string[]): Promise<CommandOutput> {
  return notYet("check-proof");
}
export async function readRecordsForPayouts(_file: string): Promise<Array<{ nodeId: string; revenue: bigint; epoch: bigint }>> {
  return notYet("payout build");
}
