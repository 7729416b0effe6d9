/**
 * Invariant tests of the WorkLedger trust model (issues #13 and #14): seeded random sequences of
 * commits, corrections, bonded challenges, rulings, expiries, signed rotations, window changes, time
 * jumps and advanceFinality, every invariant checked after every step (see ./trustModel.ts): a Final
 * version's root and status never change; verifyRecord is true only for the latest Final version;
 * finalizedCount equals the model's; the books tie to the tokens held. `npm test` runs 200 short
 * sequences; `npm run test:invariants` runs longer ones until INVARIANT_STEPS steps in total. A failure
 * prints fast-check's seed, path and the shrunk sequence; replay it with INVARIANT_SEED=<seed>.
 */
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { checkTrust, freshTrustModel, trustInvariantFixture, trustStats, trustSteps } from "./trustModel";
import { runSequences } from "./runner";

/** Base seed; batch b of the long run uses SEED + b. */
const SEED = Number(process.env.INVARIANT_SEED ?? 20_261_206);

describe("WorkLedger trust invariants", function () {
  this.timeout(0);

  it("hold after every step of seeded random sequences (Final never changes, verifyRecord only for the latest Final version, cursor, books)", async function () {
    await runSequences({
      seed: SEED,
      shortMax: 12,
      steps: trustSteps,
      setup: async () => {
        const real = await loadFixture(trustInvariantFixture);
        const model = freshTrustModel();
        await checkTrust(model, real, "fresh");
        return { model, real };
      },
      stats: trustStats,
    });
    console.log(
      `      WorkLedger trust invariants: seed ${SEED}, ${trustStats.sequences} sequences, ${trustStats.steps} steps ` +
        `(${trustStats.successes} succeeded, ${trustStats.reverts} reverted as predicted)`,
    );
  });
});
