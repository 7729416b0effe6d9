/**
 * The reader's view of a JSON-RPC endpoint: block numbers, headers, logs and pinned calls, over
 * either a URL (a small fetch-based client that sees every transport fault) or an ethers Provider.
 * Every call is retried with exponential backoff and full jitter on transport errors and rate
 * limits; a log query the provider refuses as too large is reported as {@link LogRangeRefused} so
 * the caller can halve the range.
 */
import type { Provider } from "ethers";

import { WorkLedgerError } from "../errors";

/** Retry policy for RPC calls. */
export interface RetryOptions {
  /** Attempts after the first one (default 8). */
  retries?: number;
  /** First backoff delay in ms (default 100); doubles per attempt. */
  baseDelayMs?: number;
  /** Backoff cap in ms (default 5000). */
  maxDelayMs?: number;
  /** Per-request timeout in ms for URL endpoints (default 30000). */
  timeoutMs?: number;
}

export interface BlockHeader {
  number: number;
  hash: string; // lowercase
  parentHash: string; // lowercase
  timestamp: number;
}

/** A raw log as eth_getLogs returns it, normalized to what decodeLog reads. */
export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  index: number;
  removed?: boolean;
}

/** An error answer from the endpoint (JSON-RPC error object or HTTP status). */
export class RpcRequestError extends WorkLedgerError {
  override name = "RpcRequestError";
  readonly rpcCode?: number;
  readonly httpStatus?: number;
  readonly method: string;
  /** The endpoint's Retry-After, in ms, when it sent one (rate limits). */
  readonly retryAfterMs?: number;
  constructor(method: string, message: string, opts: { rpcCode?: number; httpStatus?: number; cause?: unknown; retryAfterMs?: number } = {}) {
    super(`${method}: ${message}`, { code: "E_RPC", cause: opts.cause });
    this.method = method;
    this.rpcCode = opts.rpcCode;
    this.httpStatus = opts.httpStatus;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** The provider refused a log query as too large (range or result count). */
export class LogRangeRefused extends WorkLedgerError {
  override name = "LogRangeRefused";
  constructor(
    readonly fromBlock: number,
    readonly toBlock: number,
    cause: unknown,
  ) {
    super(`eth_getLogs refused blocks ${fromBlock}..${toBlock}: ${errorText(cause).slice(0, 200)}`, { code: "E_RPC_RANGE", cause });
  }
}

/** The RPC endpoint kept failing after every retry. */
export class RpcUnavailableError extends WorkLedgerError {
  override name = "RpcUnavailableError";
  constructor(what: string, attempts: number, cause: unknown) {
    super(`${what} failed after ${attempts} attempts: ${errorText(cause).slice(0, 300)}`, { code: "E_RPC", cause });
  }
}

/** The sync was stopped through its AbortSignal. */
export class AbortedError extends WorkLedgerError {
  override name = "AbortedError";
  constructor() {
    super("stopped", { code: "E_ABORTED" });
  }
}

/** Every message in an error and its causes/nested errors, for classification. */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number) => {
    if (e === null || e === undefined || depth > 5 || seen.has(e)) return;
    seen.add(e);
    if (typeof e === "string") {
      parts.push(e);
      return;
    }
    if (typeof e !== "object") {
      parts.push(String(e));
      return;
    }
    const o = e as Record<string, unknown>;
    for (const k of ["message", "shortMessage", "code", "rpcCode", "httpStatus"]) if (o[k] !== undefined) parts.push(String(o[k]));
    for (const k of ["cause", "error", "info"]) visit(o[k], depth + 1);
  };
  visit(err, 0);
  return parts.join(" | ");
}

const RANGE_PATTERNS = [
  /block range/i,
  /range (is )?too (large|wide|big)/i,
  /too many (blocks|results|logs)/i,
  /more than \d+ (results|logs|blocks)/i,
  /query returned more than/i,
  /response size (exceeded|too large)/i,
  /exceed(s|ed)? (the )?(max|maximum|limit)/i,
  /log response size/i,
  /limited to (a )?[\d,]+ (block )?range/i,
];

