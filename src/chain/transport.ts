/**
 * The one JSON-RPC transport of the SDK and the CLI: a fetch-based HTTP client that sees every
 * transport fault, retries with exponential backoff and full jitter (the indexer's policy), and an
 * ethers v6 provider on top of it, so every call of every command — the chain-id check at connect,
 * reads, gas estimates and sends — rides out a flaky endpoint:
 * - transient faults are retried: HTTP 408/425/429/5xx, JSON-RPC -32005 and 429, "internal error",
 *   timeouts, rate limits, connection resets and responses cut short;
 * - permanent ones fail fast with a clear error: a malformed URL, a URL where nothing ever answered
 *   (connection refused or unknown host, after `connectRetries` tries), HTTP 401/403/404/405, a
 *   wrong chain id, and every answer that is not a fault (a revert is a revert);
 * - a retried `eth_sendRawTransaction` resends the same signed bytes, and an "already known" or
 *   "nonce too low" answer counts as success when the node has that very transaction (same hash);
 * - `eth_sendTransaction` (signed by the node, which picks the nonce) is sent again after a fault
 *   only when the node did not take it (see RpcTransport.sendUnlocked): never twice.
 */
import { JsonRpcError, JsonRpcPayload, JsonRpcProvider, JsonRpcResult, Network, keccak256 } from "ethers";

import { ChainMismatchError, InvalidInputError, WorkLedgerError } from "../errors";


/** HTTP statuses that no retry can change. */
const PERMANENT_HTTP = new Set([400, 401, 403, 404, 405, 413, 414, 415, 501]);

/** Socket errors that mean "nothing listens at this address" (as opposed to a dropped connection). */
const CONNECT_FAILURES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** The Node.js socket error code under a fetch failure (`TypeError: fetch failed` → cause.code). */
function networkCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined, i = 0; e && i < 5; i++) {
    if (typeof e.code === "string" && /^E[A-Z_]+$/.test(e.code)) return e.code;
    if (Array.isArray(e.errors) && e.errors.length > 0) e = e.errors[0] as typeof e; // AggregateError (IPv4 and IPv6 tried)
    else e = e.cause as typeof e;
  }
  return undefined;
}

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


/** An error answer from the endpoint (JSON-RPC error object or HTTP status). */
export class RpcRequestError extends WorkLedgerError {
  override name = "RpcRequestError";
  readonly rpcCode?: number;
  readonly httpStatus?: number;
  readonly method: string;
  /** The endpoint's Retry-After, in ms, when it sent one (rate limits). */
  readonly retryAfterMs?: number;
  /** Retrying cannot help (a wrong URL, a refused login, a missing method). */
  readonly permanent: boolean;
  constructor(method: string, message: string, opts: { rpcCode?: number; httpStatus?: number; cause?: unknown; retryAfterMs?: number; permanent?: boolean } = {}) {
    super(`${method}: ${message}`, { code: "E_RPC", cause: opts.cause });
    this.method = method;
    this.rpcCode = opts.rpcCode;
    this.httpStatus = opts.httpStatus;
    this.retryAfterMs = opts.retryAfterMs;
    this.permanent = opts.permanent ?? false;
  }
}


/** The RPC endpoint kept failing after every retry. */
export class RpcUnavailableError extends WorkLedgerError {
  override name = "RpcUnavailableError";
  constructor(what: string, attempts: number, cause: unknown) {
    super(`${what} failed after ${attempts} attempts: ${errorText(cause).slice(0, 300)}`, { code: "E_RPC", cause });
  }
}

/** The call was stopped through its AbortSignal. */
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
    return err.permanent || err.rpcCode === -32601 || err.rpcCode === -32602 || err.rpcCode === -32600 || (err.httpStatus !== undefined && PERMANENT_HTTP.has(err.httpStatus));
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


interface JsonRpcResponse {
  id?: unknown;
  result?: unknown;
  error?: { code?: number; message?: string; data?: unknown };
}

/** Whether a parsed body is a JSON-RPC answer (one or a batch) carrying error objects. */
function isJsonRpcErrorAnswer(j: unknown): boolean {
  const list = Array.isArray(j) ? j : [j];
  return list.length > 0 && list.every((r) => r !== null && typeof r === "object" && "id" in r && ("error" in r || "result" in r)) && list.some((r) => (r as JsonRpcResponse).error);
}

