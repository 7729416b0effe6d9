/**
 * Replays WorkLedger and RevenueLedger events into the state the reports need: networks, epoch
 * versions with their status (Pending until finalizesAt, Challenged, Voided, Final), charges.
 * Pure: the same events give the same state.
 */
import type { ChainEvent } from "../chain/events";
import { NO_EPOCH } from "../records/types";
import type { EpochStatusName, Evidence } from "./types";

export interface NetworkInfo {
  networkId: number;
  token: string;
  name: string;
  workUnit: string;
  genesisTime: number;
  epochSeconds: number;
  capacityPerNode: bigint;
}

export interface EpochVersionState {
  networkId: number;
  epoch: number;
  version: number;
  root: string;
  recordCount: number;
  activeNodes: number;
  totalWorkUnits: bigint;
  totalRevenue: bigint;
  dataHash: string;
  finalizesAt: number;
  stored: "pending" | "challenged" | "voided";
  evidence: Evidence;
}

export interface EpochState {
  networkId: number;
  epoch: number;
  firstCommitBlock: number;
  latest: EpochVersionState;
}

export interface ChargeState {
  chargeId: string;
  networkId: number;
  customer: string;
  epoch: number;
  amount: bigint;
  ref: string;
  status: "held" | "posted" | "voided";
}

export interface ChainState {
  networks: Map<number, NetworkInfo>;
  epochs: Map<string, EpochState>; // key epochKey(networkId, epoch)
  charges: Map<string, ChargeState>;
}

/** Map key of an epoch. */
export function epochKey(networkId: number, epoch: number): string {
  return `${networkId}:${epoch}`;
}

/** The evidence triple of an event. */
export function evidenceOf(e: ChainEvent): Evidence {
  return { txHash: e.txHash, blockNumber: e.blockNumber, logIndex: e.logIndex };
}

/** A decoded uint argument as a bigint. */
export function big(e: ChainEvent, name: string): bigint {
  const v = e.args[name];
  if (typeof v !== "string") throw new Error(`event ${e.name} has no argument ${name}`);
  return BigInt(v);
}

/** A decoded small uint argument as a number. */
export function num(e: ChainEvent, name: string): number {
  return Number(big(e, name));
}

/** A decoded string/address/bytes32 argument. */
export function str(e: ChainEvent, name: string): string {
  const v = e.args[name];
  if (typeof v !== "string") throw new Error(`event ${e.name} has no argument ${name}`);
  return v;
}

/** An epoch argument as a number, or null for NO_EPOCH. */
export function epochOrNull(value: bigint): number | null {
  return value === NO_EPOCH ? null : Number(value);
}

/** Status of an epoch version at a block whose timestamp is `timestamp`. */
export function statusAt(v: EpochVersionState, timestamp: number): EpochStatusName {
  if (v.stored === "pending") return timestamp >= v.finalizesAt ? "final" : "pending";
  return v.stored;
}

/** Replays events (already ordered) into a ChainState. */
export function replay(events: readonly ChainEvent[]): ChainState {
  const networks = new Map<number, NetworkInfo>();
  const epochs = new Map<string, EpochState>();
  const charges = new Map<string, ChargeState>();
  for (const e of events) {
    if (e.contract === "WorkLedger") {
      switch (e.name) {
        case "NetworkCreated": {
          const networkId = num(e, "networkId");
          networks.set(networkId, {
            networkId,
            token: str(e, "token"),
            name: str(e, "name"),
            workUnit: str(e, "workUnit"),
            genesisTime: num(e, "genesisTime"),
            epochSeconds: num(e, "epochSeconds"),
            capacityPerNode: big(e, "capacityPerNode"),
          });
          break;
        }
        case "EpochCommitted": {
          const networkId = num(e, "networkId");
          const epoch = num(e, "epoch");
          const key = epochKey(networkId, epoch);
          const version: EpochVersionState = {
            networkId,
            epoch,
            version: num(e, "version"),
            root: str(e, "root"),
            recordCount: num(e, "recordCount"),
            activeNodes: num(e, "activeNodes"),
            totalWorkUnits: big(e, "totalWorkUnits"),
            totalRevenue: big(e, "totalRevenue"),
            dataHash: str(e, "dataHash"),
            finalizesAt: num(e, "finalizesAt"),
            stored: "pending",
            evidence: evidenceOf(e),
          };
          const prev = epochs.get(key);
          if (prev) prev.latest = version;
          else epochs.set(key, { networkId, epoch, firstCommitBlock: e.blockNumber, latest: version });
          break;
        }
        case "EpochChallenged": {
          const st = epochs.get(epochKey(num(e, "networkId"), num(e, "epoch")));
          if (st && st.latest.version === num(e, "version")) st.latest.stored = "challenged";
          break;
        }
        case "ChallengeResolved": {
          const st = epochs.get(epochKey(num(e, "networkId"), num(e, "epoch")));
          if (st && st.latest.version === num(e, "version")) {
            if (e.args.upheld === true) {
              st.latest.stored = "voided";
              st.latest.finalizesAt = 0;
            } else {
              st.latest.stored = "pending";
              st.latest.finalizesAt = num(e, "finalizesAt");
            }
          }
          break;
        }
        default:
          break;
      }
    } else {
      switch (e.name) {
        case "Charged": {
          const chargeId = str(e, "chargeId");
          charges.set(chargeId, {
            chargeId,
            networkId: num(e, "networkId"),
            customer: str(e, "customer"),
            epoch: num(e, "epoch"),
            amount: big(e, "amount"),
            ref: str(e, "ref"),
            status: "held",
          });
          break;
        }
        case "ChargePosted": {
          const c = charges.get(str(e, "chargeId"));
          if (c) c.status = "posted";
          break;
        }
        case "ChargeVoided": {
          const c = charges.get(str(e, "chargeId"));
          if (c) c.status = "voided";
          break;
        }
        default:
          break;
      }
    }
  }
  return { networks, epochs, charges };
}

/** ISO-8601 UTC of unix seconds (no milliseconds). */
export function isoUtc(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

/** Epochs of the state that a report over [fromBlock, toBlock] covers: first committed in that
 * range, optionally narrowed to one network and an epoch range; ordered by (networkId, epoch). */
export function epochsInRange(
  state: ChainState,
  fromBlock: number,
  filter: { networkId: number | null; fromEpoch: number | null; toEpoch: number | null },
): EpochState[] {
  const out: EpochState[] = [];
  for (const st of state.epochs.values()) {
    if (st.firstCommitBlock < fromBlock) continue;
    if (filter.networkId !== null && st.networkId !== filter.networkId) continue;
    if (filter.fromEpoch !== null && st.epoch < filter.fromEpoch) continue;
    if (filter.toEpoch !== null && st.epoch > filter.toEpoch) continue;
    out.push(st);
  }
  out.sort((a, b) => a.networkId - b.networkId || a.epoch - b.epoch);
  return out;
}

let lastBlockTime: { t: number; iso: string } | undefined;

/** ISO UTC time of a block of the input, or null when its timestamp was not read. */
export function blockTime(input: { blockTimestamps?: Record<number, number> }, blockNumber: number): string | null {
  const t = input.blockTimestamps?.[blockNumber];
  if (t === undefined) return null;
  if (lastBlockTime?.t !== t) lastBlockTime = { t, iso: isoUtc(t) };
  return lastBlockTime.iso;
}
