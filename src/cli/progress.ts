/**
 * Progress bars (cli-progress) for long work. Shown on stderr only when it is a TTY and the
 * command is not in --json mode; otherwise every call is a no-op.
 */
import cliProgress from "cli-progress";

/** A progress bar (or a no-op stand-in). */
export interface Progress {
  start(total: number, label: string): void;
  update(done: number): void;
  increment(by?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

const NOOP: Progress = { start() {}, update() {}, increment() {}, setTotal() {}, stop() {} };

/** Whether bars are shown: a TTY on stderr and no --json. */
export function progressEnabled(json: boolean): boolean {
  return !json && Boolean(process.stderr.isTTY) && process.env.WORKLEDGER_NO_PROGRESS === undefined;
}

/** A bar, or a no-op when `enabled` is false. */
export function createProgress(enabled: boolean): Progress {
  if (!enabled) return NOOP;
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(total, label) {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        { format: `${label.padEnd(22)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(total, 1), 0);
    },
    update(done) {
      bar?.update(done);
    },
    increment(by = 1) {
      bar?.increment(by);
    },
    setTotal(total) {
      bar?.setTotal(Math.max(total, 1));
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
