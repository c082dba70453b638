import { describe, expect, test } from 'vitest';
import { STEPS } from '../../lib/runbook/catalogue';
import { describeDatabaseUrl } from '../../lib/command/identity';
import { testDataPlan } from '../../lib/runner/test-data-plan';

const all = STEPS.map((s) => s.id);
const base = { steps: all, tagsFilter: [], baseUrl: 'https://staging.example.com', database: 'db.internal:5432/app', bucket: 'uploads' };

describe('the start-up plan says what test data the run writes', () => {
  test('a full run: where it is written, and for each step what and how it is cleaned up', () => {
    const lines = testDataPlan(base);
    expect(lines[0]).toBe(
      'test data: written on https://staging.example.com (database db.internal:5432/app, bucket uploads); readonly checks log in as the test accounts',
    );
    expect(lines.slice(1).map((l) => l.match(/^ {2}step (\d):/)?.[1])).toEqual(['2', '3', '4', '5', '6']);
    expect(lines.find((l) => l.startsWith('  step 3:'))).toMatch(/test upload .* → storage\.cleanup=delete removes the row/);
    expect(lines.find((l) => l.startsWith('  step 4:'))).toMatch(/→ kept in the target's processed-event record/);
  });

  test('a readonly pass writes no test data, and says so', () => {
    expect(testDataPlan({ ...base, tagsFilter: ['readonly'] })).toEqual([
      'test data: none (the selection runs no testdata check); readonly checks log in as the test accounts',
    ]);
    expect(testDataPlan({ ...base, tagsFilter: ['!testdata'] })[0]).toMatch(/^test data: none/);
  });

  test("only the selected steps, and Vitest's own tag expressions", () => {
    expect(
      testDataPlan({ ...base, steps: ['env', 'smoke'] })
        .slice(1)
        .map((l) => l.slice(0, 9)),
    ).toEqual(['  step 2:', '  step 5:']);
    expect(
      testDataPlan({ ...base, tagsFilter: ['step-3 || step-6'] })
        .slice(1)
        .map((l) => l.slice(0, 9)),
    ).toEqual(['  step 3:', '  step 6:']);
    expect(testDataPlan({ ...base, testNamePattern: 'upload' })[0]).toContain('-t may leave some of it out');
  });

  test('the database is named by host, port and name, never with its password', () => {
    expect(describeDatabaseUrl('postgres://app:s3cret@db.internal:6543/app?schema=x')).toBe('db.internal:6543/app (schema "x")');
    expect(describeDatabaseUrl(undefined)).toBe('');
    expect(describeDatabaseUrl('not a url')).toBe('');
  });
});
