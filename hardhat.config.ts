import { HardhatUserConfig, subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-ethers";
import "@nomicfoundation/hardhat-chai-matchers";
import "@typechain/hardhat";
import "solidity-coverage";
import path from "path";

import embeddedChain from "./src/embeddedChain.config";

// Compile offline: Hardhat 2 downloads solc by default, which fails without internet.
// Use the solc-js build shipped in the `solc` npm package at exactly `solidity.version`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SOLC_VERSION: string = require("solc/package.json").version;
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async ({ solcVersion }: { solcVersion: string }) => {
  if (solcVersion !== SOLC_VERSION) throw new Error(`only solc ${SOLC_VERSION} is available offline`);
  const compilerPath = path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const soljson = require(compilerPath);
  const longVersion = String(soljson.cwrap("solidity_version", "string", [])()).replace(/\.Emscripten\.clang$/, "");
  return { compilerPath, isSolcJs: true, version: solcVersion, longVersion };
});

// Only *.test.ts files are test suites; test/helpers/ holds fixtures and child-process scripts.
subtask(TASK_TEST_GET_TEST_FILES, async (args: { testFiles: string[] }, _hre, runSuper) => {
  const files: string[] = await runSuper(args);
  return args.testFiles.length > 0 ? files : files.filter((f) => f.endsWith(".test.ts"));
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "prague",
    },
  },
  networks: {
    // The same chain as the embedded one of `workledger demo` (Prague; a 60M gas block limit for the
    // benchmarks' and the 1,000-record tests' large calldata).
    hardhat: { ...embeddedChain.networks.hardhat, allowUnlimitedContractSize: false },
    localhost: { url: "http://127.0.0.1:8545" },
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  mocha: { timeout: 120_000 },
  paths: { sources: "contracts", tests: "test", cache: "cache", artifacts: "artifacts" },
};

export default config;
