/**
 * A fault-injecting JSON-RPC proxy for reader tests, on 127.0.0.1 only, in front of a local node.
 * Seeded, so a failing run can be replayed. Per HTTP request it may:
 * - delay the reply (always, 0..maxDelayMs);
 * - fail (probability failRate) in one of these ways: HTTP 500, HTTP 429 (rate limited), a JSON-RPC
 *   error answer, a connection reset before any reply, a connection dropped mid-response (half the
 *   body sent, then the socket destroyed), or a slow reply;
 * - refuse eth_getLogs over more than maxLogRange blocks or returning more than maxLogResults logs
 *   (as public providers do, with their usual messages);
 * - slip a log from a foreign contract into eth_getLogs answers (the reader must check the emitter);
 * - follow a script (`decide`) instead of the dice for chosen requests, e.g. forward a send and drop its reply.
 */
import http from "http";
import type { AddressInfo } from "net";

import { seededRandom } from "./random";

export type FaultKind = "http500" | "http429" | "rpcError" | "reset" | "truncate" | "slow";
const FAULTS: FaultKind[] = ["http500", "http429", "rpcError", "reset", "truncate", "slow"];

export interface RpcProxyOptions {
  upstream: string;
  seed?: number;
  /** Share of requests that fail (default 0.3). */
  failRate?: number;
  /** eth_getLogs over more blocks than this is refused (default 64). */
  maxLogRange?: number;
  /** eth_getLogs returning more logs than this is refused (default 400). */
  maxLogResults?: number;
  /** Every reply is delayed by 0..maxDelayMs (default 20). */
  maxDelayMs?: number;
  /** Share of eth_getLogs answers that get a foreign log added (default 0.2). */
  foreignLogRate?: number;
  /**
   * A scripted fault for request number `n` (from 1), overriding the random draw when it returns
   * one: a FaultKind, "dropReply" (forward upstream, then reset the connection before answering),
   * "http404", or "http400rpc" (HTTP 400 with a JSON-RPC error body: "execution reverted", as some
   * endpoints answer a failed call); `null` answers normally.
   */
  decide?: (body: RpcCall | RpcCall[], n: number) => FaultKind | "dropReply" | "http404" | "http400rpc" | null | undefined;
}

export interface RpcProxyStats {
  requests: number;
  forwarded: number;
  faults: Record<FaultKind, number>;
  refusedRanges: number;
  refusedResults: number;
  foreignLogs: number;
  /** Requests forwarded upstream whose answer was then dropped (decide: "dropReply"). */
  dropped: number;
}

export interface RpcProxy {
  url: string;
  stats: RpcProxyStats;
  stop(): Promise<void>;
}

export interface RpcCall {
  id?: unknown;
  method?: string;
  params?: unknown[];
}

const FOREIGN_ADDRESS = "0x000000000000000000000000000000000000dead";

function errorBody(calls: RpcCall | RpcCall[], code: number, message: string): string {
  const one = (c: RpcCall) => ({ jsonrpc: "2.0", id: c?.id ?? null, error: { code, message } });
  return JSON.stringify(Array.isArray(calls) ? calls.map(one) : one(calls));
}

