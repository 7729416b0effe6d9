/**
 * `workledger billing authorize|revoke|status` (#15, DESIGN rule 3): the customer's own limit on what a
 * network may bill it (a per-epoch cap and an expiry), its revoke, and its billing status (cap, expiry,
 * last billed epoch, escrow, thawing part and ready date; dates ISO 8601 UTC).
 */
import { InvalidInputError, authorizeBilling, isoDate, networkToken, readBilling, revokeBilling } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount, kv } from "../output";
import { parseAddress, parseAmount, parseNetworkId } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

/** An ISO 8601 date or date-time (UTC when no zone is given) -> unix seconds. */
export function parseIsoDate(v: string | undefined, flag: string): bigint {
  if (v === undefined || v === "") throw new InvalidInputError(`missing ${flag} ISO-DATE`);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) throw new InvalidInputError(`${flag} must be an ISO 8601 date or date-time, e.g. 2027-01-31 or 2027-01-31T12:00:00Z, got "${v}"`);
  const withZone = /T|\s/.test(v) && !/(Z|[+-]\d{2}:?\d{2})$/.test(v) ? `${v.replace(" ", "T")}Z` : v;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) throw new InvalidInputError(`${flag} is not a valid date: "${v}"`);
  return BigInt(Math.floor(ms / 1000));
}

const epochText = (v: bigint | null) => (v === null ? "none yet" : v.toString());

export async function billingAuthorizeCommand(ctx: CliContext, o: { network?: string; perEpoch?: string; expires?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  if (o.perEpoch === undefined) throw new InvalidInputError("missing --per-epoch AMOUNT (the most the network may bill you per epoch, in token units)");
  const expiry = o.expires === undefined ? undefined : parseIsoDate(o.expires, "--expires");
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const cap = parseAmount(o.perEpoch, token.decimals, "--per-epoch");
  const r = await authorizeBilling(await ctx.signer(), deployment, { networkId, capPerEpoch: cap, expiry }, ctx.send);
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  return {
    data: {
      networkId: Number(networkId),
      customer: r.customer,
      capPerEpoch: r.capPerEpoch.toString(),
      expiry: isoDate(r.expiry),
      changeEpoch: r.changeEpoch === null ? null : Number(r.changeEpoch),
      nextEpoch: r.nextEpoch === null ? null : Number(r.nextEpoch),
      ...outcomeData(r.outcome),
    },
    lines: [
      `${ctx.dryRun ? "authorize" : "authorized"} network ${networkId} to bill ${r.customer} up to ${fmt(r.capPerEpoch)} per epoch until ${isoDate(r.expiry)}`,
      ...(r.changeEpoch === null ? [] : kv([["applies from epoch", `${r.changeEpoch} (a raise also covers every unbilled epoch)`], ["next billable epoch", r.nextEpoch!.toString()]])),
      ...outcomeLines(r.outcome),
    ],
  };
}

export async function billingRevokeCommand(ctx: CliContext, o: { network?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const { deployment } = await ctx.ledgers();
  const r = await revokeBilling(await ctx.signer(), deployment, { networkId }, ctx.send);
  return {
    data: { networkId: Number(networkId), customer: r.customer, capPerEpoch: "0", changeEpoch: r.changeEpoch === null ? null : Number(r.changeEpoch), ...outcomeData(r.outcome) },
    lines: [
      `${ctx.dryRun ? "revoke" : "revoked"} network ${networkId}'s billing of ${r.customer}${r.changeEpoch === null ? "" : `: epochs from ${r.changeEpoch} on are not billable (earlier unbilled epochs keep their cap)`}`,
      ...outcomeLines(r.outcome),
    ],
  };
}

export async function billingStatusCommand(ctx: CliContext, o: { network?: string; customer?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const { deployment, chain } = await ctx.ledgers();
  const customer = o.customer !== undefined ? parseAddress(o.customer, "--customer") : await (await ctx.signer()).getAddress();
  const token = await networkToken(chain.provider, deployment, networkId);
  const s = await readBilling(chain.provider, deployment, networkId, customer);
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  const ready = s.thawReadyAt === 0n ? null : isoDate(s.thawReadyAt);
  const data = {
    networkId: Number(networkId),
    customer: s.customer,
    authorized: s.authorized,
    capPerEpoch: s.capPerEpoch.toString(),
    expiry: s.expiry === 0n ? null : isoDate(s.expiry),
    nextEpoch: Number(s.nextEpoch),
    lastBilledEpoch: s.lastBilledEpoch === null ? null : Number(s.lastBilledEpoch),
    nextCap: { capPerEpoch: s.nextCap.capPerEpoch.toString(), runStart: Number(s.nextCap.runStart), runEnd: s.nextCap.runEnd === null ? null : Number(s.nextCap.runEnd) },
    finalizedCount: Number(s.finalizedCount),
    escrow: s.escrow.toString(),
    thawing: s.thawing.toString(),
    free: s.free.toString(),
    thawReadyAt: ready,
    thawReady: s.thawReadyAt !== 0n && s.now >= s.thawReadyAt,
    thawFromEpoch: s.thawReadyAt === 0n ? null : Number(s.thawFromEpoch),
    nonce: s.nonce.toString(),
    token: token.address,
  };
  const lines = [
    `billing of ${s.customer} on network ${networkId}`,
    ...kv([
      ["authorized", s.authorized ? (s.capPerEpoch === 0n ? "revoked" : "yes") : "never"],
      ["cap per epoch", fmt(s.capPerEpoch)],
      ["expiry", data.expiry ?? "-"],
      ["last billed epoch", epochText(s.lastBilledEpoch)],
      ["next statement from", `epoch ${s.nextEpoch}${s.nextCap.capPerEpoch > 0n ? ` (cap ${fmt(s.nextCap.capPerEpoch)}${s.nextCap.runEnd === null ? "" : `, up to epoch ${s.nextCap.runEnd - 1n}`})` : " (not billable under the current authorization)"}`],
      ["finality cursor", `${s.finalizedCount} (statements may end at epoch ${s.finalizedCount - 1n} at most)`],
      ["escrow", fmt(s.escrow)],
      ["thawing", s.thawing === 0n ? "none" : `${fmt(s.thawing)}, ready ${ready}${data.thawReady ? " (ready now: withdraw)" : ""}`],
      ["free", fmt(s.free)],
    ]),
  ];
  return { data, lines };
}
