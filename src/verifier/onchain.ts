/**
 * On-chain checks through WorkLedger's `verifyRecord` view.
 */
import { ContractRunner } from "ethers";

import { IWorkLedger__factory } from "../contracts";
import { WorkRecord } from "../records/types";
import { withRevertDecoding } from "../chain/revert";

/**
 * True when WorkLedger's `verifyRecord(networkId, epoch, record, proof)` returns true: the proof
 * matches the root of the epoch's latest, non-voided version and `record.epoch == epoch`.
 *
 * @example
 * await verifyRecordOnChain(provider, deployment.workLedger, 1n, 7n, record, proof); // true
 */
export async function verifyRecordOnChain(
  runner: ContractRunner,
  workLedger: string,
  networkId: bigint | number,
  epoch: bigint | number,
  record: WorkRecord,
  proof: readonly string[],
): Promise<boolean> {
  const wl = IWorkLedger__factory.connect(workLedger, runner);
  return withRevertDecoding(() =>
    wl.verifyRecord(
      BigInt(networkId),
      BigInt(epoch),
      { nodeId: record.nodeId, epoch: record.epoch, workUnits: record.workUnits, uptimeBps: record.uptimeBps, revenue: record.revenue, evidence: record.evidence },
      [...proof],
    ),
  );
}
