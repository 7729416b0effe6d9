/** `workledger time advance --seconds S`: move a dev chain's clock (hardhat node, anvil) and mine a block. */
import { InvalidInputError } from "../../index";
import { advanceTime } from "../chain";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseUint } from "../parse";

export async function timeAdvanceCommand(ctx: CliContext, o: { seconds?: string }): Promise<CommandOutput> {
  const seconds = parseUint(o.seconds, "--seconds", 32);
  const chain = await ctx.chain();
  try {
    await advanceTime(chain, seconds);
  } catch (e) {
    throw new InvalidInputError(`${chain.url} does not support evm_increaseTime (not a dev chain): ${(e as Error).message.split("\n")[0]}`);
  }
  const block = await chain.provider.getBlock("latest");
  return { data: { advanced: Number(seconds), blockNumber: block?.number ?? null, timestamp: block?.timestamp ?? null }, lines: [`advanced ${seconds} s: block ${block?.number} at ${new Date((block?.timestamp ?? 0) * 1000).toISOString()}`] };
}
