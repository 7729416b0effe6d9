/**
 * `workledger keys new --out FILE [--from-env]` and `keys address`: make an encrypted keystore
 * (password from WORKLEDGER_KEYSTORE_PASSWORD or a prompt), show which address a key signs as.
 */
import { InvalidInputError } from "../../errors";
import { CliContext } from "../context";
import { KEYSTORE_PASSWORD_ENV, createKeystore, loadSigner, promptHidden } from "../keys";
import { CommandOutput } from "../output";

/** `keys new`. */
export async function keysNewCommand(_ctx: CliContext, o: { out?: string; fromEnv?: boolean }): Promise<CommandOutput> {
  if (!o.out) throw new InvalidInputError("missing --out FILE");
  const password = process.env[KEYSTORE_PASSWORD_ENV] ?? (await promptHidden("new keystore password: "));
  const address = await createKeystore(o.out, password, Boolean(o.fromEnv));
  return { data: { address, keystore: o.out }, lines: [`wrote encrypted keystore ${o.out} for ${address}`] };
}

/** `keys address`. */
export async function keysAddressCommand(ctx: CliContext): Promise<CommandOutput> {
  const w = await loadSigner({ keystore: ctx.opts.keystore });
  return { data: { address: w.address }, lines: [w.address] };
}
