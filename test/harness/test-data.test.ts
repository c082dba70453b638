import { describe, expect, test } from 'vitest';
import type { CheckResult } from '../../reporters/model';
import { onceOutputShows, runHarness, summary } from '../support/run-harness';

/**
 * A `--tags-filter=readonly` rehearsal is what an operator runs against production before the
 * window: it must write nothing and end without a failure, whatever the filter left out. A run
 * with test data must account for all of it in the document.
 */
describe('test data on a rehearsal target', () => {
  test('a readonly pass writes no test data, sends no write the target accepts but logins, and leaves dependents NOT RUN with the reason', async () => {
    const run = await runHarness(['--tags-filter=readonly']);
    const r = run.run!;
    expect(r, summary(run)).not.toBeNull();
    expect(run.code, summary(run)).toBe(0);
    expect(r.decision, summary(run)).toBe('INCOMPLETE');
    expect(r.counts.failed).toBe(0);

    // The plan said so before step 0.
    expect(run.stdout.split('▶ Step 0')[0]).toContain('test data: none (the selection runs no testdata check)');

    const checks: CheckResult[] = r.steps.flatMap((s) => s.checks);
    const ran = checks.filter((c) => c.state === 'passed' || c.state === 'failed');
    expect(ran.length).toBeGreaterThan(20);
    expect(ran.filter((c) => !c.tags.includes('readonly')).map((c) => c.name)).toEqual([]);

    // Every non-GET the target received from this run: a login, or a call it refused.
    const writes = ran.flatMap((c) =>
      c.evidence.flatMap((e) =>
        e.type === 'exchange' && e.method !== 'GET' && e.method !== 'HEAD' ? [`${e.method} ${new URL(e.url).pathname} → ${e.status}`] : [],
      ),
    );
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter((w) => !/^POST \/auth\/login → 200$/.test(w) && !/ → 4\d\d$/.test(w))).toEqual([]);
    expect(r.testData).toEqual({ left: [], kept: [] });
    expect(checks.flatMap((c) => c.evidence).filter((e) => e.type === 'testdata')).toEqual([]);

    // A readonly check that builds on a test-data check is NOT RUN, with the reason.
    const redirect = checks.find((c) => c.name.startsWith('GET /attachments/:id → 302'))!;
    expect(redirect.state).toBe('skipped');
    expect(redirect.notRun).toMatch(
      /^needs "new uploads: POST \/jobs\/:jobId\/attachments\/upload[^"]*" \(testdata\), which was left out of this run by the selection/,
    );
    expect(run.markdown).toContain(`- **NOT RUN** ${redirect.name}`);
    expect(run.markdown).toContain(`  - not run: ${redirect.notRun}`);
    expect(run.stdout).toContain(`↓ ${redirect.name}: NOT RUN (needs "new uploads:`);
    // And one left out by the filter says so too.
    const upload = checks.find((c) => c.name.startsWith('new uploads: POST'))!;
    expect(upload.notRun).toBe('left out of this run by the selection (--tags-filter / -t)');
  }, 300_000);

  test('without CUTOVER_TEST_JOB_ID the run is not refused: step 3 posts its own test job, uploads to it, and removes both', async () => {
    const run = await runHarness(['--only=storage'], { env: { CUTOVER_TEST_JOB_ID: undefined } });
    const r = run.run!;
    expect(run.stderr).not.toContain('CUTOVER_TEST_JOB_ID');
    expect(r, summary(run)).not.toBeNull();
    const checks: CheckResult[] = r.steps.flatMap((s) => s.checks);
    expect(checks.find((c) => c.checkId === '3.new-upload')?.state, summary(run)).toBe('passed');
    const jobRecords = checks
      .flatMap((c) => c.evidence)
      .flatMap((e) => (e.type === 'testdata' && e.what.startsWith('test job #') ? [`${e.state} ${e.what}`] : []));
    expect(jobRecords).toEqual([
      expect.stringMatching(
        /^created test job #\d+ "Cutover harness test job for the test upload \(run [^)]+\)" of the consumer test account$/,
      ),
      expect.stringMatching(/^removed test job #\d+ "Cutover harness test job for the test upload/),
    ]);
    expect(r.testData.left).toEqual([]);
  }, 300_000);

  // Cancelled mid-check, Vitest marks the check skipped at once while its code runs on beside the
  // suite's cleanup: what that check removed went unrecorded, and the document named an upload
  // or the test job as left on the target.
  test('Ctrl-C just after the test upload: the running check ends first, and the upload and its test job are removed and recorded', async () => {
    const at = onceOutputShows('✓ new uploads', (child) => child.kill('SIGINT'));
    const run = await runHarness(['--only=storage'], { env: { CUTOVER_TEST_JOB_ID: undefined }, onStdout: at.onStdout });
    expect(at.acted(), summary(run)).toBe(true);
    expect(run.code, summary(run)).toBe(1);
    expect(run.run!.reason).toContain('interrupted by SIGINT (Ctrl-C)');
    expect(run.run!.testData.left, summary(run)).toEqual([]);
    expect(run.markdown).not.toContain('## Test data left on the target');
  }, 300_000);

  test('a test-data run accounts for what it wrote: kept by design, and an upload it could not remove (its id unreadable)', async () => {
    const run = await runHarness(['--only=webhooks,smoke', '--fault=upload-without-id']);
    const r = run.run!;
    expect(run.code, summary(run)).toBe(1);
    expect(run.stdout.split('▶ Step 4')[0]).toMatch(
      /test data: written on http:\/\/127\.0\.0\.1:\d+ \(database [^)]*\)[^\n]*\n {2}step 4: synthetic Stripe events/,
    );
    expect(r.blocking?.check, summary(run)).toMatch(/^Attachment round trip/);
    // The resume hint, on the console and in the document alike, repeats the run's flags.
    const resume = run.stdout.match(/Resume after the fix: (npm test -- .*)$/m)?.[1];
    expect(resume, run.stdout).toMatch(/^npm test -- --env=local( --sha=[0-9a-f]+)? --from=5$/);
    expect(run.markdown).toContain(`Resume after the fix: \`${resume}\``);

    const kept = r.testData.kept.map((e) => `${e.stepN}: ${e.what}`);
    expect(kept.filter((k) => /^4: synthetic Stripe event evt_/.test(k)).length).toBeGreaterThanOrEqual(3);
    expect(kept).toContain('5: two refused logins (a wrong password for the consumer test account, an unknown example.com address)');
    expect(run.markdown).toContain('## Test data the target keeps');

    // The target took the upload but never said which row it is: listed, and the decision says so.
    expect(r.testData.left).toEqual([
      {
        stepN: 5,
        stepTitle: 'Smoke tests',
        what: expect.stringMatching(/^test upload cutover-harness-test-[\w-]+\.png on job \d+$/),
        detail: expect.stringMatching(/without saying its id/),
      },
    ]);
    expect(r.reason).toContain('1 item of test data could not be removed and is still on the target (see "Test data left on the target")');
    expect(run.markdown).toContain('## Test data left on the target');
    expect(run.stdout).toContain('could not be removed and is still on the target');
  }, 300_000);
});
