import { describe, expect, test } from 'vitest';
import { harnessMessage } from '../../reporters/error-text';

/** A real assertion error, as Vitest hands it to the reporters. */
function assertionError(run: () => void): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the assertion passed');
}

describe("a failed check's message", () => {
  test("keeps the harness's sentence and loses chai's value dump", () => {
    const error = assertionError(() => expect(['GET /admin'], 'routes answered without attestation: GET /admin').toEqual([]));
    expect(error.message).toContain('to deeply equal');
    expect(harnessMessage(error)).toBe('routes answered without attestation: GET /admin');
  });

  test('loses a "- Expected + Received" block and colour codes', () => {
    const message = '\u001b[31mwebhook secret not rotated\u001b[39m\n\n- Expected\n+ Received\n\n- "a"\n+ "b"';
    expect(harnessMessage({ name: 'AssertionError', message })).toBe('webhook secret not rotated');
  });

  test("an assertion without a message of its own keeps chai's sentence", () => {
    const error = assertionError(() => expect(1).toBe(2));
    expect(harnessMessage(error)).toBe('expected 1 to be 2 // Object.is equality');
  });

  test("the harness's own errors are left whole, ': expected' in them included", () => {
    const message = 'health: expected 200 to be the status, got 503\nsecond line';
    expect(harnessMessage({ name: 'Error', message })).toBe(message);
  });
});
