/**
 * Epoch data commands over records/, writer/ and verifier/: `sign` (a verifier rebuilds the epoch
 * from the records file and signs it), `publish` (bundle, check signatures, commit), `prove` (a
 * record's proof file from the bundle) and `check-proof`.
 */
import fs from "fs";
import path from "path";
import { Signer, getAddress } from "ethers";

import { IWorkLedger__factory } from "../../contracts";
import { InvalidInputError, VerificationError } from "../../errors";
import { CliContext } from "../context";
import { Deployment } from "../deployment";
import { CommandOutput, formatInt, kv, toJson } from "../output";
import { parseNetworkId, parseNodeId, parseUint } from "../parse";
import {
  EpochSummary,
  SignatureFile,
  buildEpoch,
  bundleFileName,
  bundleProof,
  commitEpochTx,
  makeProofFile,
  readBundle,
  readProofFile,
  verifyProofFile,
  readRecordsFile,
  readSignatureFile,
  signEpoch,
  summaryFromJson,
  summaryToJson,
  writeBundle,
  writeSignatureFile,
} from "../sdk";
import { TxOutcome, outcomeData, outcomeLines } from "../tx";
import { statusName } from "./network";

/** Version to sign/publish: explicit, else 1 for a new epoch, latest + 1 for a correction. */
async function targetVersion(ctx: CliContext, networkId: bigint, epoch: bigint, explicit?: string): Promise<number> {
  if (explicit !== undefined) {
    const v = Number(parseUint(explicit, "--epoch-version", 32));
    if (v < 1) throw new InvalidInputError("--epoch-version must be at least 1");
    return v;
  }
  const { workLedger } = await ctx.ledgers();
  const [, version] = await workLedger.epochStatus(networkId, epoch);
  return Number(version) + 1;
}

/** Inputs of {@link signRecords}. */
export interface SignRecordsInput {
  deployment: Pick<Deployment, "chainId" | "workLedger">;
  networkId: bigint;
  epoch: bigint;
  version: number;
  recordsFile: string;
  out: string;
  /** A summary the verifier was asked to sign; refused unless the records rebuild to exactly it. */
  expected?: EpochSummary;
}

/** A verifier's job: rebuild the epoch from the records file, compare, sign, write the signature file. */
export async function signRecords(input: SignRecordsInput, signer: Signer): Promise<{ signature: SignatureFile; summary: EpochSummary }> {
  const table = await readRecordsFile(input.recordsFile, { epoch: input.epoch, file: input.recordsFile });
  const { summary } = await buildEpoch(table, { epoch: input.epoch, networkId: input.networkId });
  if (input.expected) {
    for (const k of ["root", "recordCount", "activeNodes", "totalWorkUnits", "totalRevenue", "dataHash"] as const) {
      if (String(input.expected[k]).toLowerCase() !== String(summary[k]).toLowerCase()) {
        throw new VerificationError(`refusing to sign: summary field ${k} is ${String(input.expected[k])} but the records give ${String(summary[k])}`);
      }
    }
  }
  const signature = await signEpoch(summary, { networkId: input.networkId, epoch: input.epoch, version: input.version, chainId: BigInt(input.deployment.chainId), workLedger: input.deployment.workLedger }, signer);
  fs.mkdirSync(path.dirname(path.resolve(input.out)), { recursive: true });
  writeSignatureFile(signature, input.out);
  return { signature, summary };
}

