#!/usr/bin/env node
"use strict";
// The `workledger` CLI: runs the compiled CLI in dist/ (`npm run build`; `npm ci` builds it through
// `prepare`, and an installed package ships it).
// --verbose prints stack traces: map them to the TypeScript sources (dist/ ships source maps).
if (process.argv.includes("--verbose") && process.setSourceMapsEnabled) process.setSourceMapsEnabled(true);
let cli;
try {
  cli = require("../dist/src/cli/index.js");
} catch (e) {
  if (e && e.code === "MODULE_NOT_FOUND" && /dist[\\/]src[\\/]cli[\\/]index\.js/.test(String(e.message))) {
    process.stderr.write("workledger: the CLI is not built: run `npm run build` in " + require("path").resolve(__dirname, "..") + "\n");
    process.exit(1);
  }
  throw e;
}
cli.main(process.argv);
