/**
 * Money commands over the RevenueLedger: deposit, withdraw, charge (create, post, void, refund),
 * payout (build, post) and claim. Each validates, pre-checks the books for a clear error, simulates,
 * and sends (or stops there with --dry-run).
 */
import fs from "fs";
import { Contract, Interface, ZeroAddress, keccak256, toUtf8Bytes } from "ethers";

import { IRevenueLedger__factory } from "../../contracts";
import { InvalidInputError } from "../../errors";
import { CliContext, ERC20_ABI, TokenInfo } from "../context";
import { CommandOutput, formatAmount, kv, toJson } from "../output";
import { PayoutLeaf, makePayoutSet, payoutSetJson, payoutTree, readPayoutFile } from "../payouts";
import { parseAddress, parseAmount, parseHex32, parseNetworkId, parseNodeId, parseUint } from "../parse";
import { TxOutcome, execute, outcomeData, outcomeLines } from "../tx";
import { statusName } from "./network";

const rl = (): Interface => IRevenueLedger__factory.createInterface();

/** The token of a network, with decimals and symbol. */
export async function networkToken(ctx: CliContext, networkId: bigint): Promise<TokenInfo> {
  await ctx.requireNetwork(networkId);
  const { workLedger } = await ctx.ledgers();
  const n = await workLedger.network(networkId);
  return ctx.token(n.token);
}

function fmt(t: TokenInfo, v: bigint): string {
  return formatAmount(v, t.decimals, t.symbol);
}

async function sendRl(ctx: CliContext, method: string, args: unknown[]): Promise<TxOutcome> {
  const { deployment } = await ctx.ledgers();
  const signer = await ctx.signer();
  return execute(signer, { contract: "RevenueLedger", to: deployment.revenueLedger, iface: rl(), method, args }, ctx.dryRun);
}

