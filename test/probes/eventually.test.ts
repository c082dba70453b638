import { describe, expect, test } from 'vitest';
import { waitDuration } from '../../lib/duration';
import { eventually } from '../../lib/eventually';
import type { Evidence } from '../../lib/evidence';

describe('a long wait on the console', () => {
  test('says how long it has waited and how long it may, not which attempt it is', async () => {
    const progress: string[] = [];
    const evidence = { progress: async (text: string) => void progress.push(text), note: async () => undefined } as unknown as Evidence;
    let calls = 0;
    await eventually(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('digest not sent yet');
      },
      { what: 'the digest arrives', timeoutMs: 30_000, intervalMs: 1, evidence },
    );
    expect(progress).toHaveLength(2);
    for (const line of progress) expect(line).toMatch(/^the digest arrives: not yet after \d+ s of 30 s \(digest not sent yet\)$/);
    expect(progress.join('\n')).not.toMatch(/attempt/);
  });

  test('minutes once seconds stop being easy to read', () => {
    expect(waitDuration(12_400)).toBe('12 s');
    expect(waitDuration(964_000)).toBe('16 min 4 s');
    expect(waitDuration(1_200_000)).toBe('20 min');
  });
});
