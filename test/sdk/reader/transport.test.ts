/**
 * The one JSON-RPC transport (src/chain/transport.ts) as an ethers provider, against a real anvil
 * on 127.0.0.1 behind the fault-injecting proxy: transient faults (30% of requests, and an HTTP 500
 * on the very first call) never end a command; permanent ones (nothing listening, HTTP 404, wrong
 * chain, a malformed URL, a revert) fail fast; a send whose reply was lost is resent as the same
 * bytes and counts once; a node-signed send whose reply was lost is found, not sent again.
 */
import { expect } from "chai";
import { Wallet, getAddress, parseEther } from "ethers";

import { RetryingRpcProvider, connectRpc } from "../../../src/chain/transport";
import { MockStablecoin__factory } from "../../../src/contracts";
import { ChainMismatchError, InvalidInputError } from "../../../src/errors";
import { LocalNode, freePort, startAnvil } from "../../helpers/node";
import { RpcCall, startRpcProxy } from "../../helpers/rpcProxy";

/** anvil's first default account. */
const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const FAST = { retries: 20, baseDelayMs: 5, maxDelayMs: 100, pollingInterval: 20 };

const methodsOf = (body: RpcCall | RpcCall[]) => (Array.isArray(body) ? body : [body]).map((c) => String(c.method));

