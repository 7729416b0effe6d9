/**
 * Layering (issue #12): the CLI (src/cli) and the demo (src/demo) are thin over the SDK. Every import
 * in their files either stays inside their own folder, names an npm or node module, or leads to a
 * public entry of the package (package.json "exports": the SDK root src/index.ts, workledger/testing,
 * workledger/contracts). Nothing reaches into src/writer, src/reader, src/report, … directly: what
 * they need, src/index.ts exports. The checker is tested on a deliberate violation first.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

/** Every .ts file under `dir`. */
function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** Module specifiers of a file: static imports and re-exports, import(), require() with a literal. */
function specifiers(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** The source file a relative specifier resolves to (with .ts or /index.ts), or the bare path. */
function resolveRelative(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) if (fs.existsSync(candidate)) return candidate;
  return base;
}

/** The source files of the package's public entries ("exports" targets dist/src/x.js -> src/x.ts). */
function publicEntries(root: string): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { exports?: Record<string, unknown> };
  const out: string[] = [];
  for (const target of Object.values(pkg.exports ?? {})) {
    const js = typeof target === "string" ? target : (target as { default?: string }).default;
    if (!js || !js.endsWith(".js")) continue;
    out.push(path.join(root, js.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts")));
  }
  return out;
}

/**
 * Imports in `folders` (relative to `root`) that leave their folder for anything but a public
 * entry, as "file: specifier" lines (empty when the layering holds).
 */
export function layeringViolations(root: string, folders: string[], entries: string[]): string[] {
  const out: string[] = [];
  for (const folder of folders) {
    const top = path.join(root, folder);
    for (const file of tsFiles(top)) {
      for (const spec of specifiers(file)) {
        if (!spec.startsWith(".")) continue; // an npm or node module (or the package's own name)
        const target = resolveRelative(file, spec);
        if (target.startsWith(top + path.sep)) continue; // inside its own folder
        if (entries.includes(target)) continue; // a public entry of the package
        out.push(`${path.relative(root, file)}: ${spec}`);
      }
    }
  }
  return out;
}

describe("layering: the CLI and the demo use only the package's public entries", function () {
  const entries = publicEntries(ROOT);

  it("knows the public entries from package.json (the SDK root among them)", function () {
    expect(entries).to.include(path.join(ROOT, "src", "index.ts"));
    for (const e of entries) expect(fs.existsSync(e), e).to.equal(true);
  });

  it("catches a deliberate violation (an import of src/writer from the CLI)", function () {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "wl-layering-"));
    try {
      fs.mkdirSync(path.join(root, "src", "cli", "commands"), { recursive: true });
      fs.mkdirSync(path.join(root, "src", "writer"), { recursive: true });
      fs.writeFileSync(path.join(root, "src", "index.ts"), "export const x = 1;\n");
      fs.writeFileSync(path.join(root, "src", "writer", "publish.ts"), "export const y = 2;\n");
      fs.writeFileSync(path.join(root, "src", "cli", "ok.ts"), 'import { x } from "../index";\nimport fs from "fs";\nexport const z = x;\n');
      fs.writeFileSync(path.join(root, "src", "cli", "commands", "bad.ts"), 'import { z } from "../ok";\nimport { y } from "../../writer/publish";\nexport const w = () => require("../../writer/publish");\nexport default [z, y];\n');
      const found = layeringViolations(root, ["src/cli"], [path.join(root, "src", "index.ts")]);
      expect(found).to.deep.equal([`${path.join("src", "cli", "commands", "bad.ts")}: ../../writer/publish`, `${path.join("src", "cli", "commands", "bad.ts")}: ../../writer/publish`]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("holds for src/cli and src/demo", function () {
    expect(layeringViolations(ROOT, ["src/cli", "src/demo"], entries)).to.deep.equal([]);
  });
});
