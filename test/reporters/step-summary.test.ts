import { describe, expect, test } from 'vitest';
import { STEPS } from '../../lib/runbook/catalogue';
import { buildRun } from '../../reporters/build';
import { renderAnnotations } from '../../reporters/render-annotations';
import { renderMarkdown } from '../../reporters/render-markdown';
import { actionsRunUrl, renderStepSummary } from '../../reporters/render-step-summary';
import { greenTests, rawRun, rawTest } from './fixtures';

const links = { document: 'reports/20261128T010500Z-staging-go-no-go.md', runUrl: 'https://github.com/acme/cutover/actions/runs/42' };

/** Step 5's healthz check fails with a multi-line message that carries a table pipe and a fence; the run stops there. */
function noGoRun() {
  const laterSteps = new Set(STEPS.filter((s) => s.n > 5).map((s) => s.id));
  const tests = greenTests()
    .filter((t) => !laterSteps.has(t.step))
    .map((t) =>
      t.rows[0] === 'F.healthz'
        ? { ...t, checkId: '5.healthz', state: 'failed' as const, errors: ['GET /healthz answered 503 | not ok\n```\n{"ok":false}\n```'] }
        : t,
    );
  return buildRun(rawRun(tests));
}

describe('the GitHub job summary', () => {
  test('GO: the decision, one table row per step with status and time, where the document is; nothing more', () => {
    const run = buildRun(rawRun(greenTests()));
    const summary = renderStepSummary(run, links);
    expect(summary).toContain('## Cutover staging: GO\n\n**GO**: ');
    expect(summary).toContain('| Step | Status | Time |');
    for (const step of run.steps)
      expect(summary).toContain(`| ${step.n} ${step.title} | PASSED | ${(step.durationMs / 1000).toFixed(1)} s |`);
    expect(summary).toContain(
      'Document: `reports/20261128T010500Z-staging-go-no-go.md` (+ `.json`, `-junit.xml`). The cutover workflows upload `reports/` as an artifact of [this run](https://github.com/acme/cutover/actions/runs/42#artifacts).',
    );
    expect(summary).not.toContain('Failing check');
    // The whole document is the artifact; the summary stays a screenful.
    expect(summary.split('\n').length).toBeLessThan(25);
    expect(renderMarkdown(run).split('\n').length).toBeGreaterThan(100);
  });

  test('NO-GO: the failing check by id and step, its message in one fence; later steps NOT RUN without a time', () => {
    const summary = renderStepSummary(noGoRun(), links);
    expect(summary).toContain('## Cutover staging: NO-GO');
    expect(summary).toMatch(
      /\*\*Failing check\*\* `5\.healthz` \(Step 5 — [^)]+\): proves F\.healthz\n\n````\nGET \/healthz answered 503 \| not ok\n```\n\{"ok":false\}\n```\n````/,
    );
    expect(summary).toMatch(/\| 5 [^|]+ \| FAILED \| \d+\.\d s \|/);
    expect(summary).toMatch(/\| 6 [^|]+ \| NOT RUN \| – \|/);
  });

  test('outside GitHub (no run URL) it says only where the document is', () => {
    const summary = renderStepSummary(buildRun(rawRun(greenTests())), { document: 'reports/x-go-no-go.md' });
    expect(summary).toContain('Document: `reports/x-go-no-go.md` (+ `.json`, `-junit.xml`).');
    expect(actionsRunUrl({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/cutover' })).toBeUndefined();
    expect(actionsRunUrl({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/cutover', GITHUB_RUN_ID: '42' })).toBe(
      links.runUrl,
    );
  });
});

describe('::error annotations', () => {
  test("one per failing check, in the workflow-command encoding Vitest's github-actions reporter uses", () => {
    expect(renderAnnotations(noGoRun())).toEqual([
      `::error file=suites/5-smoke.test.ts,title=Step 5 — 5.healthz%3A proves F.healthz::GET /healthz answered 503 | not ok%0A\`\`\`%0A{"ok":false}%0A\`\`\``,
    ]);
  });

  test('none for a passing run; a run stopped outside any check gets one for its reason', () => {
    expect(renderAnnotations(buildRun(rawRun(greenTests())))).toEqual([]);
    const aborted = buildRun(rawRun([rawTest('preflight', 'sha', ['A.rc-sha'])], { abort: 'interrupted by SIGINT (Ctrl-C), 100% sure' }));
    const [line, ...rest] = renderAnnotations(aborted);
    expect(rest).toEqual([]);
    expect(line).toMatch(
      /^::error file=suites\/\d-[a-z-]+\.test\.ts,title=Step \d — [^:]+::.*interrupted by SIGINT \(Ctrl-C\), 100%25 sure/,
    );
  });
});
