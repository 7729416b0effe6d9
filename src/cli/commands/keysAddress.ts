/** `workledger keys address`: which address --keystore or WORKLEDGER_PRIVATE_KEY signs as. */
import { CliContext } from "../context";
import { loadSigner } from "../keys";
import { CommandOutput } from "../output";

export async function keysAddressCommand(ctx: CliContext): Promise<CommandOutput> {
  const w = await loadSigner({ keystore: ctx.opts.keystore });
  return { data: { address: w.address }, lines: [w.address] };
}