/** Start the proxy on a free loopback port. */
export async function startRpcProxy(opts: RpcProxyOptions): Promise<RpcProxy> {
  const rand = seededRandom(opts.seed ?? 1);
  const failRate = opts.failRate ?? 0.3;
  const maxLogRange = opts.maxLogRange ?? 64;
  const maxLogResults = opts.maxLogResults ?? 400;
  const maxDelayMs = opts.maxDelayMs ?? 20;
  const foreignLogRate = opts.foreignLogRate ?? 0.2;
  const stats: RpcProxyStats = {
    requests: 0,
    forwarded: 0,
    faults: { http500: 0, http429: 0, rpcError: 0, reset: 0, truncate: 0, slow: 0 },
    refusedRanges: 0,
    refusedResults: 0,
    foreignLogs: 0,
    dropped: 0,
  };
  const sockets = new Set<import("net").Socket>();
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function forward(body: string): Promise<string> {
    stats.forwarded++;
    const res = await fetch(opts.upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
    return res.text();
  }

  function logsRangeTooLarge(c: RpcCall): boolean {
    if (c.method !== "eth_getLogs") return false;
    const f = (c.params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string };
    if (!f.fromBlock || !f.toBlock || !f.fromBlock.startsWith("0x") || !f.toBlock.startsWith("0x")) return false;
    return Number(BigInt(f.toBlock) - BigInt(f.fromBlock)) + 1 > maxLogRange;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      void (async () => {
        stats.requests++;
        const body = Buffer.concat(chunks).toString();
        let calls: RpcCall | RpcCall[];
        try {
          calls = JSON.parse(body) as RpcCall | RpcCall[];
        } catch {
          res.writeHead(400).end("bad json");
          return;
        }
        // Draw every random number up front, in a fixed order, so runs replay from the seed.
        const delay = rand() * maxDelayMs;
        const fail = rand() < failRate;
        const drawnKind = FAULTS[Math.floor(rand() * FAULTS.length)];
        const foreign = rand() < foreignLogRate;
        await wait(delay);
        const scripted = opts.decide?.(calls, stats.requests);
        if (scripted === "dropReply") {
          stats.dropped++;
          await forward(body).catch(() => undefined);
          req.socket.destroy();
          return;
        }
        if (scripted === "http404") {
          res.writeHead(404, { "content-type": "text/plain" }).end("not found (injected)");
          return;
        }
        if (scripted === "http400rpc") {
          res.writeHead(400, { "content-type": "application/json" }).end(errorBody(calls, 3, "execution reverted (injected)"));
          return;
        }
        if (scripted !== undefined ? scripted !== null : fail) {
          const kind = scripted ?? drawnKind;
          stats.faults[kind]++;
          switch (kind) {
            case "http500":
              res.writeHead(500, { "content-type": "text/plain" }).end("upstream unavailable (injected)");
              return;
            case "http429":
              res.writeHead(429, { "content-type": "application/json" }).end(errorBody(calls, 429, "rate limit reached (injected)"));
              return;
            case "rpcError":
              res.writeHead(200, { "content-type": "application/json" }).end(errorBody(calls, -32603, "internal error (injected)"));
              return;
            case "reset":
              req.socket.destroy();
              return;
            case "truncate": {
              const text = await forward(body);
              res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
              res.write(text.slice(0, Math.floor(text.length / 2)));
              await wait(5);
              req.socket.destroy();
              return;
            }
            case "slow":
              await wait(100 + delay * 10);
              break; // then answer normally
          }
        }
        const list = Array.isArray(calls) ? calls : [calls];
        if (list.some(logsRangeTooLarge)) {
          stats.refusedRanges++;
          res.writeHead(200, { "content-type": "application/json" }).end(errorBody(calls, -32005, `query exceeds max block range ${maxLogRange}`));
          return;
        }
        let text: string;
        try {
          text = await forward(body);
        } catch {
          res.writeHead(502).end("bad gateway");
          return;
        }
        if (!Array.isArray(calls) && calls.method === "eth_getLogs") {
          const parsed = JSON.parse(text) as { result?: Record<string, unknown>[] };
          if (Array.isArray(parsed.result)) {
            if (parsed.result.length > maxLogResults) {
              stats.refusedResults++;
              res.writeHead(200, { "content-type": "application/json" }).end(errorBody(calls, -32005, `query returned more than ${maxLogResults} results`));
              return;
            }
            if (foreign && parsed.result.length > 0) {
              stats.foreignLogs++;
              parsed.result.push({ ...parsed.result[0], address: FOREIGN_ADDRESS, logIndex: "0x7fff" });
              text = JSON.stringify(parsed);
            }
          }
        }
        res.writeHead(200, { "content-type": "application/json" }).end(text);
      })().catch(() => {
        if (!res.headersSent) res.writeHead(502).end("proxy error");
        else req.socket.destroy();
      });
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
