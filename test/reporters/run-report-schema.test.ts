import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../lib/project-root';
import { buildRun } from '../../reporters/build';
import { renderJson } from '../../reporters/render-json';
import { RUN_REPORT_SCHEMA_DOC, renderRunReportJsonSchema, runReportSchema } from '../../reporters/run-report-schema';
import type { RawTest } from '../../reporters/model';
import { greenTests, rawRun, rawTest } from './fixtures';

const golden = (name: string) => JSON.parse(readFileSync(path.join(import.meta.dirname, 'golden', `${name}.json`), 'utf8')) as unknown;

describe('the JSON Schema of the run document', () => {
  test(`${RUN_REPORT_SCHEMA_DOC} is the one generated from the zod schema (npm run docs:schema rewrites it)`, () => {
    expect(readFileSync(path.join(PROJECT_ROOT, RUN_REPORT_SCHEMA_DOC), 'utf8')).toBe(renderRunReportJsonSchema());
  });

  test.each(['go', 'no-go', 'incomplete'])('the %s golden document is valid against it, schemaVersion 1', (name) => {
    const doc = golden(name);
    expect(runReportSchema.safeParse(doc).error).toBeUndefined();
    expect(doc).toMatchObject({ schemaVersion: 1 });
  });

  test('a document with recorded check starts and every kind of evidence is valid', () => {
    const tests: RawTest[] = greenTests().map((t) => ({ ...t, startedAt: '2026-11-28T01:00:01.000Z', checkId: `x.${t.rows[0]}` }));
    tests.push(rawTest('smoke', 'failing', ['F.login'], 'failed', { evidence: [{ type: 'note', text: 'n' }] }));
    expect(runReportSchema.safeParse(JSON.parse(renderJson(buildRun(rawRun(tests))))).error).toBeUndefined();
  });

  test('refuses what it does not describe: a field of no name, a decision of no kind, a missing version', () => {
    const doc = golden('no-go') as Record<string, unknown>;
    expect(runReportSchema.safeParse({ ...doc, surprise: true }).success).toBe(false);
    expect(runReportSchema.safeParse({ ...doc, decision: 'MAYBE' }).success).toBe(false);
    expect(runReportSchema.safeParse({ ...doc, schemaVersion: undefined }).success).toBe(false);
  });
});