/** `sign --network ID --epoch E --records FILE --out SIG.json`. */
export async function signCommand(
  ctx: CliContext,
  o: { network?: string; epoch?: string; records?: string; out?: string; epochVersion?: string; expect?: string },
): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (!o.records) throw new InvalidInputError("missing --records FILE");
  if (!o.out) throw new InvalidInputError("missing --out SIG.json");
  if (!fs.existsSync(o.records)) throw new InvalidInputError(`records file not found: ${o.records}`);
  let expected: EpochSummary | undefined;
  if (o.expect) {
    try {
      const j = JSON.parse(fs.readFileSync(o.expect, "utf8")) as Record<string, unknown>;
      expected = summaryFromJson(j.summary ?? j, o.expect);
    } catch (e) {
      if (e instanceof InvalidInputError) throw e;
      throw new InvalidInputError(`cannot read --expect ${o.expect}: ${(e as Error).message}`);
    }
  }
  await ctx.requireNetwork(networkId);
  const { deployment, workLedger } = await ctx.ledgers();
  const version = await targetVersion(ctx, networkId, epoch, o.epochVersion);
  const signer = await ctx.signer();
  const me = await signer.getAddress();
  const n = await workLedger.network(networkId);
  if (!(await workLedger.isVerifier(networkId, n.verifierSetId, me))) {
    throw new InvalidInputError(`${me} is not a verifier of network ${networkId} (verifier set ${n.verifierSetId}); its signature would not count`);
  }
  const { summary } = await signRecords({ deployment, networkId, epoch, version, recordsFile: o.records, out: o.out, expected }, signer);
  return {
    data: { networkId: Number(networkId), epoch: Number(epoch), version, signer: me, out: o.out, summary: summaryToJson(summary) },
    lines: [
      `signed epoch ${epoch} v${version} of network ${networkId} as ${me}`,
      ...kv([
        ["root", summary.root],
        ["records", formatInt(summary.recordCount)],
        ["active nodes", formatInt(summary.activeNodes)],
        ["work units", formatInt(summary.totalWorkUnits)],
        ["revenue", formatInt(summary.totalRevenue)],
        ["dataHash", summary.dataHash],
        ["signature file", o.out],
      ]),
    ],
  };
}

/** Inputs of {@link publishRecords}. */
export interface PublishInput {
  deployment: Deployment;
  networkId: bigint;
  epoch: bigint;
  recordsFile: string;
  signatureFiles: string[];
  bundleOut: string;
  correction?: boolean;
  reason?: string;
  dryRun: boolean;
}

/** What {@link publishRecords} did. */
export interface PublishResult {
  summary: EpochSummary;
  version: number;
  signers: string[];
  bundle: string | null;
  outcome: TxOutcome | null;
  alreadyCommitted: boolean;
}

/**
 * The publisher's job: rebuild the epoch, check every signature file against it (same deployment,
 * network, epoch, version and summary; signature recovers to its signer), write the bundle, commit.
 * Idempotent: an epoch already committed with the same root does nothing.
 */
export async function publishRecords(ctx: CliContext, input: PublishInput, signer: Signer): Promise<PublishResult> {
  const table = await readRecordsFile(input.recordsFile, { epoch: input.epoch, file: input.recordsFile });
  const { summary, bundle } = await buildEpoch(table, { epoch: input.epoch, networkId: input.networkId });
  const { workLedger } = await ctx.ledgers();
  const [status, latest] = await workLedger.epochStatus(input.networkId, input.epoch);
  if (!input.correction && Number(latest) > 0) {
    const v = await workLedger.latestEpoch(input.networkId, input.epoch);
    if (v.root.toLowerCase() === summary.root.toLowerCase()) {
      return { summary, version: Number(latest), signers: [], bundle: null, outcome: null, alreadyCommitted: true };
    }
    throw new InvalidInputError(`epoch ${input.epoch} of network ${input.networkId} is already committed (v${latest}, ${statusName(status)}) with root ${v.root}; pass --correction --reason TEXT to supersede it`);
  }
  if (input.correction && Number(latest) === 0) throw new InvalidInputError(`epoch ${input.epoch} of network ${input.networkId} was never committed: nothing to correct`);
  if (input.correction && !input.reason) throw new InvalidInputError("a correction needs --reason TEXT");
  const version = Number(latest) + 1;
  const sigs: SignatureFile[] = input.signatureFiles.map((f) => {
    if (!fs.existsSync(f)) throw new InvalidInputError(`signature file not found: ${f}`);
    return readSignatureFile(f);
  });
  const n = await workLedger.network(input.networkId);
  const seen = new Set<string>();
  for (const [i, s] of sigs.entries()) {
    const f = input.signatureFiles[i];
    if (BigInt(s.chainId) !== BigInt(input.deployment.chainId) || getAddress(s.workLedger) !== getAddress(input.deployment.workLedger)) {
      throw new VerificationError(`${f}: signed for chain ${s.chainId} / ${s.workLedger}, not this deployment (chain ${input.deployment.chainId} / ${input.deployment.workLedger})`);
    }
    if (BigInt(s.networkId) !== input.networkId || BigInt(s.epoch) !== input.epoch) throw new VerificationError(`${f}: signed for network ${s.networkId} epoch ${s.epoch}, not network ${input.networkId} epoch ${input.epoch}`);
    if (Number(s.version) !== version) throw new VerificationError(`${f}: signed version ${s.version}, but this commit is version ${version}`);
    const signed = summaryFromJson(s.summary);
    for (const k of ["root", "recordCount", "activeNodes", "totalWorkUnits", "totalRevenue", "dataHash"] as const) {
      if (String(signed[k]).toLowerCase() !== String(summary[k]).toLowerCase()) throw new VerificationError(`${f}: signed ${k} ${String(signed[k])} but the records give ${String(summary[k])}`);
    }
    if (!(await workLedger.isVerifier(input.networkId, n.verifierSetId, s.signer))) throw new VerificationError(`${f}: signer ${s.signer} is not a current verifier of network ${input.networkId}`);
    if (seen.has(s.signer)) throw new VerificationError(`${f}: ${s.signer} signed twice`);
    seen.add(s.signer);
  }
  if (sigs.length < Number(n.threshold)) throw new VerificationError(`${sigs.length} valid signature${sigs.length === 1 ? "" : "s"} but network ${input.networkId} needs ${n.threshold}`);
  if (!input.dryRun) {
    fs.mkdirSync(path.dirname(path.resolve(input.bundleOut)), { recursive: true });
    await writeBundle(bundle, input.bundleOut);
  }
  const outcome = await commitEpochTx(signer, input.deployment, {
    networkId: input.networkId,
    epoch: input.epoch,
    version,
    summary,
    signatures: sigs,
    correctionReason: input.correction ? input.reason : undefined,
    dryRun: input.dryRun,
  });
  return { summary, version, signers: sigs.map((s) => s.signer), bundle: input.dryRun ? null : input.bundleOut, outcome, alreadyCommitted: false };
}

