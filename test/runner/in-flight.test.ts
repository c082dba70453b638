// The run's hold on a signal's cancel (lib/runner/in-flight.ts): both sides in one thread here,
// as the CLI's main thread and the suites' worker thread share one process's channel.
import { expect, test, TestRunner, vi } from 'vitest';
import { InFlightWatch } from '../../lib/runner/in-flight';
import { stoppable, uninterruptible } from '../../lib/runner/in-flight-work';

function watching() {
  const watch = new InFlightWatch();
  let settled = false;
  return {
    watch,
    settled: () => settled,
    hold: () => watch.whenSettled(() => (settled = true)),
  };
}

test("a change in flight holds the cancel until it has ended and its check's result has reached the CLI", async () => {
  const { watch, settled, hold } = watching();
  try {
    let finish!: () => void;
    const work = uninterruptible('the migrations being applied', () => new Promise<void>((r) => (finish = r)));
    await vi.waitFor(() => expect(watch.current).toEqual(['finishing the migrations being applied']));
    expect(watch.interrupt('interrupted by SIGINT (Ctrl-C)')).toEqual(['finishing the migrations being applied']);
    hold();
    finish();
    await work;
    await new Promise((r) => setTimeout(r, 50));
    expect(settled(), 'settled before the check reported').toBe(false);
    watch.reported(TestRunner.getCurrentTest()!.id);
    expect(settled()).toBe(true);
  } finally {
    watch.close();
  }
});

test('a result that reaches the CLI before the change says it ended still settles it', async () => {
  const { watch, settled, hold } = watching();
  try {
    let finish!: () => void;
    const work = uninterruptible('x', () => new Promise<void>((r) => (finish = r)));
    await vi.waitFor(() => expect(watch.current).toEqual(['finishing x']));
    watch.interrupt('interrupted by SIGTERM');
    hold();
    watch.reported(TestRunner.getCurrentTest()!.id);
    expect(settled()).toBe(false);
    finish();
    await work;
    await vi.waitFor(() => expect(settled()).toBe(true));
  } finally {
    watch.close();
  }
});

test('an uninterruptible change is never told to stop; a stoppable one is, even one that starts after the signal', async () => {
  const { watch } = watching();
  try {
    let sawSignal: AbortSignal | undefined;
    let finish!: () => void;
    const kept = uninterruptible('kept', () => new Promise<void>((r) => (finish = r)));
    const first = stoppable('stopping the first', (signal) => {
      sawSignal = signal;
      return new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve((signal.reason as Error).message)));
    });
    await vi.waitFor(() => expect(watch.current).toEqual(['finishing kept', 'stopping the first']));
    watch.interrupt('interrupted by SIGTERM');
    expect(await first).toBe('interrupted by SIGTERM');
    const late = await stoppable(
      'stopping the late one',
      (signal) => new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve((signal.reason as Error).message))),
    );
    expect(late).toBe('interrupted by SIGTERM');
    expect(sawSignal?.aborted).toBe(true);
    finish();
    await kept;
  } finally {
    watch.close();
  }
});
