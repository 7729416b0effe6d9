// solidity-coverage settings (`npm run coverage`). Mocks and interfaces are not measured.
module.exports = {
  skipFiles: ["mocks/", "interfaces/"],
  // Instrumentation adds locals; the Yul optimizer settings keep deep functions compiling.
  configureYulOptimizer: true,
  mocha: { timeout: 300000 },
};
