/**
 * Self-describing proof files: everything needed to check one record (or one customer's usage
 * record) of one epoch version, offline or against the chain.
 *
 *     { "kind": "workledger-record-proof", "chainId": 31337, "ledger": "0x…", "networkId": 1,
 *       "epoch": 7, "version": 1, "root": "0x…",
 *       "record": { "nodeId": "0x…", "epoch": 7, "workUnits": "…", "uptimeBps": 9990,
 *                   "revenue": "…", "evidence": "0x…" },
 *       "proof": ["0x…", …] }
 *
 *     { "kind": "workledger-usage-proof", "chainId": 31337, "ledger": "0x…", "networkId": 1,
 *       "epoch": 7, "version": 1, "usageRoot": "0x…",
 *       "leaf": { "customer": "0x…", "epoch": 7, "workUnits": "…", "amount": "…", "ref": "0x…" },
 *       "leafHash": "0x…", "proof": ["0x…", …] }
 *
 * Small integers (chainId, networkId, epoch, version, uptimeBps) are JSON numbers as in the report
 * JSON (DESIGN.md); workUnits, revenue and amount are decimal strings. Readers also accept decimal
 * strings for every integer. A usage proof's leaf hash is StandardMerkleTree's, the `leafHash` of a
 * billing statement's UsageRef (DESIGN rule 9).
 */
import fs from "fs";
import { Provider, getAddress } from "ethers";

import { InvalidInputError } from "../errors";
import { WorkRecord } from "../records/types";
import { UsageRecord } from "../records/usage";
import { usageLeafHash, verifyUsageProof } from "../records/usageTree";
import { parseAddress } from "../records/address";
import { normalizeNodeId } from "../records/nodeId";
import { verifyRecordProof } from "../merkle/proof";
import { LeafStatusName, recordStatusOnChain, usageStatusOnChain } from "./status";

export const PROOF_FILE_KIND = "workledger-record-proof";
export const USAGE_PROOF_FILE_KIND = "workledger-usage-proof";

export interface ProofFile {
  kind: typeof PROOF_FILE_KIND;
  chainId: number;
  ledger: string;
  networkId: number;
  epoch: number;
  version: number;
  root: string;
  record: { nodeId: string; epoch: number; workUnits: string; uptimeBps: number; revenue: string; evidence: string };
  proof: string[];
}

export interface ProofFileInput {
  chainId: bigint | number;
  ledger: string;
  networkId: bigint | number;
  epoch: bigint | number;
  version: number;
  root: string;
  record: WorkRecord;
  proof: readonly string[];
}

/** Checksummed forms of addresses already seen: a server builds many proof files for one ledger (getAddress hashes each time). */
const checksummed = new Map<string, string>();
function checksumAddress(address: string): string {
  let v = checksummed.get(address);
  if (v === undefined) {
    v = getAddress(address); // throws on a bad address: nothing is cached then
    if (checksummed.size >= 1024) checksummed.clear();
    checksummed.set(address, v);
  }
  return v;
}

/**
 * Builds a proof file object.
 *
 * @example
 * const { record, proof, root } = bundleProof(bundle, "hotspot-42");
 * const file = makeProofFile({ chainId: 31337n, ledger, networkId: 1n, epoch: 7n, version: 1, root, record, proof });
 */
export function makeProofFile(p: ProofFileInput): ProofFile {
  return {
    kind: PROOF_FILE_KIND,
    chainId: Number(p.chainId),
    ledger: checksumAddress(p.ledger),
    networkId: Number(p.networkId),
    epoch: Number(p.epoch),
    version: p.version,
    root: p.root.toLowerCase(),
    record: {
      nodeId: p.record.nodeId.toLowerCase(),
      epoch: Number(p.record.epoch),
      workUnits: p.record.workUnits.toString(),
      uptimeBps: p.record.uptimeBps,
      revenue: p.record.revenue.toString(),
      evidence: p.record.evidence.toLowerCase(),
    },
    proof: p.proof.map((x) => x.toLowerCase()),
  };
}

function hex32(v: unknown, what: string): string {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(v)) throw new InvalidInputError(`proof file: ${what} must be 32-byte hex`);
  return v.toLowerCase();
}

