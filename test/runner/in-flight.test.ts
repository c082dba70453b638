// The run's hold on a signal's cancel (lib/runner/in-flight.ts): both sides in one thread here,
// as the CLI's main thread and the suites' worker thread share one process's channel.
import { afterEach, expect, test, TestRunner, vi } from 'vitest';
import { InFlightWatch, RUNNING_CHECK_GRACE_MS } from '../../lib/runner/in-flight';
import { stoppable, uninterruptible } from '../../lib/runner/in-flight-work';

const watches: InFlightWatch[] = [];
afterEach(() => {
  for (const w of watches.splice(0)) w.close();
});

/** A watch, what it said, and whether it let the run be cancelled. */
function watching() {
  const watch = new InFlightWatch();
  watches.push(watch);
  const said: string[] = [];
  let cancelled = false;
  return {
    watch,
    said,
    cancelled: () => cancelled,
    interrupt: (reason: string) =>
      watch.interrupt(
        reason,
        (doing) => said.push(doing),
        () => (cancelled = true),
      ),
  };
}

/** Work that runs until `finish` is called. */
function held() {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return { work: () => done, finish };
}

const thisTest = () => TestRunner.getCurrentTest()!.id;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a change in flight holds the cancel until it has ended and its check's result has reached the CLI", async () => {
  const { watch, said, cancelled, interrupt } = watching();
  const change = held();
  const work = uninterruptible('the migrations being applied', change.work);
  await vi.waitFor(() => expect(watch.current).toEqual(['finishing the migrations being applied']));
  interrupt('interrupted by SIGINT (Ctrl-C)');
  expect(said).toEqual(['finishing the migrations being applied']);
  await pause(100);
  expect(cancelled(), 'cancelled while in flight').toBe(false);
  change.finish();
  await work;
  // Past the wait for starts still on their way: only the report holds it now.
  await pause(300);
  expect(cancelled(), 'cancelled before the check reported').toBe(false);
  watch.reported(thisTest());
  expect(cancelled()).toBe(true);
});

test('with nothing in flight the run is cancelled at once, and nothing is said', async () => {
  const { said, cancelled, interrupt } = watching();
  interrupt('interrupted by SIGTERM');
  await vi.waitFor(() => expect(cancelled()).toBe(true), { timeout: 5_000, interval: 10 });
  expect(said).toEqual([]);
});

test('a change whose start is still on its way when the signal lands is waited for, and said', async () => {
  const { said, cancelled, interrupt, watch } = watching();
  const change = held();
  const work = uninterruptible('x', change.work);
  interrupt('interrupted by SIGTERM');
  await pause(200);
  expect(cancelled(), 'cancelled with a change starting').toBe(false);
  expect(said).toEqual(['finishing x']);
  change.finish();
  await work;
  watch.reported(thisTest());
  await vi.waitFor(() => expect(cancelled()).toBe(true));
});

test('a result that reaches the CLI before the change says it ended still settles it', async () => {
  const { watch, cancelled, interrupt } = watching();
  const change = held();
  const work = uninterruptible('x', change.work);
  await vi.waitFor(() => expect(watch.current).toEqual(['finishing x']));
  interrupt('interrupted by SIGTERM');
  watch.reported(thisTest());
  await pause(100);
  expect(cancelled()).toBe(false);
  change.finish();
  await work;
  await vi.waitFor(() => expect(cancelled()).toBe(true));
});

test('an uninterruptible change is never told to stop; a stoppable one is, even one that starts after the signal', async () => {
  const { watch, interrupt } = watching();
  const untilStopped = (signal: AbortSignal) =>
    new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve((signal.reason as Error).message)));
  const change = held();
  const kept = uninterruptible('kept', change.work);
  const first = stoppable('stopping the first', untilStopped);
  await vi.waitFor(() => expect(watch.current).toEqual(['finishing kept', 'stopping the first']));
  interrupt('interrupted by SIGTERM');
  expect(await first).toBe('interrupted by SIGTERM');
  expect(await stoppable('stopping the late one', untilStopped)).toBe('interrupted by SIGTERM');
  await vi.waitFor(() => expect(watch.current).toEqual(['finishing kept']));
  change.finish();
  await kept;
});

test('a check running at the signal holds the cancel until it reports, and the console names it', async () => {
  const { watch, said, cancelled, interrupt } = watching();
  watch.checkStarted('t1', 'GET /readyz returns 200');
  interrupt('interrupted by SIGINT (Ctrl-C)');
  expect(said).toEqual([`letting the running check end (at most ${RUNNING_CHECK_GRACE_MS / 1000} s): GET /readyz returns 200`]);
  await pause(400);
  expect(cancelled(), 'cancelled while the check ran').toBe(false);
  watch.reported('t1');
  expect(cancelled()).toBe(true);
});

test('a check that has not reported within its grace is cut off', () => {
  vi.useFakeTimers();
  try {
    const { watch, cancelled, interrupt } = watching();
    watch.checkStarted('t1', 'Digest notification observed at interval');
    interrupt('interrupted by SIGTERM');
    vi.advanceTimersByTime(RUNNING_CHECK_GRACE_MS - 1);
    expect(cancelled()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(cancelled()).toBe(true);
  } finally {
    vi.useRealTimers();
  }
});

test('a check whose start reaches the CLI just after the signal is waited for, and the console names it', async () => {
  const { watch, said, cancelled, interrupt } = watching();
  interrupt('interrupted by SIGINT (Ctrl-C)');
  watch.checkStarted('t2', 'GET /readyz returns 200');
  expect(said).toEqual([`letting the running check end (at most ${RUNNING_CHECK_GRACE_MS / 1000} s): GET /readyz returns 200`]);
  await pause(400);
  expect(cancelled(), 'cancelled while the check ran').toBe(false);
  watch.reported('t2');
  expect(cancelled()).toBe(true);
});
