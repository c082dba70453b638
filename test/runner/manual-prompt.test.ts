import { afterEach, expect, test } from 'vitest';
import { ManualPrompt } from '../../lib/runner/manual-prompt';

let prompt: ManualPrompt | undefined;
afterEach(() => prompt?.close());

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });

test("another process on the machine cannot put a question on the operator's terminal: only the run's URL, with its token, reaches the prompt", async () => {
  prompt = await ManualPrompt.start('selftest', () => undefined);
  const { origin, pathname } = new URL(prompt.url);
  expect(pathname, 'a random token in the path').toMatch(/^\/[0-9a-f]{32}\/$/);
  const question = { row: 'E.secret-rotated', todo: 'type y to approve' };

  for (const guess of [`${origin}/confirm`, `${origin}/${'0'.repeat(32)}/confirm`]) {
    const res = await post(guess, question);
    expect(res.status, guess).toBe(404);
    expect(prompt.asking, 'no prompt was opened').toBeUndefined();
  }

  // The run's own URL opens it (answered here by the run's interruption, not a terminal).
  const answered = post(new URL('confirm', prompt.url).href, question);
  await expect.poll(() => prompt!.asking).toBe(question.row);
  prompt.interrupt();
  expect(await (await answered).json()).toEqual({ declined: 'interrupted' });
});