/** A minimal JSON-RPC-over-HTTP client: one fetch per call or batch, with a timeout. */
export class HttpRpc {
  private nextId = 1;
  /** Whether any request got an HTTP answer (before that, a refused connection means a wrong URL). */
  private reached = false;
  private refused = 0;
  constructor(
    readonly url: string,
    private readonly timeoutMs = 30_000,
    private readonly stop?: AbortSignal,
    /** Refused connections tolerated before the endpoint ever answered (default 2): then fail fast. */
    private readonly connectRetries = 2,
  ) {}

  /** POST a JSON-RPC body (one call or a batch); the parsed answer, or RpcRequestError for HTTP and transport faults. */
  async post(body: unknown, method: string): Promise<unknown> {
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
      const code = networkCode(err);
      if (!this.reached && code !== undefined && CONNECT_FAILURES.has(code) && ++this.refused > this.connectRetries) {
        // Nothing ever answered at this URL: a wrong URL or a node that is not running, not a flaky one.
        throw new RpcRequestError(method, `no connection (${code})`, { cause: err, permanent: true });
      }
      throw new RpcRequestError(method, `transport error: ${errorText(err)}`, { cause: err });
    }
    this.reached = true;
    if (!res.ok) {
      let rpcCode: number | undefined;
      let msg = text.slice(0, 300);
      try {
        const j = JSON.parse(text) as JsonRpcResponse | JsonRpcResponse[];
        // Some endpoints answer a failed call (a revert, bad params) with HTTP 400/422 and a JSON-RPC
        // error body: that is the call's answer, not a transport fault.
        if ((res.status === 400 || res.status === 422) && isJsonRpcErrorAnswer(j)) return j;
        const one = Array.isArray(j) ? j[0] : j;
        rpcCode = one?.error?.code;
        if (one?.error?.message) msg = one.error.message;
      } catch {
        // not JSON
      }
      const retryAfter = Number(res.headers.get("retry-after"));
      const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 60) * 1000 : undefined;
      throw new RpcRequestError(method, `HTTP ${res.status}: ${msg}`, { httpStatus: res.status, rpcCode, retryAfterMs, permanent: PERMANENT_HTTP.has(res.status) });
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


// ------------------------------------------------------------------ the ethers provider

/** Options of {@link connectRpc}. */
export interface ConnectRpcOptions extends RetryOptions {
  /** Refuse the endpoint unless it is on this chain (a permanent error). */
  expectChainId?: bigint | number;
  /** Refused connections tolerated before the endpoint first answered (default 2). */
  connectRetries?: number;
  /** Polling interval of ethers' waits, in ms (default 250). */
  pollingInterval?: number;
  /** Stops retries and requests in flight. */
  signal?: AbortSignal;
}

const TRANSIENT_MESSAGE = /rate limit|too many requests|timed? ?out|temporar|try again|overload|busy|unavailable|capacity|internal error|upstream|gateway/i;
const NOT_A_FAULT = /revert|execution|nonce|insufficient|underpriced|already known|invalid|gas/i;

/** Whether a JSON-RPC error answer is a fault of the endpoint (retry) rather than its answer to the call. */
export function isTransientRpcError(error: { code?: number; message?: string; data?: unknown }): boolean {
  if (error.code === -32005 || error.code === 429) return true;
  const m = error.message ?? "";
  return error.data === undefined && TRANSIENT_MESSAGE.test(m) && !NOT_A_FAULT.test(m);
}

/** A send that the node may already have: the same signed bytes went out before. */
const ALREADY_SENT = /already known|known transaction|already imported|nonce too low|nonce has already been used|already exists/i;

type Answer = JsonRpcResult | JsonRpcError;

/**
 * A JSON-RPC transport for ethers: sends ethers' payloads (single or batched) through {@link HttpRpc}
 * and retries the calls that hit a transient fault, alone, with backoff.
 */
export class RpcTransport {
  readonly rpc: HttpRpc;
  private readonly retry: RetryOptions & { signal?: AbortSignal };
  constructor(
    readonly url: string,
    opts: ConnectRpcOptions = {},
  ) {
    this.rpc = new HttpRpc(url, opts.timeoutMs, opts.signal, opts.connectRetries);
    this.retry = { retries: opts.retries, baseDelayMs: opts.baseDelayMs, maxDelayMs: opts.maxDelayMs, signal: opts.signal };
  }

  /** One call with retries; throws RpcRequestError for an error answer. */
  async request(method: string, params: unknown[]): Promise<unknown> {
    const [a] = await this.send({ id: 1, method, params } as JsonRpcPayload);
    if ("error" in a && a.error) throw new RpcRequestError(method, a.error.message ?? "error", { rpcCode: a.error.code });
    return (a as JsonRpcResult).result;
  }

