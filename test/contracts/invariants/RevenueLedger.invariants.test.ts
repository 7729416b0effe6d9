/**
 * Invariant tests of RevenueLedger on the real WorkLedger: seeded random sequences of deposits,
 * permits, withdrawals, commits, finalisations, challenges (upheld: void; rejected), charges,
 * postings, voids, refunds, payout roots, claims, pauses, fee changes and fee withdrawals across
 * three customers, three operators and two networks, with every invariant checked after every step
 * (see ./revenueModel.ts). `npm test` runs 200 short sequences; `npm run test:invariants` runs
 * longer ones until INVARIANT_STEPS steps in total. A failure prints fast-check's seed, path and the
 * shrunk sequence; replay it with INVARIANT_SEED=<seed>.
 */
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Model, checkAgainstChain, seededInvariantFixture, seededModel, stats, steps } from "./revenueModel";

/** Steps to reach in total (0: the default run of DEFAULT_SEQUENCES short sequences). */
const TARGET_STEPS = Number(process.env.INVARIANT_STEPS ?? 0);
/** Base seed; batch b of the long run uses SEED + b. */
const SEED = Number(process.env.INVARIANT_SEED ?? 20_261_128);
const DEFAULT_SEQUENCES = 200;
/** Longest sequence: short in `npm test`, longer in the long run. */
const MAX_COMMANDS = TARGET_STEPS > 0 ? 60 : 10;

async function runBatch(seed: number, numRuns: number): Promise<void> {
  const property = fc.asyncProperty(fc.commands(steps, { maxCommands: MAX_COMMANDS, size: TARGET_STEPS > 0 ? "max" : undefined }), async (cmds) => {
    const real = await loadFixture(seededInvariantFixture);
    let model: Model | undefined;
    const setup = async () => {
      model = seededModel();
      return { model, real };
    };
    await fc.asyncModelRun(setup, cmds);
    await checkAgainstChain(model!, real);
    stats.sequences++;
  });
  await fc.assert(property, { seed, numRuns, endOnFailure: false });
}

describe("RevenueLedger invariants", function () {
  this.timeout(0);

  it("hold after every step of seeded random sequences (books balance, tokens held == Σ accounts, no double claim)", async function () {
    if (TARGET_STEPS === 0) {
      await runBatch(SEED, DEFAULT_SEQUENCES);
    } else {
      for (let batch = 0; stats.steps < TARGET_STEPS; batch++) {
        const numRuns = Math.max(10, Math.ceil((TARGET_STEPS - stats.steps) / (MAX_COMMANDS / 2)));
        await runBatch(SEED + batch, numRuns);
      }
    }
    console.log(
      `      RevenueLedger invariants: seed ${SEED}, ${stats.sequences} sequences, ${stats.steps} steps ` +
        `(${stats.successes} succeeded, ${stats.reverts} reverted as predicted)`,
    );
  });
});
