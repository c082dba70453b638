// Golden files: the Markdown, JSON and JUnit a GO, a NO-GO and an INCOMPLETE run render to,
// compared byte for byte with test/reporters/golden/. A change to any renderer, to the build of
// the decision or to the runbook's text shows up here as a diff to read.
//
// When the change is meant: `UPDATE_GOLDEN=1 npx vitest run --config test/vitest.config.ts
// test/reporters/golden.test.ts` rewrites the files; read their diff before committing it.
//
// The inputs fix everything a real run takes from the clock or the machine (run id, times,
// durations, owner), so the files are the same wherever the test runs.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { findRow } from '../../lib/runbook/catalogue';
import { buildRun } from '../../reporters/build';
import type { EvidenceItem, RawRun, RawTest } from '../../reporters/model';
import { renderJson } from '../../reporters/render-json';
import { renderJunit } from '../../reporters/render-junit';
import { renderMarkdown } from '../../reporters/render-markdown';
import { greenTests, rawRun } from './fixtures';

const GOLDEN_DIR = path.join(import.meta.dirname, 'golden');

const value = (row: string, text: string): EvidenceItem => ({ type: 'value', row, text });
const paste = (row: string, text: string, title?: string): EvidenceItem => ({ type: 'paste', row, text, ...(title ? { title } : {}) });

/** What a real run records: a value for every blank, a paste for every paste row, and the other kinds once. */
const EVIDENCE_BY_ROW: Record<string, EvidenceItem[]> = {
  'A.rc-sha': [value('A.rc-sha', 'abc1234')],
  'A.ci-green': [value('A.ci-green', 'https://github.com/acme/app/actions/runs/123456')],
  'A.backup': [value('A.backup', '2026-11-28T00:40:00Z (snapshot snap-0a1b2c)')],
  'B.status': [paste('B.status', 'applied: 20261101_init, 20261110_attachments, 20261120_digest\npending: none')],
  'B.output': [paste('B.output', '3 migrations found in prisma/migrations\n\nDatabase schema is up to date!', 'npx prisma migrate status')],
  'C.readiness': [paste('C.readiness', 'readiness: 14 checks, 14 ok')],
  'C.healthz': [paste('C.healthz', 'HTTP 200\n{"ok":true}')],
  'C.readyz': [
    {
      type: 'exchange',
      method: 'GET',
      url: 'https://staging.example.com/readyz',
      status: 200,
      durationMs: 18,
      at: '2026-11-28T01:01:10.000Z',
      responseExcerpt: '{"ok":true,"db":true}',
    },
    paste('C.readyz', 'HTTP 200\n{"ok":true,"db":true}'),
  ],
  'D.output': [paste('D.output', 'dry run: 20 rows would move\nmigrated 200 of 200 rows (0 failed)')],
  'E.secret-rotated': [{ type: 'confirmed', row: 'E.secret-rotated', by: 'dana', at: '2026-11-28T01:02:00Z', how: '--confirm-manual' }],
  'E.delivery-status': [value('E.delivery-status', 'delivered (HTTP 200)')],
  'E.payments-health': [paste('E.payments-health', 'HTTP 200\n{"ok":true,"stripe":"reachable"}')],
  'F.login': [
    {
      type: 'testdata',
      key: 'login:qa',
      what: 'a failed-login record for qa@example.com',
      state: 'kept',
      detail: 'the target records every failed login',
    },
  ],
  'F.notes': [paste('F.notes', 'healthz 200, readyz 200, login 200, webhook 200, attachment 302')],
  'G.worker-running': [{ type: 'note', text: 'the INSTANT provider got job.match 4 s after the job was created' }],
  'H.sentry': [{ type: 'measure', name: 'new Sentry issues', value: 0, threshold: '≤ 0', ok: true }],
};

/**
 * Every row proven by one passing check named like the row, with its evidence; `change`
 * rewrites the check of one row.
 */
function checks(change: Record<string, Partial<RawTest>> = {}): RawTest[] {
  let clock = Date.parse(rawRun([]).meta.startedAt) + 1_500;
  return greenTests().map((t, i) => {
    const id = t.rows[0]!;
    // A check changed here did not pass, so it recorded only what `change` gives it.
    const check = { ...t, name: findRow(id).row.label, evidence: change[id] ? [] : (EVIDENCE_BY_ROW[id] ?? []), ...change[id] };
    if (check.state !== 'passed' && check.state !== 'failed') return check;
    // Times like a real run's, for the timeline: each check starts just after the one before it ends.
    const durationMs = 300 + ((i * 3_571) % 9_000);
    const timed = { ...check, startedAt: new Date(clock).toISOString(), durationMs };
    clock += durationMs + 40;
    return timed;
  });
}

const STEP_3 = ['preflight', 'migrations', 'env', 'storage'];

const RUNS: Record<string, { decision: string; raw: RawRun }> = {
  go: {
    decision: 'GO',
    raw: rawRun(
      checks({
        'G.attestation-applied': {
          state: 'skipped',
          notApplicable: 'APP_ATTESTATION_ENFORCE is off for staging (features.attestation.enforce=false)',
        },
      }),
      { meta: { ...rawRun([]).meta, notes: ['Stripe and the email provider are the real services'] } },
    ),
  },
  // Fails at step 3 and bail stops the run there: the rest of step 3 is pending, later steps never start.
  'no-go': {
    decision: 'NO-GO',
    raw: rawRun(
      checks({
        'D.signed-url': {
          state: 'failed',
          errors: ['GET /attachments/42 answered 500, expected 302 to a signed URL\nbody: {"error":"NoSuchBucket"}'],
          evidence: [
            {
              type: 'testdata',
              key: 'upload:golden.png',
              what: 'uploads/golden.png in the bucket',
              state: 'left',
              detail: 'DELETE answered 403',
            },
          ],
        },
        'D.legacy': { state: 'pending', durationMs: 0 },
        'D.output': { state: 'pending', durationMs: 0 },
      }).filter((t) => STEP_3.includes(t.step)),
      // Bail ends it soon after the failure.
      { meta: { ...rawRun([]).meta, finishedAt: '2026-11-28T01:00:52.000Z' } },
    ),
  },
  incomplete: {
    decision: 'INCOMPLETE',
    raw: rawRun(
      checks({
        'D.signed-url': {
          state: 'skipped',
          durationMs: 0,
          notRun: 'needs "new uploads are object-storage backed", which was left out by the selection',
        },
      }),
    ),
  },
};

function matchesGolden(file: string, actual: string): void {
  const golden = path.join(GOLDEN_DIR, file);
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden, actual);
  expect(actual, `${file} differs from test/reporters/golden/${file} (UPDATE_GOLDEN=1 rewrites it, if the change is meant)`).toBe(
    readFileSync(golden, 'utf8'),
  );
}

describe.each(Object.entries(RUNS))('the %s run', (name, { decision, raw }) => {
  const run = buildRun(raw);

  // Otherwise a fixture that drifted would be rewritten as the golden file of another decision.
  test(`is ${decision}`, () => expect(run.decision).toBe(decision));
  test('renders its golden Markdown', () => matchesGolden(`${name}.md`, renderMarkdown(run)));
  test('renders its golden JSON', () => matchesGolden(`${name}.json`, renderJson(run)));
  test('renders its golden JUnit', () => matchesGolden(`${name}.junit.xml`, renderJunit(run)));
});
