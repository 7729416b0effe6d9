#!/usr/bin/env node
// Fails unless the non-mock contracts reach the coverage floor the project holds itself to:
// 100% of lines and >= 95% of branches (read from coverage.json, written by `hardhat coverage`).
"use strict";
const fs = require("fs");
const path = require("path");

const LINES_MIN = 100;
const BRANCHES_MIN = 95;
const file = path.join(__dirname, "..", "coverage.json");
if (!fs.existsSync(file)) {
  console.error(`check-coverage: ${file} not found (run hardhat coverage first)`);
  process.exit(1);
}
const data = JSON.parse(fs.readFileSync(file, "utf8"));
let failed = false;
for (const [name, d] of Object.entries(data)) {
  if (/\/(mocks|interfaces)\//.test(name)) continue;
  const lines = Object.values(d.l || {});
  const branches = Object.values(d.b || {}).flat();
  const pct = (hit, all) => (all === 0 ? 100 : (100 * hit) / all);
  const l = pct(lines.filter((x) => x > 0).length, lines.length);
  const b = pct(branches.filter((x) => x > 0).length, branches.length);
  const ok = l >= LINES_MIN && b >= BRANCHES_MIN;
  if (!ok) failed = true;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}: lines ${l.toFixed(2)}%, branches ${b.toFixed(2)}%`);
}
if (failed) {
  console.error(`check-coverage: below ${LINES_MIN}% lines / ${BRANCHES_MIN}% branches`);
  process.exit(1);
}
