/**
 * Hardhat config of the embedded in-process chain (see embeddedChainProvider in ./testing): its
 * network only; nothing is compiled (contracts deploy from the TypeChain factories' bytecode).
 * Kept free of imports so that Hardhat loads it as plain CommonJS from an installed package.
 */
const config = {
  networks: {
    hardhat: {
      // The contracts use Cancun/Prague opcodes (transient storage, mcopy).
      hardfork: "prague",
      // The demo's and benchmarks' largest epochs carry large calldata.
      blockGasLimit: 60_000_000,
    },
  },
};

export default config;