/** The fields both kinds share: where (chain, ledger, network, epoch, version) and the proof array. */
function proofHeader(o: Record<string, unknown>) {
  if (!Array.isArray(o.proof)) throw new InvalidInputError("proof file: proof must be an array");
  if (typeof o.ledger !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(o.ledger)) throw new InvalidInputError("proof file: ledger must be an address");
  return {
    chainId: int(o.chainId, "chainId"),
    ledger: getAddress(o.ledger),
    networkId: int(o.networkId, "networkId"),
    epoch: int(o.epoch, "epoch"),
    version: Number(int(o.version, "version")),
    proof: o.proof.map((x, i) => hex32(x, `proof[${i}]`)),
  };
}

function int(v: unknown, what: string): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string" && /^[0-9]+$/.test(v)) return BigInt(v);
  throw new InvalidInputError(`proof file: ${what} must be a non-negative integer`);
}

/** Parses a proof file's JSON into typed values (shape errors throw InvalidInputError naming the field). */
export function parseProofFile(j: unknown): ProofFileInput {
  if (!j || typeof j !== "object") throw new InvalidInputError("proof file must be a JSON object");
  const o = j as Record<string, unknown>;
  if (o.kind === USAGE_PROOF_FILE_KIND) throw new InvalidInputError(`proof file: kind is "${USAGE_PROOF_FILE_KIND}": read it with parseUsageProofFile (or readAnyProofFile)`);
  if (o.kind !== undefined && o.kind !== PROOF_FILE_KIND) throw new InvalidInputError(`proof file: kind must be "${PROOF_FILE_KIND}" or "${USAGE_PROOF_FILE_KIND}", got ${JSON.stringify(o.kind)}`);
  const r = o.record as Record<string, unknown> | undefined;
  if (!r || typeof r !== "object") throw new InvalidInputError("proof file: record is missing");
  return {
    ...proofHeader(o),
    root: hex32(o.root, "root"),
    record: {
      nodeId: hex32(r.nodeId, "record.nodeId"),
      epoch: int(r.epoch, "record.epoch"),
      workUnits: int(r.workUnits, "record.workUnits"),
      uptimeBps: Number(int(r.uptimeBps, "record.uptimeBps")),
      revenue: int(r.revenue, "record.revenue"),
      evidence: hex32(r.evidence, "record.evidence"),
    },
  };
}

/** A usage proof file (see the module doc). */
export interface UsageProofFile {
  kind: typeof USAGE_PROOF_FILE_KIND;
  chainId: number;
  ledger: string;
  networkId: number;
  epoch: number;
  version: number;
  usageRoot: string;
  leaf: { customer: string; epoch: number; workUnits: string; amount: string; ref: string };
  leafHash: string;
  proof: string[];
}

export interface UsageProofFileInput {
  chainId: bigint | number;
  ledger: string;
  networkId: bigint | number;
  epoch: bigint | number;
  version: number;
  usageRoot: string;
  leaf: UsageRecord;
  proof: readonly string[];
}

/**
 * Builds a usage proof file object (the leaf hash is computed here).
 *
 * @example
 * const { leaf, proof, root } = bundle.usageProof("0x8ba1f109551bD432803012645Ac136ddd64DBA72");
 * const file = makeUsageProofFile({ chainId: 31337n, ledger, networkId: 1n, epoch: 7n, version: 1, usageRoot: root, leaf, proof });
 */
export function makeUsageProofFile(p: UsageProofFileInput): UsageProofFile {
  return {
    kind: USAGE_PROOF_FILE_KIND,
    chainId: Number(p.chainId),
    ledger: checksumAddress(p.ledger),
    networkId: Number(p.networkId),
    epoch: Number(p.epoch),
    version: p.version,
    usageRoot: p.usageRoot.toLowerCase(),
    leaf: {
      customer: checksumAddress(p.leaf.customer),
      epoch: Number(p.leaf.epoch),
      workUnits: p.leaf.workUnits.toString(),
      amount: p.leaf.amount.toString(),
      ref: p.leaf.ref.toLowerCase(),
    },
    leafHash: usageLeafHash(p.leaf),
    proof: p.proof.map((x) => x.toLowerCase()),
  };
}

/**
 * Parses a usage proof file's JSON into typed values (shape errors throw InvalidInputError naming
 * the field; a `leafHash` that is not the leaf's is refused).
 */
