/**
 * `workledger publish --network ID --epoch E --records FILE [--usage FILE] --signatures A.json[,B.json…]`:
 * the SDK's publishEpoch (bundle with the usage leaves, signature checks, commit; the bundle is put in
 * place only after the commit). A bad usage file, or one of another epoch, is refused (exit 2, its line)
 * before anything is sent or written; Σ usage ≠ Σ node revenue is warned about, never refused.
 */
import fs from "fs";
import path from "path";

import { InvalidInputError, WorkLedgerError, publishEpoch, summaryToJson } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatInt, kv } from "../output";
import { parseNetworkId, parseUint } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";
import { warnUnregistered } from "../unregistered";
import { usageLines, warnUsageRevenue } from "../usage";

export interface PublishFlags {
  network?: string;
  epoch?: string;
  records?: string;
  signatures?: string;
  bundleOut?: string;
  correction?: boolean;
  reason?: string;
  strict?: boolean;
  usage?: string;
}

export async function publishCommand(ctx: CliContext, o: PublishFlags): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (!o.records) throw new InvalidInputError("missing --records FILE");
  if (!o.signatures) throw new InvalidInputError("missing --signatures SIG.json[,SIG2.json...]");
  if (!fs.existsSync(o.records)) throw new InvalidInputError(`records file not found: ${o.records}`);
  if (o.usage !== undefined && !fs.existsSync(o.usage)) throw new InvalidInputError(`usage file not found: ${o.usage}`);
  if (o.correction && !o.reason) throw new InvalidInputError("a correction needs --reason TEXT");
  const signatures = o.signatures.split(",").map((s) => s.trim()).filter(Boolean);
  const { deployment } = await ctx.ledgers();
  await ctx.requireNetwork(networkId);
  const signer = await ctx.signer();
  let r;
  try {
    r = await publishEpoch(signer, deployment, {
      networkId,
      epoch,
      recordsFile: o.records,
      usageFile: o.usage,
      signatures,
      ...(o.bundleOut ? { bundleFile: o.bundleOut } : { bundleDir: path.dirname(o.records) }),
      correction: o.correction ? { reason: o.reason! } : undefined,
      nodeCheck: o.strict ? "strict" : "warn",
      dryRun: ctx.dryRun,
      pollMs: 100,
    });
  } catch (e) {
    if (e instanceof WorkLedgerError && e.code === "E_ALREADY_COMMITTED") throw new InvalidInputError(`${e.shortMessage}; pass --correction --reason TEXT to supersede it`, { cause: e });
    throw e;
  }
  const unregistered = warnUnregistered(ctx, r.unregisteredNodes, networkId, o.records);
  const usageWarning = warnUsageRevenue(ctx, r.usageRevenue);
  const commit = r.commit;
  const tx = r.simulation
    ? outcomeData(r.simulation)
    : commit && !commit.alreadyCommitted
      ? { dryRun: false, contract: "WorkLedger", method: o.correction ? "correctEpoch" : "commitEpoch", from: await signer.getAddress(), to: deployment.workLedger, txHash: commit.txHash, blockNumber: commit.blockNumber, gasUsed: commit.gasUsed?.toString() }
      : {};
  const data = {
    networkId: Number(networkId),
    epoch: Number(epoch),
    version: r.version,
    alreadyCommitted: r.alreadyCommitted,
    root: r.summary.root,
    summary: summaryToJson(r.summary),
    signers: r.signers,
    bundle: r.bundleFile,
    unregisteredNodes: unregistered,
    usageWarning,
    ...tx,
  };
  if (r.alreadyCommitted) return { data, lines: [`epoch ${epoch} of network ${networkId} is already committed with root ${r.summary.root}: nothing to do`] };
  return {
    data,
    lines: [
      `${ctx.dryRun ? "would commit" : "committed"} epoch ${epoch} v${r.version} of network ${networkId}`,
      ...kv([
        ["root", r.summary.root],
        ["records", formatInt(r.summary.recordCount)],
        ...usageLines(r.summary),
        ["signers", r.signers.join(", ")],
        ["bundle", r.bundleFile ?? "(not written in a dry run)"],
      ]),
      ...(r.simulation ? outcomeLines(r.simulation) : commit?.txHash ? [`tx ${commit.txHash} (block ${commit.blockNumber}, gas ${commit.gasUsed?.toLocaleString("en-US")})`] : []),
    ],
  };
}