/** Whether an eth_getLogs error means "ask for less". */
export function isRangeRefusal(err: unknown): boolean {
  const t = errorText(err);
  return RANGE_PATTERNS.some((p) => p.test(t));
}

const CHAIN_MOVED_PATTERNS = [/block height is \d+ but requested/i, /BlockOutOfRange/i, /header not found/i, /unknown block/i, /block not found/i, /beyond (the )?(current )?head/i];

/** Whether an error says the asked blocks are not (or no longer) on the chain: its head moved back. */
export function isChainMoved(err: unknown): boolean {
  const t = errorText(err);
  return CHAIN_MOVED_PATTERNS.some((p) => p.test(t));
}

/** Whether an error is final (retrying the same call cannot help). */
export function isFatal(err: unknown): boolean {
  if (err instanceof AbortedError) return true;
  if (isChainMoved(err)) return false;
  if (err instanceof RpcRequestError) {
    // Method not found, invalid params/request: the endpoint will say the same again.
    return err.rpcCode === -32601 || err.rpcCode === -32602 || err.rpcCode === -32600 || err.httpStatus === 404 || err.httpStatus === 405;
  }
  const code = (err as { code?: unknown })?.code;
  return code === "INVALID_ARGUMENT" || code === "CALL_EXCEPTION" || code === "UNSUPPORTED_OPERATION" || code === "NOT_IMPLEMENTED";
}

/** Sleep `ms`, or reject with AbortedError as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortedError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Full-jitter exponential backoff: a random delay in [0, min(max, base * 2^attempt)]. */
export function backoffDelay(attempt: number, opts: RetryOptions, random: () => number = Math.random): number {
  const base = opts.baseDelayMs ?? 100;
  const cap = opts.maxDelayMs ?? 5000;
  return Math.floor(random() * Math.min(cap, base * 2 ** attempt));
}

/**
 * Run `fn` until it succeeds, retrying errors that are not fatal (and, when `passThrough` says so,
 * rethrowing at once, e.g. a log range refusal that the caller handles by halving).
 */
export async function withRetry<T>(
  what: string,
  fn: () => Promise<T>,
  opts: RetryOptions & { signal?: AbortSignal; passThrough?: (err: unknown) => boolean } = {},
): Promise<T> {
  const retries = opts.retries ?? 8;
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.aborted) throw new AbortedError();
    try {
      return await fn();
    } catch (err) {
      if (opts.passThrough?.(err) || isFatal(err)) throw err;
      if (attempt >= retries) throw new RpcUnavailableError(what, attempt + 1, err);
      // A rate limit's Retry-After (capped at a minute) is a floor for the backoff.
      const floor = err instanceof RpcRequestError ? (err.retryAfterMs ?? 0) : 0;
      await sleep(Math.max(floor, backoffDelay(attempt, opts)), opts.signal);
    }
  }
}

/** The calls the reader makes, without retries (the sync and fetchEvents add them). */
export interface ChainSource {
  readonly label: string;
  chainId(): Promise<bigint>;
  blockNumber(): Promise<number>;
  /** Headers by number (null for a block the chain does not have), in one round trip where possible. */
  headers(numbers: number[]): Promise<(BlockHeader | null)[]>;
  logs(addresses: string[], fromBlock: number, toBlock: number): Promise<RawLog[]>;
  /** eth_call pinned to a block hash (EIP-1898, requireCanonical). */
  callAtHash(tx: { to: string; data: string }, blockHash: string): Promise<string>;
  close(): void;
}

const toHex = (n: number) => "0x" + n.toString(16);

function parseHeader(raw: unknown): BlockHeader | null {
  if (!raw || typeof raw !== "object") return null;
  const b = raw as Record<string, string>;
  if (!b.hash || b.number === undefined) throw new Error(`malformed block header: ${JSON.stringify(raw).slice(0, 200)}`);
  return { number: Number(BigInt(b.number)), hash: b.hash.toLowerCase(), parentHash: String(b.parentHash).toLowerCase(), timestamp: Number(BigInt(b.timestamp ?? 0)) };
}

