/**
 * Everything a report is derived from, and nothing else: the ordered contract events from the
 * deployment block up to `toBlock`, the records of the epochs that uptime/economics lines need, and
 * a few state reads pinned to `toBlock`. Every report is a pure function of a ReportInput (plus its
 * parameters), so two engines that fill it the same way (the local store, or the chain straight
 * away for verification) produce byte-identical reports.
 */
import type { ChainEvent } from "../chain/events";
import type { WorkRecord } from "../records/types";
import type { UsageRecord } from "../records/usage";
import type { EpochTree } from "../merkle";
import type { TokenInfo } from "./types";

/** Looks up the records of one version of an epoch (undefined when not known). */
export type RecordSource = (networkId: number, epoch: number, version: number) => WorkRecord[] | undefined;

/** A customer's usage leaf in one version of an epoch, with its proof (from a bundle or a report line). */
export interface UsageLeafProof {
  leaf: UsageRecord;
  proof: string[];
}

/**
 * Looks up a customer's usage leaf and proof in (networkId, epoch, version) whose on-chain usage
 * root is `usageRoot` (undefined when not known). Reports check every proof against that root before
 * using a leaf, so a source may be untrusted (e.g. the lines of a report being verified).
 */
export type UsageSource = (networkId: number, epoch: number, version: number, customer: string, usageRoot: string) => UsageLeafProof | undefined;

export interface ReportInput {
  chainId: number;
  ledger: string; // WorkLedger address (checksummed)
  revenueLedger: string; // RevenueLedger address (checksummed)
  fromBlock: number;
  toBlock: number;
  toBlockHash: string;
  toBlockTimestamp: number; // unix seconds of toBlock: decides Pending vs Final
  fromBlockTimestamp?: number; // unix seconds of fromBlock (the period's start date)
  /** WorkLedger and RevenueLedger events from deployment to toBlock, ordered by (block, logIndex). */
  events: ChainEvent[];
  /** Records of (networkId, epoch, version); needed by uptime and economics lines. */
  records: RecordSource;
  /** Trees of (networkId, epoch, version) already built (e.g. from bundles); when absent or
   * undefined for an epoch, the builder makes the tree from the records with the library. */
  trees?: (networkId: number, epoch: number, version: number) => EpochTree | undefined;
  /** Usage leaves behind billing statements (spend charge lines, per-epoch settlement); when absent
   * or unknown for a statement, its amount is settled on its last epoch and marked unproven. */
  usage?: UsageSource;
  /** Unix seconds of every block in [fromBlock, toBlock] that holds an event (dates of lines). */
  blockTimestamps: Record<number, number>;
  /** Token metadata at toBlock, by checksummed address. */
  tokens: Record<string, TokenInfo>;
  /** token.balanceOf(revenueLedger) at toBlock, by checksummed token address. */
  heldByContract: Record<string, bigint>;
}

/** The block range and contracts a report covers. */
export interface ReportRange {
  chainId?: number;
  ledger: string;
  revenueLedger: string;
  fromBlock: number;
  toBlock?: number; // default: the latest block
}
