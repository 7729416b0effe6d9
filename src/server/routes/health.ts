/**
 * `GET /healthz`: how far the index is synced and how far behind the chain head it is. The chain is
 * optional: without a provider, or when it does not answer within 2 s, headBlock and lagBlocks are
 * null and `chain` says why (never a 500). `?maxLagBlocks=N` answers 503 when the lag is known and
 * exceeds N (for a load balancer's health check); an unknown lag is not judged.
 */
import type { FastifyInstance } from "fastify";

import type { ServerContext } from "../context";

const HEAD_TIMEOUT_MS = 2000;
const HEAD_FRESH_MS = 1000;

const healthSchema = {
  $id: "Health",
  type: "object",
  properties: {
    ok: { type: "boolean", description: "false only when maxLagBlocks was given and the lag exceeds it" },
    chainId: { type: "integer" },
    ledger: { type: "string", description: "the WorkLedger the index was synced from" },
    revenueLedger: { type: "string" },
    indexedBlock: { type: "integer", description: "the store's checkpoint: every event up to it is indexed" },
    indexedBlockHash: { type: "string" },
    headBlock: { type: ["integer", "null"], description: "the chain's latest block (null: no chain configured or unreachable)" },
    lagBlocks: { type: ["integer", "null"], description: "headBlock - indexedBlock (null when headBlock is)" },
    chain: { type: "string", enum: ["ok", "unreachable", "not_configured"] },
    chainError: { type: ["string", "null"] },
    error: { $ref: "ApiError#/properties/error" },
  },
  required: ["ok", "chainId", "ledger", "revenueLedger", "indexedBlock", "indexedBlockHash", "headBlock", "lagBlocks", "chain", "chainError"],
} as const;

export async function healthRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.addSchema(healthSchema);
  let head: { at: number; p: Promise<{ block: number | null; error: string | null }> } | undefined;
  const headBlock = (): Promise<{ block: number | null; error: string | null }> => {
    const provider = ctx.provider;
    if (!provider) return Promise.resolve({ block: null, error: null });
    if (head && Date.now() - head.at < HEAD_FRESH_MS) return head.p;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${HEAD_TIMEOUT_MS} ms`)), HEAD_TIMEOUT_MS);
    });
    const p = Promise.race([provider.getBlockNumber(), timeout])
      .then((n) => ({ block: Number(n), error: null }))
      .catch((e: Error) => ({ block: null, error: (e.message || String(e)).split("\n")[0].slice(0, 200) }))
      .finally(() => clearTimeout(timer));
    head = { at: Date.now(), p };
    return p;
  };

  app.get(
    "/healthz",
    {
      schema: {
        summary: "Index position and lag behind the chain head",
        tags: ["health"],
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { maxLagBlocks: { type: "integer", minimum: 0, maximum: 1_000_000_000, description: "answer 503 when lagBlocks exceeds this" } },
        },
        response: { 200: { $ref: "Health#" }, 503: { $ref: "Health#" } },
      },
    },
    async (req, reply) => {
      const { maxLagBlocks } = req.query as { maxLagBlocks?: number };
      const [cp, h] = await Promise.all([ctx.store.checkpoint(), headBlock()]);
      const indexedBlock = cp?.blockNumber ?? 0;
      const lagBlocks = h.block === null ? null : Math.max(0, h.block - indexedBlock);
      const body: Record<string, unknown> = {
        ok: true,
        chainId: ctx.deployment.chainId,
        ledger: ctx.deployment.workLedger,
        revenueLedger: ctx.deployment.revenueLedger,
        indexedBlock,
        indexedBlockHash: cp?.blockHash ?? "",
        headBlock: h.block,
        lagBlocks,
        chain: ctx.provider ? (h.block === null ? "unreachable" : "ok") : "not_configured",
        chainError: h.error,
      };
      if (maxLagBlocks !== undefined && lagBlocks !== null && lagBlocks > maxLagBlocks) {
        body.ok = false;
        body.error = { code: "lagging", message: `the index is ${lagBlocks} blocks behind the chain head (maxLagBlocks ${maxLagBlocks})`, param: "maxLagBlocks" };
        return reply.code(503).send(body);
      }
      return body;
    },
  );
}
