/**
 * `workledger/testing`: for tests, demos and dev chains, never for production: the mock stablecoin
 * (6 decimals; anyone may mint it), the embedded in-process Hardhat chain (and its loopback JSON-RPC,
 * `startEmbeddedRpc`), the demo's whole job (`runDemo`, what `workledger demo` runs; built on the root
 * SDK only) and `serveDemo` (what `demo --serve` keeps running after it).
 *
 * Hardhat is an optional peer dependency of the package: only `embeddedChainProvider()` and
 * `startEmbeddedRpc()` load it, when called, and say which package to install when it is missing.
 */
import net from "net";
import path from "path";
import type { Eip1193Provider } from "ethers";

import { MockStablecoin__factory } from "./contracts";
import type { MockStablecoin } from "./contracts";
import { WorkLedgerError } from "./errors";

export { MockStablecoin__factory };
export type { MockStablecoin };
export { runDemo } from "./demo/demo";
export type { DemoResult } from "./demo/demo";
export type { DemoChain, DemoHooks, DemoOptions } from "./demo/run";
export { serveDemo } from "./demo/serve";
export type { DemoServeOptions, DemoServer } from "./demo/serve";

/** The optional peer dependency the embedded chain needs, as a user installs it. */
export const EMBEDDED_CHAIN_PACKAGE = "hardhat@^2.28.0";

/**
 * The Hardhat config file of the embedded chain: only its network (Prague, the opcodes the
 * contracts use; a 60M gas block limit). Plain CommonJS once built; the .ts source under ts-node.
 */
export const EMBEDDED_CHAIN_CONFIG = path.join(__dirname, `embeddedChain.config${path.extname(__filename)}`);

/**
 * The EIP-1193 provider of an in-process Hardhat network (Hardhat 2) with the usual 20 funded dev
 * accounts. Loads `hardhat` on the first call; if the process has already loaded Hardhat (a
 * `hardhat test` run), that instance's network is used instead.
 *
 * @throws WorkLedgerError (code E_DEPENDENCY, exit code 2) when `hardhat` is not installed.
 */
export function embeddedChainProvider(): Eip1193Provider {
  const hardhatMain = resolveHardhat("hardhat");
  // Read by Hardhat only when it is first loaded in this process.
  process.env.HARDHAT_CONFIG = EMBEDDED_CHAIN_CONFIG;
  process.env.HARDHAT_NETWORK = "hardhat";
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional peer, loaded on demand
  const hre = require(hardhatMain) as { network: { provider: Eip1193Provider } };
  return hre.network.provider;
}

/** `require.resolve` of a Hardhat module, or the E_DEPENDENCY error naming the package to install. */
function resolveHardhat(id: string): string {
  try {
    return require.resolve(id);
  } catch (e) {
    if ((e as { code?: string }).code !== "MODULE_NOT_FOUND") throw e;
    throw new WorkLedgerError(
      `the embedded chain needs the optional peer dependency "hardhat": run \`npm install --save-dev ${EMBEDDED_CHAIN_PACKAGE}\`, or use --rpc URL with a running node`,
      { code: "E_DEPENDENCY", exitCode: 2, cause: e },
    );
  }
}

/** The error of a failed listen on host:port, naming the port (E_PORT_IN_USE, exit code 2), or `e` itself. */
function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as { code?: string }).code;
  const where = `${host}:${port}`;
  if (code === "EADDRINUSE") return new WorkLedgerError(`port ${port} is in use (${where}): stop what listens there or pick another port`, { code: "E_PORT_IN_USE", exitCode: 2, cause: e });
  if (code === "EACCES") return new WorkLedgerError(`no permission to listen on port ${port} (${where}): pick a port above 1023`, { code: "E_PORT_IN_USE", exitCode: 2, cause: e });
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return new WorkLedgerError(`cannot listen on ${where}: no such local address`, { code: "E_INPUT", exitCode: 2, cause: e });
  return e;
}

/**
 * Refuses early a port that something already listens on (the error {@link startEmbeddedRpc} would
 * give), e.g. before a long demo that serves on it afterwards. Port 0 always passes. Another process
 * may still take the port in between: the server's own listen stays the final word.
 *
 * @throws WorkLedgerError (code E_PORT_IN_USE, exit code 2) naming the port.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once("error", reject);
      probe.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (e) {
    throw listenError(e, host, port);
  }
  await new Promise((resolve) => probe.close(resolve));
}

/** Options of {@link startEmbeddedRpc}. */
export interface EmbeddedRpcOptions {
  /** Interface to listen on (default 127.0.0.1: the chain's accounts are unlocked, keep it local). */
  host?: string;
  /** Port (default 8545; 0 = any free port). */
  port?: number;
  /** The EIP-1193 provider to serve (default: {@link embeddedChainProvider}'s in-process chain). */
  provider?: Eip1193Provider;
}

/** A running loopback JSON-RPC endpoint of the embedded chain. */
export interface EmbeddedRpc {
  /** `http://host:port` (what `--rpc`, `serve --public-rpc` and a browser use). */
  url: string;
  host: string;
  port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** The parts of Hardhat 2's JsonRpcServer used here (hardhat/internal/hardhat-network/jsonrpc/server). */
interface HardhatJsonRpcServer {
  listen(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  _httpServer?: net.Server & { closeAllConnections?: () => void };
  _wsServer?: NodeJS.EventEmitter;
}

/**
 * Serves the embedded chain over HTTP (and WebSocket) JSON-RPC with Hardhat 2's own JsonRpcServer,
 * the one behind `hardhat node` (it answers CORS preflights, so a browser page can call it). Other
 * processes (`workledger … --rpc http://127.0.0.1:8545`, a dashboard in a browser) then see the same
 * chain as this process.
 *
 * @throws WorkLedgerError (code E_PORT_IN_USE, exit code 2) naming the port when it is taken;
 *         E_DEPENDENCY when `hardhat` is not installed.
 * @example
 * const rpc = await startEmbeddedRpc({ port: 8545 });
 * console.log(`JSON-RPC at ${rpc.url}`); // http://127.0.0.1:8545
 * await rpc.close();
 */
export async function startEmbeddedRpc(opts: EmbeddedRpcOptions = {}): Promise<EmbeddedRpc> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? 8545;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new WorkLedgerError(`RPC port must be an integer 0..65535, got ${port}`, { code: "E_INPUT", exitCode: 2 });
  const provider = opts.provider ?? embeddedChainProvider();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional peer, loaded on demand
  const { JsonRpcServer } = require(resolveHardhat("hardhat/internal/hardhat-network/jsonrpc/server")) as {
    JsonRpcServer: new (config: { hostname: string; port: number; provider: Eip1193Provider }) => HardhatJsonRpcServer;
  };
  const server = new JsonRpcServer({ hostname: host, port, provider });
  const http = server._httpServer;
  // Hardhat's listen() never settles when the port is taken: race it against the server's error (the
  // WebSocket server re-emits it, and an unhandled "error" there would end the process).
  let onError: (e: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (onError = reject));
  const swallow = () => undefined;
  http?.once("error", (e) => onError(e));
  server._wsServer?.on("error", swallow);
  let address: { address: string; port: number };
  try {
    address = await Promise.race([server.listen(), failed]);
  } catch (e) {
    throw listenError(e, host, port);
  }
  const shownHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    host,
    port: address.port,
    close() {
      closing ??= (async () => {
        http?.closeAllConnections?.(); // keep-alive sockets (a browser's) would hold close() open
        await server.close();
      })();
      return closing;
    },
  };
}
