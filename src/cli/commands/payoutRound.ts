/**
 * `workledger payout round --network ID --through-epoch E [--bundles DIR] [--signatures SIG.json,…]`:
 * the SDK's payoutRound — rebuild the cumulative root from the bundles and the chain's posted
 * revenue, write DIR/network-N-payout-E.json (the file the verifiers sign), and with --signatures
 * post it (anyone relays).
 */
import { InvalidInputError, networkToken, payoutRound, readPayoutSignatureFile } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatAmount, kv } from "../output";
import { parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function payoutRoundCommand(ctx: CliContext, o: { network?: string; throughEpoch?: string; bundles?: string; signatures?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const throughEpoch = parseUint(o.throughEpoch, "--through-epoch");
  const bundleDir = o.bundles ?? "bundles";
  const files = o.signatures === undefined ? [] : o.signatures.split(",").map((s) => s.trim()).filter(Boolean);
  if (o.signatures !== undefined && files.length === 0) throw new InvalidInputError("--signatures: give the payout signature files, comma-separated");
  const signatures = files.map((f) => readPayoutSignatureFile(f));
  const { deployment, chain } = await ctx.ledgers();
  const token = await networkToken(chain.provider, deployment, networkId);
  const runner = signatures.length ? await ctx.signer() : chain.provider;
  const r = await payoutRound(runner, deployment, { networkId, throughEpoch, bundleDir, signatures }, ctx.send);
  const fmt = (v: bigint) => formatAmount(v, token.decimals, token.symbol);
  const { round, posted } = r;
  const lines = kv([
    ["payout file", r.file ?? "(not written in a dry run)"],
    ["through epoch", round.throughEpoch],
    ["leaves", round.leaves.length],
    ["total", fmt(round.total)],
    ["previous total", round.previous ? fmt(round.previous.total) : "(first root)"],
    ["net revenue posted", fmt(round.netRevenuePosted)],
    ["root", round.root],
    ["dataHash", round.dataHash],
  ]);
  if (round.unregistered.length) ctx.log.info(`warning: ${round.unregistered.length} node(s) with revenue are not registered on network ${networkId}; their shares stay in revenue: ${round.unregistered.slice(0, 5).join(", ")}${round.unregistered.length > 5 ? ", …" : ""}`);
  if (posted) lines.push(`${ctx.dryRun ? "post" : "posted"} root through epoch ${round.throughEpoch}: ${fmt(posted.increase)} moved to payable, signed by ${posted.signers.join(", ")}`, ...outcomeLines(posted.outcome));
  else lines.push(`next: each verifier runs \`workledger payout sign --network ${networkId} --through-epoch ${throughEpoch} --out SIG.json\`, then \`payout round … --signatures A.json,B.json\``);
  return {
    data: {
      networkId: Number(networkId),
      throughEpoch: Number(round.throughEpoch),
      file: r.file,
      root: round.root,
      total: round.total.toString(),
      dataHash: round.dataHash,
      leafCount: round.leaves.length,
      previousThroughEpoch: round.previous ? Number(round.previous.throughEpoch) : null,
      previousTotal: round.previous ? round.previous.total.toString() : null,
      netRevenuePosted: round.netRevenuePosted.toString(),
      unregistered: round.unregistered,
      posted: posted ? { increase: posted.increase.toString(), signers: posted.signers, ...outcomeData(posted.outcome) } : null,
    },
    lines,
  };
}
