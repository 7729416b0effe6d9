/**
 * `workledger challenge --network ID --epoch E --reason TEXT`: anyone (a customer, an insurer, with its
 * own key) challenges a pending epoch, posting the bond `nextBond` from its wallet (approving the
 * RevenueLedger first when needed). The SDK's challengeEpoch.
 */
import { InvalidInputError, challengeEpoch, isoDate, readChallenge, reasonHash } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount } from "../output";
import { parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function challengeCommand(ctx: CliContext, o: { network?: string; epoch?: string; reason?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (o.reason === undefined || o.reason.trim() === "") throw new InvalidInputError("missing --reason TEXT (why the epoch is wrong; its hash goes on chain)");
  const hash = reasonHash(o.reason);
  const { deployment, workLedger } = await ctx.ledgers();
  await ctx.requireNetwork(networkId);
  const token = await ctx.token((await workLedger.network(networkId)).token);
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  const r = await challengeEpoch(await ctx.signer(), deployment, { networkId, epoch, reasonHash: hash }, ctx.send);
  const info = ctx.dryRun ? null : await readChallenge((await ctx.chain()).provider, deployment, networkId, epoch);
  const lines = ctx.dryRun
    ? [
        `challenge of epoch ${epoch} of network ${networkId} would post a bond of ${fmt(r.bond)} from ${r.challenger}`,
        ...(r.challengeSimulated ? [] : ["  (the challenge itself is simulated once the approval below is mined)"]),
        ...r.transactions.flatMap(outcomeLines),
      ]
    : [
        `challenged epoch ${epoch} v${r.version} of network ${networkId}: bond of ${fmt(r.bond)} locked from ${r.challenger}`,
        `the arbiter ${info?.arbiter} must rule before ${isoDate(r.deadline!)}; after that anyone may run \`workledger challenge expire --network ${networkId} --epoch ${epoch}\` (voided, bond returned)`,
        ...r.transactions.flatMap(outcomeLines),
      ];
  return {
    data: {
      networkId: Number(networkId),
      epoch: Number(epoch),
      version: r.version,
      challenger: r.challenger,
      bond: r.bond.toString(),
      deadline: r.deadline === null ? null : isoDate(r.deadline),
      arbiter: info?.arbiter ?? null,
      reason: o.reason,
      reasonHash: hash,
      dryRun: ctx.dryRun,
      challengeSimulated: r.challengeSimulated,
      transactions: r.transactions.map(outcomeData),
    },
    lines,
  };
}