/** `deposit --network ID --amount A`: approve (if needed) and deposit into the caller's escrow. */
export async function depositCommand(ctx: CliContext, o: { network?: string; amount?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  if (o.amount === undefined) throw new InvalidInputError("missing --amount A (token units, e.g. 1000.50)");
  const token = await networkToken(ctx, networkId);
  const amount = parseAmount(o.amount, token.decimals);
  const { deployment, chain } = await ctx.ledgers();
  const signer = await ctx.signer();
  const from = await signer.getAddress();
  const erc20 = new Contract(token.address, ERC20_ABI, chain.provider);
  const balance = (await erc20.balanceOf(from)) as bigint;
  if (balance < amount) throw new InvalidInputError(`insufficient ${token.symbol || "token"} balance: ${from} holds ${fmt(token, balance)}, deposit needs ${fmt(token, amount)}`);
  const allowance = (await erc20.allowance(from, deployment.revenueLedger)) as bigint;
  const outcomes: TxOutcome[] = [];
  let depositPending = false;
  if (allowance < amount) {
    outcomes.push(await execute(signer, { contract: "Token", to: token.address, iface: new Interface(ERC20_ABI), method: "approve", args: [deployment.revenueLedger, amount] }, ctx.dryRun));
    depositPending = ctx.dryRun;
  }
  if (!depositPending) outcomes.push(await sendRl(ctx, "deposit", [networkId, amount]));
  const lines = [
    ctx.dryRun ? `deposit ${fmt(token, amount)} into network ${networkId} escrow of ${from}` : `deposited ${fmt(token, amount)} into network ${networkId} escrow of ${from}`,
    ...outcomes.flatMap(outcomeLines),
  ];
  if (depositPending) lines.push("  deposit: not simulated (needs the approval above to be mined first)");
  if (!ctx.dryRun) {
    const { revenueLedger } = await ctx.ledgers();
    const c = await revenueLedger.customer(networkId, from);
    lines.push(`free escrow now ${fmt(token, c.free)}, held ${fmt(token, c.held)}`);
  }
  return { data: { networkId: Number(networkId), customer: from, amount: amount.toString(), transactions: outcomes.map(outcomeData) }, lines };
}

/** `withdraw --network ID --amount A [--to ADDR]`: withdraw free escrow. */
export async function withdrawCommand(ctx: CliContext, o: { network?: string; amount?: string; to?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  if (o.amount === undefined) throw new InvalidInputError("missing --amount A (token units)");
  const toArg = o.to === undefined ? undefined : parseAddress(o.to, "--to");
  const token = await networkToken(ctx, networkId);
  const amount = parseAmount(o.amount, token.decimals);
  const { revenueLedger } = await ctx.ledgers();
  const signer = await ctx.signer();
  const from = await signer.getAddress();
  const c = await revenueLedger.customer(networkId, from);
  if (c.free < amount) throw new InvalidInputError(`insufficient escrow: ${from} has ${fmt(token, c.free)} free on network ${networkId} (${fmt(token, c.held)} held), withdrawal needs ${fmt(token, amount)}`);
  const to = toArg ?? from;
  const outcome = await sendRl(ctx, "withdraw", [networkId, amount, to]);
  return {
    data: { networkId: Number(networkId), customer: from, to, amount: amount.toString(), ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "withdraw" : "withdrew"} ${fmt(token, amount)} from network ${networkId} escrow to ${to}`, ...outcomeLines(outcome)],
  };
}

/** Reference text or 0x-bytes32 -> bytes32. */
function refHash(v: string | undefined, flag: string): string {
  if (v === undefined || v === "") throw new InvalidInputError(`missing ${flag}`);
  if (v.startsWith("0x")) return parseHex32(v, flag);
  return keccak256(toUtf8Bytes(v));
}

/** `charge --network ID --customer ADDR --epoch E --amount A --ref REF`: escrow -> held (BILLER). */
export async function chargeCommand(ctx: CliContext, o: { network?: string; customer?: string; epoch?: string; amount?: string; ref?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const customer = parseAddress(o.customer, "--customer");
  const epoch = parseUint(o.epoch, "--epoch");
  if (o.amount === undefined) throw new InvalidInputError("missing --amount A (token units)");
  const ref = refHash(o.ref, "--ref");
  const token = await networkToken(ctx, networkId);
  const amount = parseAmount(o.amount, token.decimals);
  const { workLedger, revenueLedger } = await ctx.ledgers();
  const [status] = await workLedger.epochStatus(networkId, epoch);
  if (Number(status) === 0) throw new InvalidInputError(`unknown epoch ${epoch} on network ${networkId}: it was never committed`);
  if (Number(status) === 4) throw new InvalidInputError(`epoch ${epoch} on network ${networkId} is voided: it cannot be charged`);
  const c = await revenueLedger.customer(networkId, customer);
  if (c.free < amount) throw new InvalidInputError(`insufficient escrow: ${customer} has ${fmt(token, c.free)} free on network ${networkId}, charge needs ${fmt(token, amount)}`);
  const outcome = await sendRl(ctx, "charge", [networkId, customer, epoch, amount, ref]);
  let chargeId: string | null = null;
  for (const log of outcome.receipt?.logs ?? []) {
    try {
      const p = rl().parseLog(log);
      if (p?.name === "Charged") chargeId = String(p.args.chargeId);
    } catch {
      // other contract
    }
  }
  return {
    data: { networkId: Number(networkId), customer, epoch: Number(epoch), amount: amount.toString(), ref, chargeId, ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "charge" : "charged"} ${customer} ${fmt(token, amount)} for epoch ${epoch} of network ${networkId}${chargeId ? ` (charge ${chargeId})` : ""}`, ...outcomeLines(outcome)],
  };
}

const CHARGE_STATUS = ["none", "held", "posted", "voided"];

async function loadCharge(ctx: CliContext, id: string) {
  const { revenueLedger } = await ctx.ledgers();
  const c = await revenueLedger.getCharge(id);
  if (Number(c.status) === 0) throw new InvalidInputError(`unknown charge ${id}`);
  return c;
}

/** `charge post|void --charge ID`: held -> revenue (epoch final) or held -> escrow (epoch voided). */
export async function chargeSettleCommand(ctx: CliContext, action: "post" | "void", o: { charge?: string }): Promise<CommandOutput> {
  const id = parseHex32(o.charge, "--charge");
  const c = await loadCharge(ctx, id);
  if (Number(c.status) !== 1) throw new InvalidInputError(`charge ${id} is ${CHARGE_STATUS[Number(c.status)]}, not held`);
  const { workLedger } = await ctx.ledgers();
  const [status] = await workLedger.epochStatus(c.networkId, c.epoch);
  const need = action === "post" ? 3 : 4;
  if (Number(status) !== need) throw new InvalidInputError(`cannot ${action} charge ${id}: epoch ${c.epoch} of network ${c.networkId} is ${statusName(status)}, not ${statusName(need)}`);
  const token = await networkToken(ctx, c.networkId);
  const outcome = await sendRl(ctx, action === "post" ? "postCharge" : "voidCharge", [id]);
  return {
    data: { chargeId: id, action, networkId: Number(c.networkId), epoch: Number(c.epoch), customer: c.customer, amount: c.amount.toString(), ...outcomeData(outcome) },
    lines: [`${action === "post" ? "post" : "void"}${ctx.dryRun ? "" : "ed"} charge ${id}: ${fmt(token, c.amount)} of ${c.customer} for epoch ${c.epoch}`, ...outcomeLines(outcome)],
  };
}

/** `charge post --charge ID`. */
export const chargePostCommand = (ctx: CliContext, o: { charge?: string }): Promise<CommandOutput> => chargeSettleCommand(ctx, "post", o);
/** `charge void --charge ID`. */
export const chargeVoidCommand = (ctx: CliContext, o: { charge?: string }): Promise<CommandOutput> => chargeSettleCommand(ctx, "void", o);

/** `charge refund --charge ID --amount A --reason TEXT`: an SLA credit, revenue -> escrow. */
export async function chargeRefundCommand(ctx: CliContext, o: { charge?: string; amount?: string; reason?: string }): Promise<CommandOutput> {
  const id = parseHex32(o.charge, "--charge");
  if (o.amount === undefined) throw new InvalidInputError("missing --amount A (token units)");
  const reason = refHash(o.reason, "--reason");
  const c = await loadCharge(ctx, id);
  const token = await networkToken(ctx, c.networkId);
  const amount = parseAmount(o.amount, token.decimals);
  if (Number(c.status) !== 2) throw new InvalidInputError(`charge ${id} is ${CHARGE_STATUS[Number(c.status)]}: only posted charges can be refunded`);
  const outcome = await sendRl(ctx, "refund", [id, amount, reason]);
  return {
    data: { chargeId: id, networkId: Number(c.networkId), epoch: Number(c.epoch), customer: c.customer, amount: amount.toString(), reasonHash: reason, ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "refund" : "refunded"} ${fmt(token, amount)} of charge ${id} to ${c.customer}`, ...outcomeLines(outcome)],
  };
}

/** `payout post --network ID --epoch E --payouts FILE`: revenue -> payable under a Merkle root. */
export async function payoutPostCommand(ctx: CliContext, o: { network?: string; epoch?: string; payouts?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (!o.payouts) throw new InvalidInputError("missing --payouts FILE");
  const set = readPayoutFile(o.payouts);
  if (set.networkId !== null && BigInt(set.networkId) !== networkId) throw new InvalidInputError(`${o.payouts} is for network ${set.networkId}, not ${networkId}`);
  if (set.epoch !== null && BigInt(set.epoch) !== epoch) throw new InvalidInputError(`${o.payouts} is for epoch ${set.epoch}, not ${epoch}`);
  const token = await networkToken(ctx, networkId);
  const { workLedger, revenueLedger } = await ctx.ledgers();
  const [status] = await workLedger.epochStatus(networkId, epoch);
  if (Number(status) !== 3) throw new InvalidInputError(`epoch ${epoch} of network ${networkId} is ${statusName(status)}: payouts need a final epoch`);
  const existing = await revenueLedger.payout(networkId, epoch);
  if (existing.root !== "0x" + "0".repeat(64)) throw new InvalidInputError(`a payout root for epoch ${epoch} of network ${networkId} exists already (${existing.root})`);
  const available = await revenueLedger.epochRevenue(networkId, epoch);
  if (set.total > available) throw new InvalidInputError(`payout total ${fmt(token, set.total)} exceeds the epoch's available revenue ${fmt(token, available)}`);
  const outcome = await sendRl(ctx, "postPayoutRoot", [networkId, epoch, set.root, set.total, set.leaves.length]);
  return {
    data: { networkId: Number(networkId), epoch: Number(epoch), root: set.root, total: set.total.toString(), leafCount: set.leaves.length, ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "post" : "posted"} payout root ${set.root} for epoch ${epoch}: ${set.leaves.length} leaves, ${fmt(token, set.total)}`, ...outcomeLines(outcome)],
  };
}

/** Split `available` over records in proportion to their revenue (floor; the remainder stays unpaid). */
export function splitPayouts(records: Array<{ nodeId: string; operator: string; revenue: bigint }>, available: bigint): PayoutLeaf[] {
  const total = records.reduce((s, r) => s + r.revenue, 0n);
  if (total === 0n) return [];
  const budget = available < total ? available : total;
  const leaves: PayoutLeaf[] = [];
  for (const r of records) {
    const amount = (budget * r.revenue) / total;
    if (amount > 0n) leaves.push({ index: leaves.length, nodeId: r.nodeId, operator: r.operator, amount });
  }
  return leaves;
}

/** `payout build --network ID --epoch E --records FILE --out FILE`: payouts from an epoch's records. */
export async function payoutBuildCommand(ctx: CliContext, o: { network?: string; epoch?: string; records?: string; out?: string }): Promise<CommandOutput> {
  const { readRecordsForPayouts: readRecords } = await import("./epochData");
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (!o.records) throw new InvalidInputError("missing --records FILE");
  if (!o.out) throw new InvalidInputError("missing --out FILE");
  const records = await readRecords(o.records);
  const token = await networkToken(ctx, networkId);
  const { workLedger, revenueLedger } = await ctx.ledgers();
  const available = await revenueLedger.epochRevenue(networkId, epoch);
  if (available === 0n) throw new InvalidInputError(`epoch ${epoch} of network ${networkId} has no revenue available for payouts (post its charges first)`);
  const withOps = [];
  for (const r of records) {
    const [operator] = await workLedger.node(networkId, r.nodeId);
    if (operator === ZeroAddress) throw new InvalidInputError(`unknown node ${r.nodeId} on network ${networkId}`);
    withOps.push({ nodeId: r.nodeId, operator, revenue: r.revenue });
  }
  const set = makePayoutSet(Number(networkId), Number(epoch), splitPayouts(withOps, available));
  fs.writeFileSync(o.out, toJson(payoutSetJson(set)) + "\n");
  return {
    data: { ...payoutSetJson(set), out: o.out },
    lines: kv([["payouts", o.out], ["leaves", set.leaves.length], ["total", fmt(token, set.total)], ["available", fmt(token, available)], ["root", set.root]]),
  };
}

/** `claim --network ID --epoch E --node NODEID --payouts FILE [--to ADDR]`: claim a payout leaf with its proof. */
export async function claimCommand(ctx: CliContext, o: { network?: string; epoch?: string; node?: string; payouts?: string; to?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  const nodeId = parseNodeId(o.node);
  if (!o.payouts) throw new InvalidInputError("missing --payouts FILE");
  const toArg = o.to === undefined ? undefined : parseAddress(o.to, "--to");
  const set = readPayoutFile(o.payouts);
  const leaf = set.leaves.find((l) => l.nodeId === nodeId);
  if (!leaf) throw new InvalidInputError(`node ${o.node} has no leaf in ${o.payouts}`);
  const token = await networkToken(ctx, networkId);
  const { revenueLedger } = await ctx.ledgers();
  const onChain = await revenueLedger.payout(networkId, epoch);
  if (onChain.root === "0x" + "0".repeat(64)) throw new InvalidInputError(`no payout root posted for epoch ${epoch} of network ${networkId}`);
  if (onChain.root.toLowerCase() !== set.root.toLowerCase()) throw new InvalidInputError(`${o.payouts} has root ${set.root} but epoch ${epoch} pays out under ${onChain.root}`);
  if (await revenueLedger.isClaimed(networkId, epoch, leaf.index)) throw new InvalidInputError(`payout of node ${nodeId} for epoch ${epoch} (leaf ${leaf.index}) was already claimed`);
  const signer = await ctx.signer();
  const from = await signer.getAddress();
  if (from !== leaf.operator) throw new InvalidInputError(`the signing key ${from} is not the leaf's operator ${leaf.operator}`);
  const proof = payoutTree(set.leaves).getProof(leaf.index);
  const to = toArg ?? from;
  const outcome = await sendRl(ctx, "claim", [networkId, epoch, leaf.index, nodeId, leaf.amount, proof, to]);
  return {
    data: { networkId: Number(networkId), epoch: Number(epoch), index: leaf.index, nodeId, operator: leaf.operator, to, amount: leaf.amount.toString(), proof, ...outcomeData(outcome) },
    lines: [`${ctx.dryRun ? "claim" : "claimed"} ${fmt(token, leaf.amount)} for node ${nodeId} (epoch ${epoch}, leaf ${leaf.index}) to ${to}`, ...outcomeLines(outcome)],
  };
}

