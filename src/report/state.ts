/**
 * Replays WorkLedger and RevenueLedger events into the state the reports need: networks, epoch
 * versions with their status (Pending until finalizesAt, Challenged, Voided, Final) and usage words,
 * charged billing statements (with the version of each covered epoch when charged), payout roots.
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
  /** Usage words (EpochUsageCommitted; zero without usage). */
  usageRoot: string;
  usageCount: number;
  totalUsage: bigint;
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

/** A covered epoch of a statement as it stood when the statement was charged. */
export interface CoveredEpoch {
  epoch: number;
  version: number;
  usageRoot: string; // bytes32(0): no usage in that version
}

/** A charged billing statement (StatementCharged). */
export interface StatementState {
  chargeId: string;
  networkId: number;
  customer: string;
  fromEpoch: number;
  toEpoch: number;
  amount: bigint; // gross (net + fee)
  fee: bigint;
  /** The protocol fee rate in force when charged (ProtocolFeeSet before it; 0 before any). */
  feeBps: bigint;
  usageHash: string;
  capPerEpoch: bigint;
  signers: string[];
  referenceText: string;
  /** Covered epochs that were committed when charged, ascending (latest version then). */
  covered: CoveredEpoch[];
  blockNumber: number;
  evidence: Evidence;
}

/** A posted cumulative payout root (PayoutRootPosted). */
export interface PayoutRootState {
  networkId: number;
  throughEpoch: number;
  root: string;
  total: bigint;
  increase: bigint;
  dataHash: string;
  signers: string[];
  /** Position of the event: the root's amounts use the money that arrived before it. */
  blockNumber: number;
  logIndex: number;
  evidence: Evidence;
}

export interface ChainState {
  networks: Map<number, NetworkInfo>;
  epochs: Map<string, EpochState>; // key epochKey(networkId, epoch)
  statements: Map<string, StatementState>; // by chargeId
  /** Payout roots per network, in the order posted (the last is the latest). */
  payoutRoots: Map<number, PayoutRootState[]>;
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

const ZERO_HASH = `0x${"0".repeat(64)}`;

/** Replays events (already ordered) into a ChainState. */
export function replay(events: readonly ChainEvent[]): ChainState {
  const networks = new Map<number, NetworkInfo>();
  const epochs = new Map<string, EpochState>();
  const statements = new Map<string, StatementState>();
  const payoutRoots = new Map<number, PayoutRootState[]>();
  let feeBps = 0n;
  const latestOf = (e: ChainEvent) => {
    const st = epochs.get(epochKey(num(e, "networkId"), num(e, "epoch")));
    return st && st.latest.version === num(e, "version") ? st.latest : undefined;
  };
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
            usageRoot: ZERO_HASH,
            usageCount: 0,
            totalUsage: 0n,
            finalizesAt: num(e, "finalizesAt"),
            stored: "pending",
            evidence: evidenceOf(e),
          };
          const prev = epochs.get(key);
          if (prev) prev.latest = version;
          else epochs.set(key, { networkId, epoch, firstCommitBlock: e.blockNumber, latest: version });
          break;
        }
        case "EpochUsageCommitted": {
          const v = latestOf(e);
          if (v) {
            v.usageRoot = str(e, "usageRoot");
            v.usageCount = num(e, "usageCount");
            v.totalUsage = big(e, "totalUsage");
          }
          break;
        }
        case "EpochChallenged": {
          const v = latestOf(e);
          if (v) v.stored = "challenged";
          break;
        }
        case "ChallengeResolved": {
          const v = latestOf(e);
          if (v) {
            if (e.args.upheld === true) {
              v.stored = "voided";
              v.finalizesAt = 0;
            } else {
              v.stored = "pending";
              v.finalizesAt = num(e, "finalizesAt");
            }
          }
          break;
        }
        case "ChallengeExpired": {
          // The arbiter missed its deadline: the version is voided (DESIGN rule 4).
          const v = latestOf(e);
          if (v) {
            v.stored = "voided";
            v.finalizesAt = 0;
          }
          break;
        }
        default:
          break;
      }
    } else {
      switch (e.name) {
        case "ProtocolFeeSet":
          feeBps = big(e, "feeBps");
          break;
        case "StatementCharged": {
          const chargeId = str(e, "chargeId");
          const networkId = num(e, "networkId");
          const fromEpoch = num(e, "fromEpoch");
          const toEpoch = num(e, "toEpoch");
          const covered: CoveredEpoch[] = [];
          for (let x = fromEpoch; x <= toEpoch; x++) {
            const st = epochs.get(epochKey(networkId, x));
            if (st) covered.push({ epoch: x, version: st.latest.version, usageRoot: st.latest.usageRoot });
          }
          statements.set(chargeId, {
            chargeId,
            networkId,
            customer: str(e, "customer"),
            fromEpoch,
            toEpoch,
            amount: big(e, "amount"),
            fee: big(e, "fee"),
            feeBps,
            usageHash: str(e, "usageHash"),
            capPerEpoch: big(e, "capPerEpoch"),
            signers: ((e.args.signers as unknown[]) ?? []).map(String),
            referenceText: String(e.args.referenceText ?? ""),
            covered,
            blockNumber: e.blockNumber,
            evidence: evidenceOf(e),
          });
          break;
        }
        case "PayoutRootPosted": {
          const networkId = num(e, "networkId");
          let list = payoutRoots.get(networkId);
          if (!list) payoutRoots.set(networkId, (list = []));
          list.push({
            networkId,
            throughEpoch: num(e, "throughEpoch"),
            root: str(e, "root"),
            total: big(e, "total"),
            increase: big(e, "increase"),
            dataHash: str(e, "dataHash"),
            signers: ((e.args.signers as unknown[]) ?? []).map(String),
            blockNumber: e.blockNumber,
            logIndex: e.logIndex,
            evidence: evidenceOf(e),
          });
          break;
        }
        default:
          break;
      }
    }
  }
  return { networks, epochs, statements, payoutRoots };
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
