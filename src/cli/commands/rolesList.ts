/** `workledger roles list --network ID`: who holds admin, registrar and biller, and who is the arbiter. */
import { listRoles } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";
import { parseNetworkId } from "../parse";

export async function rolesListCommand(ctx: CliContext, o: { network?: string }): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const { deployment, chain } = await ctx.ledgers();
  const r = await listRoles(chain.provider, deployment, networkId);
  const list = (a: string[]) => (a.length ? a.join(", ") : "nobody");
  return {
    data: { networkId: Number(networkId), admin: r.admin, registrar: r.registrar, biller: r.biller, arbiter: r.arbiter, pendingArbiter: r.pendingArbiter },
    lines: kv([
      ["network", String(networkId)],
      ["admin", list(r.admin)],
      ["registrar", list(r.registrar)],
      ["biller", list(r.biller)],
      ["arbiter", r.arbiter + (r.pendingArbiter ? ` (handover to ${r.pendingArbiter} pending)` : "") + " (not a grantable role)"],
    ]),
  };
}
