/**
 * Verifier signatures (EIP-712, the contract's EpochCommit type) and signature files.
 * Each verifier signs with its own key on its own machine; the publisher collects the files.
 */
import fs from "fs";
import { Signer, TypedDataDomain, getAddress, verifyTypedData } from "ethers";

import { InvalidInputError, VerificationError } from "../errors";
import { EPOCH_COMMIT_TYPES, workLedgerDomain } from "../records/eip712";
import { EpochSummary } from "../records/types";
import { UsageRecordInput } from "../records/usage";
import { UsageBuild } from "../records/usageTree";
import { BuildEpochFromFileOptions, BuiltEpoch, buildEpochFromFile } from "./build";
import { summaryFromJson, summaryToJson } from "./bundle";

/** What a signature binds besides the summary: the deployment, the network, the epoch and version. */
export interface EpochSigningContext {
  networkId: bigint | number;
  epoch: bigint | number;
  /** 1 for the first commit, latest + 1 for a correction. */
  version: number;
  chainId: bigint | number;
  workLedger: string;
}

/** A signature file (every value a string; integers in decimal). */
export interface SignatureFile {
  kind: "workledger-epoch-signature";
  signer: string;
  signature: string;
  chainId: string;
  workLedger: string;
  networkId: string;
  epoch: string;
  version: string;
  summary: Record<keyof EpochSummary, string>;
}

/** The EIP-712 message of an epoch commit. */
export function epochCommitMessage(summary: EpochSummary, ctx: Pick<EpochSigningContext, "networkId" | "epoch" | "version">): Record<string, unknown> {
  return {
    networkId: BigInt(ctx.networkId),
    epoch: BigInt(ctx.epoch),
    version: ctx.version,
    root: summary.root,
    recordCount: summary.recordCount,
    activeNodes: summary.activeNodes,
    totalWorkUnits: summary.totalWorkUnits,
    totalRevenue: summary.totalRevenue,
    dataHash: summary.dataHash,
    usageRoot: summary.usageRoot,
    usageCount: summary.usageCount,
    totalUsage: summary.totalUsage,
  };
}

/** The EIP-712 domain of a signing context. */
export function contextDomain(ctx: Pick<EpochSigningContext, "chainId" | "workLedger">): TypedDataDomain {
  return workLedgerDomain(BigInt(ctx.chainId), getAddress(ctx.workLedger));
}

/**
 * One verifier's EIP-712 signature over an epoch summary.
 *
 * @example
 * const sig = await signEpoch(summary, { networkId: 1n, epoch: 7n, version: 1, chainId: 31337n, workLedger }, wallet);
 * writeSignatureFile(sig, "sig-alice.json");
 */
export async function signEpoch(summary: EpochSummary, ctx: EpochSigningContext, signer: Signer): Promise<SignatureFile> {
  if (!Number.isInteger(ctx.version) || ctx.version < 1) throw new InvalidInputError(`version must be an integer >= 1, got ${ctx.version}`);
  const signature = await signer.signTypedData(contextDomain(ctx), EPOCH_COMMIT_TYPES, epochCommitMessage(summary, ctx));
  return {
    kind: "workledger-epoch-signature",
    signer: getAddress(await signer.getAddress()),
    signature,
    chainId: BigInt(ctx.chainId).toString(),
    workLedger: getAddress(ctx.workLedger),
    networkId: BigInt(ctx.networkId).toString(),
    epoch: BigInt(ctx.epoch).toString(),
    version: String(ctx.version),
    summary: summaryToJson(summary),
  };
}

/** The address that produced a signature file's signature (recomputed, not taken from the file). */
export function recoverSignatureFile(sig: SignatureFile): string {
  return verifyTypedData(
    contextDomain({ chainId: BigInt(sig.chainId), workLedger: sig.workLedger }),
    EPOCH_COMMIT_TYPES,
    epochCommitMessage(summaryFromJson(sig.summary), { networkId: BigInt(sig.networkId), epoch: BigInt(sig.epoch), version: Number(sig.version) }),
    sig.signature,
  );
}

/** Parses and checks the shape of a signature file object. */
export function parseSignatureFile(j: unknown, where = "signature file"): SignatureFile {
  if (!j || typeof j !== "object") throw new InvalidInputError(`${where} must be a JSON object`);
  const o = j as Record<string, unknown>;
  const str = (k: string, re: RegExp): string => {
    const v = o[k];
    if (typeof v !== "string" || !re.test(v)) throw new InvalidInputError(`${where}: field ${k} is missing or malformed`);
    return v;
  };
  const dec = /^[0-9]+$/;
  const addr = /^0x[0-9a-fA-F]{40}$/;
  const sig: SignatureFile = {
    kind: "workledger-epoch-signature",
    signer: getAddress(str("signer", addr)),
    signature: str("signature", /^0x[0-9a-fA-F]{130}$/),
    chainId: str("chainId", dec),
    workLedger: getAddress(str("workLedger", addr)),
    networkId: str("networkId", dec),
    epoch: str("epoch", dec),
    version: str("version", dec),
    summary: summaryToJson(summaryFromJson(o.summary, `${where}: summary`)),
  };
  if (o.kind !== undefined && o.kind !== sig.kind) throw new InvalidInputError(`${where}: kind must be "${sig.kind}"`);
  return sig;
}