export function parseUsageProofFile(j: unknown): UsageProofFileInput {
  if (!j || typeof j !== "object") throw new InvalidInputError("proof file must be a JSON object");
  const o = j as Record<string, unknown>;
  if (o.kind !== USAGE_PROOF_FILE_KIND) throw new InvalidInputError(`proof file: kind must be "${USAGE_PROOF_FILE_KIND}", got ${JSON.stringify(o.kind)}`);
  const l = o.leaf as Record<string, unknown> | undefined;
  if (!l || typeof l !== "object") throw new InvalidInputError("proof file: leaf is missing");
  const header = proofHeader(o);
  if (typeof l.customer !== "string") throw new InvalidInputError("proof file: leaf.customer must be an address");
  let customer: string;
  try {
    customer = parseAddress(l.customer, "leaf.customer");
  } catch (e) {
    throw new InvalidInputError(`proof file: ${(e as Error).message}`);
  }
  const leaf: UsageRecord = {
    customer,
    epoch: int(l.epoch, "leaf.epoch"),
    workUnits: int(l.workUnits, "leaf.workUnits"),
    amount: int(l.amount, "leaf.amount"),
    ref: hex32(l.ref, "leaf.ref"),
  };
  let leafHash: string;
  try {
    leafHash = usageLeafHash(leaf);
  } catch (e) {
    throw new InvalidInputError(`proof file: leaf: ${(e as Error).message}`);
  }
  if (o.leafHash !== undefined && hex32(o.leafHash, "leafHash") !== leafHash) throw new InvalidInputError(`proof file: leafHash ${String(o.leafHash)} is not the leaf's hash ${leafHash}`);
  return { ...header, usageRoot: hex32(o.usageRoot, "usageRoot"), leaf };
}

/** Writes a proof file, record or usage (pretty JSON). */
export function writeProofFile(file: ProofFile | UsageProofFile, path: string): void {
  fs.writeFileSync(path, JSON.stringify(file, null, 2) + "\n");
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path, "utf8"));
  } catch (e) {
    throw new InvalidInputError(`cannot read proof file ${path}: ${(e as Error).message}`);
  }
}

/** Reads a record proof file and parses it (InvalidInputError names a malformed field). */
export function readProofFile(path: string): ProofFileInput {
  return parseProofFile(readJson(path));
}

/** A parsed proof file of either kind. */
export type AnyProofFileInput = { kind: "record"; proof: ProofFileInput } | { kind: "usage"; proof: UsageProofFileInput };

/** Parses a proof file of either kind, told apart by its `kind` (a file without one is a record proof). */
export function parseAnyProofFile(j: unknown): AnyProofFileInput {
  if (j && typeof j === "object" && (j as Record<string, unknown>).kind === USAGE_PROOF_FILE_KIND) return { kind: "usage", proof: parseUsageProofFile(j) };
  return { kind: "record", proof: parseProofFile(j) };
}

/** Reads a proof file of either kind. */
export function readAnyProofFile(path: string): AnyProofFileInput {
  return parseAnyProofFile(readJson(path));
}

export interface ProofFileCheck {
  /** True when every check that ran passed (see verifyProofFile). */
  ok: boolean;
  /** The proof matches the root offline (and the leaf's epoch is the file's epoch). */
  offline: boolean;
  /** Against the chain (only with a provider): right chain and contract, included in the latest version, which is the file's and not voided (Final too with requireFinal). */
  onChain?: boolean;
  /** With a provider: the leaf is under the epoch's latest version (recordStatus / the latest usageRoot). */
  included?: boolean;
  /** With a provider: the latest version's status now. */
  status?: LeafStatusName;
  /** With a provider: the latest version's number (0 when never committed). */
  version?: number;
  /** With a provider: the contract's verifyRecord / verifyUsage, true only under a Final latest version. */
  final?: boolean;
  /** With `request`: the proof is of the network, epoch and node (or customer) asked for. */
  matchesRequest?: boolean;
  /** With `ledger`: the proof is under that ledger. */
  ledgerMatches?: boolean;
  problems: string[];
}

/** Options of {@link verifyProofFile}. */
export interface VerifyProofFileOptions {
  /** Check against the chain too. */
  provider?: Provider;
  /** Count a proof as good on chain only when its version is Final (default: Pending and Challenged count, Voided never). */
  requireFinal?: boolean;
  /**
   * What was asked for (e.g. {@link proofRequestOfUrl} of the URL it was fetched from): the proof must
   * be of that network, epoch and node (or customer), else it fails, whatever the chain says of it.
   */
  request?: ProofRequest;
  /**
   * The WorkLedger address the reader trusts (its deployment file, the network's published address):
   * a proof under any other ledger fails. Without it the ledger is the file's own word, and a
   * look-alike contract on the same chain would pass.
   */
  ledger?: string;
}

