/** `workledger payout build --network ID --epoch E --records FILE --out FILE`: the SDK's buildPayouts, written as a payouts file. */
import fs from "fs";

import { InvalidInputError, buildPayouts, networkToken, payoutSetJson, readRecordsFile, writePayoutFile } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount, kv } from "../output";
import { parseNetworkId, parseUint } from "../parse";

export async function payoutBuildCommand(ctx: CliContext, o: { network?: string; epoch?: string; records?: string; out?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (!o.records) throw new InvalidInputError("missing --records FILE");
  if (!o.out) throw new InvalidInputError("missing --out FILE");
  if (!fs.existsSync(o.records)) throw new InvalidInputError(`records file not found: ${o.records}`);
  const table = await readRecordsFile(o.records, { file: o.records });
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const set = await buildPayouts(chain.provider, deployment, { networkId, epoch, records: table });
  writePayoutFile(set, o.out);
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  return {
    data: { ...payoutSetJson(set), out: o.out },
    lines: kv([["payouts", o.out], ["leaves", set.leaves.length], ["total", fmt(set.total)], ["available", fmt(set.available)], ["root", set.root]]),
  };
}
