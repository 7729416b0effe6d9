/** How the CLI shows a transaction outcome of the SDK: JSON-safe data and human lines. */
import type { TxOutcome } from "../index";

/** JSON-safe view of an outcome (no receipt object). */
export function outcomeData(o: TxOutcome): Record<string, unknown> {
  return {
    dryRun: o.dryRun,
    contract: o.contract,
    method: o.method,
    from: o.from,
    to: o.to,
    data: o.data,
    gasEstimate: o.gasEstimate.toString(),
    ...(o.txHash ? { txHash: o.txHash, blockNumber: o.blockNumber, gasUsed: o.gasUsed?.toString() } : {}),
  };
}

/** Human lines for an outcome. */
export function outcomeLines(o: TxOutcome): string[] {
  if (o.dryRun) {
    return [
      `dry run: would call ${o.contract}.${o.method} at ${o.to} from ${o.from}`,
      `  simulation: ok (eth_call)   gas estimate: ${o.gasEstimate.toLocaleString("en-US")}`,
      `  calldata: ${o.data.length > 138 ? `${o.data.slice(0, 138)}… (${(o.data.length - 2) / 2} bytes)` : o.data}`,
      "  nothing was sent",
    ];
  }
  return [`tx ${o.txHash} (block ${o.blockNumber}, gas ${o.gasUsed?.toLocaleString("en-US")})`];
}
