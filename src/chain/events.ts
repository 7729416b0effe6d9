/**
 * Decoding of WorkLedger and RevenueLedger logs into one normalized, JSON-safe shape that the
 * indexer stores and the reports (and their verification, straight from the chain) consume.
 * Only logs emitted by the configured addresses are accepted: the emitter is checked, not just the topic.
 */
import { Interface, Log, LogDescription, getAddress } from "ethers";

import { IRevenueLedger__factory, IWorkLedger__factory } from "../contracts";

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

const ACCESS_CONTROL_EVENTS = [
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)",
];

/** ABI of every event the WorkLedger emits (its interface plus AccessControl's). */
export const workLedgerEvents = new Interface([
  ...IWorkLedger__factory.createInterface().fragments.filter((f) => f.type === "event" || f.type === "error"),
  ...ACCESS_CONTROL_EVENTS,
]);
/** ABI of every event the RevenueLedger emits (its interface plus AccessControl's). */
export const revenueLedgerEvents = new Interface([
  ...IRevenueLedger__factory.createInterface().fragments.filter((f) => f.type === "event" || f.type === "error"),
  ...ACCESS_CONTROL_EVENTS,
]);

function normalize(value: unknown, type: string): EventValue {
  if (Array.isArray(value)) {
    const inner = type.endsWith("[]") ? type.slice(0, -2) : type;
    return Array.from(value as unknown[]).map((v) => normalize(v, inner));
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return String(value);
  if (type === "address") return getAddress(String(value));
  if (typeof value === "string") return value.startsWith("0x") ? value.toLowerCase() : value;
  return String(value);
}

function toArgs(desc: LogDescription): Record<string, EventValue> {
  const out: Record<string, EventValue> = {};
  desc.fragment.inputs.forEach((input, i) => {
    out[input.name] = normalize(desc.args[i], input.type);
  });
  return out;
}

/**
 * Decode one log. Returns null when the emitter is not one of `addresses` or the topic is not one
 * of that contract's events.
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
  let desc: LogDescription | null;
  try {
    desc = iface.parseLog({ topics: [...log.topics], data: log.data });
  } catch {
    return null;
  }
  if (!desc) return null;
  return {
    contract,
    address: emitter,
    name: desc.name,
    blockNumber: Number(log.blockNumber),
    blockHash: String(log.blockHash).toLowerCase(),
    txHash: String(log.transactionHash).toLowerCase(),
    logIndex: Number(log.index),
    args: toArgs(desc),
  };
}

/** Total order of events on a chain: by block number, then log index. */
export function compareEvents(a: Pick<ChainEvent, "blockNumber" | "logIndex">, b: Pick<ChainEvent, "blockNumber" | "logIndex">): number {
  return a.blockNumber - b.blockNumber || a.logIndex - b.logIndex;
}
