/**
 * The two ledgers' calls as every writer job sends them (./tx's ContractCall), over their ABIs parsed
 * once per process: `workLedgerCall(deployment, "commitEpoch", args)`, and the interfaces to decode
 * a receipt's events with.
 */
import type { Interface } from "ethers";

import { IRevenueLedger__factory, IWorkLedger__factory } from "../contracts";
import type { Deployment } from "./deployment";
import type { ContractCall } from "./tx";

let workLedger: Interface | undefined;
let revenueLedger: Interface | undefined;

/** IWorkLedger's ABI (parsed on first use). */
export function workLedgerInterface(): Interface {
  return (workLedger ??= IWorkLedger__factory.createInterface());
}

/** IRevenueLedger's ABI (parsed on first use). */
export function revenueLedgerInterface(): Interface {
  return (revenueLedger ??= IRevenueLedger__factory.createInterface());
}

/** A call of `method` on the deployment's WorkLedger. */
export function workLedgerCall(d: Pick<Deployment, "workLedger">, method: string, args: readonly unknown[]): ContractCall {
  return { contract: "WorkLedger", to: d.workLedger, iface: workLedgerInterface(), method, args };
}

/** A call of `method` on the deployment's RevenueLedger. */
export function revenueLedgerCall(d: Pick<Deployment, "revenueLedger">, method: string, args: readonly unknown[]): ContractCall {
  return { contract: "RevenueLedger", to: d.revenueLedger, iface: revenueLedgerInterface(), method, args };
}
