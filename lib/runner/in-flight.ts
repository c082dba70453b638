import { BroadcastChannel } from 'node:worker_threads';
import { FORCE_AFTER_MS } from '../command/exit';

/**
 * The suites make their changes in Vitest's worker thread, while a signal reaches the CLI's main
 * thread, whose cancel ends the worker at once: with a migration half applied, or pg_dump left
 * running on its own and its partial file on disk. So the worker says here when such a change
 * starts and ends (`in-flight-work.ts`), and the CLI holds its cancel until none is in flight
 * and the check that made it has reported (its evidence belongs in the document). Two kinds:
 *
 * - uninterruptible: a migration stopped mid-way stays failed in _prisma_migrations and every
 *   later deploy refuses until someone resolves it by hand, so it is let finish;
 * - stoppable: a backup or the attachment migration can stop cleanly (pg_dump stopped and its
 *   partial file removed, the rows in flight finished), so it is told to, and its own code
 *   records how it ended.
 *
 * One channel per process: the CLI and its suites' worker thread share the pid, and a process
 * runs one run at a time.
 */
export const inFlightChannel = () => `cutover-harness-in-flight-${process.pid}`;

export type InFlightMessage =
  /** `doing`: what the console says while the CLI waits ("finishing …", "stopping …"); `testId`: the check making it. */
  | { kind: 'start'; id: number; doing: string; stoppable: boolean; testId?: string }
  | { kind: 'end'; id: number }
  /** CLI → worker: the run is interrupted; whatever can stop, stops. */
  | { kind: 'stop'; reason: string };

/**
 * How long an ended change waits for its check's result before the run is cancelled anyway: the
 * check still writes its evidence, which on a loaded machine can take seconds; a check that
 * never reports (its thread gone) must not hold the run's end for longer than a forced one.
 */
const REPORT_GRACE_MS = FORCE_AFTER_MS;
/**
 * A start the worker posted just before the signal can still be on its way: a change's queued
 * behind the signal in the CLI's event loop, a check's in Vitest's next batch of test events
 * (sent at most every 100 ms, later on a loaded machine). The decision that nothing is in
 * flight or running waits for them.
 */
const IN_TRANSIT_MS = 250;
/**
 * How long a check running at the signal is let run on. Cancelled, Vitest marks it skipped at
 * once but its code runs on unwatched beside the suite's cleanup: its evidence is lost, and test
 * data it made or removed goes unrecorded (the document then names an upload as left that the
 * check itself had removed). Most checks end well within this; a long wait is cut off.
 */
export const RUNNING_CHECK_GRACE_MS = 5_000;

const runningCheck = (names: string[]) => `letting the running check end (at most ${RUNNING_CHECK_GRACE_MS / 1000} s): ${names.join('; ')}`;

/**
 * CLI side: what is in flight now, a stop for what can stop, and a call once nothing is (the
 * running check too, for a few seconds).
 */
export class InFlightWatch {
  private readonly channel = new BroadcastChannel(inFlightChannel());
  private readonly inFlight = new Map<number, { doing: string; testId?: string }>();
  /** Ended, waiting for their check's result. */
  private readonly unreported = new Set<string>();
  private readonly reportedIds = new Set<string>();
  /** Checks started and not yet reported, by test id: their names. */
  private readonly running = new Map<string, string>();
  private runningGraceOver = false;
  private waiters: (() => void)[] = [];
  private stopReason: string | null = null;
  private say: ((doing: string) => void) | null = null;

  constructor() {
    this.channel.onmessage = (event) => {
      const m = (event as MessageEvent).data as InFlightMessage;
      if (m.kind === 'start') {
        this.inFlight.set(m.id, { doing: m.doing, testId: m.testId });
        // Started as the signal came (its start was on its way): it is waited for, and stops too.
        if (this.stopReason !== null) {
          this.say?.(m.doing);
          if (m.stoppable) this.post({ kind: 'stop', reason: this.stopReason });
        }
      } else if (m.kind === 'end') {
        const testId = this.inFlight.get(m.id)?.testId;
        this.inFlight.delete(m.id);
        // Ended before the signal, its check is just a running one (the grace of interrupt()).
        if (testId && this.stopReason !== null && !this.reportedIds.has(testId)) {
          this.unreported.add(testId);
          setTimeout(() => {
            this.unreported.delete(testId);
            this.settle();
          }, REPORT_GRACE_MS).unref();
        }
      }
      this.settle();
    };
    // Never what keeps the CLI alive: the run's own promises do that.
    this.channel.unref();
  }

  private post(message: InFlightMessage): void {
    this.channel.postMessage(message);
  }

  private settle(): void {
    if (this.inFlight.size || this.unreported.size || !this.waiters.length) return;
    if (this.running.size && !this.runningGraceOver) return;
    // Once the run is cancelled, a change starting after is past waiting for.
    this.say = null;
    for (const done of this.waiters.splice(0)) done();
  }

  /** A check started (a Vitest reporter's onTestCaseReady). */
  checkStarted(testId: string, name: string): void {
    this.running.set(testId, name);
    // Its start was on its way as the signal came: it is waited for, and said like one running then.
    if (this.stopReason !== null && !this.inFlight.size) this.say?.(runningCheck([name]));
  }

  /** A check's result reached the CLI (a Vitest reporter's onTestCaseResult). */
  reported(testId: string): void {
    this.reportedIds.add(testId);
    this.running.delete(testId);
    this.unreported.delete(testId);
    this.settle();
  }

  /** What is in flight now, as the console says what the CLI waits for. */
  get current(): string[] {
    return [...this.inFlight.values()].map((w) => w.doing);
  }

  /**
   * The run is interrupted: what can stop is told to, `say` hears each change the CLI waits for
   * (as "finishing …", "stopping …") or the running check, and `then` is called once no change
   * is in flight or unreported and the running check has reported (or had its grace).
   */
  interrupt(reason: string, say: (doing: string) => void, then: () => void): void {
    this.stopReason = reason;
    this.say = say;
    this.post({ kind: 'stop', reason });
    for (const doing of this.current) say(doing);
    const checks = [...this.running.values()];
    if (checks.length && !this.inFlight.size) say(runningCheck(checks));
    setTimeout(() => {
      this.runningGraceOver = true;
      this.settle();
    }, RUNNING_CHECK_GRACE_MS).unref();
    setTimeout(() => {
      this.waiters.push(then);
      this.settle();
    }, IN_TRANSIT_MS);
  }

  close(): void {
    this.channel.close();
  }
}
