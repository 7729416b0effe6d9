/**
 * `workledger sign --network ID --epoch E --records FILE [--usage FILE] --out SIG.json [--expect FILE] [--strict]`:
 * a verifier rebuilds the epoch from the records file (and the usage file: its rows' epoch must be E)
 * on its own and signs its summary, usage words included (the SDK's verifyAndSignEpoch); node ids
 * never registered on the network are warned about, or refused with --strict; Σ usage ≠ Σ node
 * revenue is warned about on stderr (and in the JSON as `usageWarning`), never refused.
 */
import fs from "fs";
import path from "path";

import {
  EpochSummary,
  InvalidInputError,
  nextEpochVersion,
  nodeIdsOf,
  readNetwork,
  summaryFromJson,
  summaryToJson,
  unregisteredError,
  unregisteredNodes,
  verifyAndSignEpoch,
  writeSignatureFile,
} from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatInt, kv } from "../output";
import { parseNetworkId, parseUint } from "../parse";
import { warnUnregistered } from "../unregistered";
import { usageLines, warnUsageRevenue } from "../usage";

export interface SignFlags {
  network?: string;
  epoch?: string;
  records?: string;
  out?: string;
  epochVersion?: string;
  expect?: string;
  strict?: boolean;
  usage?: string;
}

/** The summary of --expect: a summary JSON or a signature file (its `summary`). */
function readExpected(file: string): EpochSummary {
  try {
    const j = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    return summaryFromJson(j.summary ?? j, `--expect ${file}: summary`);
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    throw new InvalidInputError(`cannot read --expect ${file}: ${(e as Error).message}`);
  }
}

export async function signCommand(ctx: CliContext, o: SignFlags): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if (!o.records) throw new InvalidInputError("missing --records FILE");
  if (!o.out) throw new InvalidInputError("missing --out SIG.json");
  if (!fs.existsSync(o.records)) throw new InvalidInputError(`records file not found: ${o.records}`);
  if (o.usage !== undefined && !fs.existsSync(o.usage)) throw new InvalidInputError(`usage file not found: ${o.usage}`);
  let version: number | undefined;
  if (o.epochVersion !== undefined) {
    version = Number(parseUint(o.epochVersion, "--epoch-version", 32));
    if (version < 1) throw new InvalidInputError("--epoch-version must be at least 1");
  }
  const expected = o.expect ? readExpected(o.expect) : undefined;
  const { deployment, chain } = await ctx.ledgers();
  const network = await readNetwork(chain.provider, deployment, networkId);
  version ??= await nextEpochVersion(chain.provider, deployment, networkId, epoch);
  const signer = await ctx.signer();
  const me = await signer.getAddress();
  const { workLedger } = await ctx.ledgers();
  if (!(await workLedger.isVerifier(networkId, network.verifierSetId, me))) {
    throw new InvalidInputError(`${me} is not a verifier of network ${networkId} (verifier set ${network.verifierSetId}); its signature would not count`);
  }
  let unregistered: string[] = [];
  let summary: EpochSummary | undefined;
  let usageWarning: string | null = null;
  const signature = await verifyAndSignEpoch(o.records, { networkId, epoch, version, chainId: deployment.chainId, workLedger: deployment.workLedger }, signer, {
    expected,
    usageFile: o.usage,
    onBuilt: async (built) => {
      summary = built.summary;
      usageWarning = warnUsageRevenue(ctx, built.usageRevenue);
      const ids = await unregisteredNodes(chain.provider, deployment, networkId, nodeIdsOf(built.bundle));
      if (ids.length > 0 && o.strict) throw unregisteredError(ids, networkId);
      unregistered = warnUnregistered(ctx, ids, networkId, o.records!);
    },
  });
  fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  writeSignatureFile(signature, o.out);
  const s = summary!;
  return {
    data: { networkId: Number(networkId), epoch: Number(epoch), version, signer: me, out: o.out, summary: summaryToJson(s), unregisteredNodes: unregistered, usageWarning },
    lines: [
      `signed epoch ${epoch} v${version} of network ${networkId} as ${me}`,
      ...kv([
        ["root", s.root],
        ["records", formatInt(s.recordCount)],
        ["active nodes", formatInt(s.activeNodes)],
        ["work units", formatInt(s.totalWorkUnits)],
        ["revenue", formatInt(s.totalRevenue)],
        ["dataHash", s.dataHash],
        ...usageLines(s),
        ["signature file", o.out],
      ]),
    ],
  };
}
