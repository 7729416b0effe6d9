/**
 * Network roles (#13): the admin holds only ADMIN and grants REGISTRAR (registers and deactivates
 * nodes) and BILLER (charges, refunds, payout roots) explicitly, to itself or to others. The arbiter is
 * not a role anyone can grant (see ./arbiter). `listRoles` rebuilds the holders from RoleGranted /
 * RoleRevoked and checks each with hasRole.
 */
import { ContractRunner, Signer, getAddress } from "ethers";

import { WorkLedger__factory } from "../contracts";
import { InvalidInputError } from "../errors";
import { Deployment } from "./deployment";
import { assertNetwork } from "./network";
import { RoleKind, networkRoleId, roleKindHash, sendRefusable } from "./refusal";
import { SendOptions, TxOutcome } from "./tx";

type Ledger = Pick<Deployment, "workLedger">;

/** The roles an admin grants and revokes. */
export const GRANTABLE_ROLES = ["registrar", "biller", "admin"] as const;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

/** Parses a role name (case-insensitive); "arbiter" is refused with the reason. */
export function parseRoleName(v: string | undefined, flag = "--role"): GrantableRole {
  if (v === undefined) throw new InvalidInputError(`missing ${flag} ${GRANTABLE_ROLES.join("|")}`);
  const r = v.toLowerCase();
  if (r === "arbiter") throw new InvalidInputError("the arbiter is not a role anyone grants: it is fixed at network creation and changed only by the arbiter itself (`arbiter transfer`, then `arbiter accept`)");
  if (!(GRANTABLE_ROLES as readonly string[]).includes(r)) throw new InvalidInputError(`${flag} must be one of ${GRANTABLE_ROLES.join("|")}, got "${v}"`);
  return r as GrantableRole;
}

const kindOf = (r: GrantableRole): RoleKind => r.toUpperCase() as RoleKind;
const wlInterface = () => WorkLedger__factory.createInterface();

async function changeRole(method: "grantRole" | "revokeRole", signer: Signer, deployment: Ledger, p: { networkId: bigint; role: GrantableRole; account: string }, options: SendOptions) {
  const wl = await assertNetwork(signer, deployment, p.networkId);
  const account = getAddress(p.account);
  const roleId = networkRoleId(p.networkId, kindOf(p.role));
  const sender = getAddress(await signer.getAddress());
  if (!(await wl.hasNetworkRole(p.networkId, roleKindHash("ADMIN"), sender))) {
    throw new InvalidInputError(`${sender} does not hold the admin role of network ${p.networkId}: only the admin grants and revokes roles`);
  }
  const has = await wl.hasNetworkRole(p.networkId, roleKindHash(kindOf(p.role)), account);
  if (method === "grantRole" && has) throw new InvalidInputError(`${account} already holds the ${p.role} role of network ${p.networkId}`);
  if (method === "revokeRole" && !has) throw new InvalidInputError(`${account} does not hold the ${p.role} role of network ${p.networkId}`);
  if (method === "grantRole" && p.role === "admin" && getAddress(await wl.arbiterOf(p.networkId)) === account) {
    throw new InvalidInputError(`${account} is the arbiter of network ${p.networkId}: the arbiter may not hold the admin role`);
  }
  const outcome = await sendRefusable(signer, { contract: "WorkLedger", to: deployment.workLedger, iface: wlInterface(), method, args: [roleId, account] }, options);
  return { outcome, roleId, account };
}

/** The admin grants a network role (registrar, biller, or admin) to an account. */
export function grantRole(signer: Signer, deployment: Ledger, p: { networkId: bigint; role: GrantableRole; account: string }, options: SendOptions = {}): Promise<{ outcome: TxOutcome; roleId: string; account: string }> {
  return changeRole("grantRole", signer, deployment, p, options);
}

/** The admin revokes a network role from an account. */
export function revokeRole(signer: Signer, deployment: Ledger, p: { networkId: bigint; role: GrantableRole; account: string }, options: SendOptions = {}): Promise<{ outcome: TxOutcome; roleId: string; account: string }> {
  return changeRole("revokeRole", signer, deployment, p, options);
}

/** Who holds which role on a network now. */
export interface RoleHolders {
  networkId: bigint;
  admin: string[];
  registrar: string[];
  biller: string[];
  arbiter: string;
  pendingArbiter: string | null;
}

/** Holders of every role of a network (from RoleGranted/RoleRevoked since `deployment.fromBlock`, each confirmed with hasRole). */
export async function listRoles(runner: ContractRunner, deployment: Ledger & Partial<Pick<Deployment, "fromBlock">>, networkId: bigint): Promise<RoleHolders> {
  await assertNetwork(runner, deployment, networkId);
  const wl = WorkLedger__factory.connect(deployment.workLedger, runner);
  const out: RoleHolders = { networkId, admin: [], registrar: [], biller: [], arbiter: getAddress(await wl.arbiterOf(networkId)), pendingArbiter: null };
  const pending = await wl.pendingArbiterOf(networkId);
  if (BigInt(pending) !== 0n) out.pendingArbiter = getAddress(pending);
  for (const role of GRANTABLE_ROLES) {
    const roleId = networkRoleId(networkId, kindOf(role));
    const logs = await wl.queryFilter(wl.filters.RoleGranted(roleId), deployment.fromBlock ?? 0);
    const candidates = [...new Set(logs.map((l) => getAddress(String(l.args.account))))];
    for (const a of candidates) if (await wl.hasRole(roleId, a)) out[role].push(a);
  }
  return out;
}