/** `publish --network ID --epoch E --records FILE --signatures A.json,B.json`. */
export async function publishCommand(
  ctx: CliContext,
  o: { network?: string; epoch?: string; records?: string; signatures?: string; bundleOut?: string; correction?: boolean; reason?: string },
): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (!o.records) throw new InvalidInputError("missing --records FILE");
  if (!o.signatures) throw new InvalidInputError("missing --signatures SIG.json[,SIG2.json...]");
  if (!fs.existsSync(o.records)) throw new InvalidInputError(`records file not found: ${o.records}`);
  const signatureFiles = o.signatures.split(",").map((s) => s.trim()).filter(Boolean);
  await ctx.requireNetwork(networkId);
  const { deployment, workLedger } = await ctx.ledgers();
  const [, latest] = await workLedger.epochStatus(networkId, epoch);
  const version = Number(latest) + (o.correction ? 1 : Number(latest) === 0 ? 1 : 0);
  const bundleOut = o.bundleOut ?? path.join(path.dirname(o.records), bundleFileName(networkId, epoch, version));
  const signer = await ctx.signer();
  const r = await publishRecords(ctx, { deployment, networkId, epoch, recordsFile: o.records, signatureFiles, bundleOut, correction: o.correction, reason: o.reason, dryRun: ctx.dryRun }, signer);
  const data = {
    networkId: Number(networkId),
    epoch: Number(epoch),
    version: r.version,
    alreadyCommitted: r.alreadyCommitted,
    root: r.summary.root,
    summary: summaryToJson(r.summary),
    signers: r.signers,
    bundle: r.bundle,
    ...(r.outcome ? outcomeData(r.outcome) : {}),
  };
  if (r.alreadyCommitted) return { data, lines: [`epoch ${epoch} of network ${networkId} is already committed with root ${r.summary.root}: nothing to do`] };
  return {
    data,
    lines: [
      `${ctx.dryRun ? "would commit" : "committed"} epoch ${epoch} v${r.version} of network ${networkId}`,
      ...kv([
        ["root", r.summary.root],
        ["records", formatInt(r.summary.recordCount)],
        ["signers", r.signers.join(", ")],
        ["bundle", r.bundle ?? "(not written in a dry run)"],
      ]),
      ...(r.outcome ? outcomeLines(r.outcome) : []),
    ],
  };
}

/** Find the bundle of (network, epoch, version) under `dir`. */
export function findBundle(dir: string, networkId: bigint, epoch: bigint, version: number): string {
  const file = path.join(dir, bundleFileName(networkId, epoch, version));
  if (!fs.existsSync(file)) throw new InvalidInputError(`no bundle for network ${networkId} epoch ${epoch} v${version} in ${dir} (expected ${file}); pass --bundle FILE`);
  return file;
}

