import { BroadcastChannel } from 'node:worker_threads';

/**
 * The suites' worker starts (Node, Vitest's runtime, the SDKs) while the rehearsal still boots;
 * what only the booted rehearsal knows (the context, the env with its credentials) reaches the
 * worker here, when the CLI has it. Vitest's provide/inject is fixed when the worker starts, so
 * a BroadcastChannel inside the one process carries it instead.
 *
 * A message posted while nobody listens is lost: the worker says it is waiting, and the CLI
 * answers then (or as soon as it has the message, if later).
 */
export type HandoverMessage<Context> = { kind: 'go'; context: Context; env: Record<string, string> } | { kind: 'abort'; reason: string };

const WAITING = 'waiting';

/** The CLI's end: send() once; a second send() is ignored, so an abort never follows a go. */
export class HandoverSender<Context> {
  private readonly channel: BroadcastChannel;
  private message: HandoverMessage<Context> | undefined;

  constructor(readonly name: string) {
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (event) => {
      if ((event as MessageEvent).data === WAITING && this.message) this.channel.postMessage(this.message);
    };
    // Never what keeps the CLI alive: the run's own promises do that.
    this.channel.unref();
  }

  get sent(): boolean {
    return this.message !== undefined;
  }

  send(message: HandoverMessage<Context>): void {
    if (this.message) return;
    this.message = message;
    this.channel.postMessage(message);
  }

  close(): void {
    this.channel.close();
  }
}

/** The worker's end: resolves with the CLI's message; a CLI that never answers is an error after `timeoutMs`. */
export function receiveHandover<Context>(name: string, timeoutMs: number): Promise<HandoverMessage<Context>> {
  const channel = new BroadcastChannel(name);
  return new Promise<HandoverMessage<Context>>((resolve, reject) => {
    const timer = setTimeout(() => {
      channel.close();
      reject(new Error(`the harness CLI did not hand the run over within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    channel.onmessage = (event) => {
      const data = (event as MessageEvent).data as HandoverMessage<Context> | string;
      if (typeof data !== 'object' || data === null) return;
      clearTimeout(timer);
      channel.close();
      resolve(data);
    };
    channel.postMessage(WAITING);
  });
}