  /** ethers' `_send`: answers in payload order; transient faults retried, anything else answered as is. */
  async send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<Answer[]> {
    const calls = Array.isArray(payload) ? payload : [payload];
    const answers = new Map<number, Answer>();
    // A send signed by the node is not idempotent (the node picks the nonce): each goes alone.
    for (const p of calls) if (p.method === "eth_sendTransaction") answers.set(p.id, await this.sendUnlocked(p));
    let pending = calls.filter((p) => !answers.has(p.id));
    if (pending.length === 0) return calls.map((p) => answers.get(p.id)!);
    const retries = this.retry.retries ?? 8;
    for (let attempt = 0; ; attempt++) {
      if (this.retry.signal?.aborted) throw new AbortedError();
      let fault: unknown;
      const label = pending.length === 1 ? pending[0].method : `${pending[0].method} (+${pending.length - 1} in batch)`;
      try {
        const body = pending.map((p) => ({ jsonrpc: "2.0", id: p.id, method: p.method, params: p.params }));
        const res = await this.rpc.post(pending.length === 1 ? body[0] : body, label);
        const list = (Array.isArray(res) ? res : [res]) as { id?: unknown; result?: unknown; error?: JsonRpcError["error"] }[];
        const byId = new Map(list.filter((r) => r && typeof r === "object").map((r) => [r.id, r]));
        const still: JsonRpcPayload[] = [];
        for (const p of pending) {
          const r = byId.get(p.id) ?? (pending.length === 1 && list.length === 1 && list[0].error ? list[0] : undefined);
          if (!r) {
            fault = new RpcRequestError(p.method, "no answer for this call in the response");
            still.push(p);
          } else if (r.error) {
            if (p.method === "eth_sendRawTransaction" && ALREADY_SENT.test(r.error.message ?? "")) {
              const hash = await this.knownTransaction(p);
              if (hash) {
                answers.set(p.id, { id: p.id, result: hash });
                continue;
              }
            }
            if (isTransientRpcError(r.error)) {
              fault = new RpcRequestError(p.method, r.error.message ?? "error", { rpcCode: r.error.code });
              still.push(p);
            } else {
              answers.set(p.id, { id: p.id, error: { code: r.error.code, message: r.error.message, data: r.error.data } });
            }
          } else {
            answers.set(p.id, { id: p.id, result: r.result });
          }
        }
        pending = still;
      } catch (err) {
        if (isFatal(err)) throw err;
        fault = err;
      }
      if (pending.length === 0) break;
      if (attempt >= retries) throw new RpcUnavailableError(`${label} at ${this.url}`, attempt + 1, fault);
      const floor = fault instanceof RpcRequestError ? (fault.retryAfterMs ?? 0) : 0;
      await sleep(Math.max(floor, backoffDelay(attempt, this.retry)), this.retry.signal);
    }
    return calls.map((p) => answers.get(p.id)!);
  }

  /**
   * `eth_sendTransaction` (the node signs and picks the nonce): after a fault that may have reached
   * the node (a dropped connection, a cut reply, a 5xx), it is sent again only when the node did not
   * take it: its pending nonce for `from` did not move, or no transaction with these fields took the
   * new nonces.
   */
  private async sendUnlocked(p: JsonRpcPayload): Promise<Answer> {
    const tx = ((p.params as unknown[])[0] ?? {}) as { from?: string; to?: string; data?: string; input?: string; value?: string };
    const from = String(tx.from ?? "");
    const count = async () => Number(BigInt((await withRetry(`eth_getTransactionCount ${from}`, () => this.rpc.request("eth_getTransactionCount", [from, "pending"]), this.retry)) as string));
    const before = await count();
    const retries = this.retry.retries ?? 8;
    for (let attempt = 0; ; attempt++) {
      let fault: unknown;
      try {
        const r = (await this.rpc.post({ jsonrpc: "2.0", id: p.id, method: p.method, params: p.params }, p.method)) as { result?: unknown; error?: JsonRpcError["error"] };
        if (!r?.error) return { id: p.id, result: r?.result };
        if (!isTransientRpcError(r.error)) return { id: p.id, error: { code: r.error.code, message: r.error.message, data: r.error.data } };
        fault = new RpcRequestError(p.method, r.error.message ?? "error", { rpcCode: r.error.code });
      } catch (err) {
        if (isFatal(err)) throw err;
        fault = err;
      }
      const sent = await this.findSent(tx, from, before, await count());
      if (sent) return { id: p.id, result: sent };
      if (attempt >= retries) throw new RpcUnavailableError(`eth_sendTransaction at ${this.url}`, attempt + 1, fault);
      await sleep(backoffDelay(attempt, this.retry), this.retry.signal);
    }
  }

