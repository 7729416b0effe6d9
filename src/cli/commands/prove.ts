/** `workledger prove --network ID --epoch E --node NODEID [--bundle FILE | --bundles DIR] [--out FILE]`: a record's proof file from its epoch bundle. */
import fs from "fs";
import path from "path";

import { InvalidInputError, bundleFileName, bundleProof, epochStatusName, makeProofFile, readBundle } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatInt, kv, toJson } from "../output";
import { parseNetworkId, parseNodeId, parseUint } from "../parse";

export async function proveCommand(ctx: CliContext, o: { network?: string; epoch?: string; node?: string; bundle?: string; bundles?: string; out?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  const nodeId = parseNodeId(o.node);
  if (o.bundle && !fs.existsSync(o.bundle)) throw new InvalidInputError(`bundle file not found: ${o.bundle}`);
  await ctx.requireNetwork(networkId);
  const { deployment, workLedger } = await ctx.ledgers();
  const [status, version] = await workLedger.epochStatus(networkId, epoch);
  if (Number(version) === 0) throw new InvalidInputError(`unknown epoch ${epoch} on network ${networkId}: it was never committed`);
  let file = o.bundle;
  if (!file) {
    const dir = o.bundles ?? ".";
    file = path.join(dir, bundleFileName(networkId, epoch, Number(version)));
    if (!fs.existsSync(file)) throw new InvalidInputError(`no bundle for network ${networkId} epoch ${epoch} v${version} in ${dir} (expected ${file}); pass --bundle FILE`);
  }
  const bundle = await readBundle(file);
  const latest = await workLedger.latestEpoch(networkId, epoch);
  if (bundle.root.toLowerCase() !== latest.root.toLowerCase()) throw new InvalidInputError(`bundle ${file} has root ${bundle.root} but epoch ${epoch} v${version} on chain has root ${latest.root}`);
  if (bundle.leafIndexOf(nodeId) < 0) throw new InvalidInputError(`node ${o.node} (${nodeId}) has no record in epoch ${epoch} of network ${networkId}`);
  const p = bundleProof(bundle, nodeId);
  const proofFile = makeProofFile({ chainId: deployment.chainId, ledger: deployment.workLedger, networkId, epoch, version: Number(version), root: p.root, record: p.record, proof: p.proof });
  if (o.out) {
    fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
    fs.writeFileSync(o.out, toJson(proofFile) + "\n");
  }
  const r = p.record;
  const statusText = epochStatusName(status);
  return {
    data: o.out ? { out: o.out, status: statusText, ...proofFile } : proofFile,
    lines: o.out
      ? [
          `wrote ${o.out}: proof of node ${nodeId} in epoch ${epoch} v${version} (${statusText})`,
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
