/**
 * The demo's simulated GPU network: nodes in four regions, a regional outage, a flaky node, a node
 * that joins late and a metering bug in one epoch (caught by a challenge and corrected). Pure
 * functions of the seed: the same options always give the same records.
 */
import { draw, drawBytes32, drawInt } from "./random";

/** Regions the nodes are spread over (round robin). */
export const REGIONS = ["us-east", "us-west", "eu-central", "ap-south"] as const;
/** Epoch length of the demo network: one hour. */
export const EPOCH_SECONDS = 3600;
/** Challenge window: two epochs. */
export const CHALLENGE_WINDOW = 7200;
/** Declared capacity: one GPU per node, GPU-seconds per epoch. */
export const CAPACITY_PER_NODE = 3600;
/** Price of one GPU-second in mUSD's smallest unit (6 decimals): $1.20 per GPU-hour. */
export const PRICE_PER_UNIT = 333n;
/** The demo network's name and work unit (NetworkCreated; labels.csv). */
export const NETWORK_NAME = "Demo GPU Network";
export const WORK_UNIT = "GPU-seconds";
/** Protocol fee of the demo: 1%. */
export const DEMO_FEE_BPS = 100;
/** Customers' shares of each epoch's revenue, in percent (the last takes the remainder). */
export const CUSTOMER_SHARES = [50, 30, 20] as const;
export const CUSTOMER_NAMES = ["acme-ai", "globex-render", "initech-ml"] as const;
export const VERIFIER_NAMES = ["verifier-a", "verifier-b", "verifier-c"] as const;
/** The independent arbiter (e.g. an insurer consortium's Safe; here a key of its own). */
export const ARBITER_NAME = "arbiter-insurers";
/** The customer that challenges the bad-metering epoch (index into CUSTOMER_NAMES). */
export const CHALLENGER_CUSTOMER = 1;
/** First challenge bond of a version, token's smallest unit (250 mUSD). */
export const CHALLENGE_BOND = 250_000_000n;
export const OPERATOR_COUNT = 5;
/** The customer whose per-epoch cap is deliberately too low (its first statement is refused, then it raises it). */
export const CAPPED_CUSTOMER = 2;
/** The customer that asks for part of its escrow back at the end (the request thaws). */
export const WITHDRAWING_CUSTOMER = 1;
/** Billing periods cover at most this many epochs (DESIGN rule 11). */
export const BILLING_PERIOD_EPOCHS = 8;
/** Epoch 0 starts this long after the network is created, so customers authorize billing before it. */
export const GENESIS_DELAY_SECONDS = 600;

/** One simulated node. */
export interface DemoNode {
  index: number;
  name: string; // the nodeId string (hashed on chain)
  region: (typeof REGIONS)[number];
  operator: number; // index into the operators
  joinEpoch: number; // first epoch with a record
  flaky: boolean;
}

/** Where the story's events fall for a run of `epochs` epochs (needs epochs >= 4). */
export interface Timeline {
  outageRegion: (typeof REGIONS)[number];
  outageEpochs: number[];
  challengedEpoch: number;
  lateJoinEpoch: number;
  /** The epoch left pending at the end (the last). */
  pendingEpoch: number;
}

export function timeline(epochs: number): Timeline {
  const outageStart = Math.max(1, Math.floor(epochs / 4));
  const outageLength = epochs >= 12 ? 3 : 1;
  const challengedEpoch = epochs >= 6 ? Math.floor((epochs * 2) / 3) : epochs - 2;
  return {
    outageRegion: "eu-central",
    outageEpochs: Array.from({ length: outageLength }, (_, k) => outageStart + k).filter((e) => e !== challengedEpoch && e < epochs - 1),
    challengedEpoch,
    lateJoinEpoch: Math.floor(epochs / 2),
    pendingEpoch: epochs - 1,
  };
}

/** The demo's nodes: node 1 is flaky, the last node joins at `lateJoinEpoch`. */
export function makeNodes(count: number, t: Timeline): DemoNode[] {
  return Array.from({ length: count }, (_, i) => ({
    index: i,
    name: `gpu-${REGIONS[i % REGIONS.length]}-${String(i).padStart(3, "0")}`,
    region: REGIONS[i % REGIONS.length],
    operator: i % OPERATOR_COUNT,
    joinEpoch: i === count - 1 && count > 2 ? t.lateJoinEpoch : 0,
    flaky: i === 1,
  }));
}

/** One row of a records file (nodeId as the node's name). */
export interface DemoRecord {
  node: DemoNode;
  epoch: number;
  workUnits: bigint;
  uptimeBps: number;
  revenue: bigint;
  evidence: string;
}

/** Uptime of a node in an epoch, in basis points. */
function uptimeOf(seed: string, n: DemoNode, epoch: number, t: Timeline): number {
  if (n.region === t.outageRegion && t.outageEpochs.includes(epoch)) return drawInt(seed, 1500, 5500, "outage", n.index, epoch);
  if (n.flaky) return draw(seed, "flaky-off", epoch) < 0.25 ? 0 : drawInt(seed, 4000, 9900, "flaky", epoch);
  if (draw(seed, "dip", n.index, epoch) < 0.02) return drawInt(seed, 9500, 9985, "dip-depth", n.index, epoch);
  return drawInt(seed, 9990, 10000, "up", n.index, epoch);
}

/**
 * The records of one epoch. With `meterBug`, node 0 double-reports (work units above capacity,
 * revenue doubled): the faulty version that gets challenged.
 */
export function epochRecords(seed: string, nodes: DemoNode[], epoch: number, t: Timeline, meterBug = false): DemoRecord[] {
  const out: DemoRecord[] = [];
  for (const n of nodes) {
    if (epoch < n.joinEpoch) continue;
    const uptimeBps = uptimeOf(seed, n, epoch, t);
    const utilization = 0.55 + 0.4 * draw(seed, "util", n.index, epoch);
    let workUnits = BigInt(Math.floor((CAPACITY_PER_NODE * uptimeBps * utilization) / 10_000));
    if (meterBug && n.index === 0) workUnits *= 2n;
    out.push({ node: n, epoch, workUnits, uptimeBps, revenue: workUnits * PRICE_PER_UNIT, evidence: drawBytes32(seed, "telemetry", n.index, epoch, meterBug ? "bug" : "ok") });
  }
  return out;
}

/** CSV text of a records file (the records module's columns). */
export function recordsCsv(records: DemoRecord[]): string {
  const rows = records.map((r) => `${r.node.name},${r.epoch},${r.workUnits},${r.uptimeBps},${r.revenue},${r.evidence}`);
  return ["nodeId,epoch,workUnits,uptimeBps,revenue,evidence", ...rows].join("\n") + "\n";
}

/** Split an epoch's revenue over the customers by CUSTOMER_SHARES (the last takes the remainder). */
export function customerCharges(totalRevenue: bigint): bigint[] {
  const out: bigint[] = [];
  let left = totalRevenue;
  CUSTOMER_SHARES.forEach((share, i) => {
    const amount = i === CUSTOMER_SHARES.length - 1 ? left : (totalRevenue * BigInt(share)) / 100n;
    out.push(amount);
    left -= amount;
  });
  return out;
}
