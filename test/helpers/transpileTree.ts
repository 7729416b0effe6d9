/**
 * Transpiles a TypeScript entry file and every relative import it reaches into plain JavaScript
 * under `outDir` (same relative layout), so a test can spawn child processes with plain `node`
 * instead of paying ts-node's start-up on each spawn. Run them with NODE_PATH=<repo>/node_modules.
 */
import fs from "fs";
import path from "path";
import ts from "typescript";

const IMPORT_RE = /(?:from\s+|require\(\s*|import\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

function resolveTs(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const c of [base + ".ts", path.join(base, "index.ts"), base]) {
    if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return undefined;
}

/** Transpile `entry` (absolute) and its relative imports; returns the path of the entry's .js. */
export function transpileTree(entry: string, root: string, outDir: string): string {
  const options: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true };
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const rel = path.relative(root, file);
    const src = fs.readFileSync(file, "utf8");
    if (file.endsWith(".json")) {
      fs.mkdirSync(path.dirname(path.join(outDir, rel)), { recursive: true });
      fs.writeFileSync(path.join(outDir, rel), src);
      continue;
    }
    for (const m of src.matchAll(IMPORT_RE)) {
      const dep = resolveTs(file, m[1]);
      if (dep) queue.push(dep);
    }
    const out = ts.transpileModule(src, { compilerOptions: options, fileName: file }).outputText;
    const target = path.join(outDir, rel.replace(/\.ts$/, ".js"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, out);
  }
  return path.join(outDir, path.relative(root, entry).replace(/\.ts$/, ".js"));
}
