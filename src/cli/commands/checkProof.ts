/** `workledger check-proof FILE [--offline]`: exit 1 (with the reasons) when the proof does not verify. */
import fs from "fs";

import { IWorkLedger__factory, InvalidInputError, epochStatusName, readProofFile, verifyProofFile } from "../../index";
import { CliContext } from "../context";
import { CommandOutput, kv } from "../output";

export async function checkProofCommand(ctx: CliContext, o: { offline?: boolean }, args: string[]): Promise<CommandOutput> {
  const file = args[0];
  if (!file) throw new InvalidInputError("missing proof FILE");
  if (!fs.existsSync(file)) throw new InvalidInputError(`proof file not found: ${file}`);
  const parsed = readProofFile(file);
  const chain = o.offline ? null : await ctx.chain();
  const r = await verifyProofFile(parsed, chain ? { provider: chain.provider } : {});
  let status: string | null = null;
  if (chain && r.onChain !== undefined && BigInt(parsed.chainId) === chain.chainId && (await chain.provider.getCode(parsed.ledger)) !== "0x") {
    status = epochStatusName((await IWorkLedger__factory.connect(parsed.ledger, chain.provider).epochStatus(parsed.networkId, parsed.epoch))[0]);
  }
  const lines = [
    `${r.ok ? "VALID" : "INVALID"}: ${file} (node ${parsed.record.nodeId}, network ${parsed.networkId}, epoch ${parsed.epoch} v${parsed.version})`,
    ...kv([
      ["offline (proof vs root)", r.offline ? "ok" : "fails"],
      ["on chain (verifyRecord)", r.onChain === undefined ? "not checked (--offline)" : r.onChain ? "ok" : "fails"],
      ["epoch status", status ?? "-"],
    ]),
    ...r.problems.map((p) => `  - ${p}`),
  ];
  return {
    data: { ok: r.ok, offline: r.offline, onChain: r.onChain ?? null, status, problems: r.problems, networkId: Number(parsed.networkId), epoch: Number(parsed.epoch), version: parsed.version, nodeId: parsed.record.nodeId },
    lines,
    exitCode: r.ok ? 0 : 1,
  };
}