/**
 * Checks a proof file (record or usage) end to end: offline always; against the chain when a
 * provider is given: chainId, code at the ledger, then the leaf's inclusion, status and version in
 * the epoch's latest version (recordStatus for a record; the latest usageRoot and verifyUsage for a
 * usage leaf). `onChain` is true when the leaf is included in the latest version, that version is
 * the file's, and it is not voided (and is Final, with requireFinal). With `request` (what a URL
 * asked for), the proof must also be of that network, epoch and node or customer (`matchesRequest`);
 * with `ledger`, under that WorkLedger (`ledgerMatches`).
 *
 * @example
 * const res = await verifyProofFile(JSON.parse(fs.readFileSync("proof.json", "utf8")), { provider });
 * if (!res.ok) console.error(res.problems.join("\n"));
 * console.log(res.included, res.status, res.version);
 */
export async function verifyProofFile(
  file: ProofFile | ProofFileInput | UsageProofFile | UsageProofFileInput | unknown,
  options: VerifyProofFileOptions = {},
): Promise<ProofFileCheck> {
  const problems: string[] = [];
  let parsed: AnyProofFileInput;
  try {
    parsed = parseAnyProofFile(normalize(file));
  } catch (e) {
    return { ok: false, offline: false, problems: [(e as Error).message] };
  }
  const p = parsed.proof;
  const leafEpoch = parsed.kind === "record" ? parsed.proof.record.epoch : parsed.proof.leaf.epoch;
  const root = parsed.kind === "record" ? parsed.proof.root : parsed.proof.usageRoot;
  let offline = true;
  if (BigInt(leafEpoch) !== BigInt(p.epoch)) {
    offline = false;
    problems.push(`${parsed.kind === "record" ? "record" : "leaf"}.epoch ${leafEpoch} differs from the file's epoch ${p.epoch}`);
  }
  const leads = parsed.kind === "record" ? verifyRecordProof(parsed.proof.record, parsed.proof.proof, root) : verifyUsageProof(parsed.proof.leaf, parsed.proof.proof, root);
  if (!leads) {
    offline = false;
    problems.push(`the proof does not lead from the ${parsed.kind === "record" ? "record" : "usage leaf"} to the ${parsed.kind === "record" ? "root" : "usage root"}`);
  }
  const asked = options.request ? requestProblems(parsed, options.request) : undefined;
  if (asked) problems.push(...asked);
  let pinned: { ledgerMatches: boolean } | Record<string, never> = {};
  if (options.ledger !== undefined) {
    let want: string;
    try {
      want = getAddress(options.ledger.toLowerCase());
    } catch {
      return { ok: false, offline: false, problems: [`ledger ${options.ledger} is not an address`] };
    }
    pinned = { ledgerMatches: want === p.ledger };
    if (want !== p.ledger) problems.push(`the proof is under ledger ${p.ledger}, not the ledger you trust (${want})`);
  }
  const matched = { ...(asked ? { matchesRequest: asked.length === 0 } : {}), ...pinned };
  const answers = (asked === undefined || asked.length === 0) && pinned.ledgerMatches !== false;
  if (!options.provider) return { ok: offline && answers, offline, ...matched, problems };
  const provider = options.provider;
  const net = await provider.getNetwork();
  if (net.chainId !== BigInt(p.chainId)) {
    problems.push(`the provider is on chainId ${net.chainId}, the proof is for chainId ${p.chainId}`);
    return { ok: false, offline, onChain: false, problems };
  }
  if ((await provider.getCode(p.ledger)) === "0x") {
    problems.push(`no contract at ledger ${p.ledger}`);
    return { ok: false, offline, onChain: false, problems };
  }
  const st =
    parsed.kind === "record"
      ? await recordStatusOnChain(provider, p.ledger, p.networkId, p.epoch, parsed.proof.record, parsed.proof.proof)
      : await usageStatusOnChain(provider, p.ledger, p.networkId, p.epoch, parsed.proof.leaf, parsed.proof.proof);
  const facts = { included: st.included, status: st.status, version: st.version, final: st.final };
  if (st.version === 0) {
    problems.push(`epoch ${p.epoch} of network ${p.networkId} is not committed`);
    return { ok: false, offline, onChain: false, ...facts, problems };
  }
  let onChain = true;
  if (!st.included) {
    onChain = false;
    problems.push(`the ${parsed.kind === "record" ? "record" : "usage leaf"} is not under the latest version (${st.version})'s ${parsed.kind === "record" ? "root" : "usage root"}`);
  }
  if (st.version !== p.version) {
    onChain = false;
    problems.push(`the latest version is ${st.version}, the proof is for version ${p.version}`);
  }
  if (st.status === "voided") {
    onChain = false;
    problems.push("the latest version is voided");
  } else if (options.requireFinal && st.status !== "final") {
    onChain = false;
    problems.push(`the latest version is ${st.status}, not final yet`);
  }
  if (st.final !== (st.included && st.status === "final")) {
    onChain = false;
    problems.push(`the contract's ${parsed.kind === "record" ? "verifyRecord" : "verifyUsage"} disagrees with inclusion and status`);
  }
  return { ok: offline && onChain && answers, offline, onChain, ...facts, ...matched, problems };
}