describe("transport: one JSON-RPC transport with retries for every call", function () {
  this.timeout(120_000);
  let node: LocalNode;
  let chainId: bigint;

  before(async function () {
    node = await startAnvil();
    chainId = (await node.provider.getNetwork()).chainId;
  });

  after(async function () {
    await node?.stop();
  });

  it("rides out 30% faults: the connect check, reads, gas estimates, a deployment and sends all succeed, with the same results as without faults", async function () {
    // The very first request (the chain-id check) fails with HTTP 500, the rest at random.
    const proxy = await startRpcProxy({ upstream: node.url, seed: 7, failRate: 0.3, maxDelayMs: 5, decide: (_b, n) => (n === 1 ? "http500" : undefined) });
    let provider: RetryingRpcProvider | undefined;
    try {
      provider = await connectRpc(proxy.url, { ...FAST, expectChainId: chainId });
      const wallet = new Wallet(KEY, provider);
      const token = await new MockStablecoin__factory(wallet).deploy();
      await token.waitForDeployment();
      const to = getAddress("0x" + "12".repeat(20));
      for (let i = 1; i <= 6; i++) await (await token.mint(to, BigInt(i) * 1000n)).wait();
      const tx = await wallet.sendTransaction({ to, value: parseEther("1") });
      const receipt = await tx.wait();
      expect(receipt!.status).to.equal(1);
      // Every figure equals what a direct, fault-free provider reads.
      const direct = MockStablecoin__factory.connect(await token.getAddress(), node.provider);
      expect(await token.balanceOf(to)).to.equal(21_000n).and.to.equal(await direct.balanceOf(to));
      expect(await provider.getBalance(to)).to.equal(await node.provider.getBalance(to));
      expect(await provider.getBlockNumber()).to.equal(await node.provider.getBlockNumber());
      for (let i = 0; i < 20; i++) expect(await token.totalSupply()).to.equal(21_000n);
      // The nonce moved once per transaction: no send was doubled.
      expect(await node.provider.getTransactionCount(wallet.address)).to.equal(8);
      // Node-signed sends (an unlocked account, as the demo uses) through the same faults: each lands once.
      const [, unlocked] = (await provider.send("eth_accounts", [])) as string[];
      const signer = await provider.getSigner(unlocked);
      const n0 = await node.provider.getTransactionCount(unlocked);
      const to2 = getAddress("0x" + "9a".repeat(20));
      for (let i = 1; i <= 8; i++) expect((await (await signer.sendTransaction({ to: to2, value: BigInt(i) })).wait())!.status).to.equal(1);
      expect(await node.provider.getTransactionCount(unlocked)).to.equal(n0 + 8);
      expect(await node.provider.getBalance(to2)).to.equal(36n);
      const st = proxy.stats;
      expect(st.faults.http500, "the first call failed").to.be.at.least(1);
      const failed = Object.values(st.faults).reduce((a, b) => a + b, 0) - st.faults.slow;
      expect(failed, "faults injected").to.be.greaterThan(10);
      expect(failed / st.requests).to.be.within(0.15, 0.45);
    } finally {
      provider?.destroy();
      await proxy.stop();
    }
  });

  it("resends the same signed bytes when a send's reply is lost, and counts the already-known transaction as sent", async function () {
    const sends: string[] = [];
    const proxy = await startRpcProxy({
      upstream: node.url,
      failRate: 0,
      maxDelayMs: 0,
      decide: (body) => {
        const calls = Array.isArray(body) ? body : [body];
        const send = calls.find((c) => c.method === "eth_sendRawTransaction");
        if (!send) return undefined;
        sends.push(String(send.params?.[0]));
        return sends.length === 1 ? "dropReply" : null; // the node gets the first one; its answer is lost
      },
    });
    let provider: RetryingRpcProvider | undefined;
    try {
      provider = await connectRpc(proxy.url, FAST);
      const wallet = new Wallet(KEY, provider);
      const before = await node.provider.getTransactionCount(wallet.address);
      const to = getAddress("0x" + "34".repeat(20));
      const tx = await wallet.sendTransaction({ to, value: 12345n });
      const receipt = await tx.wait();
      expect(receipt!.status).to.equal(1);
      expect(proxy.stats.dropped).to.equal(1);
      expect(sends).to.have.length(2);
      expect(sends[1]).to.equal(sends[0]); // the same signed bytes
      expect(await node.provider.getTransactionCount(wallet.address)).to.equal(before + 1);
      expect(await node.provider.getBalance(to)).to.equal(12345n);
    } finally {
      provider?.destroy();
      await proxy.stop();
    }
  });

  it("never sends a node-signed transaction twice: after a lost reply it finds the one the node took", async function () {
    let sends = 0;
    const proxy = await startRpcProxy({
      upstream: node.url,
      failRate: 0,
      maxDelayMs: 0,
      decide: (body) => (methodsOf(body).includes("eth_sendTransaction") && ++sends === 1 ? "dropReply" : null),
    });
    let provider: RetryingRpcProvider | undefined;
    try {
      provider = await connectRpc(proxy.url, FAST);
      const [from] = (await provider.send("eth_accounts", [])) as string[];
      const signer = await provider.getSigner(from);
      const before = await node.provider.getTransactionCount(from);
      const to = getAddress("0x" + "78".repeat(20));
      const tx = await signer.sendTransaction({ to, value: 777n });
      expect((await tx.wait())!.status).to.equal(1);
      expect(proxy.stats.dropped).to.equal(1);
      expect(sends, "the send was not repeated: the node had taken it").to.equal(1);
      expect(await node.provider.getTransactionCount(from)).to.equal(before + 1);
      expect(await node.provider.getBalance(to)).to.equal(777n);
      // A send refused before it reached the node (HTTP 500 from the proxy) is sent again, once.
      sends = 0;
      await proxy.stop();
      const proxy2 = await startRpcProxy({ upstream: node.url, failRate: 0, maxDelayMs: 0, decide: (body) => (methodsOf(body).includes("eth_sendTransaction") && ++sends === 1 ? "http500" : null) });
      const provider2 = await connectRpc(proxy2.url, FAST);
      try {
        const tx2 = await (await provider2.getSigner(from)).sendTransaction({ to, value: 1n });
        expect((await tx2.wait())!.status).to.equal(1);
        expect(sends).to.equal(2);
        expect(await node.provider.getTransactionCount(from)).to.equal(before + 2);
        expect(await node.provider.getBalance(to)).to.equal(778n);
      } finally {
        provider2.destroy();
        await proxy2.stop();
      }
    } finally {
      provider?.destroy();
      await proxy.stop().catch(() => undefined);
    }
  });

  it("fails fast on permanent faults: nothing listening, HTTP 404, the wrong chain, a malformed URL", async function () {
    const port = await freePort();
    let t0 = Date.now();
    let err: unknown;
    await connectRpc(`http://127.0.0.1:${port}`, { retries: 20, baseDelayMs: 200 }).catch((e) => (err = e));
    expect(String(err)).to.match(new RegExp(`cannot reach RPC at http://127.0.0.1:${port}: .*ECONNREFUSED`));
    expect(Date.now() - t0, "a refused connection is not retried for long").to.be.below(3_000);

    const proxy = await startRpcProxy({ upstream: node.url, failRate: 0, maxDelayMs: 0, decide: () => "http404" });
    try {
      t0 = Date.now();
      err = undefined;
      await connectRpc(proxy.url, { retries: 20, baseDelayMs: 200 }).catch((e) => (err = e));
      expect(String(err)).to.match(/cannot reach RPC at .*HTTP 404/);
      expect(proxy.stats.requests).to.equal(1);
    } finally {
      await proxy.stop();
    }

    err = undefined;
    await connectRpc(node.url, { expectChainId: chainId + 1n }).catch((e) => (err = e));
    expect(err).to.be.instanceOf(ChainMismatchError);
    expect(String(err)).to.include(`on chain ${chainId}, expected ${chainId + 1n}`);

    for (const bad of ["127.0.0.1:8545", "ws://127.0.0.1:8545"]) {
      err = undefined;
      await connectRpc(bad).catch((e) => (err = e));
      expect(err, bad).to.be.instanceOf(InvalidInputError);
    }
  });

  it("answers a revert at once (not a fault: no retry)", async function () {
    const methods: string[] = [];
    const proxy = await startRpcProxy({ upstream: node.url, failRate: 0, maxDelayMs: 0, decide: (b) => (methods.push(...methodsOf(b)), null) });
    let provider: RetryingRpcProvider | undefined;
    try {
      provider = await connectRpc(proxy.url, FAST);
      const wallet = new Wallet(KEY, provider);
      const token = await new MockStablecoin__factory(wallet).deploy();
      await token.waitForDeployment();
      methods.length = 0;
      let err: unknown;
      await token.transferFrom.staticCall(getAddress("0x" + "56".repeat(20)), wallet.address, 1n).catch((e) => (err = e));
      expect((err as { code?: string }).code).to.equal("CALL_EXCEPTION");
      expect(methods.filter((m) => m === "eth_call")).to.have.length(1);
    } finally {
      provider?.destroy();
      await proxy.stop();
    }
  });

  it("takes an HTTP 400 with a JSON-RPC error body as the call's answer (no retry), not as a transport fault", async function () {
    let calls = 0;
    const proxy = await startRpcProxy({ upstream: node.url, failRate: 0, maxDelayMs: 0, decide: (b) => (methodsOf(b).includes("eth_call") ? (calls++, "http400rpc") : null) });
    let provider: RetryingRpcProvider | undefined;
    try {
      provider = await connectRpc(proxy.url, FAST);
      let err: unknown;
      await provider.call({ to: getAddress("0x" + "bc".repeat(20)), data: "0x" }).catch((e) => (err = e));
      // ethers sees the endpoint's answer (a revert without data), not a transport error.
      expect((err as { code?: string }).code).to.equal("CALL_EXCEPTION");
      expect(JSON.stringify((err as { info?: unknown }).info)).to.include("execution reverted (injected)");
      expect(calls).to.equal(1);
    } finally {
      provider?.destroy();
      await proxy.stop();
    }
  });
});
