/** `workledger verifiers status --network ID`: the current set and threshold, the pending recovery and when it is executable. */
import { durationText, isoDate, readTrust, readVerifierStatus, whenText } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";
import { parseNetworkId } from "../parse";

export async function verifiersStatusCommand(ctx: CliContext, o: { network?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const { deployment, chain } = await ctx.ledgers();
  const s = await readVerifierStatus(chain.provider, deployment, networkId);
  const trust = await readTrust(chain.provider, deployment, networkId);
  const rec = s.recovery;
  const data = {
    networkId: Number(networkId),
    verifierSetId: s.verifierSetId,
    threshold: s.threshold,
    verifiers: s.verifiers,
    arbiter: trust.arbiter,
    pendingArbiter: trust.pendingArbiter,
    recoveryDelaySeconds: Number(s.recoveryDelay),
    recovery: rec
      ? { verifierSetId: rec.verifierSetId, verifiers: rec.verifiers, threshold: rec.threshold, setHash: rec.setHash, proposedAt: isoDate(rec.proposedAt), executableAt: isoDate(rec.executableAt), executable: rec.executable && !rec.stale, stale: rec.stale }
      : null,
    now: isoDate(s.now),
  };
  const recoveryLine = rec
    ? `set ${rec.verifierSetId}${rec.verifiers ? ` = ${rec.threshold}-of-${rec.verifiers.length} (${rec.verifiers.join(", ")})` : ` (hash ${rec.setHash})`}, proposed ${isoDate(rec.proposedAt)}; ${
        rec.stale ? "stale: the set rotated since, it can no longer apply" : rec.executable ? `executable now (since ${isoDate(rec.executableAt)})` : `executable from ${whenText(rec.executableAt, s.now)}`
      }`
    : "none";
  return {
    data,
    lines: kv([
      ["network", String(networkId)],
      ["verifier set", `${s.verifierSetId}: ${s.threshold}-of-${s.verifiers.length}`],
      ...s.verifiers.map((v, i): [string, string] => [`  verifier ${i + 1}`, v]),
      ["arbiter", trust.arbiter + (trust.pendingArbiter ? ` (handover to ${trust.pendingArbiter} pending)` : "")],
      ["recovery delay", durationText(s.recoveryDelay)],
      ["pending recovery", recoveryLine],
    ]),
  };
}
