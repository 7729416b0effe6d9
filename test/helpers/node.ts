/**
 * Starts a real JSON-RPC chain on 127.0.0.1 for tests: `hardhat node` (in-process EDR behind a
 * real HTTP server) or Foundry's `anvil` (npm @foundry-rs/anvil), on a free port, and stops it.
 */
import { ChildProcess, spawn } from "child_process";
import net from "net";
import path from "path";
import { JsonRpcProvider } from "ethers";

export interface LocalNode {
  url: string;
  port: number;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, "..", "..");

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForRpc(url: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`chain process exited early (${child.exitCode}):\n${output()}`);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`chain at ${url} did not answer within ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startProcess(cmd: string, args: string[], port: number, timeoutMs: number): Promise<LocalNode> {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env } });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    if (out.length < 20_000) out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    if (out.length < 20_000) out += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForRpc(url, child, timeoutMs, () => out);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1, staticNetwork: true });
  return {
    url,
    port,
    provider,
    async stop() {
      provider.destroy();
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child.kill("SIGKILL");
        }, 5000);
        child.once("exit", () => {
          clearTimeout(t);
          resolve();
        });
        child.kill("SIGTERM");
      });
    },
  };
}

/** `npx hardhat node` on 127.0.0.1 (the project's hardhat config: chainId 31337, prague). */
export async function startHardhatNode(timeoutMs = 60_000): Promise<LocalNode> {
  const port = await freePort();
  const hardhatBin = path.join(ROOT, "node_modules", ".bin", "hardhat");
  return startProcess(hardhatBin, ["node", "--hostname", "127.0.0.1", "--port", String(port)], port, timeoutMs);
}

/** Foundry's anvil on 127.0.0.1 (supports anvil_reorg). */
export async function startAnvil(extraArgs: string[] = [], timeoutMs = 30_000): Promise<LocalNode> {
  const port = await freePort();
  const anvilBin = path.join(ROOT, "node_modules", ".bin", "anvil");
  return startProcess(anvilBin, ["--host", "127.0.0.1", "--port", String(port), "--hardfork", "prague", ...extraArgs], port, timeoutMs);
}
