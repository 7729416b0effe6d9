/**
 * `workledger verifiers propose --network ID --verifiers A,B,C --threshold K [--out rotation.json]`:
 * writes the rotation proposal (the exact message the current verifiers sign with `verifiers sign`).
 * With `--recovery` (the admin's key) it instead proposes the delayed recovery rotation on chain.
 */
import fs from "fs";

import { InvalidInputError, proposeRecovery, proposeRotation, whenText, writeRotationFile } from "../../index";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseAddressList, parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function verifiersProposeCommand(ctx: CliContext, o: { network?: string; verifiers?: string; threshold?: string; out?: string; recovery?: boolean; force?: boolean }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const verifiers = parseAddressList(o.verifiers, "--verifiers");
  const threshold = Number(parseUint(o.threshold, "--threshold", 8));
  if (threshold < 1 || threshold > verifiers.length) throw new InvalidInputError(`--threshold must be from 1 to ${verifiers.length} (the number of verifiers), got ${threshold}`);
  if (o.recovery) {
    if (o.out !== undefined) throw new InvalidInputError("--out is for a signed rotation proposal; --recovery proposes on chain and writes no file");
    const { deployment, chain } = await ctx.ledgers();
    const r = await proposeRecovery(await ctx.signer(), deployment, { networkId, verifiers, threshold }, ctx.send);
    const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
    const lines = ctx.dryRun
      ? [`would propose a recovery rotation of network ${networkId} to ${threshold}-of-${verifiers.length}`, ...outcomeLines(r.outcome)]
      : [
          `proposed a recovery rotation of network ${networkId} (verifier set ${r.verifierSetId}: ${threshold}-of-${verifiers.length})`,
          `anyone may apply it from ${whenText(r.executableAt!, now)} with \`workledger verifiers apply --network ${networkId} --recovery --verifiers ${verifiers.join(",")} --threshold ${threshold}\`, unless the arbiter cancels it (\`verifiers cancel\`)`,
          ...outcomeLines(r.outcome),
        ];
    return {
      data: { networkId: Number(networkId), recovery: true, verifierSetId: r.verifierSetId, verifiers, threshold, executableAt: r.executableAt === null ? null : new Date(Number(r.executableAt) * 1000).toISOString(), ...outcomeData(r.outcome) },
      lines,
    };
  }
  const out = o.out ?? "rotation.json";
  if (fs.existsSync(out) && !o.force && !ctx.dryRun) throw new InvalidInputError(`refusing to overwrite ${out} (pass --force)`);
  const { deployment, chain } = await ctx.ledgers();
  const proposal = await proposeRotation(chain.provider, deployment, networkId, verifiers, threshold);
  if (!ctx.dryRun) writeRotationFile(proposal, out);
  return {
    data: { ...proposal, out: ctx.dryRun ? null : out, dryRun: ctx.dryRun },
    lines: [
      `rotation proposal for network ${networkId}: verifier set ${proposal.verifierSetId} = ${threshold}-of-${verifiers.length} (${verifiers.join(", ")})`,
      ctx.dryRun ? `dry run: ${out} was not written` : `wrote ${out}: k of the CURRENT verifiers sign it with \`workledger verifiers sign --proposal ${out} --out SIG.json\`, then anyone relays with \`verifiers apply --signatures …\``,
    ],
  };
}
