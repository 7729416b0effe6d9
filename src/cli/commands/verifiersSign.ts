/**
 * `workledger verifiers sign --proposal rotation.json --out SIG.json` (or `--network ID --verifiers
 * A,B,C --threshold K`): one current verifier signs a rotation (EIP-712 VerifierRotation) into a file.
 */
import fs from "fs";

import { InvalidInputError, proposeRotation, readRotationProposal, readVerifierStatus, signRotation, writeRotationFile } from "../../index";
import type { RotationProposal } from "../../index";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseAddressList, parseNetworkId, parseUint } from "../parse";

export async function verifiersSignCommand(ctx: CliContext, o: { proposal?: string; network?: string; verifiers?: string; threshold?: string; out?: string; force?: boolean }): Promise<CommandOutput> {
  if (!o.out) throw new InvalidInputError("missing --out SIG.json (the signature file to write)");
  if (fs.existsSync(o.out) && !o.force && !ctx.dryRun) throw new InvalidInputError(`refusing to overwrite ${o.out} (pass --force)`);
  let proposal: RotationProposal;
  const { deployment, chain } = await ctx.ledgers();
  if (o.proposal !== undefined) {
    if (o.verifiers !== undefined || o.threshold !== undefined) throw new InvalidInputError("pass either --proposal FILE or --verifiers/--threshold, not both");
    proposal = readRotationProposal(o.proposal);
    if (o.network !== undefined && BigInt(proposal.networkId) !== parseNetworkId(o.network)) throw new InvalidInputError(`${o.proposal} is for network ${proposal.networkId}, not --network ${o.network}`);
    if (BigInt(proposal.chainId) !== BigInt(deployment.chainId) || proposal.workLedger.toLowerCase() !== deployment.workLedger.toLowerCase()) {
      throw new InvalidInputError(`${o.proposal} is for chain ${proposal.chainId} / ${proposal.workLedger}, not this deployment (chain ${deployment.chainId} / ${deployment.workLedger})`);
    }
  } else {
    const networkId = parseNetworkId(o.network);
    const verifiers = parseAddressList(o.verifiers, "--verifiers");
    const threshold = Number(parseUint(o.threshold, "--threshold", 8));
    proposal = await proposeRotation(chain.provider, deployment, networkId, verifiers, threshold);
  }
  const networkId = BigInt(proposal.networkId);
  const status = await readVerifierStatus(chain.provider, deployment, networkId);
  if (BigInt(proposal.verifierSetId) !== BigInt(status.verifierSetId) + 1n) {
    throw new InvalidInputError(`the proposal is for verifier set ${proposal.verifierSetId} but network ${networkId} is at set ${status.verifierSetId}: only set ${status.verifierSetId + 1} can be signed now`);
  }
  const signer = await ctx.signer();
  const me = await signer.getAddress();
  if (!status.verifiers.includes(me)) throw new InvalidInputError(`${me} is not in the current verifier set ${status.verifierSetId} of network ${networkId}: only current verifiers sign a rotation`);
  const sig = await signRotation(proposal, signer);
  if (!ctx.dryRun) writeRotationFile(sig, o.out);
  return {
    data: { ...sig, out: ctx.dryRun ? null : o.out, dryRun: ctx.dryRun },
    lines: [
      `${me} signs the rotation of network ${networkId} to verifier set ${proposal.verifierSetId}: ${proposal.threshold}-of-${proposal.verifiers.length} (${proposal.verifiers.join(", ")})`,
      ctx.dryRun ? `dry run: ${o.out} was not written` : `wrote ${o.out} (${status.threshold} of the ${status.verifiers.length} current verifiers must sign; then anyone runs \`workledger verifiers apply --signatures A.json,B.json…\`)`,
    ],
  };
}
