/**
 * The dashboard's static files: `/` is src/server/dashboard/index.html and `/assets/<file>` any file
 * of that directory (no build step; B owns the files), plus `/assets/ethers.umd.min.js`, the browser
 * build of the ethers package the server itself depends on (the page checks proofs against the chain
 * with it). Files are read once and kept in memory; names outside the directory are refused.
 */
import fs from "fs";
import path from "path";

import type { FastifyInstance } from "fastify";

import { apiError } from "./errors";

/**
 * The dashboard directory: `<this dir>/dashboard` when running from src/ (ts-node), else
 * `src/server/dashboard` of the package when running from dist/src/server.
 */
export function dashboardDir(): string {
  const candidates = [path.join(__dirname, "dashboard"), path.join(__dirname, "../../../src/server/dashboard")];
  return candidates.find((d) => fs.existsSync(path.join(d, "index.html"))) ?? candidates.find((d) => fs.existsSync(d)) ?? candidates[0];
}

/** The ethers package's directory (its exports map hides package.json, so walk up from its entry point). */
export function ethersDir(): string {
  let d = path.dirname(require.resolve("ethers"));
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(d, "package.json");
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "ethers") return d;
    d = path.dirname(d);
  }
  throw new Error("cannot find the ethers package directory");
}

/** The browser (UMD) build of ethers served at /assets/ethers.umd.min.js. */
export function ethersBrowserFile(): string {
  return path.join(ethersDir(), "dist", "ethers.umd.min.js");
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** Register `/` and `/assets/*`. `dir` defaults to {@link dashboardDir}. */
export async function staticRoutes(app: FastifyInstance, opts: { dir?: string } = {}): Promise<void> {
  const dir = path.resolve(opts.dir ?? dashboardDir());
  const cache = new Map<string, Buffer>();
  const read = (file: string): Buffer | undefined => {
    let b = cache.get(file);
    if (!b) {
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return undefined;
      b = fs.readFileSync(file);
      cache.set(file, b);
    }
    return b;
  };
  const hide = { hide: true } as Record<string, unknown>;

  app.get("/", { schema: hide }, async (_req, reply) => {
    const body = read(path.join(dir, "index.html"));
    if (!body) throw apiError(404, "not_built", `the dashboard is not installed (no index.html in ${dir}); the API is under /v1`);
    return reply.type(TYPES[".html"]).header("cache-control", "no-cache").send(body);
  });

  app.get("/assets/*", { schema: hide }, async (req, reply) => {
    const name = (req.params as { "*": string })["*"];
    const file = name === "ethers.umd.min.js" ? ethersBrowserFile() : path.resolve(dir, name);
    if (file !== ethersBrowserFile() && !file.startsWith(dir + path.sep)) throw apiError(404, "not_found", `no such asset: ${name}`, "path");
    const body = read(file);
    if (!body) throw apiError(404, "not_found", `no such asset: ${name}`, "path");
    return reply
      .type(TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream")
      .header("cache-control", file === ethersBrowserFile() ? "public, max-age=86400" : "no-cache")
      .send(body);
  });
}
