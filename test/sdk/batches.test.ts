/** mapInBatches (src/chain/batches.ts): results in order, never more than `size` calls in flight. */
import { expect } from "chai";

import { mapInBatches } from "../../src/chain/batches";

describe("chain: mapInBatches", function () {
  it("keeps the items' order with at most `size` calls in flight, batch after batch", async function () {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const items = Array.from({ length: 23 }, (_, i) => i);
    const out = await mapInBatches(items, 5, async (i) => {
      started.push(i);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, (23 - i) % 4)); // later items often finish first
      inFlight--;
      return i * 10;
    });
    expect(out).to.deep.equal(items.map((i) => i * 10));
    expect(most).to.equal(5);
    expect(started).to.deep.equal(items);
    expect(await mapInBatches([], 3, async () => 1)).to.deep.equal([]);
  });

  it("rejects with the first failure of a batch and starts no later batch", async function () {
    const started: number[] = [];
    const err = await mapInBatches([0, 1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      if (i === 3) throw new Error("block 3 not found");
      return i;
    }).catch((e: Error) => e);
    expect(String(err)).to.equal("Error: block 3 not found");
    expect(started).to.deep.equal([0, 1, 2, 3]);
  });

  it("refuses a size that is not a whole number ≥ 1", async function () {
    for (const size of [0, -1, 1.5, NaN]) {
      const err = await mapInBatches([1], size, async (x) => x).catch((e: Error) => e);
      expect(err, String(size)).to.be.instanceOf(RangeError);
    }
  });
});
