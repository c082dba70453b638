import { describe, expect, test } from 'vitest';
import type { CheckResult } from '../../reporters/model';
import { runHarness, summary } from '../support/run-harness';

/**
 * A `--tags-filter=readonly` rehearsal: what an operator runs against production before the
 * window. It must write nothing and end without a failure, whatever the filter left out.
 */
describe('a readonly pass', () => {
  test('writes no test data, sends no write the target accepts but logins, and leaves dependents NOT RUN with the reason', async () => {
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
      c.evidence.flatMap((e) => (e.type === 'exchange' && e.method !== 'GET' && e.method !== 'HEAD' ? [`${e.method} ${new URL(e.url).pathname} → ${e.status}`] : [])),
    );
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter((w) => !/^POST \/auth\/login → 200$/.test(w) && !/ → 4\d\d$/.test(w))).toEqual([]);
    expect(r.testData).toEqual({ left: [], kept: [] });
    expect(checks.flatMap((c) => c.evidence).filter((e) => e.type === 'testdata')).toEqual([]);

    // A readonly check that builds on a test-data check is NOT RUN, with the reason.
    const redirect = checks.find((c) => c.name.startsWith('GET /attachments/:id → 302'))!;
    expect(redirect.state).toBe('skipped');
    expect(redirect.notRun).toMatch(/^needs "new uploads: POST \/jobs\/:jobId\/attachments\/upload[^"]*" \(testdata\), which was left out of this run by the selection/);
    expect(run.markdown).toContain(`- **NOT RUN** ${redirect.name}`);
    expect(run.markdown).toContain(`  - not run: ${redirect.notRun}`);
    expect(run.stdout).toContain(`↓ ${redirect.name}: NOT RUN (needs "new uploads:`);
    // And one left out by the filter says so too.
    const upload = checks.find((c) => c.name.startsWith('new uploads: POST'))!;
    expect(upload.notRun).toBe('left out of this run by the selection (--tags-filter / -t)');
  }, 300_000);

  test('by contrast, the test-data checks of steps 4 and 5 account for what they write in the document', async () => {
    const run = await runHarness(['--only=webhooks,smoke']);
    const r = run.run!;
    expect(run.code, summary(run)).toBe(0);
    expect(run.stdout.split('▶ Step 4')[0]).toMatch(/test data: written on http:\/\/127\.0\.0\.1:\d+ \(database [^)]*\)[^\n]*\n {2}step 4: synthetic Stripe events/);
    expect(r.testData.left).toEqual([]);
    const kept = r.testData.kept.map((e) => `${e.stepN}: ${e.what}`);
    expect(kept.filter((k) => /^4: synthetic Stripe event evt_/.test(k)).length).toBeGreaterThanOrEqual(3);
    expect(kept).toContain('5: two refused logins (a wrong password for the consumer test account, an unknown example.com address)');
    expect(run.markdown).toContain('## Test data the target keeps');
    expect(run.markdown).not.toContain('## Test data left on the target');
    // The smoke upload was created and removed: evidence says both, the accounting lists neither.
    const upload = r.steps[5]!.checks.find((c) => c.name.startsWith('Attachment round trip'))!;
    expect(upload.evidence.filter((e) => e.type === 'testdata').map((e) => (e.type === 'testdata' ? e.state : ''))).toEqual(['created', 'removed']);
  }, 300_000);
});
