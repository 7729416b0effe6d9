/**
 * `GET /v1/reports/{kind}?format=json|csv|pdf|html|md|beancount&network=&customer=&from=&to=&fromBlock=&toBlock=&sla=&creditTiers=`:
 * a report from the index as it is (the `workledger report` flags as query parameters). Reports need
 * the chain (block times, token metadata, balances at toBlock): without one the route answers 503
 * `chain_unavailable`. Rendered reports are cached per (indexed block hash, query), in-flight deduped.
 */
import type { FastifyInstance } from "fastify";

import type { ReportFormat } from "../../report/write";
import type { ReportKind } from "../../report/types";
import type { ServerContext } from "../context";
import { apiError, errorResponses } from "../errors";
import { FORMAT_MEDIA, REPORT_KIND_NAMES, ReportQuery, SERVED_FORMATS, checkReportQuery, renderReportBody, storeReport } from "../reports";
import { MAX_ID, networkIdParam } from "../schemas";

const CACHE_SIZE = 16;

export async function reportRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const cache = new Map<string, Promise<string | Buffer>>();

  app.get(
    "/v1/reports/:kind",
    {
      schema: {
        summary: "A report (spend, uptime, economics, journal) from the index, in one format",
        description: "The query parameters are `workledger report`'s flags. The report covers the index as it is: toBlock defaults to (and may not exceed) the indexed block.",
        tags: ["reports"],
        params: {
          type: "object",
          additionalProperties: false,
          properties: { kind: { type: "string", enum: [...REPORT_KIND_NAMES] } },
          required: ["kind"],
        },
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            format: { type: "string", enum: [...SERVED_FORMATS], default: "json" },
            network: { ...networkIdParam, description: "only this network" },
            customer: { type: "string", minLength: 1, maxLength: 200, description: "spend: only this customer (an address, or a name from the server's labels)" },
            from: { type: "string", minLength: 1, maxLength: 40, description: "period start, ISO-8601 date or date-time (UTC)" },
            to: { type: "string", minLength: 1, maxLength: 40, description: "period end, ISO-8601 (a date means the whole day)" },
            fromBlock: { type: "integer", minimum: 0, maximum: MAX_ID },
            toBlock: { type: "integer", minimum: 0, maximum: MAX_ID },
            sla: { type: "string", minLength: 1, maxLength: 20, description: "uptime: SLA target percent, e.g. 99.9" },
            creditTiers: { type: "string", minLength: 1, maxLength: 200, description: 'uptime: credit tiers BELOW%:CREDIT%, e.g. "99.9:10,99:25,95:100"' },
          },
        },
        response: {
          200: {
            description: "the report file (JSON, CSV, PDF, HTML, Markdown or Beancount by `format`)",
            content: {
              "application/json": { schema: { type: "object", additionalProperties: true } },
              "text/csv": { schema: { type: "string" } },
              "application/pdf": { schema: { type: "string", format: "binary" } },
              "text/html": { schema: { type: "string" } },
              "text/markdown": { schema: { type: "string" } },
              "text/plain": { schema: { type: "string" } },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { kind } = req.params as { kind: ReportKind };
      const q = req.query as ReportQuery & { format: ReportFormat };
      checkReportQuery(kind, q, ctx.labels); // parameter errors first, before any chain or store work
      if (q.network !== undefined) {
        const n = await ctx.store.db.selectFrom("networks").select("network_id").where("network_id", "=", q.network).executeTakeFirst();
        if (!n) throw apiError(404, "unknown_network", `no network ${q.network} in the index`, "network");
      }
      const provider = ctx.provider;
      if (!provider) throw apiError(503, "chain_unavailable", "reports need the chain (block times, token metadata, balances): start serve with --rpc URL");
      const cp = await ctx.checkpoint();
      const key = `${cp.blockHash}|${kind}|${JSON.stringify(Object.entries(q).sort())}`;
      let p = cache.get(key);
      if (!p) {
        p = (async () => renderReportBody(await storeReport(ctx.store, provider, ctx.deployment, cp.blockNumber, kind, q, ctx.labels), q.format))();
        cache.set(key, p);
        p.catch(() => cache.delete(key));
        while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      }
      let body: string | Buffer;
      try {
        body = await p;
      } catch (e) {
        const err = e as Error & { code?: string };
        if (err.name === "ChainMismatchError" || /could not detect network|ECONNREFUSED|timeout|failed to detect|fetch failed/i.test(err.message ?? "")) {
          throw apiError(503, "chain_unavailable", `the chain did not answer: ${err.message.split("\n")[0]}`);
        }
        throw e;
      }
      const m = FORMAT_MEDIA[q.format];
      return reply
        .type(m.type)
        .header("content-disposition", `${m.inline ? "inline" : "attachment"}; filename="${kind}.${m.ext}"`)
        .header("cache-control", "no-cache")
        .send(body);
    },
  );
}
