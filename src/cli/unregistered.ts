/** How `sign` and `publish` report node ids never registered on the network: a warning, or a refusal with --strict. */
import type { CliContext } from "./context";

/** Warns on stderr (unless --json) about node ids that were never registered; returns them for the JSON output. */
export function warnUnregistered(ctx: CliContext, ids: readonly string[], networkId: bigint, file: string): string[] {
  if (ids.length > 0) {
    const shown = ids.slice(0, 5).join(", ") + (ids.length > 5 ? ` (and ${ids.length - 5} more)` : "");
    ctx.log.info(`warning: ${ids.length} node id${ids.length === 1 ? "" : "s"} in ${file} ${ids.length === 1 ? "was" : "were"} never registered on network ${networkId}: ${shown} (a typo? --strict refuses)`);
  }
  return [...ids];
}
