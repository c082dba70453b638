import { describe, expect, test } from 'vitest';
import { progressLine } from '../../lib/progress';

describe('a long batch on the console', () => {
  test('n/N, the rate and the time left', () => {
    expect(progressLine(40, 120, 8_000)).toBe('40/120, 5.0/s, ETA 16 s');
    expect(progressLine(30, 9_030, 10_000)).toBe('30/9030, 3.0/s, ETA 50 min');
  });

  test('no ETA once done, nor before anything is', () => {
    expect(progressLine(120, 120, 8_000)).toBe('120/120, 15.0/s');
    expect(progressLine(0, 120, 0)).toBe('0/120, 0.0/s');
  });
});
