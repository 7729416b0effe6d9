/**
 * Invariant tests of RevenueLedger on the real WorkLedger: seeded random sequences of deposits,
 * permits, billing authorizations (own and relayed; raises, lowerings, revokes, short expiries),
 * withdrawal requests and thawed withdrawals, commits, finalisations, the finality cursor, bonded
 * challenges (upheld, rejected, expired), verifier-signed statements (honest, over the cap, signed by one
 * key, past the cursor, overlapping), refunds, cumulative payout roots (honest, above posted, backwards,
 * unsigned, past the cursor), claims (also by a wrong operator), pauses, fee changes and fee withdrawals
 * across three customers, three operators and two networks, with every
 * invariant checked after every step (see ./revenueModel.ts). `npm test` runs 200 short sequences;
 * `npm run test:invariants` runs longer ones until INVARIANT_STEPS steps in total. A failure prints
 * fast-check's seed, path and the shrunk sequence; replay it with INVARIANT_SEED=<seed>.
 */
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { checkAgainstChain, seededInvariantFixture, seededModel, stats, steps } from "./revenueModel";
import { runSequences } from "./runner";

/** Base seed; batch b of the long run uses SEED + b. */
const SEED = Number(process.env.INVARIANT_SEED ?? 20_261_128);

describe("RevenueLedger invariants", function () {
  this.timeout(0);

  it("hold after every step of seeded random sequences (tokens held == Σ balances, no epoch billed twice, charges <= usage, claims <= cumulative)", async function () {
    await runSequences({
      seed: SEED,
      shortMax: 10,
      steps,
      setup: async () => ({ real: await loadFixture(seededInvariantFixture), model: seededModel() }),
      finish: checkAgainstChain,
      stats,
    });
    console.log(
      `      RevenueLedger invariants: seed ${SEED}, ${stats.sequences} sequences, ${stats.steps} steps ` +
        `(${stats.successes} succeeded, ${stats.reverts} reverted as predicted)`,
    );
  });
});
