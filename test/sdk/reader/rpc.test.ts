/**
 * The reader's RPC plumbing without a chain: error classification, backoff with jitter, retries,
 * abort, and the adaptive log-range span.
 */
import { expect } from "chai";

import { SpanControl } from "../../../src/reader/fetchEvents";
import {
  AbortedError,
  RpcRequestError,
  RpcUnavailableError,
  backoffDelay,
  isFatal,
  isRangeRefusal,
  withRetry,
} from "../../../src/reader/rpc";

describe("reader: RPC retries and range control", function () {
  it("recognizes providers' 'range too large' answers and nothing else", function () {
    for (const m of [
      "query exceeds max block range 10000",
      "query returned more than 10000 results",
      "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
      "block range is too wide",
      "eth_getLogs is limited to a 10,000 range",
    ]) {
      expect(isRangeRefusal(new RpcRequestError("eth_getLogs", m, { rpcCode: -32005 })), m).to.equal(true);
    }
    for (const m of ["rate limit reached", "internal error", "HTTP 500: upstream unavailable", "transport error: terminated"]) {
      expect(isRangeRefusal(new RpcRequestError("eth_getLogs", m, { rpcCode: -32603 })), m).to.equal(false);
    }
  });

  it("treats method-not-found and invalid params as final, transport faults as retryable", function () {
    expect(isFatal(new RpcRequestError("eth_getLogs", "no such method", { rpcCode: -32601 }))).to.equal(true);
    expect(isFatal(new RpcRequestError("eth_getLogs", "bad params", { rpcCode: -32602 }))).to.equal(true);
    expect(isFatal(new RpcRequestError("eth_getLogs", "HTTP 429", { httpStatus: 429 }))).to.equal(false);
    expect(isFatal(new RpcRequestError("eth_getLogs", "terminated"))).to.equal(false);
    expect(isFatal(new AbortedError())).to.equal(true);
  });

  it("backs off exponentially with full jitter, capped", function () {
    const opts = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(0, opts, () => 0.999)).to.equal(99);
    expect(backoffDelay(3, opts, () => 0.999)).to.equal(799);
    expect(backoffDelay(10, opts, () => 0.999)).to.equal(999);
    expect(backoffDelay(5, opts, () => 0)).to.equal(0);
  });

  it("retries a failing call, then names the attempts; a final error is not retried", async function () {
    let calls = 0;
    const ok = await withRetry("x", async () => (++calls < 3 ? Promise.reject(new RpcRequestError("x", "flaky")) : "done"), { retries: 5, baseDelayMs: 1 });
    expect([ok, calls]).to.deep.equal(["done", 3]);
    calls = 0;
    let err: unknown;
    await withRetry("eth_blockNumber", async () => {
      calls++;
      throw new RpcRequestError("eth_blockNumber", "down");
    }, { retries: 2, baseDelayMs: 1 }).catch((e) => (err = e));
    expect(err).to.be.instanceOf(RpcUnavailableError);
    expect(String(err)).to.match(/eth_blockNumber failed after 3 attempts/);
    expect(calls).to.equal(3);
    calls = 0;
    await withRetry("x", async () => {
      calls++;
      throw new RpcRequestError("x", "no", { rpcCode: -32601 });
    }, { retries: 5, baseDelayMs: 1 }).catch((e) => (err = e));
    expect(calls).to.equal(1);
  });

  it("stops waiting as soon as the signal fires", async function () {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const t0 = Date.now();
    let err: unknown;
    await withRetry("x", async () => Promise.reject(new RpcRequestError("x", "down")), { retries: 50, baseDelayMs: 10_000, maxDelayMs: 10_000, signal: ac.signal }).catch(
      (e) => (err = e),
    );
    expect(err).to.be.instanceOf(AbortedError);
    expect(Date.now() - t0).to.be.below(5_000);
  });

  it("halves the log span on refusal and grows it back after successes", function () {
    const c = new SpanControl(1000);
    c.refused(1000);
    expect(c.span).to.equal(500);
    c.refused(500);
    c.refused(250);
    expect(c.span).to.equal(125);
    for (let i = 0; i < 4; i++) c.succeeded();
    expect(c.span).to.equal(250);
    for (let i = 0; i < 40; i++) c.succeeded();
    expect(c.span).to.equal(1000);
    const one = new SpanControl(1);
    one.refused(1);
    expect(one.span).to.equal(1);
  });
});
