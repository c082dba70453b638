import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { STEPS } from '../../lib/runbook/catalogue';
import { runHarness, summary, tempDir } from '../support/run-harness';
import { healthy, tinyTarget } from '../support/tiny-target';

const healthChecksOnly = ['--only=env', '-t', 'GET /healthz|GET /readyz'];
let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

describe('a run limited to the health checks', () => {
  test('against a healthy target, section C shows both bodies pasted and ticked', async () => {
    const target = await tinyTarget(healthy);
    close = target.close;
    const stepSummary = path.join(await tempDir('cutover-summary'), 'summary.md');
    await writeFile(stepSummary, 'earlier step output\n');
    const result = await runHarness([`--base-url=${target.url}`, ...healthChecksOnly], {
      env: { GITHUB_STEP_SUMMARY: stepSummary, GITHUB_ACTIONS: 'true' },
    });
    expect(result.code, summary(result)).toBe(0);
    // CI: the short summary (not the document: that is the artifact) is appended after what was there.
    const written = await readFile(stepSummary, 'utf8');
    expect(written).toMatch(/^earlier step output\n## Cutover local: INCOMPLETE\n/);
    expect(written).toMatch(/Document: `.*-local-go-no-go\.md` \(\+ `\.json`, `-junit\.xml`\)/);
    expect(written.length).toBeLessThan(result.markdown.length / 2);
    expect(result.stdout).not.toContain('::error');
    expect(result.junit).toContain('<testcase name="GET /healthz → 200 with { ok: true }"');
    const run = result.run!;
    // Only two checks ran: the document must not call that a GO.
    expect(run.decision).toBe('INCOMPLETE');
    const row = (id: string) => run.rows.find((r) => r.id === id)!;
    expect(row('C.healthz')).toMatchObject({ status: 'ticked', pastes: [{ text: 'HTTP 200\n{"ok":true}' }] });
    expect(row('C.readyz')).toMatchObject({ status: 'ticked', pastes: [{ text: 'HTTP 200\n{"ok":true,"db":true}' }] });
    expect(result.markdown).toContain('- /healthz (paste):\n  ```\n  HTTP 200\n  {"ok":true}\n  ```');
    expect(result.markdown).toContain('{"ok":true,"db":true}');
    expect(result.markdown).toContain('# Go/No-Go — local — INCOMPLETE');
  });

  test('with /readyz answering 503, the run stops there: exit 1, NO-GO naming step 2 and quoting its rollback plan', async () => {
    const target = await tinyTarget({ ...healthy, 'GET /readyz': () => ({ status: 503, body: { ok: false, db: false } }) });
    close = target.close;
    const result = await runHarness([`--base-url=${target.url}`, '--from=env', '-t', 'GET /healthz|GET /readyz'], {
      env: { GITHUB_ACTIONS: 'true' },
    });
    expect(result.code, summary(result)).toBe(1);
    // In GitHub Actions the failing check is also an annotation on the run.
    expect(result.stdout).toMatch(/^::error file=suites\/2-env\.test\.ts,title=Step 2 — 2\.readyz%3A GET \/readyz → 200 [^\n]*::.*503/m);
    const run = result.run!;
    expect(run.decision).toBe('NO-GO');
    expect(run.blocking).toMatchObject({ stepN: 2, check: 'GET /readyz → 200 with { ok: true, db: true }' });
    expect(run.blocking!.error).toContain('503');
    const rollback = STEPS[2]!.rollback;
    expect(run.blocking!.rollback).toBe(rollback);
    for (const line of rollback.split('\n')) expect(result.markdown).toContain(`> ${line}`);
    expect(result.markdown).toContain('Blocked at **Step 2 — Env validation (production gates)**');
    // The failing body is still pasted: it is the evidence.
    expect(run.rows.find((r) => r.id === 'C.readyz')).toMatchObject({
      status: 'failed',
      pastes: [{ text: 'HTTP 503\n{"ok":false,"db":false}' }],
    });
    const later = run.rows.filter((r) => STEPS.findIndex((s) => s.id === r.step) > 2);
    expect(later.length).toBeGreaterThan(10);
    for (const row of later) expect(row, row.id).toMatchObject({ status: 'not-run' });
    for (const step of run.steps.filter((s) => s.n > 2)) expect(step.note).toBe('stopped at Step 2 (first failure ends the run)');
    expect(result.markdown).toMatch(/- \[ \] `\/admin\/ops\/kpis` looks sane — NOT RUN \(stopped at Step 2/);
    expect(result.stdout).toContain('Decision: NO-GO');
    expect(result.stdout).toMatch(/Document: .*-local-go-no-go\.md/);
  });
});