  /** The hash of a transaction from `from` with a nonce in [before, now) and these fields, in the last blocks. */
  private async findSent(tx: { to?: string; data?: string; input?: string; value?: string }, from: string, before: number, now: number): Promise<string | null> {
    if (now <= before) return null;
    const same = (a: unknown, b: unknown) => String(a ?? "").toLowerCase() === String(b ?? "").toLowerCase();
    const num = (v: unknown) => BigInt((v as string | undefined) ?? "0x0");
    type FullTx = { hash: string; from: string; to?: string | null; input?: string; value?: string; nonce: string };
    const block = (tag: string) => withRetry(`eth_getBlockByNumber ${tag}`, () => this.rpc.request("eth_getBlockByNumber", [tag, true]), this.retry) as Promise<{ number: string; transactions: FullTx[] } | null>;
    const latest = await block("latest");
    const tags = ["pending"];
    if (latest) for (let n = Number(BigInt(latest.number)); n >= 0 && tags.length <= 32; n--) tags.push("0x" + n.toString(16));
    for (const tag of tags) {
      const b = tag === "pending" ? await block(tag).catch(() => null) : await block(tag);
      for (const t of b?.transactions ?? []) {
        const nonce = Number(BigInt(t.nonce));
        if (same(t.from, from) && nonce >= before && nonce < now && same(t.to, tx.to) && same(t.input, tx.data ?? tx.input ?? "0x") && num(t.value) === num(tx.value)) return t.hash;
      }
    }
    return null;
  }

  /** The hash of a raw transaction the node already has (pending or mined), else null. */
  private async knownTransaction(p: JsonRpcPayload): Promise<string | null> {
    const raw = (p.params as unknown[])[0];
    if (typeof raw !== "string") return null;
    const hash = keccak256(raw);
    const known = await withRetry(`eth_getTransactionByHash ${hash}`, () => this.rpc.request("eth_getTransactionByHash", [hash]), this.retry);
    return known ? hash : null;
  }
}

/**
 * An ethers JsonRpcProvider whose every request goes through an {@link RpcTransport}: retried on
 * transient faults, resent as the same bytes, failing fast on permanent ones. Create it with
 * {@link connectRpc}.
 */
export class RetryingRpcProvider extends JsonRpcProvider {
  readonly url: string;
  readonly transport: RpcTransport;
  constructor(transport: RpcTransport, network: Network, pollingInterval = 250) {
    // cacheTimeout -1: no stale nonces against `hardhat node` (DESIGN.md pitfalls).
    super(transport.url, network, { staticNetwork: network, cacheTimeout: -1, pollingInterval });
    this.url = transport.url;
    this.transport = transport;
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    return (await this.transport.send(payload)) as JsonRpcResult[];
  }
}

/** `url` as a URL when it is an http(s) JSON-RPC endpoint; else InvalidInputError naming it. */
export function checkRpcUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError(`RPC URL "${url}" is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new InvalidInputError(`RPC URL "${url}" must be http:// or https://`);
  return parsed;
}

/**
 * Connect to a JSON-RPC URL: checks the chain id (with retries; a wrong chain is a permanent
 * error) and returns an ethers provider whose every call retries transient faults.
 *
 * @example
 * const provider = await connectRpc("http://127.0.0.1:8545", { expectChainId: 31337n, retries: 8 });
 * const ledger = WorkLedger__factory.connect(address, provider);
 */
export async function connectRpc(url: string, opts: ConnectRpcOptions = {}): Promise<RetryingRpcProvider> {
  checkRpcUrl(url);
  const transport = new RpcTransport(url, opts);
  let chainId: bigint;
  try {
    chainId = BigInt((await transport.request("eth_chainId", [])) as string);
  } catch (err) {
    if (err instanceof AbortedError) throw err;
    throw new WorkLedgerError(`cannot reach RPC at ${url}: ${errorText(err).split(" | ")[0].replace(/^eth_chainId: /, "")}`, { code: "E_RPC", cause: err });
  }
  if (opts.expectChainId !== undefined && BigInt(opts.expectChainId) !== chainId) {
    throw new ChainMismatchError(`the RPC at ${url} is on chain ${chainId}, expected ${BigInt(opts.expectChainId)}`);
  }
  return new RetryingRpcProvider(transport, Network.from(chainId), opts.pollingInterval);
}
