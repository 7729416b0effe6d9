/**
 * The /v1 API (fixed paths, DESIGN.md "Shared index and API"): networks, epochs (versions and
 * status), nodes, challenges, a node's record with its Merkle proof, a customer's usage leaf with
 * its proof, and the reports (routes/reports.ts). Lists are paginated (`?cursor=&limit=`). Unknown
 * ids are 404s naming the parameter; bad ones 400s.
 */
import type { FastifyInstance } from "fastify";

import { InvalidInputError } from "../../errors";
import { parseAddress } from "../../records/address";
import { normalizeNodeId } from "../../records/nodeId";
import { makeProofFile, makeUsageProofFile } from "../../verifier/proofFile";
import { bundleFileName } from "../../writer/publish";
import { BundleSourceError, BundleUnavailableError } from "../bundleCache";
import { EpochState, ServerContext, effectiveStatus } from "../context";
import { apiError, errorResponses } from "../errors";
import { decodeCursor, page, pageQuery } from "../paging";
import { EPOCH_STATUSES, challengePage, epochDetail, epochJson, epochRows, networkDetail, networkList, networkRows, nodeDetail, nodePage } from "../queries";
import { SHARED_SCHEMAS, customerParam, epochParam, networkIdParam, nodeIdParam, versionQuery } from "../schemas";
import { reportRoutes } from "./reports";

const pageOf = (itemRef: string, key: string) =>
  ({
    type: "object",
    properties: { [key]: { type: "array", items: { $ref: `${itemRef}#` } }, nextCursor: { type: ["string", "null"], description: "pass as ?cursor= for the next page; null on the last page" } },
    required: [key, "nextCursor"],
  }) as const;

const idParams = { type: "object", additionalProperties: false, properties: { id: networkIdParam }, required: ["id"] } as const;
const epochParams = { type: "object", additionalProperties: false, properties: { id: networkIdParam, epoch: epochParam }, required: ["id", "epoch"] } as const;
const noQuery = { type: "object", additionalProperties: false, properties: {} } as const;

interface IdP {
  id: number;
}
interface EpochP extends IdP {
  epoch: number;
}

/**
 * Cache-Control of a proof: a final version never changes, so caches (a CDN, a balancer) may keep it
 * a while; anything else may still be challenged or corrected.
 */
function cacheControl(status: string): string {
  return status === "final" ? "public, max-age=300" : "no-cache";
}

/** The bytes32 node id of a path parameter (the CLI's rule), or a 400 naming `nodeId`. */
function nodeIdOf(value: string): string {
  try {
    return normalizeNodeId(value);
  } catch (e) {
    throw apiError(400, "bad_node_id", `path parameter "nodeId": ${(e as InvalidInputError).message}`, "nodeId");
  }
}

