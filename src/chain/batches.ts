/**
 * Many independent reads of a chain (one call per epoch, block or node), a bounded number in flight
 * at a time so a long range neither runs one round trip after another nor floods the RPC.
 */

/**
 * `fn` over `items`, at most `size` calls at once (batch after batch); the results in the items' order.
 *
 * @example
 * const versions = await mapInBatches(epochs, 64, (e) => workLedger.latestEpoch(networkId, e));
 */
export async function mapInBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`mapInBatches: size must be a whole number ≥ 1, got ${size}`);
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}
