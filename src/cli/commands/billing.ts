/**
 * `workledger billing authorize|revoke|status|relay` (#15, DESIGN rule 3): the customer's own limit on what a
 * network may bill it (a per-epoch cap and an expiry) — sent by the customer, or signed into a file
 * (`authorize --out`) that the biller relays (`relay`) —, its revoke, and its billing status (cap,
 * expiry, last billed epoch, escrow, thawing part and ready date; dates ISO 8601 UTC).
 */
import fs from "fs";

import {
  InvalidInputError,
  authorizeBilling,
  isoDate,
  networkToken,
  readBilling,
  readBillingAuthorization,
  relayBillingAuthorization,
  revokeBilling,
  signBillingAuthorization,
  writeBillingAuthorization,
} from "../../index";
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

export async function billingAuthorizeCommand(ctx: CliContext, o: { network?: string; perEpoch?: string; expires?: string; out?: string; deadline?: string; force?: boolean }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  if (o.perEpoch === undefined) throw new InvalidInputError("missing --per-epoch AMOUNT (the most the network may bill you per epoch, in token units)");
  const expiry = o.expires === undefined ? undefined : parseIsoDate(o.expires, "--expires");
  if (o.deadline !== undefined && o.out === undefined) throw new InvalidInputError("--deadline goes with --out (a signed authorization for the biller to relay)");
  const deadline = o.deadline === undefined ? undefined : parseIsoDate(o.deadline, "--deadline");
  if (o.out !== undefined && fs.existsSync(o.out) && !o.force) throw new InvalidInputError(`${o.out} exists: pass --force to overwrite it`);
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const cap = parseAmount(o.perEpoch, token.decimals, "--per-epoch");
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  if (o.out !== undefined) {
    const now = BigInt((await chain.provider.getBlock("latest"))?.timestamp ?? 0);
    if (expiry !== undefined && expiry <= now) throw new InvalidInputError(`expiry ${isoDate(expiry)} is not in the future (chain time now ${isoDate(now)})`);
    if (deadline !== undefined && deadline <= now) throw new InvalidInputError(`--deadline ${isoDate(deadline)} is not in the future (chain time now ${isoDate(now)})`);
    const a = await signBillingAuthorization(await ctx.signer(), deployment, { networkId, capPerEpoch: cap, expiry, deadline });
    writeBillingAuthorization(a, o.out);
    return {
      data: { out: o.out, ...a, expiry: isoDate(BigInt(a.expiry)), deadline: isoDate(BigInt(a.deadline)) },
      lines: [
        `wrote ${o.out}: ${a.customer} authorizes network ${networkId} to bill it up to ${fmt(cap)} per epoch until ${isoDate(BigInt(a.expiry))} (signed, nothing sent)`,
        ...kv([["relay by", `${isoDate(BigInt(a.deadline))} (billing relay --authorization ${o.out}, anyone's key)`], ["nonce", a.nonce]]),
      ],
    };
  }
  const r = await authorizeBilling(await ctx.signer(), deployment, { networkId, capPerEpoch: cap, expiry }, ctx.send);
  return authorizationOutput(ctx, r, fmt);
}

function authorizationOutput(ctx: CliContext, r: Awaited<ReturnType<typeof authorizeBilling>>, fmt: (v: bigint) => string): CommandOutput {
  return {
    data: {
      networkId: Number(r.networkId),
      customer: r.customer,
      capPerEpoch: r.capPerEpoch.toString(),
      expiry: r.capPerEpoch === 0n ? null : isoDate(r.expiry),
      changeEpoch: r.changeEpoch === null ? null : Number(r.changeEpoch),
      nextEpoch: r.nextEpoch === null ? null : Number(r.nextEpoch),
      relayer: r.relayer,
      ...outcomeData(r.outcome),
    },
    lines: [
      r.capPerEpoch === 0n
        ? `${ctx.dryRun ? "revoke" : "revoked"} network ${r.networkId}'s billing of ${r.customer}`
        : `${ctx.dryRun ? "authorize" : "authorized"} network ${r.networkId} to bill ${r.customer} up to ${fmt(r.capPerEpoch)} per epoch until ${isoDate(r.expiry)}`,
      ...(r.changeEpoch === null ? [] : kv([["applies from epoch", `${r.changeEpoch} (a raise also covers every unbilled epoch)`], ["next billable epoch", r.nextEpoch!.toString()]])),
      ...(r.relayer !== r.customer ? [`  relayed by ${r.relayer}`] : []),
      ...outcomeLines(r.outcome),
    ],
  };
}

export async function billingRelayCommand(ctx: CliContext, o: { authorization?: string }): Promise<CommandOutput> {
  if (!o.authorization) throw new InvalidInputError("missing --authorization FILE (written by `billing authorize --out`)");
  const a = readBillingAuthorization(o.authorization);
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, BigInt(a.networkId));
  const r = await relayBillingAuthorization(await ctx.signer(), deployment, a, ctx.send);
  return authorizationOutput(ctx, r, (v) => formatAmount(v, token.decimals, token.symbol));
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