/** `prove --network ID --epoch E --node NODEID [--bundle FILE] [--out FILE]`. */
export async function proveCommand(ctx: CliContext, o: { network?: string; epoch?: string; node?: string; bundle?: string; bundles?: string; out?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  const nodeId = parseNodeId(o.node);
  if (o.bundle && !fs.existsSync(o.bundle)) throw new InvalidInputError(`bundle file not found: ${o.bundle}`);
  await ctx.requireNetwork(networkId);
  const { deployment, workLedger } = await ctx.ledgers();
  const [status, version] = await workLedger.epochStatus(networkId, epoch);
  if (Number(version) === 0) throw new InvalidInputError(`unknown epoch ${epoch} on network ${networkId}: it was never committed`);
  const file = o.bundle ?? findBundle(o.bundles ?? ".", networkId, epoch, Number(version));
  const bundle = await readBundle(file);
  const latest = await workLedger.latestEpoch(networkId, epoch);
  if (bundle.root.toLowerCase() !== latest.root.toLowerCase()) {
    throw new InvalidInputError(`bundle ${file} has root ${bundle.root} but epoch ${epoch} v${version} on chain has root ${latest.root}`);
  }
  if (bundle.leafIndexOf(nodeId) < 0) throw new InvalidInputError(`node ${o.node} (${nodeId}) has no record in epoch ${epoch} of network ${networkId}`);
  const p = bundleProof(bundle, nodeId);
  const proofFile = makeProofFile({ chainId: deployment.chainId, ledger: deployment.workLedger, networkId, epoch, version: Number(version), root: p.root, record: p.record, proof: p.proof });
  if (o.out) {
    fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
    fs.writeFileSync(o.out, toJson(proofFile) + "\n");
  }
  const r = p.record;
  return {
    data: o.out ? { out: o.out, status: statusName(status), ...proofFile } : proofFile,
    lines: o.out
      ? [
          `wrote ${o.out}: proof of node ${nodeId} in epoch ${epoch} v${version} (${statusName(status)})`,
          ...kv([
            ["work units", formatInt(r.workUnits)],
            ["uptime", `${(r.uptimeBps / 100).toFixed(2)}%`],
            ["revenue", formatInt(r.revenue)],
            ["root", p.root],
            ["proof length", p.proof.length],
          ]),
        ]
      : [toJson(proofFile)],
  };
}

/** `check-proof FILE [--offline]`. Exit 1 (with the reasons) when it does not verify. */
export async function checkProofCommand(ctx: CliContext, o: { offline?: boolean }, args: string[]): Promise<CommandOutput> {
  const file = args[0];
  if (!file) throw new InvalidInputError("missing proof FILE");
  if (!fs.existsSync(file)) throw new InvalidInputError(`proof file not found: ${file}`);
  const parsed = readProofFile(file);
  const chain = o.offline ? null : await ctx.chain();
  const r = await verifyProofFile(parsed, chain ? { provider: chain.provider } : {});
  let status: string | null = null;
  if (chain && r.onChain !== undefined && BigInt(parsed.chainId) === chain.chainId && (await chain.provider.getCode(parsed.ledger)) !== "0x") {
    const wl = IWorkLedger__factory.connect(parsed.ledger, chain.provider);
    status = statusName((await wl.epochStatus(parsed.networkId, parsed.epoch))[0]);
  }
  const lines = [
    `${r.ok ? "VALID" : "INVALID"}: ${file} (node ${parsed.record.nodeId}, network ${parsed.networkId}, epoch ${parsed.epoch} v${parsed.version})`,
    ...kv([
      ["offline (proof vs root)", r.offline ? "ok" : "fails"],
      ["on chain (verifyRecord)", r.onChain === undefined ? "not checked (--offline)" : r.onChain ? "ok" : "fails"],
      ["epoch status", status ?? "-"],
    ]),
    ...r.problems.map((p) => `  - ${p}`),
  ];
  return {
    data: { ok: r.ok, offline: r.offline, onChain: r.onChain ?? null, status, problems: r.problems, networkId: Number(parsed.networkId), epoch: Number(parsed.epoch), version: parsed.version, nodeId: parsed.record.nodeId },
    lines,
    exitCode: r.ok ? 0 : 1,
  };
}

/** Records of an epoch for `payout build`. */
export async function readRecordsForPayouts(file: string): Promise<Array<{ nodeId: string; revenue: bigint; epoch: bigint }>> {
  if (!fs.existsSync(file)) throw new InvalidInputError(`records file not found: ${file}`);
  const table = await readRecordsFile(file, { file });
  return [...table].map((r) => ({ nodeId: r.nodeId, revenue: r.revenue, epoch: r.epoch }));
}
