/**
 * Self-describing proof files: everything needed to check one record of one epoch version, offline
 * or against the chain.
 *
 *     { "kind": "workledger-record-proof", "chainId": 31337, "ledger": "0x…", "networkId": 1,
 *       "epoch": 7, "version": 1, "root": "0x…",
 *       "record": { "nodeId": "0x…", "epoch": 7, "workUnits": "…", "uptimeBps": 9990,
 *                   "revenue": "…", "evidence": "0x…" },
 *       "proof": ["0x…", …] }
 *
 * Small integers (chainId, networkId, epoch, version, uptimeBps) are JSON numbers as in the report
 * JSON (DESIGN.md); workUnits and revenue are decimal strings. Readers also accept decimal strings
 * for every integer.
 */
import fs from "fs";
import { Provider, getAddress } from "ethers";

import { IWorkLedger__factory } from "../contracts";
import { InvalidInputError } from "../errors";
import { WorkRecord } from "../records/types";
import { verifyRecordOnChain } from "./onchain";
import { verifyRecordProof } from "../merkle/proof";

export const PROOF_FILE_KIND = "workledger-record-proof";

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
    ledger: getAddress(p.ledger),
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

function int(v: unknown, what: string): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string" && /^[0-9]+$/.test(v)) return BigInt(v);
  throw new InvalidInputError(`proof file: ${what} must be a non-negative integer`);
}

/** Parses a proof file's JSON into typed values (shape errors throw InvalidInputError naming the field). */
export function parseProofFile(j: unknown): ProofFileInput {
  if (!j || typeof j !== "object") throw new InvalidInputError("proof file must be a JSON object");
  const o = j as Record<string, unknown>;
  const r = o.record as Record<string, unknown> | undefined;
  if (!r || typeof r !== "object") throw new InvalidInputError("proof file: record is missing");
  const hex = (v: unknown, what: string) => {
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(v)) throw new InvalidInputError(`proof file: ${what} must be 32-byte hex`);
    return v.toLowerCase();
  };
  if (!Array.isArray(o.proof)) throw new InvalidInputError("proof file: proof must be an array");
  if (typeof o.ledger !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(o.ledger)) throw new InvalidInputError("proof file: ledger must be an address");
  return {
    chainId: int(o.chainId, "chainId"),
    ledger: getAddress(o.ledger),
    networkId: int(o.networkId, "networkId"),
    epoch: int(o.epoch, "epoch"),
    version: Number(int(o.version, "version")),
    root: hex(o.root, "root"),
    record: {
      nodeId: hex(r.nodeId, "record.nodeId"),
      epoch: int(r.epoch, "record.epoch"),
      workUnits: int(r.workUnits, "record.workUnits"),
      uptimeBps: Number(int(r.uptimeBps, "record.uptimeBps")),
      revenue: int(r.revenue, "record.revenue"),
      evidence: hex(r.evidence, "record.evidence"),
    },
    proof: o.proof.map((x, i) => hex(x, `proof[${i}]`)),
  };
}

/** Writes a proof file (pretty JSON). */
export function writeProofFile(file: ProofFile, path: string): void {
  fs.writeFileSync(path, JSON.stringify(file, null, 2) + "\n");
}

/** Reads a proof file and parses it (InvalidInputError names a malformed field). */
export function readProofFile(path: string): ProofFileInput {
  let j: unknown;
  try {
    j = JSON.parse(fs.readFileSync(path, "utf8"));
  } catch (e) {
    throw new InvalidInputError(`cannot read proof file ${path}: ${(e as Error).message}`);
  }
  return parseProofFile(j);
}

export interface ProofFileCheck {
  /** True when every check that ran passed. */
  ok: boolean;
  /** The proof matches the root offline (and record.epoch is the file's epoch). */
  offline: boolean;
  /** Against the chain (only with a provider): chain, contract, latest root and verifyRecord all agree. */
  onChain?: boolean;
  problems: string[];
}

/**
 * Checks a proof file end to end: offline always; against the chain when a provider is given
 * (chainId, code at the ledger, the root is the epoch's latest version's, and verifyRecord is true).
 *
 * @example
 * const res = await verifyProofFile(JSON.parse(fs.readFileSync("proof.json", "utf8")), { provider });
 * if (!res.ok) console.error(res.problems.join("\n"));
 */
export async function verifyProofFile(file: ProofFile | ProofFileInput | unknown, options: { provider?: Provider } = {}): Promise<ProofFileCheck> {
  const problems: string[] = [];
  let p: ProofFileInput;
  try {
    p = parseProofFile(normalize(file));
  } catch (e) {
    return { ok: false, offline: false, problems: [(e as Error).message] };
  }
  let offline = true;
  if (BigInt(p.record.epoch) !== BigInt(p.epoch)) {
    offline = false;
    problems.push(`record.epoch ${p.record.epoch} differs from the file's epoch ${p.epoch}`);
  }
  if (!verifyRecordProof(p.record, p.proof, p.root)) {
    offline = false;
    problems.push("the proof does not lead from the record to the root");
  }
  if (!options.provider) return { ok: offline, offline, problems };
  const provider = options.provider;
  let onChain = true;
  const net = await provider.getNetwork();
  if (net.chainId !== BigInt(p.chainId)) {
    problems.push(`the provider is on chainId ${net.chainId}, the proof is for chainId ${p.chainId}`);
    return { ok: false, offline, onChain: false, problems };
  }
  if ((await provider.getCode(p.ledger)) === "0x") {
    problems.push(`no contract at ledger ${p.ledger}`);
    return { ok: false, offline, onChain: false, problems };
  }
  const wl = IWorkLedger__factory.connect(p.ledger, provider);
  const [status, version] = await wl.epochStatus(p.networkId, p.epoch);
  if (version === 0n) {
    problems.push(`epoch ${p.epoch} of network ${p.networkId} is not committed`);
    return { ok: false, offline, onChain: false, problems };
  }
  const latest = await wl.latestEpoch(p.networkId, p.epoch);
  if (latest.root.toLowerCase() !== p.root) {
    onChain = false;
    problems.push(`the latest version (${version}) has root ${latest.root}, the proof's root is ${p.root}`);
  }
  if (Number(version) !== p.version) {
    onChain = false;
    problems.push(`the latest version is ${version}, the proof is for version ${p.version}`);
  }
  if (Number(status) === 4) {
    onChain = false;
    problems.push("the latest version is voided");
  }
  if (!(await verifyRecordOnChain(provider, p.ledger, p.networkId, p.epoch, p.record, p.proof))) {
    onChain = false;
    problems.push("verifyRecord returned false");
  }
  return { ok: offline && onChain, offline, onChain, problems };
}

function normalize(file: unknown): unknown {
  // accept an already-typed ProofFileInput (bigints) as well as parsed JSON
  if (file && typeof file === "object" && "record" in file) {
    const f = file as ProofFileInput;
    if (typeof f.record?.workUnits === "bigint") return makeProofFile(f);
  }
  return file;
}
