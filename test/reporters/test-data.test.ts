import { describe, expect, test } from 'vitest';
import type { TestDataRecord } from '../../lib/evidence';
import { buildRun } from '../../reporters/build';
import type { EvidenceItem, RawTest } from '../../reporters/model';
import { renderMarkdown } from '../../reporters/render-markdown';
import { greenTests, rawRun } from './fixtures';

const record = (r: TestDataRecord): EvidenceItem => ({ type: 'testdata', ...r });
const upload = { key: 'upload:u.png', what: 'test upload u.png (attachment #7 on job 1)' };
const event = { key: 'webhook-event:evt_1', what: 'synthetic Stripe event evt_1' };

/** The green run, with test data records added to the first check of a step. */
function withRecords(step: RawTest['step'], records: TestDataRecord[]): RawTest[] {
  const tests = greenTests();
  const first = tests.find((t) => t.step === step)!;
  first.evidence = records.map(record);
  return tests;
}

describe('test data in the document', () => {
  test('created then removed: nothing is listed, the GO reason says nothing about test data', () => {
    const run = buildRun(
      rawRun(
        withRecords('storage', [
          { ...upload, state: 'created' },
          { ...upload, state: 'removed' },
        ]),
      ),
    );
    expect(run.testData).toEqual({ left: [], kept: [] });
    expect(run.decision).toBe('GO');
    expect(renderMarkdown(run)).not.toContain('Test data left on the target');
  });

  test("a failed cleanup is listed under its own heading with why, and the decision's reason says so", () => {
    const run = buildRun(
      rawRun(
        withRecords('storage', [
          { ...upload, state: 'created' },
          { ...upload, state: 'left', detail: 'removing it failed: timeout' },
        ]),
      ),
    );
    expect(run.testData.left).toEqual([
      { stepN: 3, stepTitle: expect.any(String), what: upload.what, detail: 'removing it failed: timeout' },
    ]);
    expect(run.reason).toMatch(
      /1 item of test data could not be removed and is still on the target \(see "Test data left on the target"\)/,
    );
    const md = renderMarkdown(run);
    expect(md).toContain('## Test data left on the target');
    expect(md).toContain(`- Step 3 — ${run.steps[3]!.title}: ${upload.what} — removing it failed: timeout`);
  });

  test('a resource whose id could not be read (left at once) is listed', () => {
    const run = buildRun(
      rawRun(
        withRecords('smoke', [
          {
            key: 'upload:x.png',
            what: 'test upload x.png on job 1',
            state: 'left',
            detail: 'the target took it (201) without saying its id',
          },
        ]),
      ),
    );
    expect(run.testData.left.map((e) => e.what)).toEqual(['test upload x.png on job 1']);
  });

  test('created and never removed (the run stopped first) counts as left', () => {
    const run = buildRun(rawRun(withRecords('features', [{ ...upload, state: 'created' }]), { abort: 'interrupted by SIGINT (Ctrl-C)' }));
    expect(run.testData.left).toMatchObject([{ what: upload.what, detail: expect.stringMatching(/stopped before its cleanup/) }]);
    expect(run.reason).toMatch(/^the run did not finish: .*; 1 item of test data could not be removed/);
  });

  test("an afterAll's record (reported with the suite) settles what a check created", () => {
    const tests = withRecords('features', [{ ...upload, state: 'created' }]);
    const removed = buildRun(rawRun(tests, { suiteTestData: [{ step: 'features', records: [{ ...upload, state: 'removed' }] }] }));
    expect(removed.testData.left).toEqual([]);
    const failed = buildRun(
      rawRun(tests, { suiteTestData: [{ step: 'features', records: [{ ...upload, state: 'left', detail: 'DELETE failed' }] }] }),
    );
    expect(failed.testData.left).toMatchObject([{ stepN: 6, detail: 'DELETE failed' }]);
  });

  test('test data kept by design is listed apart and does not count as left', () => {
    const run = buildRun(rawRun(withRecords('webhooks', [{ ...event, state: 'kept', detail: 'the replay guard needs it' }])));
    expect(run.testData).toEqual({
      left: [],
      kept: [{ stepN: 4, stepTitle: expect.any(String), what: event.what, detail: 'the replay guard needs it' }],
    });
    expect(run.decision).toBe('GO');
    expect(renderMarkdown(run)).toContain('## Test data the target keeps');
  });
});

describe('checks that did not run because another did not', () => {
  test('NOT RUN with the reason in the evidence, counted as not run, never as failed', () => {
    const tests = greenTests();
    const reason = 'needs "new uploads" (testdata), which was left out of this run by the selection (--tags-filter / -t)';
    tests.push({
      ...tests.find((t) => t.step === 'storage')!,
      name: 'signed URL expiry',
      state: 'skipped',
      notRun: reason,
      rows: ['D.signed-url'],
    });
    const run = buildRun(rawRun(tests));
    expect(run.counts).toMatchObject({ failed: 0, notRun: 1 });
    expect(run.decision).toBe('INCOMPLETE');
    const md = renderMarkdown(run);
    expect(md).toContain('- **NOT RUN** signed URL expiry');
    expect(md).toContain(`  - not run: ${reason}`);
  });
});
