/**
 * The raw topics and data a ChainEvent was decoded from, carried on the event (a non-enumerable
 * property: equality checks and JSON ignore it) so the store can keep the packed log instead of
 * the decoded arguments. An event built elsewhere is encoded again from its arguments.
 */
import type { ChainEvent } from "../chain/events";
import { revenueLedgerEvents, workLedgerEvents } from "../chain/events";

const RAW = Symbol("workledger.rawLog");

export interface RawLogParts {
  topics: readonly string[];
  data: string;
}

/** Remember the raw log of a decoded event. */
export function attachRawLog<T extends ChainEvent>(e: T, raw: RawLogParts): T {
  Object.defineProperty(e, RAW, { value: { topics: raw.topics, data: raw.data }, enumerable: false });
  return e;
}

/** The raw topics and data of an event (from the decoder, or encoded again from its arguments). */
export function rawLogOf(e: ChainEvent): RawLogParts {
  const kept = (e as unknown as Record<symbol, RawLogParts | undefined>)[RAW];
  if (kept) return kept;
  const iface = e.contract === "WorkLedger" ? workLedgerEvents : revenueLedgerEvents;
  const fragment = iface.getEvent(e.name);
  if (!fragment) throw new Error(`unknown ${e.contract} event ${e.name}`);
  const out = iface.encodeEventLog(fragment, fragment.inputs.map((p) => e.args[p.name]));
  return { topics: out.topics, data: out.data };
}
