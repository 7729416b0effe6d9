/** `workledger charge post --charge ID`: a held charge to revenue once its epoch is final. */
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { settleChargeCommand } from "../settle";

export const chargePostCommand = (ctx: CliContext, o: { charge?: string }): Promise<CommandOutput> => settleChargeCommand(ctx, "post", o);
