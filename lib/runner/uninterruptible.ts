import { BroadcastChannel } from 'node:worker_threads';

/**
 * Some changes must not be cut off halfway: a migration stopped mid-way stays failed in
 * _prisma_migrations, and every later deploy refuses until someone resolves it by hand. The
 * suites run them in Vitest's worker thread, while a Ctrl-C reaches the CLI's main thread, whose
 * cancel would end the worker with the change half made. So the worker says here when such a
 * change starts and ends, and the CLI holds its cancel until none is in flight.
 *
 * One channel per process: the CLI and its suites' worker thread share the pid, and a process
 * runs one run at a time.
 */
const channelName = () => `cutover-harness-uninterruptible-${process.pid}`;

type Message = { kind: 'start' | 'end'; id: number; what: string };

let nextId = 0;

/** Worker side: runs `work`, which a signal to the run lets finish (`what` says what it is, on the console). */
export async function uninterruptible<T>(what: string, work: () => Promise<T>): Promise<T> {
  const channel = new BroadcastChannel(channelName());
  const id = (nextId += 1);
  channel.postMessage({ kind: 'start', id, what } satisfies Message);
  try {
    return await work();
  } finally {
    channel.postMessage({ kind: 'end', id, what } satisfies Message);
    channel.close();
  }
}

/** CLI side: what is in flight now, and a call once nothing is. */
export class UninterruptibleWatch {
  private readonly channel = new BroadcastChannel(channelName());
  private readonly inFlight = new Map<number, string>();
  private waiters: (() => void)[] = [];

  constructor() {
    this.channel.onmessage = (event) => {
      const m = (event as MessageEvent).data as Message;
      if (m.kind === 'start') this.inFlight.set(m.id, m.what);
      else this.inFlight.delete(m.id);
      if (!this.inFlight.size) for (const done of this.waiters.splice(0)) done();
    };
    // Never what keeps the CLI alive: the run's own promises do that.
    this.channel.unref();
  }

  /** What is being changed now that must not be cut off (empty: nothing). */
  get current(): string[] {
    return [...this.inFlight.values()];
  }

  /** Calls `then` once nothing is in flight (at once if nothing is). */
  whenSettled(then: () => void): void {
    if (!this.inFlight.size) then();
    else this.waiters.push(then);
  }

  close(): void {
    this.channel.close();
  }
}
