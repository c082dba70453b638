import { expect, test } from 'vitest';
import { runShell } from '../../lib/shell';

// The two streams are two pipes: their lines arrive in no set order relative to each other.
test('a command is followed line by line from both streams, its last unterminated line too', async () => {
  const lines: string[] = [];
  const result = await runShell('echo one; echo two >&2; printf three', { timeoutMs: 10_000, onLine: (l) => lines.push(l) });
  expect(result.code).toBe(0);
  expect(lines.filter((l) => l !== 'two')).toEqual(['one', 'three']);
  expect(lines.filter((l) => l === 'two')).toHaveLength(1);
  expect(result.stdout).toBe('one\nthree');
});