/** Writes a signature file (pretty JSON). */
export function writeSignatureFile(sig: SignatureFile, file: string): void {
  fs.writeFileSync(file, JSON.stringify(sig, null, 2) + "\n");
}

/** Reads and checks a signature file: shape, and that the signature recovers to `signer`. */
export function readSignatureFile(file: string): SignatureFile {
  let j: unknown;
  try {
    j = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new InvalidInputError(`cannot read signature file ${file}: ${(e as Error).message}`);
  }
  const sig = parseSignatureFile(j, file);
  const recovered = recoverSignatureFile(sig);
  if (recovered !== sig.signer) throw new VerificationError(`${file}: signature recovers to ${recovered}, not to the stated signer ${sig.signer}`);
  return sig;
}

/** The fields of an epoch summary, in the order of the signed struct (one list for every comparison). */
export const SUMMARY_FIELDS = [
  "root",
  "recordCount",
  "activeNodes",
  "totalWorkUnits",
  "totalRevenue",
  "dataHash",
  "usageRoot",
  "usageCount",
  "totalUsage",
] as const satisfies ReadonlyArray<keyof EpochSummary>;

/** The first field where two summaries differ (hex compared case-insensitively), or null if they are equal. */
export function summaryDifference(claimed: EpochSummary, rebuilt: EpochSummary): { field: keyof EpochSummary; claimed: string; rebuilt: string } | null {
  for (const k of SUMMARY_FIELDS) {
    const a = String(claimed[k]);
    const b = String(rebuilt[k]);
    if (a.toLowerCase() !== b.toLowerCase()) return { field: k, claimed: a, rebuilt: b };
  }
  return null;
}

/** Throws a VerificationError naming the first field where `claimed` differs from `rebuilt`. */
export function assertSameSummary(claimed: EpochSummary, rebuilt: EpochSummary): void {
  const d = summaryDifference(claimed, rebuilt);
  if (d) {
    const from = d.field.startsWith("usage") || d.field === "totalUsage" ? "the usage records give" : "the records give";
    throw new VerificationError(`refusing to sign: summary field ${d.field} is ${d.claimed} but ${from} ${d.rebuilt}`, {
      details: "Refusing to sign a summary that the records and usage files do not produce.",
    });
  }
}

/**
 * What a verifier runs: rebuild the epoch from the records file (and the usage records, if any) on
 * its own, check the summary it is asked to sign (if any) field by field, usage words included,
 * and sign the rebuilt summary. A usage file whose rows are bad or of another epoch is refused
 * (RecordsError naming the line); Σ usage ≠ Σ revenue is not an error (see BuiltEpoch.usageRevenue,
 * passed to `onBuilt`).
 *
 * @example
 * const sig = await verifyAndSignEpoch("epoch-7.csv", ctx, wallet, { usageFile: "usage-7.csv", expected: publishersSummary });
 */
export async function verifyAndSignEpoch(
  recordsFile: string,
  ctx: EpochSigningContext,
  signer: Signer,
  options: VerifyAndSignOptions = {},
): Promise<SignatureFile> {
  const built = await buildEpochFromFile(recordsFile, {
    epoch: ctx.epoch,
    networkId: ctx.networkId,
    format: options.format,
    usage: options.usage,
    usageFile: options.usageFile,
    usageFormat: options.usageFormat,
  });
  if (options.expected) assertSameSummary(options.expected, built.summary);
  await options.onBuilt?.(built);
  return signEpoch(built.summary, ctx, signer);
}

/** Options of {@link verifyAndSignEpoch}. */
export interface VerifyAndSignOptions {
  /** The summary the verifier was asked to sign: refused unless the records rebuild to exactly it. */
  expected?: EpochSummary;
  /** Called with the rebuilt epoch before signing (throw to refuse, e.g. on unregistered nodes). */
  onBuilt?: (built: BuiltEpoch) => void | Promise<void>;
  /** The epoch's usage records (objects or JSON form) or a built usage tree; takes precedence over usageFile. */
  usage?: readonly UsageRecordInput[] | UsageBuild | null;
  /** A usage file (CSV `customer,epoch,workUnits,amount,ref`, JSON or NDJSON). */
  usageFile?: string;
  /** Formats of the records and usage files (default: from their extensions). */
  format?: BuildEpochFromFileOptions["format"];
  usageFormat?: BuildEpochFromFileOptions["usageFormat"];
}
