import { describe, expect, test } from 'vitest';
import { HandoverSender, receiveHandover, type HandoverMessage } from '../../lib/handover';
import type { HarnessContext } from '../../lib/context';

const context = { runId: '20261202T000000-local', baseUrl: 'http://127.0.0.1:1' } as unknown as HarnessContext;
let n = 0;
const channelName = () => `cutover-handover-test-${process.pid}-${(n += 1)}`;

describe('the hand-over from the CLI to the suites worker that started early', () => {
  test('a message sent before the worker listens still reaches it (the worker says it is waiting)', async () => {
    const sender = new HandoverSender(channelName());
    try {
      sender.send({ kind: 'go', context, env: { DATABASE_URL: 'postgres://x' } });
      const got = await receiveHandover(sender.name, 10_000);
      expect(got).toEqual({ kind: 'go', context, env: { DATABASE_URL: 'postgres://x' } });
    } finally {
      sender.close();
    }
  });

  test('a worker already waiting gets the message as soon as it is sent', async () => {
    const sender = new HandoverSender(channelName());
    try {
      const waiting = receiveHandover(sender.name, 10_000);
      await new Promise((r) => setTimeout(r, 50));
      sender.send({ kind: 'go', context, env: {} });
      expect((await waiting).kind).toBe('go');
    } finally {
      sender.close();
    }
  });

  test('an abort reaches the worker, and a later go cannot replace it', async () => {
    const sender = new HandoverSender(channelName());
    try {
      sender.send({ kind: 'abort', reason: 'the rehearsal could not start' });
      sender.send({ kind: 'go', context, env: {} });
      expect(sender.sent).toBe(true);
      const got: HandoverMessage<HarnessContext> = await receiveHandover(sender.name, 10_000);
      expect(got).toEqual({ kind: 'abort', reason: 'the rehearsal could not start' });
    } finally {
      sender.close();
    }
  });

  test('a CLI that never answers is an error for the worker, not a hang', async () => {
    const sender = new HandoverSender(channelName());
    try {
      await expect(receiveHandover(sender.name, 200)).rejects.toThrow('the harness CLI did not hand the run over within 0.2 s');
    } finally {
      sender.close();
    }
  });
});
