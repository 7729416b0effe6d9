/** `workledger charge void --charge ID`: a held charge back to escrow once its epoch is voided. */
import { CliContext } from "../context";
import { CommandOutput } from "../output";
import { settleChargeCommand } from "../settle";

export const chargeVoidCommand = (ctx: CliContext, o: { charge?: string }): Promise<CommandOutput> => settleChargeCommand(ctx, "void", o);
