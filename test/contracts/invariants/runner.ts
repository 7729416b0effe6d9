/**
 * Shared machinery of the model-based invariant tests: one step (run the action, count it, check every
 * invariant) and the runner (200 short sequences by default; with INVARIANT_STEPS=N, batches of longer
 * sequences until N steps in total, batch b seeded with seed + b).
 */
import fc from "fast-check";

/** Steps to reach in total (0: the default run of DEFAULT_SEQUENCES short sequences). */
export const TARGET_STEPS = Number(process.env.INVARIANT_STEPS ?? 0);
/** Sequences of the default run. */
export const DEFAULT_SEQUENCES = 200;

/** Counters of a process's run (for the report line). */
export interface RunStats {
  steps: number;
  sequences: number;
  successes: number;
  reverts: number;
}

/** One step: runs its action, counts it, then checks every invariant. */
export class ModelStep<M extends { steps: number }, R> implements fc.AsyncCommand<M, R> {
  constructor(
    private readonly label: string,
    private readonly action: (m: M, r: R, label: string) => Promise<void>,
    private readonly checkAll: (m: M, r: R, label: string) => Promise<void>,
    private readonly stats: RunStats,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: M, r: R): Promise<void> {
    await this.action(m, r, this.label);
    m.steps++;
    this.stats.steps++;
    await this.checkAll(m, r, this.label);
  }
  toString(): string {
    return this.label;
  }
}

/**
 * Runs the sequences: `setup` loads the fixture and returns the model and the deployment of one
 * sequence, `finish` (optional) checks a finished sequence against the chain.
 */
export async function runSequences<M extends object, R>(opts: {
  seed: number;
  shortMax: number;
  steps: fc.Arbitrary<fc.AsyncCommand<M, R>>[];
  setup: () => Promise<{ model: M; real: R }>;
  finish?: (model: M, real: R) => Promise<void>;
  stats: RunStats;
}): Promise<void> {
  const maxCommands = TARGET_STEPS > 0 ? 60 : opts.shortMax;
  const batch = async (seed: number, numRuns: number) => {
    const property = fc.asyncProperty(fc.commands(opts.steps, { maxCommands, size: TARGET_STEPS > 0 ? "max" : undefined }), async (cmds) => {
      let state: { model: M; real: R } | undefined;
      await fc.asyncModelRun(async () => (state = await opts.setup()), cmds);
      if (opts.finish) await opts.finish(state!.model, state!.real);
      opts.stats.sequences++;
    });
    await fc.assert(property, { seed, numRuns, endOnFailure: false });
  };
  if (TARGET_STEPS === 0) {
    await batch(opts.seed, DEFAULT_SEQUENCES);
    return;
  }
  for (let b = 0; opts.stats.steps < TARGET_STEPS; b++) {
    await batch(opts.seed + b, Math.max(10, Math.ceil((TARGET_STEPS - opts.stats.steps) / (maxCommands / 2))));
  }
}
