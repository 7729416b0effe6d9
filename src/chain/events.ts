/**
 * Decoding of WorkLedger and RevenueLedger logs into one normalized, JSON-safe shape that the
 * indexer stores and the reports (and their verification, straight from the chain) consume.
 * Only logs emitted by the configured addresses are accepted: the emitter is checked, not just the topic.
 */
import { EventFragment, Interface, Log, Result, getAddress } from "ethers";

import { RevenueLedger__factory, WorkLedger__factory } from "../contracts";

/** A decoded argument: uints as decimal strings, small uints (<= 64 bits) as decimal strings too,
 * addresses checksummed, bytes32 lowercase hex, bools, arrays of those. */
export type EventValue = string | boolean | EventValue[];

export type ContractName = "WorkLedger" | "RevenueLedger";

export interface ChainEvent {
  contract: ContractName;
  address: string; // emitter, checksummed
  name: string; // event name, e.g. "EpochCommitted"
  blockNumber: number;
  blockHash: string;
  txHash: string;
  logIndex: number;
  args: Record<string, EventValue>;
}

export interface LedgerAddresses {
  workLedger: string;
  revenueLedger: string;
}

/** The events (and errors) of a compiled contract's full ABI: its interface's and those it inherits (AccessControl's, EIP-712's). */
function eventsOf(abi: ReadonlyArray<unknown>): Interface {
  return new Interface(new Interface(abi as never).fragments.filter((f) => f.type === "event" || f.type === "error"));
}

/** ABI of every event the WorkLedger emits, from its compiled ABI (no hand-typed list). */
export const workLedgerEvents = eventsOf(WorkLedger__factory.abi);
/** ABI of every event the RevenueLedger emits, from its compiled ABI. */
export const revenueLedgerEvents = eventsOf(RevenueLedger__factory.abi);

/** A decoded ABI value in ChainEvent form (uints as decimal strings, addresses checksummed, hex lowercased). */
export function normalizeEventValue(value: unknown, type: string): EventValue {
  if (Array.isArray(value)) {
    const inner = type.endsWith("[]") ? type.slice(0, -2) : type;
    return Array.from(value as unknown[]).map((v) => normalizeEventValue(v, inner));
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return String(value);
  if (type === "address") return getAddress(String(value));
  if (typeof value === "string") return value.startsWith("0x") ? value.toLowerCase() : value;
  return String(value);
}

function toArgs(fragment: EventFragment, decoded: Result): Record<string, EventValue> {
  const out: Record<string, EventValue> = {};
  fragment.inputs.forEach((input, i) => {
    out[input.name] = normalizeEventValue(decoded[i], input.type);
  });
  return out;
}

const TOPIC_CACHE = new Map<Interface, Map<string, EventFragment>>();

/** Event fragments by topic hash, computed once per interface (ethers recomputes them per lookup). */
function fragmentByTopic(iface: Interface, topic: string): EventFragment | undefined {
  let byTopic = TOPIC_CACHE.get(iface);
  if (!byTopic) {
    byTopic = new Map();
    iface.forEachEvent((fragment) => byTopic!.set(fragment.topicHash.toLowerCase(), fragment));
    TOPIC_CACHE.set(iface, byTopic);
  }
  return byTopic.get(topic.toLowerCase());
}

/**
 * Decode one log. Returns null when the emitter is not one of `addresses`, the topic is not one
 * of that contract's events, or the log does not decode (a malformed log never throws).
 */
export function decodeLog(log: Pick<Log, "address" | "topics" | "data" | "blockNumber" | "blockHash" | "transactionHash" | "index">, addresses: LedgerAddresses): ChainEvent | null {
  const emitter = getAddress(log.address);
  let contract: ContractName;
  let iface: Interface;
  if (emitter === getAddress(addresses.workLedger)) {
    contract = "WorkLedger";
    iface = workLedgerEvents;
  } else if (emitter === getAddress(addresses.revenueLedger)) {
    contract = "RevenueLedger";
    iface = revenueLedgerEvents;
  } else {
    return null;
  }
  const topic0 = log.topics[0];
  if (!topic0) return null;
  const fragment = fragmentByTopic(iface, topic0);
  if (!fragment) return null;
  let args: Record<string, EventValue>;
  try {
    const decoded = iface.decodeEventLog(fragment, log.data, [...log.topics]);
    args = toArgs(fragment, decoded);
  } catch {
    return null;
  }
  return chainEvent(contract, emitter, fragment.name, log, args);
}

/** The ChainEvent of a decoded log (position fields normalized: numbers, lowercase hashes). */
export function chainEvent(
  contract: ContractName,
  address: string,
  name: string,
  log: { blockNumber: unknown; blockHash: unknown; transactionHash: unknown; index: unknown },
  args: Record<string, EventValue>,
): ChainEvent {
  return {
    contract,
    address,
    name,
    blockNumber: Number(log.blockNumber),
    blockHash: String(log.blockHash).toLowerCase(),
    txHash: String(log.transactionHash).toLowerCase(),
    logIndex: Number(log.index),
    args,
  };
}

/** Total order of events on a chain: by block number, then log index. */
export function compareEvents(a: Pick<ChainEvent, "blockNumber" | "logIndex">, b: Pick<ChainEvent, "blockNumber" | "logIndex">): number {
  return a.blockNumber - b.blockNumber || a.logIndex - b.logIndex;
}
