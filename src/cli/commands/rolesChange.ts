/** `workledger roles grant|revoke --network ID --role registrar|biller|admin --account ADDR`: the admin grants or revokes a network role. */
import { grantRole, parseRoleName, revokeRole } from "../../index";
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { parseAddress, parseNetworkId } from "../parse";
import { outcomeData, outcomeLines } from "../txOutput";

type RoleFlags = { network?: string; role?: string; account?: string };

async function run(ctx: CliContext, o: RoleFlags, grant: boolean): Promise<CommandOutput> {
  const networkId = parseNetworkId(o.network);
  const role = parseRoleName(o.role);
  const account = parseAddress(o.account, "--account");
  const { deployment } = await ctx.ledgers();
  const r = await (grant ? grantRole : revokeRole)(await ctx.signer(), deployment, { networkId, role, account }, ctx.send);
  const what = grant ? `the ${role} role of network ${networkId} to ${account}` : `the ${role} role of network ${networkId} from ${account}`;
  return {
    data: { networkId: Number(networkId), role, account, roleId: r.roleId, granted: grant, ...outcomeData(r.outcome) },
    lines: [`${ctx.dryRun ? "would " : ""}${grant ? (ctx.dryRun ? "grant" : "granted") : ctx.dryRun ? "revoke" : "revoked"} ${what}`, ...outcomeLines(r.outcome)],
  };
}

export const rolesGrantCommand = (ctx: CliContext, o: RoleFlags): Promise<CommandOutput> => run(ctx, o, true);
export const rolesRevokeCommand = (ctx: CliContext, o: RoleFlags): Promise<CommandOutput> => run(ctx, o, false);
