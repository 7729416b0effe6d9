/**
 * Invariant tests of RevenueLedger on the real WorkLedger: seeded random sequences of deposits,
 * permits, withdrawals, commits, finalisations, bonded challenges (upheld: void and bond returned;
 * rejected: bond to revenue; expired), charges, postings, voids, refunds, payout roots, claims, pauses,
 * fee changes and fee withdrawals across three customers, three operators and two networks, with every
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

  it("hold after every step of seeded random sequences (books balance, tokens held == Σ accounts, no double claim)", async function () {
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
