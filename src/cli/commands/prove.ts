/**
 * `workledger prove --network ID --epoch E (--node NODEID | --customer ADDR) [--bundle FILE | --bundles DIR] [--out FILE]`:
 * a record's proof file (--node) or a customer's usage proof file (--customer) from the epoch bundle
 * of the latest version, checked against that version's root (or usage root) on chain first.
 */
import fs from "fs";
import path from "path";

import { InvalidInputError, bundleFileName, bundleProof, epochStatusName, makeProofFile, makeUsageProofFile, readBundle } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, formatInt, kv, toJson } from "../output";
import { parseAddress, parseNetworkId, parseNodeId, parseUint } from "../parse";

export interface ProveFlags {
  network?: string;
  epoch?: string;
  node?: string;
  customer?: string;
  bundle?: string;
  bundles?: string;
  out?: string;
}

export async function proveCommand(ctx: CliContext, o: ProveFlags): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const epoch = parseUint(o.epoch, "--epoch");
  if ((o.node === undefined) === (o.customer === undefined)) throw new InvalidInputError("pass exactly one of --node NODEID (a record's proof) or --customer ADDR (a usage proof)");
  const nodeId = o.node !== undefined ? parseNodeId(o.node) : null;
  const customer = o.customer !== undefined ? parseAddress(o.customer, "--customer") : null;
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
  const statusText = epochStatusName(status);
  const where = { chainId: deployment.chainId, ledger: deployment.workLedger, networkId, epoch, version: Number(version) };
  let proofFile: object;
  let subject: string;
  let details: [string, string | number][];
  if (customer) {
    if (bundle.usageRoot.toLowerCase() !== latest.usageRoot.toLowerCase()) {
      throw new InvalidInputError(`bundle ${file} has usage root ${bundle.usageRoot} but epoch ${epoch} v${version} on chain has usage root ${latest.usageRoot}`);
    }
    if (!bundle.usage || bundle.usage.leaves.length === 0) throw new InvalidInputError(`epoch ${epoch} v${version} of network ${networkId} has no usage records`);
    const p = bundle.usageProof(customer); // InvalidInputError when the customer has no usage record there
    proofFile = makeUsageProofFile({ ...where, usageRoot: p.root, leaf: p.leaf, proof: p.proof });
    subject = `usage of customer ${customer}`;
    details = [
      ["work units", formatInt(p.leaf.workUnits)],
      ["amount", formatInt(p.leaf.amount)],
      ["ref", p.leaf.ref],
      ["usage root", p.root],
      ["leaf hash", p.leafHash],
      ["proof length", p.proof.length],
    ];
  } else {
    if (bundle.leafIndexOf(nodeId!) < 0) throw new InvalidInputError(`node ${o.node} (${nodeId}) has no record in epoch ${epoch} of network ${networkId}`);
    const p = bundleProof(bundle, nodeId!);
    proofFile = makeProofFile({ ...where, root: p.root, record: p.record, proof: p.proof });
    subject = `node ${nodeId}`;
    details = [
      ["work units", formatInt(p.record.workUnits)],
      ["uptime", `${(p.record.uptimeBps / 100).toFixed(2)}%`],
      ["revenue", formatInt(p.record.revenue)],
      ["root", p.root],
      ["proof length", p.proof.length],
    ];
  }
  if (o.out) {
    fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
    fs.writeFileSync(o.out, toJson(proofFile) + "\n");
  }
  return {
    data: o.out ? { out: o.out, status: statusText, ...proofFile } : proofFile,
    lines: o.out ? [`wrote ${o.out}: proof of ${subject} in epoch ${epoch} v${version} (${statusText})`, ...kv(details)] : [toJson(proofFile)],
  };
}
