/**
 * `workledger check-proof FILE|URL [--offline] [--final] [--ledger ADDR]`: checks a record proof or a usage proof file
 * (told apart by its `kind`). An http(s) URL (a `workledger serve` record or usage endpoint) is
 * fetched and checked exactly like a file: the server's `status` is shown but never trusted, and the
 * answer must be what the URL asks for. The proof's ledger must be the one the reader trusts: --ledger,
 * else the WorkLedger of --deployment (or of ./deployment.json / $WORKLEDGER_DEPLOYMENT when that file
 * exists); with none of them the output says the ledger is the proof's own word. Prints whether the leaf is `included` in the epoch's latest version,
 * that version's `status` and `version`, and the contract's verdict (verifyRecord / verifyUsage,
 * true only once Final). Exit 1 (with the reasons) when the proof does not lead to its root, is not
 * under the latest version, or that version is voided; with --final also when it is not Final yet.
 */
import fs from "fs";

import { AnyProofFileInput, InvalidInputError, fetchProofFile, readAnyProofFile, readDeploymentFile, verifyProofFile } from "../../index";
import type { ProofRequest } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";
import { parseAddress } from "../parse";

/** The WorkLedger the reader trusts, and where it comes from: --ledger, --deployment, or the default deployment file if present. */
function trustedLedger(ctx: CliContext, o: { ledger?: string }): { address: string; from: string } | null {
  if (o.ledger !== undefined) return { address: parseAddress(o.ledger, "--ledger"), from: "--ledger" };
  if (ctx.opts.deployment === undefined && !fs.existsSync(ctx.deploymentFile)) return null;
  return { address: readDeploymentFile(ctx.deploymentFile).workLedger, from: ctx.deploymentFile };
}

export async function checkProofCommand(ctx: CliContext, o: { offline?: boolean; final?: boolean; ledger?: string }, args: string[]): Promise<CommandOutput> {
  const file = args[0];
  if (!file) throw new InvalidInputError("missing proof FILE or URL");
  const isUrl = /^https?:\/\//i.test(file);
  if (!isUrl && /^[a-z][a-z0-9+.-]*:\/\//i.test(file)) throw new InvalidInputError(`proof URL must be http(s): ${file}`);
  if (!isUrl && !fs.existsSync(file)) throw new InvalidInputError(`proof file not found: ${file}`);
  if (o.offline && o.final) throw new InvalidInputError("--final needs the chain: drop --offline");
  const trusted = trustedLedger(ctx, o);
  let parsed: AnyProofFileInput;
  let served: string | null = null;
  let request: ProofRequest | undefined;
  if (isUrl) {
    const got = await fetchProofFile(file);
    parsed = got;
    served = typeof got.body.status === "string" ? got.body.status : null;
    request = got.request ?? undefined; // a serve proof URL: the answer must be what it asks for
  } else {
    parsed = readAnyProofFile(file);
  }
  const chain = o.offline ? null : await ctx.chain();
  const r = await verifyProofFile(parsed.proof, { provider: chain?.provider, requireFinal: Boolean(o.final), request, ledger: trusted?.address });
  const p = parsed.proof;
  const usage = parsed.kind === "usage" ? parsed.proof : null;
  const record = parsed.kind === "record" ? parsed.proof : null;
  const subject = usage ? `usage of customer ${usage.leaf.customer}` : `node ${record!.record.nodeId}`;
  const verdict = usage ? "verifyUsage" : "verifyRecord";
  const checked = r.onChain !== undefined;
  const lines = [
    `${r.ok ? "VALID" : "INVALID"}: ${file} (${subject}, network ${p.networkId}, epoch ${p.epoch} v${p.version})`,
    ...kv([
      ["offline (proof vs root)", r.offline ? "ok" : "fails"],
      ["included (latest version)", !checked ? "not checked (--offline)" : r.included === undefined ? "-" : r.included ? "yes" : "no"],
      ["status", r.status ?? "-"],
      ...(isUrl ? [["status (server said)", served ?? "-"] as [string, string]] : []),
      ...(request ? [["matches the URL", r.matchesRequest ? "yes" : "no"] as [string, string]] : []),
      ["ledger", trusted ? `${p.ledger} (${r.ledgerMatches ? "the one" : "NOT the one"} ${trusted.from === "--ledger" ? "given by --ledger" : `in ${trusted.from}`})` : `${p.ledger} (the proof's own word: pin it with --ledger or --deployment)`],
      ["version (latest)", r.version ?? "-"],
      [`${verdict} (final)`, !checked || r.final === undefined ? "-" : r.final ? "true" : "false"],
    ]),
    ...r.problems.map((x) => `  - ${x}`),
  ];
  return {
    data: {
      ok: r.ok,
      kind: parsed.kind,
      offline: r.offline,
      onChain: r.onChain ?? null,
      included: r.included ?? null,
      status: r.status ?? null,
      version: r.version ?? null,
      final: r.final ?? null,
      problems: r.problems,
      source: isUrl ? "url" : "file",
      matchesRequest: r.matchesRequest ?? null,
      ledger: p.ledger,
      ledgerPinnedBy: trusted?.from ?? null,
      ledgerMatches: r.ledgerMatches ?? null,
      servedStatus: served,
      networkId: Number(p.networkId),
      epoch: Number(p.epoch),
      proofVersion: p.version,
      ...(usage ? { customer: usage.leaf.customer } : { nodeId: record!.record.nodeId }),
    },
    lines,
    exitCode: r.ok ? 0 : 1,
  };
}