/** What a proof URL asks for: a network, an epoch, and a node (record) or a customer (usage). */
export interface ProofRequest {
  networkId: number;
  epoch: number;
  /** bytes32 node id (a name in the URL is hashed as the CLI does). */
  nodeId?: string;
  /** Checksummed customer address. */
  customer?: string;
}

/**
 * What a `workledger serve` proof URL asks for, from its path
 * (`…/v1/networks/{id}/epochs/{epoch}/records/{nodeId}` or `…/usage/{customer}`, under any prefix);
 * null for any other URL (then nothing is compared).
 *
 * @example
 * proofRequestOfUrl("http://127.0.0.1:8080/v1/networks/1/epochs/3/records/gpu-001");
 * // { networkId: 1, epoch: 3, nodeId: "0x…" (keccak256 of "gpu-001") }
 */
export function proofRequestOfUrl(url: string): ProofRequest | null {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return null;
  }
  const m = /\/v1\/networks\/(\d{1,15})\/epochs\/(\d{1,15})\/(records|usage)\/([^/]+)\/?$/.exec(pathname);
  if (!m) return null;
  let segment: string;
  try {
    segment = decodeURIComponent(m[4]);
  } catch {
    return null;
  }
  const base = { networkId: Number(m[1]), epoch: Number(m[2]) };
  try {
    return m[3] === "records" ? { ...base, nodeId: normalizeNodeId(segment) } : { ...base, customer: parseAddress(segment.toLowerCase(), "customer") };
  } catch {
    return null; // not an id the API would answer with a proof
  }
}

/** How a parsed proof differs from what was asked for (empty when it is what was asked for). */
function requestProblems(parsed: AnyProofFileInput, want: ProofRequest): string[] {
  const out: string[] = [];
  const p = parsed.proof;
  if (BigInt(p.networkId) !== BigInt(want.networkId)) out.push(`the answer is for network ${p.networkId}, the request was network ${want.networkId}`);
  if (BigInt(p.epoch) !== BigInt(want.epoch)) out.push(`the answer is for epoch ${p.epoch}, the request was epoch ${want.epoch}`);
  if (want.nodeId !== undefined) {
    if (parsed.kind !== "record") out.push("the answer is a usage proof, the request was a node's record");
    else if (parsed.proof.record.nodeId.toLowerCase() !== want.nodeId.toLowerCase()) out.push(`the answer is the record of node ${parsed.proof.record.nodeId}, the request was node ${want.nodeId}`);
  }
  if (want.customer !== undefined) {
    if (parsed.kind !== "usage") out.push("the answer is a node's record, the request was a customer's usage");
    else if (parsed.proof.leaf.customer.toLowerCase() !== want.customer.toLowerCase()) out.push(`the answer is the usage of customer ${parsed.proof.leaf.customer}, the request was customer ${want.customer}`);
  }
  return out;
}

function normalize(file: unknown): unknown {
  // accept an already-typed ProofFileInput / UsageProofFileInput (bigints) as well as parsed JSON
  if (file && typeof file === "object") {
    if ("record" in file && typeof (file as ProofFileInput).record?.workUnits === "bigint") return makeProofFile(file as ProofFileInput);
    if ("leaf" in file && typeof (file as UsageProofFileInput).leaf?.amount === "bigint") return makeUsageProofFile(file as UsageProofFileInput);
  }
  return file;
}


/** Options of {@link fetchProofFile}. */
export interface FetchProofFileOptions {
  /** Give up after this many ms (default 15000). */
  timeoutMs?: number;
  /** Largest body read, in bytes (default 8 MiB; a proof is a few KiB). */
  maxBytes?: number;
}

/** A proof file fetched from a URL: the parsed proof, and the server's whole answer (extra fields such as `status`). */
export type FetchedProofFile = AnyProofFileInput & {
  url: string;
  /** The JSON object as served, extra fields included (its `status` is the server's word only). */
  body: Record<string, unknown>;
  /** What the URL asks for when it is a `workledger serve` proof path ({@link proofRequestOfUrl}); pass it to verifyProofFile as `request`. */
  request: ProofRequest | null;
};

