/**
 * `workledger payout sign --network ID --through-epoch E --out SIG.json [--bundles DIR]` (DESIGN rule 9,
 * fixed): a verifier rebuilds the cumulative root on its own from the bundles and the chain, checks
 * "never lowers" against the previous root's file, and signs the EIP-712 PayoutRoot.
 */
import fs from "fs";

import { InvalidInputError, readVerifierStatus, signPayoutRoot, writePayoutSignatureFile } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";
import { parseNetworkId, parseUint } from "../parse";

export async function payoutSignCommand(ctx: CliContext, o: { network?: string; throughEpoch?: string; bundles?: string; out?: string; force?: boolean }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const throughEpoch = parseUint(o.throughEpoch, "--through-epoch");
  if (!o.out) throw new InvalidInputError("missing --out SIG.json (the payout signature file to write)");
  if (fs.existsSync(o.out) && !o.force && !ctx.dryRun) throw new InvalidInputError(`refusing to overwrite ${o.out} (pass --force)`);
  const bundleDir = o.bundles ?? "bundles";
  const { deployment, chain } = await ctx.ledgers();
  const signer = await ctx.signer();
  const me = await signer.getAddress();
  const status = await readVerifierStatus(chain.provider, deployment, networkId);
  if (!status.verifiers.includes(me)) throw new InvalidInputError(`${me} is not in the current verifier set ${status.verifierSetId} of network ${networkId}: only current verifiers sign a payout root`);
  const sig = await signPayoutRoot(signer, deployment, { networkId, throughEpoch, bundleDir });
  if (!ctx.dryRun) writePayoutSignatureFile(sig, o.out);
  const { round } = sig;
  return {
    data: { networkId: Number(networkId), throughEpoch: Number(throughEpoch), signer: sig.signer, root: sig.root, total: sig.total, dataHash: sig.dataHash, leafCount: round.leaves.length, out: ctx.dryRun ? null : o.out },
    lines: kv([
      ["signed by", sig.signer],
      ["root", sig.root],
      ["through epoch", sig.throughEpoch],
      ["total", sig.total],
      ["leaves", round.leaves.length],
      ["never lowers", round.previous ? `checked against the root through epoch ${round.previous.throughEpoch}` : "first root"],
      ["signature", ctx.dryRun ? "(not written in a dry run)" : o.out],
    ]),
  };
}
