// --from carries the earlier steps over with the evidence of the run that proved them: step 1's
// paste is the migrate deploy output of the run that applied the migrations, not "not run" from
// a later run that found nothing left to apply.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { StepId } from '../../lib/runbook/catalogue';
import { carryOver } from '../../lib/runner/carry';
import { buildRun } from '../../reporters/build';
import type { RawRun } from '../../reporters/model';
import { renderJson } from '../../reporters/render-json';
import { renderMarkdown } from '../../reporters/render-markdown';
import { rawRun, rawTest } from '../reporters/fixtures';

const SHA = 'abc1234';
const DEPLOY_OUTPUT =
  '2 migrations found in prisma/migrations\nApplying migration `20261120_digest`\nAll migrations have been successfully applied.';
const NOT_RUN = 'migrate deploy not run (not asked for: --apply=migrations)\n\nStatus: nothing pending.';

let dir = '';
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A run of steps 0 to 2 whose step 1 pasted `output`; `failAt` fails a check of that step. */
function run(finishedAt: string, output: string, applied: StepId[] | undefined, failAt?: StepId): RawRun {
  const steps: StepId[] = ['preflight', 'migrations', 'env'];
  const raw = rawRun(
    [
      rawTest('preflight', 'backup', ['A.backup']),
      rawTest(
        'migrations',
        'npm run migrate:deploy: nothing left pending or failed',
        ['B.output'],
        failAt === 'migrations' ? 'failed' : 'passed',
        {
          evidence: [{ type: 'paste', row: 'B.output', text: output }],
        },
      ),
      rawTest('env', 'GET /readyz', ['C.readyz'], failAt === 'env' ? 'failed' : 'passed'),
    ],
    { selected: steps },
  );
  return { ...raw, meta: { ...raw.meta, rcSha: SHA, finishedAt, ...(applied ? { applied } : {}) } };
}

async function documents(...runs: RawRun[]): Promise<string[]> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cutover-carry-'));
  const files: string[] = [];
  for (const raw of runs) {
    const file = `${raw.meta.finishedAt.replace(/[-:.]/g, '')}-staging-go-no-go.json`;
    await writeFile(path.join(dir, file), renderJson(buildRun(raw)));
    files.push(file);
  }
  return files;
}

/** The resumed run's document (--from=3): steps 0 to 2 carried, step 3 passing. */
async function resumed(): Promise<{ markdown: string; from: Partial<Record<StepId, string>> }> {
  const carried = await carryOver(dir, 'staging', SHA, ['preflight', 'migrations', 'env']);
  const raw = rawRun([rawTest('storage', 'new uploads', ['D.new-uploads'])], { selected: ['storage'], carried });
  const from = Object.fromEntries(Object.entries(carried).map(([id, c]) => [id, c!.from]));
  return { markdown: renderMarkdown(buildRun({ ...raw, meta: { ...raw.meta, rcSha: SHA } })), from };
}

describe('--from carries each step from the run that proved it', () => {
  test('a run applies the migrations and stops later; the resumed document pastes its deploy output', async () => {
    const [first] = await documents(run('2026-11-28T01:00:00.000Z', DEPLOY_OUTPUT, ['preflight', 'migrations'], 'env'));
    const { markdown, from } = await resumed();
    expect(from).toEqual({ preflight: first, migrations: first });
    expect(markdown).toContain(DEPLOY_OUTPUT.split('\n')[0]);
    expect(markdown).toContain(`_(carried over from ${first})_`);
  });

  test('a later run that found nothing to apply does not replace the deploy output of the run that applied it', async () => {
    const [applying, later] = await documents(
      run('2026-11-28T01:00:00.000Z', DEPLOY_OUTPUT, ['preflight', 'migrations'], 'env'),
      run('2026-11-28T02:00:00.000Z', NOT_RUN, []),
    );
    const { markdown, from } = await resumed();
    expect(from).toEqual({ preflight: applying, migrations: applying, env: later });
    expect(markdown).toContain('All migrations have been successfully applied.');
    expect(markdown).not.toContain('migrate deploy not run');
  });

  test('a run in between that failed the step ends the search: nothing older is carried for it', async () => {
    await documents(
      run('2026-11-28T01:00:00.000Z', DEPLOY_OUTPUT, ['migrations']),
      run('2026-11-28T02:00:00.000Z', 'P3009: a failed migration', [], 'migrations'),
    );
    const { from } = await resumed();
    expect(from.migrations).toBeUndefined();
  });

  test('documents written before runs recorded what they applied carry as before: the newest that ran the step', async () => {
    const [, newer] = await documents(
      run('2026-11-28T01:00:00.000Z', DEPLOY_OUTPUT, undefined),
      run('2026-11-28T02:00:00.000Z', NOT_RUN, undefined),
    );
    const { from } = await resumed();
    expect(from.migrations).toBe(newer);
  });
});
