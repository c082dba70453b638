import type { TestCase } from 'vitest/node';
import { expect, test } from 'vitest';
import { ConsoleReporter } from '../../reporters/console-reporter';
import { Redactor } from '../../lib/secrets/redactor';

const check = (state: 'passed' | 'pending'): TestCase =>
  ({
    name: 'Migration status read from _prisma_migrations',
    module: { moduleId: '/repo/suites/1-migrations.test.ts' },
    result: () => ({ state, errors: [] }),
    annotations: () => [],
    diagnostic: () => ({ duration: 21 }),
    meta: () => ({ rows: [], started: true, checkId: '1.status-read' }),
  }) as unknown as TestCase;

test("a step's header is printed as its first check starts, once, and its results follow under it", () => {
  const lines: string[] = [];
  const reporter = new ConsoleReporter(new Redactor(), (line) => lines.push(line));
  reporter.onTestCaseReady(check('passed'));
  expect(lines).toEqual(['\n▶ Step 1 — Migrations (Prisma)']);
  reporter.onTestCaseResult(check('passed'));
  reporter.onTestCaseReady(check('passed'));
  expect(lines).toEqual(['\n▶ Step 1 — Migrations (Prisma)', '  ✓ Migration status read from _prisma_migrations (21 ms)']);
});

test('a step whose checks were never run (the run stopped earlier) gets no header', () => {
  const lines: string[] = [];
  new ConsoleReporter(new Redactor(), (line) => lines.push(line)).onTestCaseResult(check('pending'));
  expect(lines).toEqual([]);
});
