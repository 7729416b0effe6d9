/**
 * startEmbeddedRpc (#19, `demo --serve`): the in-process chain served over loopback HTTP JSON-RPC
 * with Hardhat's own JsonRpcServer. Another client sees the same chain (a block mined here is seen
 * there), a browser's CORS preflight is answered, a taken port is one clear error naming it, and a
 * closed server frees its port. Only 127.0.0.1, port 0.
 */
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import http from "http";
import type { AddressInfo } from "net";

import { WorkLedgerError } from "../../src/errors";
import { assertPortFree, embeddedChainProvider, startEmbeddedRpc } from "../../src/testing";

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const j = (await res.json()) as { result?: unknown; error?: unknown };
  if (j.error) throw new Error(JSON.stringify(j.error));
  return j.result;
}

describe("testing: startEmbeddedRpc (loopback JSON-RPC of the embedded chain)", function () {
  this.timeout(60_000);

  it("serves the in-process chain: same chain id and head as the process, CORS for browsers", async function () {
    const chain = embeddedChainProvider();
    const served = await startEmbeddedRpc({ port: 0 });
    try {
      expect(served.url).to.equal(`http://127.0.0.1:${served.port}`);
      expect(served.port).to.be.greaterThan(0);
      expect(await rpc(served.url, "eth_chainId")).to.equal(await chain.request({ method: "eth_chainId", params: [] }));
      // a block mined in-process is the head over HTTP, and one mined over HTTP is seen in-process
      await chain.request({ method: "evm_mine", params: [] });
      expect(await rpc(served.url, "eth_blockNumber")).to.equal(await chain.request({ method: "eth_blockNumber", params: [] }));
      await rpc(served.url, "evm_mine");
      const viaEthers = new JsonRpcProvider(served.url, undefined, { staticNetwork: true });
      try {
        expect(BigInt(await viaEthers.getBlockNumber())).to.equal(BigInt((await chain.request({ method: "eth_blockNumber", params: [] })) as string));
      } finally {
        viaEthers.destroy();
      }
      const pre = await fetch(served.url, { method: "OPTIONS", headers: { origin: "http://127.0.0.1:8080", "access-control-request-method": "POST" } });
      expect(pre.status).to.be.within(200, 204);
      expect(pre.headers.get("access-control-allow-origin")).to.equal("*");
    } finally {
      await served.close();
    }
  });

  it("refuses a port in use with one error naming the port (exit code 2), and frees the port on close", async function () {
    const first = await startEmbeddedRpc({ port: 0 });
    let closed = false;
    try {
      let err: unknown;
      try {
        await startEmbeddedRpc({ port: first.port });
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(WorkLedgerError);
      expect((err as WorkLedgerError).code).to.equal("E_PORT_IN_USE");
      expect((err as WorkLedgerError).exitCode).to.equal(2);
      expect((err as WorkLedgerError).message).to.equal(`port ${first.port} is in use (127.0.0.1:${first.port}): stop what listens there or pick another port`);
      // a client with a keep-alive connection open does not hold close() up
      const agent = new http.Agent({ keepAlive: true });
      await new Promise<void>((resolve, reject) => {
        const req = http.request(first.url, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
        req.end(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }));
      });
      await first.close();
      await first.close(); // twice is harmless
      closed = true;
      agent.destroy();
      // the port is free again: a plain server can take it
      const again = http.createServer();
      await new Promise<void>((resolve, reject) => {
        again.once("error", reject);
        again.listen(first.port, "127.0.0.1", resolve);
      });
      expect((again.address() as AddressInfo).port).to.equal(first.port);
      await new Promise((resolve) => again.close(resolve));
    } finally {
      if (!closed) await first.close();
    }
  });

  it("assertPortFree: passes a free port and port 0, refuses a taken one with the same error", async function () {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as AddressInfo).port;
    let err: unknown;
    try {
      await assertPortFree("127.0.0.1", port);
    } catch (e) {
      err = e;
    }
    await new Promise((resolve) => taken.close(resolve));
    expect((err as WorkLedgerError).code).to.equal("E_PORT_IN_USE");
    expect((err as WorkLedgerError).message).to.equal(`port ${port} is in use (127.0.0.1:${port}): stop what listens there or pick another port`);
    await assertPortFree("127.0.0.1", port); // free again (and the probe let it go)
    await assertPortFree("127.0.0.1", port);
    await assertPortFree("127.0.0.1", 0);
  });

  it("refuses a port out of range", async function () {
    let err: unknown;
    try {
      await startEmbeddedRpc({ port: 70000 });
    } catch (e) {
      err = e;
    }
    expect((err as WorkLedgerError).message).to.equal("RPC port must be an integer 0..65535, got 70000");
    expect((err as WorkLedgerError).exitCode).to.equal(2);
  });
});
