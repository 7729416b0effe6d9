/**
 * `--as ADDR` of the arbiter's commands: when the arbiter is a contract (a Safe, a TimelockController),
 * the CLI has no key for it; it simulates the call as that address and prints what to submit through it.
 */
import { arbiterCallAs } from "../index";
import type { ArbiterAction, TxOutcome } from "../index";
import { CliContext } from "./context";
import { CommandOutput } from "./output";
import { parseAddress } from "./parse";
import { outcomeData } from "./txOutput";

/** Simulates `action` as the contract `as` (no key, nothing sent) and shows the call to submit through it. */
export async function arbiterAsContract(ctx: CliContext, as: string, action: ArbiterAction, what: string): Promise<CommandOutput> {
  const from = parseAddress(as, "--as");
  const { deployment, chain } = await ctx.ledgers();
  const out: TxOutcome = await arbiterCallAs(chain.provider, deployment, from, action);
  return {
    data: { ...outcomeData(out), submitThrough: from, value: "0" },
    lines: [
      `${what}: simulated as ${from} (ok); submit this call through it (a Safe transaction, or a timelock's schedule then execute):`,
      `  to:    ${out.to} (${out.contract}.${out.method})`,
      "  value: 0",
      `  data:  ${out.data}`,
      `  gas estimate: ${out.gasEstimate.toLocaleString("en-US")}`,
      "  nothing was sent",
    ],
  };
}