function parseLogs(raw: unknown): RawLog[] {
  if (!Array.isArray(raw)) throw new Error(`eth_getLogs: expected an array, got ${typeof raw}`);
  return raw.map((l: Record<string, unknown>) => ({
    address: String(l.address),
    topics: (l.topics as string[]) ?? [],
    data: String(l.data),
    blockNumber: Number(BigInt(l.blockNumber as string)),
    blockHash: String(l.blockHash).toLowerCase(),
    transactionHash: String(l.transactionHash).toLowerCase(),
    index: Number(BigInt((l.logIndex ?? l.index) as string)),
    removed: l.removed === true,
  }));
}

interface JsonRpcResponse {
  id?: unknown;
  result?: unknown;
  error?: { code?: number; message?: string; data?: unknown };
}

/** A minimal JSON-RPC-over-HTTP client: one fetch per call or batch, with a timeout. */
export class HttpRpc {
  private nextId = 1;
  constructor(
    readonly url: string,
    private readonly timeoutMs = 30_000,
    private readonly stop?: AbortSignal,
  ) {}

  private async post(body: unknown, method: string): Promise<unknown> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: this.stop ? AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.stop]) : AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      if (this.stop?.aborted) throw new AbortedError();
      throw new RpcRequestError(method, `transport error: ${errorText(err)}`, { cause: err });
    }
    if (!res.ok) {
      let rpcCode: number | undefined;
      let msg = text.slice(0, 300);
      try {
        const j = JSON.parse(text) as JsonRpcResponse;
        rpcCode = j.error?.code;
        if (j.error?.message) msg = j.error.message;
      } catch {
        // not JSON
      }
      const retryAfter = Number(res.headers.get("retry-after"));
      const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 60) * 1000 : undefined;
      throw new RpcRequestError(method, `HTTP ${res.status}: ${msg}`, { httpStatus: res.status, rpcCode, retryAfterMs });
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new RpcRequestError(method, `unparsable response (${text.length} bytes)`, { cause: err });
    }
  }

  /** One call; throws RpcRequestError on an error answer. */
  async request(method: string, params: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    const j = (await this.post({ jsonrpc: "2.0", id, method, params }, method)) as JsonRpcResponse;
    if (!j || typeof j !== "object" || Array.isArray(j)) throw new RpcRequestError(method, "malformed response");
    if (j.error) throw new RpcRequestError(method, j.error.message ?? "error", { rpcCode: j.error.code });
    if (j.id !== id) throw new RpcRequestError(method, `response id ${String(j.id)} != request id ${id}`);
    return j.result;
  }

  /** Several calls in one JSON-RPC batch; throws if any of them failed. */
  async batch(calls: { method: string; params: unknown[] }[]): Promise<unknown[]> {
    if (calls.length === 0) return [];
    const first = this.nextId;
    this.nextId += calls.length;
    const body = calls.map((c, i) => ({ jsonrpc: "2.0", id: first + i, method: c.method, params: c.params }));
    const label = calls[0].method;
    const res = await this.post(body, label);
    if (!Array.isArray(res)) {
      const e = (res as JsonRpcResponse)?.error;
      throw new RpcRequestError(label, `batch answered with ${e ? e.message : "a non-array"}`, { rpcCode: e?.code });
    }
    const byId = new Map<unknown, JsonRpcResponse>();
    for (const r of res as JsonRpcResponse[]) byId.set(r?.id, r);
    return calls.map((c, i) => {
      const r = byId.get(first + i);
      if (!r) throw new RpcRequestError(c.method, "missing from batch response");
      if (r.error) throw new RpcRequestError(c.method, r.error.message ?? "error", { rpcCode: r.error.code });
      return r.result;
    });
  }
}

/** Largest number of calls sent in one JSON-RPC batch. */
const MAX_BATCH = 100;

