/**
 * `workledger charge --network ID --customer ADDR --from-epoch A --to-epoch B --statements SIG.json[,…] [--ref TEXT] [--bundles DIR]`:
 * the biller charges a verifier-signed billing statement (rebuilt from the chain and the bundles, the
 * signature files checked against it). The retired `charge --epoch E --amount A` exits 2 and sends nothing.
 */
import { InvalidInputError, chargeStatement, networkToken, readStatementSignature } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount, kv } from "../output";
import { parseAddress, parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export interface ChargeFlags {
  network?: string;
  customer?: string;
  fromEpoch?: string;
  toEpoch?: string;
  statements?: string;
  ref?: string;
  bundles?: string;
  /** Retired (charges are statements now). */
  epoch?: string;
  amount?: string;
}

export const RETIRED_CHARGE =
  "a charge is now a verifier-signed billing statement: `charge --network ID --customer ADDR --from-epoch A --to-epoch B --statements SIG.json[,…]` (verifiers write SIG.json with `statement sign`); nothing was sent";

export async function chargeCommand(ctx: CliContext, o: ChargeFlags): Promise<CommandOutput> {
  if (o.epoch !== undefined || o.amount !== undefined) throw new InvalidInputError(`charge ${o.epoch !== undefined ? "--epoch" : "--amount"} is retired: ${RETIRED_CHARGE}`);
  const networkId = parseNetworkId(o.network);
  const customer = parseAddress(o.customer, "--customer");
  const fromEpoch = parseUint(o.fromEpoch, "--from-epoch");
  const toEpoch = parseUint(o.toEpoch, "--to-epoch");
  if (toEpoch < fromEpoch) throw new InvalidInputError(`--to-epoch ${toEpoch} is before --from-epoch ${fromEpoch}`);
  if (!o.statements) throw new InvalidInputError("missing --statements SIG.json[,SIG2.json…] (the verifiers' statement signatures)");
  const files = o.statements.split(",").map((f) => f.trim()).filter(Boolean);
  if (files.length === 0) throw new InvalidInputError("--statements lists no file");
  const signatures = files.map((f) => readStatementSignature(f));
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const r = await chargeStatement(await ctx.signer(), deployment, { networkId, customer, fromEpoch, toEpoch, bundlesDir: o.bundles ?? ".", signatures, names: files, referenceText: o.ref ?? "" }, ctx.send);
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  const epochs = toEpoch - fromEpoch + 1n;
  return {
    data: {
      chargeId: r.chargeId,
      networkId: Number(networkId),
      customer,
      fromEpoch: Number(fromEpoch),
      toEpoch: Number(toEpoch),
      epochs: Number(epochs),
      amount: r.statement.amount.toString(),
      fee: r.fee.toString(),
      net: r.net.toString(),
      capPerEpoch: r.capPerEpoch.toString(),
      limit: (r.capPerEpoch * epochs).toString(),
      usageHash: r.statement.usageHash,
      signers: r.signers,
      referenceText: r.referenceText,
      usage: r.usage.map((u) => ({ epoch: Number(u.epoch), version: u.version, amount: u.leaf.amount.toString() })),
      ...outcomeData(r.outcome),
    },
    lines: [
      `${ctx.dryRun ? "charge" : "charged"} ${customer} ${fmt(r.statement.amount)} on network ${networkId} for epochs ${fromEpoch} to ${toEpoch}`,
      ...kv([
        ["charge id", r.chargeId],
        ["fee", fmt(r.fee)],
        ["net to the network", fmt(r.net)],
        ["cap", `${fmt(r.capPerEpoch)} per epoch × ${epochs} epochs = ${fmt(r.capPerEpoch * epochs)}`],
        ["epochs with usage", r.usage.length ? r.usage.map((u) => (u.version > 1 ? `${u.epoch} v${u.version}` : `${u.epoch}`)).join(", ") : "none"],
        ["signed by", r.signers.join(", ")],
        ["reference", r.referenceText || "-"],
      ]),
      ...outcomeLines(r.outcome),
    ],
  };
}

/** `charge post` / `charge void`: the held state is retired (statements charge and post at once). */
export async function chargeRetiredCommand(): Promise<CommandOutput> {
  throw new InvalidInputError(`charge post and charge void are retired: statements are charged and posted in one transaction (${RETIRED_CHARGE})`);
}