/** The message of an API error body `{error: {code, message, param}}`, if `j` is one. */
function apiErrorText(j: unknown): string | undefined {
  const e = j && typeof j === "object" ? (j as { error?: unknown }).error : undefined;
  if (!e || typeof e !== "object") return typeof e === "string" ? e : undefined;
  const { code, message, param } = e as { code?: unknown; message?: unknown; param?: unknown };
  const parts = [typeof code === "string" ? code : undefined, typeof message === "string" ? message : undefined].filter(Boolean).join(": ");
  return `${parts || JSON.stringify(e)}${typeof param === "string" && param ? ` (parameter ${param})` : ""}`;
}

/**
 * Fetches a proof file from an http(s) URL, e.g. a `workledger serve` record or usage endpoint
 * (`/v1/networks/1/epochs/3/records/node-7`), and parses it like a file. The server's answer is a
 * proof file plus extra fields (`status`, `finalizesAt`), which are kept in `body` but never trusted:
 * pass the result to {@link verifyProofFile} with a provider, and the chain decides; pass `request`
 * too, so that a proof of another node, customer, epoch or network than the URL asks for fails.
 *
 * @throws InvalidInputError (exit code 2) naming the URL: not an http(s) URL, unreachable, timed out,
 *         a non-200 answer (with the API's `{error: {code, message}}` when it sent one), a body that is
 *         not JSON, or a JSON that is not a proof file (naming the field).
 * @example
 * const got = await fetchProofFile("http://127.0.0.1:8080/v1/networks/1/epochs/3/records/node-7");
 * const res = await verifyProofFile(got.proof, { provider, request: got.request ?? undefined });
 * console.log(res.ok, res.status, "(the server said", got.body.status, ")");
 */
export async function fetchProofFile(url: string, options: FetchProofFileOptions = {}): Promise<FetchedProofFile> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new InvalidInputError(`not a URL: ${url}`);
  }
  if (parsedUrl.protocol !== "http:" && parsedUrl.protocol !== "https:") throw new InvalidInputError(`proof URL must be http(s), got ${parsedUrl.protocol.replace(/:$/, "")}: ${url}`);
  let res: Response;
  let text: string;
  try {
    res = await fetch(parsedUrl, { headers: { accept: "application/json" }, redirect: "follow", signal: AbortSignal.timeout(timeoutMs) });
    text = await readCapped(res, maxBytes, url);
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === "TimeoutError" || err.name === "AbortError") throw new InvalidInputError(`fetching ${url} timed out after ${timeoutMs} ms`, { cause: e });
    const why = err.cause?.code ?? err.cause?.message ?? err.message;
    throw new InvalidInputError(`cannot fetch ${url}: ${why}`, { cause: e });
  }
  let json: unknown;
  let isJson = true;
  try {
    json = JSON.parse(text);
  } catch {
    isJson = false;
  }
  if (res.status !== 200) {
    const apiText = isJson ? apiErrorText(json) : undefined;
    const snippet = text.replace(/\s+/g, " ").trim().slice(0, 120);
    throw new InvalidInputError(`${url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}${apiText ? `: ${apiText}` : snippet ? `: ${snippet}` : ""}`);
  }
  if (!isJson) {
    const type = res.headers.get("content-type") ?? "no content type";
    throw new InvalidInputError(`${url} did not answer JSON (${type}): ${text.replace(/\s+/g, " ").trim().slice(0, 80) || "empty body"}`);
  }
  const apiText = apiErrorText(json);
  if (apiText) throw new InvalidInputError(`${url} answered an error: ${apiText}`);
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new InvalidInputError(`${url} did not answer a proof file (a JSON object)`);
  let parsed: AnyProofFileInput;
  try {
    parsed = parseAnyProofFile(json);
  } catch (e) {
    throw new InvalidInputError(`${url}: ${(e as Error).message}`, { cause: e });
  }
  return { ...parsed, url, body: json as Record<string, unknown>, request: proofRequestOfUrl(url) };
}

/** The body as text, refusing more than `maxBytes`. */
async function readCapped(res: Response, maxBytes: number, url: string): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new InvalidInputError(`${url} answered ${declared} bytes, more than the ${maxBytes} a proof file may have`);
  if (!res.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new InvalidInputError(`${url} answered more than the ${maxBytes} bytes a proof file may have`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
