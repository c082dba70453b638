import { expect, test } from 'vitest';
import { STEPS } from '../../lib/runbook/catalogue';
import { checkIdProblem } from '../../lib/suite';

const smoke = STEPS.find((s) => s.id === 'smoke')!;

test("a check id is its own step's number, a dot and a lowercase name", () => {
  expect(checkIdProblem('5.healthz', smoke, new Set())).toBeNull();
  expect(checkIdProblem('5.attachment-round-trip', smoke, new Set())).toBeNull();
  // Faults name the check they break by id and the coverage test holds each to its step: an id
  // prefixed by another step would let a check claim the wrong step's fault.
  expect(checkIdProblem('2.healthz', smoke, new Set())).toMatch(/must be "5\.<lowercase-name>": it is declared in Step 5/);
  expect(checkIdProblem('healthz', smoke, new Set())).toMatch(/must be "5\./);
  expect(checkIdProblem('5.', smoke, new Set())).toMatch(/must be "5\./);
  expect(checkIdProblem('5.Healthz', smoke, new Set())).toMatch(/must be "5\./);
  expect(checkIdProblem('55.healthz', smoke, new Set())).toMatch(/must be "5\./);
});

test('a check id is declared once', () => {
  expect(checkIdProblem('5.healthz', smoke, new Set(['5.healthz']))).toBe('check id "5.healthz" is declared twice in Step 5');
});
