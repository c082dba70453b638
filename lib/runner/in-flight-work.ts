import { BroadcastChannel } from 'node:worker_threads';
import { TestRunner } from 'vitest';
import { inFlightChannel, type InFlightMessage } from './in-flight';

// The worker side of in-flight.ts: what the suites wrap their changes in.

let nextId = 0;

async function inFlight<T>(doing: string, work: (signal: AbortSignal) => Promise<T>, stoppable: boolean): Promise<T> {
  const channel = new BroadcastChannel(inFlightChannel());
  const stop = new AbortController();
  if (stoppable)
    channel.onmessage = (event) => {
      const m = (event as MessageEvent).data as InFlightMessage;
      if (m.kind === 'stop') stop.abort(new Error(m.reason));
    };
  const id = (nextId += 1);
  const testId = TestRunner.getCurrentTest()?.id;
  channel.postMessage({ kind: 'start', id, doing, stoppable, testId } satisfies InFlightMessage);
  try {
    return await work(stop.signal);
  } finally {
    channel.postMessage({ kind: 'end', id } satisfies InFlightMessage);
    channel.close();
  }
}

/** Runs `work`, which a signal to the run lets finish (`what` it changes, on the console). */
export function uninterruptible<T>(what: string, work: () => Promise<T>): Promise<T> {
  return inFlight(`finishing ${what}`, () => work(), false);
}

/**
 * Runs `work`, whose signal aborts when the run is interrupted; the run waits for it to wind
 * down (`doing` says how, on the console).
 */
export function stoppable<T>(doing: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return inFlight(doing, work, true);
}
