/**
 * fetchProofFile (#19, `check-proof URL`): a proof file served over HTTP (a `workledger serve`
 * record/usage endpoint adds `status` and `finalizesAt`) is parsed exactly like a file; every way a
 * server can fail names the URL and what went wrong. A tiny http server on 127.0.0.1 plays the API.
 */
import { expect } from "chai";
import http from "http";
import type { AddressInfo } from "net";

import { fetchProofFile, makeProofFile, makeUsageProofFile, verifyProofFile } from "../../../src/verifier/proofFile";
import { buildEpoch } from "../../../src/writer/build";
import { bundleProof } from "../../../src/writer/bundle";
import { refusal } from "../../helpers/refusal";
import { seededRecords } from "../writer/fixture";

const LEDGER = "0x" + "5a".repeat(20);
const CUSTOMER = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";

describe("verifier: fetchProofFile (a proof file from a URL)", function () {
  let server: http.Server;
  let base: string;
  let record: ReturnType<typeof makeProofFile>;
  let usage: ReturnType<typeof makeUsageProofFile>;

  before(async function () {
    const records = seededRecords(30, 91, 5n);
    const { bundle, summary } = await buildEpoch(records, { epoch: 5n });
    const p = bundleProof(bundle, records[4].nodeId);
    record = makeProofFile({ chainId: 31337n, ledger: LEDGER, networkId: 1n, epoch: 5n, version: 2, root: summary.root, record: p.record, proof: p.proof });
    usage = makeUsageProofFile({
      chainId: 31337n,
      ledger: LEDGER,
      networkId: 1n,
      epoch: 5n,
      version: 2,
      usageRoot: "0x" + "11".repeat(32),
      leaf: { customer: CUSTOMER, epoch: 5n, workUnits: 10n, amount: 2500n, ref: "0x" + "22".repeat(32) },
      proof: [],
    });
    const send = (res: http.ServerResponse, status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    server = http.createServer((req, res) => {
      switch (req.url) {
        case "/record":
          return send(res, 200, "application/json", JSON.stringify({ ...record, status: "pending", finalizesAt: "2026-12-06T08:00:00.000Z" }));
        case "/usage":
          return send(res, 200, "application/json; charset=utf-8", JSON.stringify({ ...usage, status: "final" }));
        case "/moved":
          res.writeHead(302, { location: "/record" });
          return res.end();
        case "/missing":
          return send(res, 404, "application/json", JSON.stringify({ error: { code: "not_found", message: "no record of node 0xab in epoch 5", param: "nodeId" } }));
        case "/crash":
          return send(res, 500, "text/plain", "Internal\n  Server   Error");
        case "/html":
          return send(res, 200, "text/html", "<html><body>dashboard</body></html>");
        case "/empty":
          return send(res, 200, "application/json", "");
        case "/error-in-200":
          return send(res, 200, "application/json", JSON.stringify({ error: { code: "bad_request", message: "epoch must be an integer" } }));
        case "/array":
          return send(res, 200, "application/json", "[1,2]");
        case "/not-a-proof":
          return send(res, 200, "application/json", JSON.stringify({ ...record, root: "0x12" }));
        case "/big":
          return send(res, 200, "application/json", JSON.stringify({ ...record, pad: "x".repeat(4096) }));
        case "/slow":
          return; // never answers
        default:
          return send(res, 404, "text/plain", "no");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("parses a served record proof like a file, keeping the server's extra fields apart", async function () {
    const got = await fetchProofFile(`${base}/record`);
    expect(got.kind).to.equal("record");
    expect(got.url).to.equal(`${base}/record`);
    expect(got.body).to.include({ status: "pending", finalizesAt: "2026-12-06T08:00:00.000Z" });
    expect(makeProofFile(got.proof as Parameters<typeof makeProofFile>[0])).to.deep.equal(record);
    // the same object passes the offline check (the chain check is the CLI test's)
    expect(await verifyProofFile(got.body)).to.deep.equal({ ok: true, offline: true, problems: [] });
  });

  it("parses a served usage proof, and follows a redirect", async function () {
    const u = await fetchProofFile(`${base}/usage`);
    expect(u.kind).to.equal("usage");
    expect(u.body.status).to.equal("final");
    expect(makeUsageProofFile(u.proof as Parameters<typeof makeUsageProofFile>[0])).to.deep.equal(usage);
    expect((await fetchProofFile(`${base}/moved`)).kind).to.equal("record");
  });

  it("names the API's error (code, message, parameter) on a non-200 answer", async function () {
    expect((await refusal(fetchProofFile(`${base}/missing`))).message).to.equal(`${base}/missing answered HTTP 404 Not Found: not_found: no record of node 0xab in epoch 5 (parameter nodeId)`);
    expect((await refusal(fetchProofFile(`${base}/crash`))).message).to.equal(`${base}/crash answered HTTP 500 Internal Server Error: Internal Server Error`);
    expect((await refusal(fetchProofFile(`${base}/error-in-200`))).message).to.equal(`${base}/error-in-200 answered an error: bad_request: epoch must be an integer`);
  });

  it("refuses a body that is not JSON, not an object, or not a proof file (naming the field)", async function () {
    expect((await refusal(fetchProofFile(`${base}/html`))).message).to.equal(`${base}/html did not answer JSON (text/html): <html><body>dashboard</body></html>`);
    expect((await refusal(fetchProofFile(`${base}/empty`))).message).to.equal(`${base}/empty did not answer JSON (application/json): empty body`);
    expect((await refusal(fetchProofFile(`${base}/array`))).message).to.equal(`${base}/array did not answer a proof file (a JSON object)`);
    expect((await refusal(fetchProofFile(`${base}/not-a-proof`))).message).to.equal(`${base}/not-a-proof: proof file: root must be 32-byte hex`);
  });

  it("refuses a bad URL, an unreachable server, a timeout and an oversized body", async function () {
    expect((await refusal(fetchProofFile("not a url"))).message).to.equal("not a URL: not a url");
    expect((await refusal(fetchProofFile("ftp://127.0.0.1/proof.json"))).message).to.equal("proof URL must be http(s), got ftp: ftp://127.0.0.1/proof.json");
    // a port nobody listens on: take a free one and close it again
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    expect((await refusal(fetchProofFile(`http://127.0.0.1:${closedPort}/x`))).message).to.equal(`cannot fetch http://127.0.0.1:${closedPort}/x: ECONNREFUSED`);
    expect((await refusal(fetchProofFile(`${base}/slow`, { timeoutMs: 300 }))).message).to.equal(`fetching ${base}/slow timed out after 300 ms`);
    expect((await refusal(fetchProofFile(`${base}/big`, { maxBytes: 2048 }))).message).to.match(new RegExp(`^${base}/big answered (\\d+ bytes, )?more than the 2048`));
  });
});
