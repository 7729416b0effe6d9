/**
 * `workledger/testing`: for tests, demos and dev chains, never for production: the mock stablecoin
 * (6 decimals; anyone may mint it), the embedded in-process Hardhat chain and the demo's whole job
 * (`runDemo`, what `workledger demo` runs; built on the root SDK only).
 *
 * Hardhat is an optional peer dependency of the package: only `embeddedChainProvider()` loads it,
 * when called, and says which package to install when it is missing.
 */
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
  let hardhatMain: string;
  try {
    hardhatMain = require.resolve("hardhat");
  } catch (e) {
    if ((e as { code?: string }).code !== "MODULE_NOT_FOUND") throw e;
    throw new WorkLedgerError(
      `the embedded chain needs the optional peer dependency "hardhat": run \`npm install --save-dev ${EMBEDDED_CHAIN_PACKAGE}\`, or use --rpc URL with a running node`,
      { code: "E_DEPENDENCY", exitCode: 2, cause: e },
    );
  }
  // Read by Hardhat only when it is first loaded in this process.
  process.env.HARDHAT_CONFIG = EMBEDDED_CHAIN_CONFIG;
  process.env.HARDHAT_NETWORK = "hardhat";
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional peer, loaded on demand
  const hre = require(hardhatMain) as { network: { provider: Eip1193Provider } };
  return hre.network.provider;
}
