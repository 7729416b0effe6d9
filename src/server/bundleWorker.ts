/**
 * The worker thread of {@link BundleLoader}: reads a bundle file (readBundle: every check, the tree
 * rebuilt) or builds an epoch from packed records (buildEpoch), and posts the pieces back. Packed
 * records and tree nodes in SharedArrayBuffers are shared, other buffers transferred: nothing large
 * is copied. Usage leaves travel as plain records; the caller rebuilds their small tree.
 */
import { parentPort } from "worker_threads";

import { RecordTable } from "../records/table";
import type { UsageRecord } from "../records/usage";
import { buildEpoch } from "../writer/build";
import { EpochBundle, readBundle } from "../writer/bundle";
import type { BundleJob, BundleJobReply, BuiltParts } from "./bundleLoader";

function parts(b: EpochBundle): { parts: BuiltParts; transfer: ArrayBuffer[] } {
  const t = b.table;
  const buffers = [t.data.buffer, t.lines.buffer, b.nodes.buffer];
  return {
    parts: { epoch: b.epoch, summary: b.summary, count: t.count, data: t.data, lines: t.lines, nodes: b.nodes, networkId: b.networkId, usageLeaves: b.usage ? b.usage.leaves : null },
    transfer: buffers.filter((x): x is ArrayBuffer => x instanceof ArrayBuffer),
  };
}

async function run(job: BundleJob): Promise<{ parts: BuiltParts; transfer: ArrayBuffer[] }> {
  if (job.op === "file") return parts(await readBundle(job.file));
  const table = new RecordTable(0, job.data, new Uint32Array(Math.max(1, job.count)), job.count);
  for (let i = 0; i < job.count; i++) table.lines[i] = i + 1;
  const usage: UsageRecord[] | null = job.usage && job.usage.length > 0 ? job.usage : null;
  const built = await buildEpoch(table, { epoch: job.epoch, networkId: job.networkId, usage });
  return parts(built.bundle);
}

const port = parentPort;
if (port) {
  port.on("message", (job: BundleJob & { id: number }) => {
    run(job).then(
      ({ parts: p, transfer }) => port.postMessage({ id: job.id, parts: p } satisfies BundleJobReply & { id: number }, transfer),
      (e: unknown) => {
        const err = e as { name?: string; message?: string; code?: unknown; shortMessage?: string; details?: string };
        const error = { name: String(err?.name ?? "Error"), message: String(err?.shortMessage ?? err?.message ?? e), details: typeof err?.details === "string" ? err.details : undefined, code: typeof err?.code === "string" ? err.code : undefined };
        port.postMessage({ id: job.id, error } satisfies BundleJobReply & { id: number });
      },
    );
  });
}
