/**
 * `workledger demo [--nodes N] [--epochs M] [--out DIR] [--rpc URL]`: see src/demo/run.ts.
 */
import path from "path";

import { InvalidInputError } from "../../errors";
import { runDemo } from "../../demo/demo";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parsePositiveInt } from "../parse";

export async function demoCommand(ctx: CliContext, o: { nodes?: string; epochs?: string; out?: string; seed?: string }): Promise<CommandOutput> {
  const nodes = parsePositiveInt(o.nodes ?? "50", "--nodes", 5000);
  const epochs = parsePositiveInt(o.epochs ?? "24", "--epochs", 1000);
  if (nodes < 3) throw new InvalidInputError("--nodes must be at least 3 (a flaky node, a late joiner and the rest)");
  if (epochs < 4) throw new InvalidInputError("--epochs must be at least 4 (an outage, a challenge and a pending last epoch)");
  const out = path.resolve(o.out ?? "./workledger-demo");
  return runDemo(ctx, { nodes, epochs, out, seed: o.seed ?? "workledger-demo" });
}
