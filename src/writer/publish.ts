/**
 * publishEpoch: the publisher's whole job in one call — read and validate the records file,
 * rebuild the epoch, check that every signature file signs exactly that summary, write the bundle,
 * and commit. Any bad row (RecordsError) or mismatching signature stops it before anything is sent.
 */
import { Signer } from "ethers";

import { VerificationError } from "../errors";
import { ReadRecordsOptions } from "../records/parse";
import { EpochSummary } from "../records/types";
import { buildEpochFromFile } from "./build";
import { EpochBundle, summaryFromJson, writeBundle } from "./bundle";
import { CommitEpochParams, CommitEpochResult, commitEpoch } from "./commit";
import { SignatureFile, assertSameSummary } from "./sign";

export interface PublishEpochParams extends Omit<CommitEpochParams, "summary" | "epoch" | "networkId"> {
  signer: Signer;
  networkId: bigint | number;
  epoch: bigint | number;
  recordsFile: string;
  /** Format of the records file (default: from its extension). */
  format?: ReadRecordsOptions["format"];
  /** Where to write the epoch bundle (optional). */
  bundleFile?: string;
}

export interface PublishEpochResult {
  summary: EpochSummary;
  bundle: EpochBundle;
  commit: CommitEpochResult;
}

/**
 * @example
 * const { commit } = await publishEpoch({ signer, workLedger, chainId, networkId: 1n, epoch: 0n,
 *   recordsFile: "epoch-0.csv", signatures: [readSignatureFile("a.json"), readSignatureFile("b.json")],
 *   bundleFile: "epoch-0.wlb" });
 */
export async function publishEpoch(params: PublishEpochParams): Promise<PublishEpochResult> {
  const epoch = BigInt(params.epoch);
  const { summary, bundle } = await buildEpochFromFile(params.recordsFile, { epoch, networkId: params.networkId, format: params.format });
  params.signatures.forEach((s: SignatureFile, i: number) => {
    try {
      assertSameSummary(summaryFromJson(s.summary), summary);
    } catch (e) {
      throw new VerificationError(`signature ${i + 1} (${s.signer}) does not sign the summary of ${params.recordsFile}: ${(e as Error).message}`, { cause: e });
    }
  });
  if (params.bundleFile) await writeBundle(bundle, params.bundleFile);
  const commit = await commitEpoch({ ...params, networkId: params.networkId, epoch, summary });
  return { summary, bundle, commit };
}
