/**
 * `GET /v1/charts?network=ID`: the dashboard's charts, laid out by the same code as the reports'
 * (src/report/render/charts.ts) and sent as drawing primitives (rects, texts, polylines in points),
 * which the page draws as SVG exactly as the HTML report does (`chartSvg`). From the economics
 * report of the network over the whole index: revenue per active node and utilization per epoch,
 * signed vs settled revenue per epoch; plus the uptime heat-map when the network's indexed epochs
 * hold few enough records to build it cheaply (else it is listed under `omitted` with the reason).
 * Reports need the chain for block times and token metadata: without a provider the route answers
 * 503 `chain_unavailable`. Results are cached per (indexed block hash, network).
 *
 * `GET /v1/dashboard/config`: what the dashboard page needs to check proofs itself: the deployment
 * (chain id, WorkLedger and RevenueLedger addresses) and the public JSON-RPC URL its browser reads
 * the chain through (`serve --public-rpc`; null without one, and the page then says the chain check
 * is unavailable).
 */
import type { FastifyInstance } from "fastify";

import { buildReport } from "../../report/build";
import { reportInputFromStore } from "../../report/fromStore";
import type { ReportStore } from "../../report/fromStore";
import type { ReportInput } from "../../report/input";
import { Chart, reportCharts } from "../../report/render/charts";
import { tokenOf } from "../../report/render/format";
import type { ServerContext } from "../context";
import { apiError, errorResponses } from "../errors";
import { networkIdParam } from "../schemas";

/** Most records (over the network's indexed epochs) for which the uptime heat-map is built. */
export const HEATMAP_MAX_RECORDS = 20_000;

const primitiveSchema = {
  type: "object",
  description: "One drawing primitive, in points: a rect (x, y, w, h, fill, stroke?, title?, data?), a text (x, y, text, size, anchor?, fill?, bold?) or a line (points, stroke, width, dash?).",
  properties: {
    t: { type: "string", enum: ["rect", "text", "line"] },
    x: { type: "number" },
    y: { type: "number" },
    w: { type: "number" },
    h: { type: "number" },
    fill: { type: "string" },
    stroke: { type: "string" },
    title: { type: "string" },
    data: { type: "object", additionalProperties: { type: "string" } },
    text: { type: "string" },
    size: { type: "number" },
    anchor: { type: "string", enum: ["start", "middle", "end"] },
    bold: { type: "boolean" },
    points: { type: "array", items: { type: "array", items: { type: "number" }, minItems: 2, maxItems: 2 } },
    width: { type: "number" },
    dash: { type: "boolean" },
  },
  required: ["t"],
} as const;

const chartsSchema = {
  $id: "Charts",
  type: "object",
  properties: {
    networkId: { type: "integer" },
    indexedBlock: { type: "integer", description: "the index position the charts were built at" },
    token: {
      type: ["object", "null"],
      properties: { address: { type: "string" }, symbol: { type: "string" }, decimals: { type: "integer" } },
      description: "the payment token the amounts are in (null when the report names none)",
    },
    charts: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: { type: "string" },
          title: { type: "string" },
          width: { type: "number" },
          height: { type: "number" },
          marks: { type: "integer", description: "data marks drawn (bars, points, cells)" },
          primitives: { type: "array", items: primitiveSchema },
        },
        required: ["id", "title", "width", "height", "marks", "primitives"],
      },
    },
    omitted: {
      type: "array",
      items: { type: "object", properties: { id: { type: "string" }, reason: { type: "string" } }, required: ["id", "reason"] },
    },
  },
  required: ["networkId", "indexedBlock", "token", "charts", "omitted"],
} as const;

const dashboardConfigSchema = {
  $id: "DashboardConfig",
  type: "object",
  properties: {
    chainId: { type: "integer" },
    workLedger: { type: "string", description: "the WorkLedger contract whose roots the page reads" },
    revenueLedger: { type: "string" },
    fromBlock: { type: "integer", description: "the deployment block the index starts at" },
    publicRpc: { type: ["string", "null"], description: "JSON-RPC URL for browsers (serve --public-rpc), or null" },
  },
  required: ["chainId", "workLedger", "revenueLedger", "fromBlock", "publicRpc"],
} as const;

