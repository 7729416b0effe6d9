#!/usr/bin/env node
"use strict";
// The `workledger` CLI. Runs the TypeScript sources directly: a require hook transpiles each .ts
// file once with TypeScript's transpileModule (no type checking, as ts-node's transpile-only mode
// does) and caches the JavaScript under node_modules/.cache/workledger-ts/, keyed by path, size and
// mtime, so later runs start fast. It works right after `npm ci`, from any working directory.
// WORKLEDGER_TS_NODE=1 uses ts-node instead (same settings).
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");

const root = path.resolve(__dirname, "..");
const HOOK_VERSION = "1";

function registerCachedTranspiler() {
  const cacheDir = path.join(root, "node_modules", ".cache", "workledger-ts");
  let cacheWritable = true;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
  } catch {
    cacheWritable = false;
  }
  let ts = null;
  const compilerOptions = {
    module: 1, // CommonJS
    target: 9, // ES2022
    esModuleInterop: true,
    resolveJsonModule: true,
    inlineSourceMap: true,
    inlineSources: false,
  };
  const compile = (source, filename) => {
    const st = fs.statSync(filename);
    const key = crypto
      .createHash("sha1")
      .update(`${HOOK_VERSION}\0${filename}\0${st.size}\0${st.mtimeMs}`)
      .digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    if (cacheWritable) {
      try {
        return fs.readFileSync(cached, "utf8");
      } catch {
        // miss
      }
    }
    ts = ts || require(path.join(root, "node_modules", "typescript"));
    const out = ts.transpileModule(source, { fileName: filename, compilerOptions }).outputText;
    if (cacheWritable) {
      try {
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, out);
        fs.renameSync(tmp, cached);
      } catch {
        cacheWritable = false;
      }
    }
    return out;
  };
  const previous = require.extensions[".ts"];
  require.extensions[".ts"] = function (module, filename) {
    if (filename.includes(`${path.sep}node_modules${path.sep}`) && previous) return previous(module, filename);
    const source = fs.readFileSync(filename, "utf8");
    module._compile(compile(source, filename), filename);
  };
}

if (process.argv.includes("--verbose") && process.setSourceMapsEnabled) process.setSourceMapsEnabled(true);
if (process.env.WORKLEDGER_TS_NODE === "1") {
  require(path.join(root, "node_modules", "ts-node")).register({
    transpileOnly: true,
    project: path.join(root, "tsconfig.json"),
  });
} else {
  registerCachedTranspiler();
}
require(path.join(root, "src", "cli", "index.ts")).main(process.argv);