export async function apiRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  for (const s of SHARED_SCHEMAS) app.addSchema(s);
  const { store } = ctx;

  // networks known to the index (per checkpoint)
  let known = { at: "", ids: new Set<number>() };
  const requireNetwork = async (id: number): Promise<void> => {
    const cp = await ctx.checkpoint();
    if (known.at !== cp.blockHash) {
      const rows = await store.db.selectFrom("networks").select("network_id").execute();
      known = { at: cp.blockHash, ids: new Set(rows.map((r) => Number(r.network_id))) };
    }
    if (!known.ids.has(id)) throw apiError(404, "unknown_network", `no network ${id} in the index`, "id");
  };
  const requireEpoch = async (id: number, epoch: number): Promise<EpochState> => {
    const v = await ctx.epochState(id, epoch);
    if (v) return v;
    await requireNetwork(id);
    throw apiError(404, "unknown_epoch", `epoch ${epoch} of network ${id} was never committed (as far as the index knows)`, "epoch");
  };
  /** The latest version of the epoch, or `version` of it (404 unknown_version naming the latest). */
  const requireVersion = async (id: number, epoch: number, version: number | undefined): Promise<EpochState & { latest: number }> => {
    const latest = await requireEpoch(id, epoch);
    if (version === undefined || version === latest.version) return { ...latest, latest: latest.version };
    const [r] = await store.rows("epoch_versions", { network_id: id, epoch, version });
    if (!r) throw apiError(404, "unknown_version", `epoch ${epoch} of network ${id} has no version ${version} (its latest is ${latest.version})`, "version");
    return {
      networkId: id,
      epoch: BigInt(epoch),
      version,
      root: String(r.root),
      dataHash: String(r.data_hash),
      usageRoot: String(r.usage_root),
      recordCount: BigInt(r.record_count as string | number),
      blockNumber: Number(r.block_number),
      status: String(r.status),
      finalizesAt: r.finalizes_at === null || r.finalizes_at === undefined ? null : Number(r.finalizes_at),
      latest: latest.version,
    };
  };
  const bundleOf = async (v: EpochState & { latest?: number }) => {
    try {
      return (await ctx.bundles.get(v)).bundle;
    } catch (e) {
      if (e instanceof BundleUnavailableError && v.latest !== undefined && v.version !== v.latest) {
        const file = bundleFileName(v.networkId, v.epoch, v.version);
        throw apiError(404, "bundle_unavailable", `version ${v.version} of epoch ${v.epoch} (network ${v.networkId}) was superseded by version ${v.latest}; the index keeps the latest version's records only: ${ctx.bundles.dir ? `${file} is not in ${ctx.bundles.dir}` : `start serve with --bundles DIR holding ${file}`}`, "version");
      }
      if (e instanceof BundleUnavailableError) throw apiError(404, "bundle_unavailable", e.message, "epoch");
      if (e instanceof BundleSourceError) throw apiError(500, "bundle_mismatch", e.message, null);
      throw e;
    }
  };

  app.get(
    "/v1/networks",
    {
      schema: {
        summary: "Networks in the index, with counts and their latest epoch",
        tags: ["networks"],
        querystring: { type: "object", additionalProperties: false, properties: { ...pageQuery } },
        response: { 200: pageOf("Network", "networks"), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query as { cursor?: string; limit: number };
      const after = decodeCursor(q.cursor, "networks", ["int"]);
      const rows = await networkRows(store, undefined, after?.[0] as number | undefined, q.limit + 1);
      const p = page(rows, q.limit, "networks", (r) => [Number(r.network_id)]);
      return { networks: await networkList(store, p.items, ctx.labels, await ctx.now()), nextCursor: p.nextCursor };
    },
  );

  app.get(
    "/v1/networks/:id",
    {
      schema: {
        summary: "One network: trust terms, verifier sets, counts, latest epoch, finality cursor",
        tags: ["networks"],
        params: idParams,
        querystring: noQuery,
        response: { 200: { $ref: "NetworkDetail#" }, ...errorResponses },
      },
    },
    async (req) => {
      const { id } = req.params as IdP;
      const [r] = await networkRows(store, id);
      if (!r) throw apiError(404, "unknown_network", `no network ${id} in the index`, "id");
      return networkDetail(store, r, ctx.labels, await ctx.now());
    },
  );

  app.get(
    "/v1/networks/:id/epochs",
    {
      schema: {
        summary: "A network's epochs (latest version of each), paginated",
        tags: ["epochs"],
        params: idParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            ...pageQuery,
            status: { type: "string", enum: [...EPOCH_STATUSES], description: "only epochs with this status now" },
            order: { type: "string", enum: ["asc", "desc"], default: "asc", description: "by epoch number" },
          },
        },
        response: { 200: pageOf("EpochSummary", "epochs"), ...errorResponses },
      },
    },
    async (req) => {
      const { id } = req.params as IdP;
      const q = req.query as { cursor?: string; limit: number; status?: string; order: "asc" | "desc" };
      await requireNetwork(id);
      const after = decodeCursor(q.cursor, `epochs:${id}:${q.order}:${q.status ?? ""}`, ["int"]);
      const now = await ctx.now();
      const rows = await epochRows(store, id, { after: after?.[0] as number | undefined, limit: q.limit, desc: q.order === "desc", status: q.status, now });
      const p = page(rows, q.limit, `epochs:${id}:${q.order}:${q.status ?? ""}`, (r) => [Number(r.epoch)]);
      return { epochs: p.items.map((r) => epochJson(r, now)), nextCursor: p.nextCursor };
    },
  );

  app.get(
    "/v1/networks/:id/epochs/:epoch",
    {
      schema: {
        summary: "One epoch: every version with its status and signers, status changes and challenges",
        tags: ["epochs"],
        params: epochParams,
        querystring: noQuery,
        response: { 200: { $ref: "EpochDetail#" }, ...errorResponses },
      },
    },
    async (req) => {
      const { id, epoch } = req.params as EpochP;
      await requireEpoch(id, epoch);
      const [row] = await store.rows("epochs", { network_id: id, epoch });
      if (!row) throw apiError(404, "unknown_epoch", `epoch ${epoch} of network ${id} was never committed (as far as the index knows)`, "epoch");
      return epochDetail(store, row, await ctx.now());
    },
  );

  app.get(
    "/v1/networks/:id/epochs/:epoch/records/:nodeId",
    {
      schema: {
        summary: "A node's record in the epoch's latest version (or ?version=N), with its Merkle proof and that version's status",
        description: "The body is a proof file: `workledger check-proof URL` checks it against the chain (the chain decides, not this server).",
        tags: ["proofs"],
        params: { type: "object", additionalProperties: false, properties: { id: networkIdParam, epoch: epochParam, nodeId: nodeIdParam }, required: ["id", "epoch", "nodeId"] },
        querystring: versionQuery,
        response: { 200: { $ref: "RecordProof#" }, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { id, epoch, nodeId } = req.params as EpochP & { nodeId: string };
      const node = nodeIdOf(nodeId);
      const v = await requireVersion(id, epoch, (req.query as { version?: number }).version);
      if (v.recordCount === 0n) throw apiError(404, "unknown_node", `epoch ${epoch} v${v.version} of network ${id} has no records`, "nodeId");
      const bundle = await bundleOf(v);
      const leaf = bundle.leafIndexOf(node); // one lookup on this hot path (bundleProof would search again)
      if (leaf < 0) throw apiError(404, "unknown_node", `node ${node} has no record in epoch ${epoch} v${v.version} of network ${id}`, "nodeId");
      const file = makeProofFile({ chainId: ctx.deployment.chainId, ledger: ctx.deployment.workLedger, networkId: id, epoch, version: v.version, root: bundle.root, record: bundle.record(leaf), proof: bundle.proof(leaf) });
      const status = effectiveStatus(v.status, v.finalizesAt, await ctx.now());
      reply.header("cache-control", cacheControl(status));
      return { ...file, status, finalizesAt: v.finalizesAt };
    },
  );

  app.get(
    "/v1/networks/:id/epochs/:epoch/usage/:customer",
    {
      schema: {
        summary: "A customer's usage leaf in the epoch's latest version (or ?version=N), with its Merkle proof and that version's status",
        tags: ["proofs"],
        params: { type: "object", additionalProperties: false, properties: { id: networkIdParam, epoch: epochParam, customer: customerParam }, required: ["id", "epoch", "customer"] },
        querystring: versionQuery,
        response: { 200: { $ref: "UsageProof#" }, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { id, epoch, customer } = req.params as EpochP & { customer: string };
      let address: string;
      try {
        address = parseAddress(customer, "customer");
      } catch (e) {
        throw apiError(400, "bad_address", `path parameter "customer": ${(e as Error).message}`, "customer");
      }
      const v = await requireVersion(id, epoch, (req.query as { version?: number }).version);
      if (/^0x0{64}$/.test(v.usageRoot)) throw apiError(404, "no_usage", `epoch ${epoch} v${v.version} of network ${id} has no usage records`, "epoch");
      const bundle = await bundleOf(v);
      if (bundle.usageRoot.toLowerCase() !== v.usageRoot.toLowerCase()) throw apiError(500, "bundle_mismatch", `the bundle's usage root ${bundle.usageRoot} is not the indexed ${v.usageRoot}`);
      let p;
      try {
        p = bundle.usageProof(address);
      } catch {
        throw apiError(404, "unknown_customer", `customer ${address} has no usage record in epoch ${epoch} v${v.version} of network ${id}`, "customer");
      }
      const file = makeUsageProofFile({ chainId: ctx.deployment.chainId, ledger: ctx.deployment.workLedger, networkId: id, epoch, version: v.version, usageRoot: p.root, leaf: p.leaf, proof: p.proof });
      const status = effectiveStatus(v.status, v.finalizesAt, await ctx.now());
      reply.header("cache-control", cacheControl(status));
      return { ...file, status, finalizesAt: v.finalizesAt };
    },
  );

  app.get(
    "/v1/networks/:id/nodes",
    {
      schema: {
        summary: "A network's registered nodes, by node id, paginated",
        tags: ["nodes"],
        params: idParams,
        querystring: { type: "object", additionalProperties: false, properties: { ...pageQuery } },
        response: { 200: pageOf("Node", "nodes"), ...errorResponses },
      },
    },
    async (req) => {
      const { id } = req.params as IdP;
      const q = req.query as { cursor?: string; limit: number };
      await requireNetwork(id);
      const after = decodeCursor(q.cursor, `nodes:${id}`, ["hex32"]);
      const rows = await nodePage(store, id, after?.[0] as string | undefined, q.limit, ctx.labels);
      const p = page(rows, q.limit, `nodes:${id}`, (r) => [r.nodeId as string]);
      return { nodes: p.items, nextCursor: p.nextCursor };
    },
  );

  app.get(
    "/v1/networks/:id/nodes/:nodeId",
    {
      schema: {
        summary: "One node: registration, status history, claims and recent records",
        tags: ["nodes"],
        params: { type: "object", additionalProperties: false, properties: { id: networkIdParam, nodeId: nodeIdParam }, required: ["id", "nodeId"] },
        querystring: noQuery,
        response: { 200: { $ref: "NodeDetail#" }, ...errorResponses },
      },
    },
    async (req) => {
      const { id, nodeId } = req.params as IdP & { nodeId: string };
      const node = nodeIdOf(nodeId);
      await requireNetwork(id);
      const d = await nodeDetail(store, id, node, ctx.labels);
      if (!d) throw apiError(404, "unknown_node", `node ${node} is not registered on network ${id}`, "nodeId");
      return d;
    },
  );

  app.get(
    "/v1/networks/:id/challenges",
    {
      schema: {
        summary: "A network's challenges (incidents), oldest first, paginated",
        tags: ["challenges"],
        params: idParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { ...pageQuery, state: { type: "string", enum: ["open", "upheld", "rejected", "expired"], description: "only challenges in this state" } },
        },
        response: { 200: pageOf("Challenge", "challenges"), ...errorResponses },
      },
    },
    async (req) => {
      const { id } = req.params as IdP;
      const q = req.query as { cursor?: string; limit: number; state?: string };
      await requireNetwork(id);
      const list = `challenges:${id}:${q.state ?? ""}`;
      const after = decodeCursor(q.cursor, list, ["int", "int"]);
      const rows = await challengePage(store, id, after as [number, number] | undefined, q.limit, q.state);
      const p = page(rows, q.limit, list, (r) => [r.blockNumber as number, r.logIndex as number]);
      return { challenges: p.items, nextCursor: p.nextCursor };
    },
  );

  await reportRoutes(app, ctx);
}
