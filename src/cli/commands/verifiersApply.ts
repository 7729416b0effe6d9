/**
 * `workledger verifiers apply --signatures A.json,B.json[,…]`: anyone relays k signatures of the current
 * set over one rotation. `verifiers apply --network ID --recovery --verifiers A,B,C --threshold K`
 * applies the admin's recovery proposal once its delay has passed.
 */
import { InvalidInputError, applyRecovery, applyRotation, readRotationSignature } from "../../index";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseAddressList, parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

export async function verifiersApplyCommand(ctx: CliContext, o: { network?: string; signatures?: string; recovery?: boolean; verifiers?: string; threshold?: string }): Promise<CommandOutput> {
  if (o.recovery) {
    if (o.signatures !== undefined) throw new InvalidInputError("--recovery applies the admin's proposal and takes no --signatures");
    const networkId = parseNetworkId(o.network);
    const verifiers = parseAddressList(o.verifiers, "--verifiers");
    const threshold = Number(parseUint(o.threshold, "--threshold", 8));
    const { deployment } = await ctx.ledgers();
    const r = await applyRecovery(await ctx.signer(), deployment, { networkId, verifiers, threshold }, ctx.send);
    return {
      data: { networkId: Number(networkId), recovery: true, verifierSetId: r.verifierSetId, verifiers, threshold, ...outcomeData(r.outcome) },
      lines: [ctx.dryRun ? `would apply the recovery rotation of network ${networkId}` : `applied the recovery rotation of network ${networkId}: verifier set ${r.verifierSetId} is ${threshold}-of-${verifiers.length}`, ...outcomeLines(r.outcome)],
    };
  }
  if (o.signatures === undefined || o.signatures.trim() === "") throw new InvalidInputError("missing --signatures A.json,B.json (rotation signatures of the current verifiers)");
  const files = o.signatures.split(",").map((s) => s.trim()).filter(Boolean);
  const sigs = files.map((f) => readRotationSignature(f));
  if (o.network !== undefined) {
    const networkId = parseNetworkId(o.network);
    sigs.forEach((s, i) => {
      if (BigInt(s.networkId) !== networkId) throw new InvalidInputError(`${files[i]} is for network ${s.networkId}, not --network ${networkId}`);
    });
  }
  const { deployment } = await ctx.ledgers();
  const r = await applyRotation(await ctx.signer(), deployment, sigs, { ...ctx.send, names: files });
  const networkId = sigs[0].networkId;
  return {
    data: { networkId: Number(networkId), verifierSetId: r.verifierSetId, verifiers: r.verifiers, threshold: r.threshold, signers: r.signers, ...outcomeData(r.outcome) },
    lines: [
      ctx.dryRun
        ? `would rotate network ${networkId} to verifier set ${r.verifierSetId} (${r.threshold}-of-${r.verifiers.length}), signed by ${r.signers.join(", ")}`
        : `rotated network ${networkId} to verifier set ${r.verifierSetId}: ${r.threshold}-of-${r.verifiers.length} (${r.verifiers.join(", ")}), signed by ${r.signers.length} current verifiers`,
      ...outcomeLines(r.outcome),
    ],
  };
}
