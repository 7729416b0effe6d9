/**
 * `workledger statement sign --network ID --customer ADDR --from-epoch A --to-epoch B --out SIG.json [--bundles DIR]`:
 * a verifier rebuilds the customer's billing statement from the chain and the epoch bundles (latest
 * versions, usage leaves checked against the on-chain usage roots) and signs it with its own key.
 */
import fs from "fs";

import { InvalidInputError, isoDate, networkToken, signStatement, writeStatementSignature } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount, kv } from "../output";
import { parseAddress, parseNetworkId, parseUint } from "../parse";

export async function statementSignCommand(ctx: CliContext, o: { network?: string; customer?: string; fromEpoch?: string; toEpoch?: string; out?: string; bundles?: string; force?: boolean }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const customer = parseAddress(o.customer, "--customer");
  const fromEpoch = parseUint(o.fromEpoch, "--from-epoch");
  const toEpoch = parseUint(o.toEpoch, "--to-epoch");
  if (toEpoch < fromEpoch) throw new InvalidInputError(`--to-epoch ${toEpoch} is before --from-epoch ${fromEpoch}`);
  if (!o.out) throw new InvalidInputError("missing --out SIG.json (the signature file to write)");
  if (fs.existsSync(o.out) && !o.force) throw new InvalidInputError(`${o.out} exists: pass --force to overwrite it`);
  const bundlesDir = o.bundles ?? ".";
  const { deployment, chain } = await ctx.ledgers();
  const sig = await signStatement(await ctx.signer(), deployment, { networkId, customer, fromEpoch, toEpoch, bundlesDir });
  writeStatementSignature(sig, o.out);
  const token = await networkToken(chain.provider, deployment, networkId);
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  const { built, ...file } = sig;
  const now = BigInt((await chain.provider.getBlock("latest"))?.timestamp ?? 0);
  return {
    data: {
      out: o.out,
      ...file,
      usage: built.usage.map((u) => ({ epoch: Number(u.epoch), version: u.version, usageRoot: u.usageRoot, amount: u.leaf.amount.toString(), leafHash: u.leafHash })),
      finalizedCount: Number(built.finalizedCount),
    },
    lines: [
      `wrote ${o.out}: billing statement of ${customer} on network ${networkId}, epochs ${fromEpoch} to ${toEpoch}, signed by ${sig.signer}`,
      ...kv([
        ["amount", fmt(built.statement.amount)],
        ["epochs with usage", `${built.usage.length} of ${toEpoch - fromEpoch + 1n}${built.usage.length ? ` (${built.usage.map((u) => (u.version > 1 ? `${u.epoch} v${u.version}` : `${u.epoch}`)).join(", ")})` : ""}`],
        ["usage hash", built.statement.usageHash],
        ["finality cursor", `${built.finalizedCount} (checked ${isoDate(now)})`],
      ]),
    ],
  };
}