interface ChartsBody {
  networkId: number;
  indexedBlock: number;
  token: { address: string; symbol: string; decimals: number } | null;
  charts: Chart[];
  omitted: { id: string; reason: string }[];
}

/** Most cached (block hash, network) answers. */
const CACHE_ENTRIES = 16;

export async function chartsRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.addSchema(chartsSchema);
  app.addSchema(dashboardConfigSchema);
  const cache = new Map<string, Promise<ChartsBody>>();

  const build = async (networkId: number): Promise<ChartsBody> => {
    const provider = ctx.provider;
    if (!provider) throw apiError(503, "chain_unavailable", "charts are built from reports, which need the chain (block times, token): start serve with --rpc");
    const cp = await ctx.checkpoint();
    const d = ctx.deployment;
    const inputFrom = async (store: ReportStore): Promise<ReportInput> => {
      try {
        return await reportInputFromStore(store, provider, { chainId: d.chainId, ledger: d.workLedger, revenueLedger: d.revenueLedger, fromBlock: d.fromBlock, toBlock: cp.blockNumber });
      } catch (e) {
        throw apiError(503, "chain_unavailable", `cannot read the chain for the charts: ${(e as Error).message.split("\n")[0].slice(0, 200)}`);
      }
    };
    // The economics charts need the epochs' summaries (events), never their records: past the
    // heat-map's bound the records are left out, so a million-record epoch is not loaded and hashed
    // on every new block. Below it one input (with records) serves both reports.
    const records = (await ctx.store.epochSummaries(networkId)).reduce((sum, r) => sum + Number(r.record_count), 0);
    const withRecords = records <= HEATMAP_MAX_RECORDS;
    const summariesOnly: ReportStore = { events: (r) => ctx.store.events(r), bundleRecords: () => undefined, bundleUsage: (n, e, v) => ctx.store.bundleUsage(n, e, v) };
    const input = await inputFrom(withRecords ? ctx.store : summariesOnly);
    const options = { networkId, labels: ctx.labels, allowMissingRecords: true };
    const economics = buildReport("economics", input, options);
    if (economics.kind !== "economics") throw new Error("expected an economics report");
    if (!economics.lines.length) throw apiError(404, "unknown_network", `network ${networkId} has no committed epoch in the index`, "network");
    const charts = reportCharts(economics);
    const omitted: ChartsBody["omitted"] = [];
    if (!withRecords) {
      omitted.push({ id: "uptime-heatmap", reason: `${records} records over the network's epochs (more than ${HEATMAP_MAX_RECORDS}): see the uptime report` });
    } else {
      try {
        charts.push(...reportCharts(buildReport("uptime", input, options)));
      } catch (e) {
        omitted.push({ id: "uptime-heatmap", reason: (e as Error).message.split("\n")[0].slice(0, 200) });
      }
    }
    const t = tokenOf(economics);
    return { networkId, indexedBlock: cp.blockNumber, token: t ? { address: t.address, symbol: t.symbol, decimals: t.decimals } : null, charts, omitted };
  };

  app.get(
    "/v1/dashboard/config",
    {
      schema: {
        summary: "The dashboard's settings: the deployment and the public JSON-RPC URL for browsers",
        tags: ["dashboard"],
        querystring: { type: "object", additionalProperties: false, properties: {} },
        response: { 200: { $ref: "DashboardConfig#" }, ...errorResponses },
      },
    },
    async () => ({ ...ctx.deployment, publicRpc: ctx.publicRpc ?? null }),
  );

  app.get(
    "/v1/charts",
    {
      schema: {
        summary: "The dashboard's charts of a network, as drawing primitives",
        description:
          "Revenue per active node and utilization per epoch, signed vs settled revenue per epoch (from the economics report) and, for small networks, the uptime heat-map: the same layouts as the HTML and PDF reports, as rects, texts and polylines in points (draw them as SVG).",
        tags: ["dashboard"],
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { network: networkIdParam },
          required: ["network"],
        },
        response: { 200: { $ref: "Charts#" }, ...errorResponses },
      },
    },
    async (req) => {
      const { network } = req.query as { network: number };
      const cp = await ctx.checkpoint();
      const key = `${cp.blockHash}:${network}`;
      let p = cache.get(key);
      if (!p) {
        p = build(network);
        cache.set(key, p);
        p.catch(() => cache.delete(key));
        while (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
      }
      return p;
    },
  );
}
