/**
 * `workledger demo [--nodes N] [--epochs M] [--out DIR] [--rpc URL] [--seed TEXT]`: the SDK's demo
 * (src/demo) on the embedded chain or any RPC. The deployer is WORKLEDGER_PRIVATE_KEY, else the
 * node's first unlocked account.
 */
import path from "path";

import { InvalidInputError } from "../../index";
import { runDemo } from "../../testing";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parsePositiveInt } from "../parse";
import { PRIVATE_KEY_ENV } from "../keys";

export async function demoCommand(ctx: CliContext, o: { nodes?: string; epochs?: string; out?: string; seed?: string }): Promise<CommandOutput> {
  const nodes = parsePositiveInt(o.nodes ?? "50", "--nodes", 5000);
  const epochs = parsePositiveInt(o.epochs ?? "24", "--epochs", 1000);
  if (nodes < 3) throw new InvalidInputError("--nodes must be at least 3 (a flaky node, a late joiner and the rest)");
  if (epochs < 4) throw new InvalidInputError("--epochs must be at least 4 (an outage, a challenge and a pending last epoch)");
  const out = path.resolve(o.out ?? "./workledger-demo");
  const chain = await ctx.chain();
  const deployer = process.env[PRIVATE_KEY_ENV] ? await ctx.signer() : await chain.unlockedSigner(0);
  if (!deployer) throw new InvalidInputError(`${chain.url} has no unlocked account: set ${PRIVATE_KEY_ENV} to a funded key`);
  const r = await runDemo(chain, deployer, { nodes, epochs, out, seed: o.seed ?? "workledger-demo" }, { log: (m) => ctx.log.info(m), progress: ctx.progress });
  return { data: r.data, lines: r.lines, exitCode: r.ok ? 0 : 1 };
}
