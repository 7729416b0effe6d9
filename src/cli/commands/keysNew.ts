/** `workledger keys new --out FILE [--from-env]`: an encrypted keystore (password from WORKLEDGER_KEYSTORE_PASSWORD or a prompt). */
import { InvalidInputError } from "../../index";
import { CliContext } from "../context";
import { KEYSTORE_PASSWORD_ENV, createKeystore, promptHidden } from "../keys";
import { CommandOutput } from "../output";

export async function keysNewCommand(_ctx: CliContext, o: { out?: string; fromEnv?: boolean }): Promise<CommandOutput> {
  if (!o.out) throw new InvalidInputError("missing --out FILE");
  const password = process.env[KEYSTORE_PASSWORD_ENV] ?? (await promptHidden("new keystore password: "));
  const address = await createKeystore(o.out, password, Boolean(o.fromEnv));
  return { data: { address, keystore: o.out }, lines: [`wrote encrypted keystore ${o.out} for ${address}`] };
}
