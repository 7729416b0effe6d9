/** `workledger deploy --out FILE [--token ADDR] [--protocol-admin ADDR] [--force]`: the SDK's deployContracts, then deployment.json. */
import fs from "fs";

import { InvalidInputError, deployContracts, writeDeploymentFile } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";
import { parseAddress } from "../parse";

export interface DeployFlags {
  out?: string;
  token?: string;
  protocolAdmin?: string;
  force?: boolean;
}

export async function deployCommand(ctx: CliContext, o: DeployFlags): Promise<CommandOutput> {
  if (!o.out) throw new InvalidInputError("missing --out FILE (where deployment.json is written)");
  if (fs.existsSync(o.out) && !o.force && !ctx.dryRun) throw new InvalidInputError(`refusing to overwrite ${o.out} (pass --force)`);
  const token = o.token === undefined ? undefined : parseAddress(o.token, "--token");
  const protocolAdmin = o.protocolAdmin === undefined ? undefined : parseAddress(o.protocolAdmin, "--protocol-admin");
  const signer = await ctx.signer();
  const res = await deployContracts(signer, { token, protocolAdmin, dryRun: ctx.dryRun });
  if (!ctx.dryRun) writeDeploymentFile(o.out, res.deployment);
  const totalGas = res.creations.reduce((s, c) => s + c.gasEstimate, 0n);
  const lines = ctx.dryRun
    ? [
        `dry run: would deploy ${res.creations.filter((c) => !c.name.includes(".")).map((c) => c.name).join(", ")} on chain ${res.deployment.chainId}, then wire them (WorkLedger.setRevenueLedger: bonds live in the RevenueLedger's books)`,
        ...res.creations.map((c) => `  ${c.name.padEnd(15)} at ${c.address}  gas ${c.name.includes(".") ? "(measured; cannot be simulated before the contracts exist)" : "estimate"} ${c.gasEstimate.toLocaleString("en-US")}`),
        `  total gas estimate ${totalGas.toLocaleString("en-US")}; nothing was sent and ${o.out} was not written`,
      ]
    : [
        ...kv([
          ["chainId", res.deployment.chainId],
          ["WorkLedger", res.deployment.workLedger],
          ["RevenueLedger", res.deployment.revenueLedger],
          ["token", res.deployment.token + (token ? "" : " (MockStablecoin)")],
          ["fromBlock", res.deployment.fromBlock],
          ["wired", "WorkLedger.setRevenueLedger(RevenueLedger): challenge bonds are held in its books"],
        ]),
        `wrote ${o.out}`,
      ];
  return {
    data: {
      dryRun: ctx.dryRun,
      ...res.deployment,
      out: ctx.dryRun ? null : o.out,
      transactions: res.creations.map((c) => ({ contract: c.name, address: c.address, gasEstimate: c.gasEstimate.toString(), txHash: c.txHash ?? null, blockNumber: c.blockNumber ?? null })),
    },
    lines,
  };
}