class UrlSource implements ChainSource {
  readonly label: string;
  private readonly rpc: HttpRpc;
  constructor(url: string, timeoutMs?: number, signal?: AbortSignal) {
    this.label = url;
    this.rpc = new HttpRpc(url, timeoutMs, signal);
  }
  async chainId(): Promise<bigint> {
    return BigInt((await this.rpc.request("eth_chainId", [])) as string);
  }
  async blockNumber(): Promise<number> {
    return Number(BigInt((await this.rpc.request("eth_blockNumber", [])) as string));
  }
  async headers(numbers: number[]): Promise<(BlockHeader | null)[]> {
    const out: (BlockHeader | null)[] = [];
    for (let i = 0; i < numbers.length; i += MAX_BATCH) {
      const part = numbers.slice(i, i + MAX_BATCH);
      const res =
        part.length === 1
          ? [await this.rpc.request("eth_getBlockByNumber", [toHex(part[0]), false])]
          : await this.rpc.batch(part.map((n) => ({ method: "eth_getBlockByNumber", params: [toHex(n), false] })));
      out.push(...res.map(parseHeader));
    }
    return out;
  }
  async logs(addresses: string[], fromBlock: number, toBlock: number): Promise<RawLog[]> {
    try {
      return parseLogs(await this.rpc.request("eth_getLogs", [{ address: addresses, fromBlock: toHex(fromBlock), toBlock: toHex(toBlock) }]));
    } catch (err) {
      if (isRangeRefusal(err)) throw new LogRangeRefused(fromBlock, toBlock, err);
      throw err;
    }
  }
  async callAtHash(tx: { to: string; data: string }, blockHash: string): Promise<string> {
    return (await this.rpc.request("eth_call", [tx, { blockHash, requireCanonical: true }])) as string;
  }
  close(): void {
    // fetch keeps no state that needs closing
  }
}

type Sender = { send(method: string, params: unknown[]): Promise<unknown> };

class ProviderSource implements ChainSource {
  readonly label = "provider";
  constructor(private readonly provider: Provider) {}
  private get sender(): Sender | undefined {
    const p = this.provider as unknown as Partial<Sender>;
    return typeof p.send === "function" ? (p as Sender) : undefined;
  }
  async chainId(): Promise<bigint> {
    return (await this.provider.getNetwork()).chainId;
  }
  async blockNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }
  async headers(numbers: number[]): Promise<(BlockHeader | null)[]> {
    const s = this.sender;
    if (s) return Promise.all(numbers.map(async (n) => parseHeader(await s.send("eth_getBlockByNumber", [toHex(n), false]))));
    return Promise.all(
      numbers.map(async (n) => {
        const b = await this.provider.getBlock(n);
        return b && b.hash ? { number: b.number, hash: b.hash.toLowerCase(), parentHash: b.parentHash.toLowerCase(), timestamp: b.timestamp } : null;
      }),
    );
  }
  async logs(addresses: string[], fromBlock: number, toBlock: number): Promise<RawLog[]> {
    try {
      const s = this.sender;
      if (s) return parseLogs(await s.send("eth_getLogs", [{ address: addresses, fromBlock: toHex(fromBlock), toBlock: toHex(toBlock) }]));
      const logs = await this.provider.getLogs({ address: addresses, fromBlock, toBlock });
      return logs.map((l) => ({
        address: l.address,
        topics: [...l.topics],
        data: l.data,
        blockNumber: l.blockNumber,
        blockHash: l.blockHash.toLowerCase(),
        transactionHash: l.transactionHash.toLowerCase(),
        index: l.index,
        removed: l.removed,
      }));
    } catch (err) {
      if (isRangeRefusal(err)) throw new LogRangeRefused(fromBlock, toBlock, err);
      throw err;
    }
  }
  async callAtHash(tx: { to: string; data: string }, blockHash: string): Promise<string> {
    const s = this.sender;
    if (s) return (await s.send("eth_call", [tx, { blockHash, requireCanonical: true }])) as string;
    // ethers formats a 32-byte block tag as { blockHash } (EIP-1898).
    return this.provider.call({ ...tx, blockTag: blockHash });
  }
  close(): void {
    // the caller owns the provider
  }
}

/** A ChainSource for a URL or an ethers Provider; `signal` cancels requests in flight (URL endpoints). */
export function chainSource(provider: Provider | string, opts: RetryOptions & { signal?: AbortSignal } = {}): ChainSource {
  return typeof provider === "string" ? new UrlSource(provider, opts.timeoutMs, opts.signal) : new ProviderSource(provider);
}
