/**
 * fetchProofFile (#19, `check-proof URL`): a proof file served over HTTP (a `workledger serve`
 * record/usage endpoint adds `status` and `finalizesAt`) is parsed exactly like a file; every way a
 * server can fail names the URL and what went wrong. A tiny http server on 127.0.0.1 plays the API.
 */
import { expect } from "chai";
import http from "http";
import type { AddressInfo } from "net";

import { getAddress, keccak256, toUtf8Bytes } from "ethers";

import { fetchProofFile, makeProofFile, makeUsageProofFile, proofRequestOfUrl, verifyProofFile } from "../../../src/verifier/proofFile";
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
        case "/v1/networks/1/epochs/5/records/someone-else":
        case "/v1/networks/1/epochs/6/records/" + encodeURIComponent(record.record.nodeId):
          return send(res, 200, "application/json", JSON.stringify({ ...record, status: "final" }));
        case "/v1/networks/1/epochs/5/records/" + record.record.nodeId:
          return send(res, 200, "application/json", JSON.stringify(record));
        case "/slow":
          return; // never answers
        case "/trickle": {
          // headers at once, then a byte now and then, forever: the whole read is bounded
          res.writeHead(200, { "content-type": "application/json" });
          const t = setInterval(() => res.write(" "), 50);
          res.on("close", () => clearInterval(t));
          return;
        }
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

  it("reads what a serve proof URL asks for (network, epoch, node name or id, customer); other URLs ask nothing", function () {
    const gpu = keccak256(toUtf8Bytes("gpu-eu-001"));
    expect(proofRequestOfUrl("http://h:8080/v1/networks/2/epochs/7/records/gpu-eu-001")).to.deep.equal({ networkId: 2, epoch: 7, nodeId: gpu });
    expect(proofRequestOfUrl(`https://api.example/workledger/v1/networks/2/epochs/7/records/${gpu.toUpperCase().replace("0X", "0x")}/`)).to.deep.equal({ networkId: 2, epoch: 7, nodeId: gpu });
    expect(proofRequestOfUrl("http://h/v1/networks/1/epochs/0/records/gpu%20eu")).to.deep.equal({ networkId: 1, epoch: 0, nodeId: keccak256(toUtf8Bytes("gpu eu")) });
    expect(proofRequestOfUrl(`http://h/v1/networks/1/epochs/3/usage/${CUSTOMER.toLowerCase()}?x=1`)).to.deep.equal({ networkId: 1, epoch: 3, customer: CUSTOMER });
    for (const other of ["http://h/proof.json", "http://h/v1/networks/1/epochs/3", "http://h/v1/networks/x/epochs/3/records/a", "http://h/v1/networks/1/epochs/3/usage/0x12", "http://h/v1/networks/1/epochs/3/records/0x12", "not a url"]) {
      expect(proofRequestOfUrl(other), other).to.equal(null);
    }
  });

  it("fails a proof that is not what the URL asks for (another node, epoch or kind), whatever else holds", async function () {
    const asked = await fetchProofFile(`${base}/v1/networks/1/epochs/5/records/someone-else`);
    expect(asked.request).to.deep.equal({ networkId: 1, epoch: 5, nodeId: keccak256(toUtf8Bytes("someone-else")) });
    expect(await verifyProofFile(asked.proof, { request: asked.request! })).to.deep.equal({
      ok: false,
      offline: true,
      matchesRequest: false,
      problems: [`the answer is the record of node ${record.record.nodeId}, the request was node ${keccak256(toUtf8Bytes("someone-else"))}`],
    });
    const epochAsked = await fetchProofFile(`${base}/v1/networks/1/epochs/6/records/${encodeURIComponent(record.record.nodeId)}`);
    expect((await verifyProofFile(epochAsked.proof, { request: epochAsked.request! })).problems).to.deep.equal(["the answer is for epoch 5, the request was epoch 6"]);
    const right = await fetchProofFile(`${base}/v1/networks/1/epochs/5/records/${record.record.nodeId}`);
    expect(await verifyProofFile(right.proof, { request: right.request! })).to.deep.equal({ ok: true, offline: true, matchesRequest: true, problems: [] });
    const usageAsNode = await verifyProofFile(usage, { request: { networkId: 1, epoch: 5, nodeId: record.record.nodeId } });
    expect(usageAsNode.problems).to.include("the answer is a usage proof, the request was a node's record");
    const otherCustomer = await verifyProofFile(usage, { request: { networkId: 1, epoch: 5, customer: "0x" + "ab".repeat(20) } });
    expect(otherCustomer.problems).to.include(`the answer is the usage of customer ${CUSTOMER}, the request was customer 0x${"ab".repeat(20)}`);
    expect((await fetchProofFile(`${base}/record`)).request).to.equal(null);
  });

  it("with a trusted ledger, fails a proof under any other ledger (a look-alike contract)", async function () {
    expect(await verifyProofFile(record, { ledger: LEDGER.toUpperCase().replace("0X", "0x") })).to.deep.equal({ ok: true, offline: true, ledgerMatches: true, problems: [] });
    const other = "0x" + "5b".repeat(20);
    const r = await verifyProofFile(record, { ledger: other });
    expect(r).to.deep.include({ ok: false, offline: true, ledgerMatches: false });
    expect(r.problems).to.deep.equal([`the proof is under ledger ${record.ledger}, not the ledger you trust (${getAddress(other)})`]);
    expect((await verifyProofFile(record, { ledger: "0x12" })).problems).to.deep.equal(["ledger 0x12 is not an address"]);
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

  it("refuses a bad URL, an unreachable server, a timeout (no answer, or a body that never ends) and an oversized body", async function () {
    expect((await refusal(fetchProofFile("not a url"))).message).to.equal("not a URL: not a url");
    expect((await refusal(fetchProofFile("ftp://127.0.0.1/proof.json"))).message).to.equal("proof URL must be http(s), got ftp: ftp://127.0.0.1/proof.json");
    // a port nobody listens on: take a free one and close it again
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    expect((await refusal(fetchProofFile(`http://127.0.0.1:${closedPort}/x`))).message).to.equal(`cannot fetch http://127.0.0.1:${closedPort}/x: ECONNREFUSED`);
    expect((await refusal(fetchProofFile(`${base}/slow`, { timeoutMs: 300 }))).message).to.equal(`fetching ${base}/slow timed out after 300 ms`);
    expect((await refusal(fetchProofFile(`${base}/trickle`, { timeoutMs: 300 }))).message).to.equal(`fetching ${base}/trickle timed out after 300 ms`);
    expect((await refusal(fetchProofFile(`${base}/big`, { maxBytes: 2048 }))).message).to.match(new RegExp(`^${base}/big answered (\\d+ bytes, )?more than the 2048`));
  });
});
