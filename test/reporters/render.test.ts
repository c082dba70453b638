import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { buildRun } from '../../reporters/build';
import { fence, renderMarkdown } from '../../reporters/render-markdown';
import { renderJunit } from '../../reporters/render-junit';
import { ROOT } from '../support/run-harness';
import { STEPS } from '../../lib/runbook/catalogue';
import { greenTests, rawRun, rawTest } from './fixtures';

describe('the Go/No-Go document', () => {
  test('is laid out like the runbook checklist: sections A to H in order, then the decision', () => {
    const md = renderMarkdown(buildRun(rawRun(greenTests())));
    const headings = [...md.matchAll(/^### ([A-H])\) /gm)].map((m) => m[1]);
    expect(headings).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
    const decision = md.indexOf('### GO / NO-GO');
    expect(decision).toBeGreaterThan(md.indexOf('### H) '));
    expect(md.slice(decision)).toContain(
      '- Decision: **GO**\n- Owner: `ops`\n- Timestamp (UTC): `2026-11-28T01:05:00.000Z`\n- RC SHA: `abc1234`',
    );
    for (const step of STEPS) for (const row of step.rows.filter((r) => r.kind !== 'paste')) expect(md).toContain(`- [x] ${row.label}`);
  });

  test('ticks only proven rows and says why the others are open', () => {
    const tests = [
      rawTest('preflight', 'sha', ['A.rc-sha'], 'passed', { evidence: [{ type: 'value', row: 'A.rc-sha', text: 'abc1234' }] }),
      rawTest('preflight', 'ci', ['A.ci-green'], 'failed'),
    ];
    const md = renderMarkdown(buildRun(rawRun(tests)));
    expect(md).toContain('- [x] RC commit SHA: `abc1234`');
    expect(md).toContain('- [ ] CI green on SHA (link): `__________` — **FAILED**: ci: ci broke');
    expect(md).toContain('- [ ] DB backup/snapshot completed (timestamp): `__________` — NOT RUN');
    expect(md).toMatch(/- \[ \] Stripe endpoint secret rotated — NOT RUN \(stopped at Step 0/);
    expect(md).toContain('# Go/No-Go — staging — NO-GO');
  });

  test('manual rows show who confirmed them and when', () => {
    const tests = greenTests().map((t) =>
      t.rows[0] === 'E.secret-rotated'
        ? { ...t, evidence: [{ type: 'confirmed' as const, row: 'E.secret-rotated', by: 'dana', at: '2026-11-28T01:02:00Z', how: 'flag' }] }
        : t,
    );
    expect(renderMarkdown(buildRun(rawRun(tests)))).toContain(
      '- [x] Stripe endpoint secret rotated — confirmed by dana at 2026-11-28T01:02:00Z (flag)',
    );
  });

  test('pasted output cannot break out of its code block', () => {
    expect(fence('a ``` b')).toBe('````\na ``` b\n````');
    const tests = greenTests().map((t) =>
      t.rows[0] === 'B.output' ? { ...t, evidence: [{ type: 'paste' as const, row: 'B.output', text: '```\n# injected heading' }] } : t,
    );
    const md = renderMarkdown(buildRun(rawRun(tests)));
    expect(md).toContain('  ````\n  ```\n  # injected heading\n  ````');
  });

  test('is a pure function of the results: another process (other pid, time, zone, locale, owner) renders the same bytes', () => {
    const run = buildRun(rawRun(greenTests()));
    // A second process, so nothing of this one (pid, clock, env, module state) can hide in it.
    const script = `
      import { readFileSync } from 'node:fs';
      import { renderMarkdown } from './reporters/render-markdown.ts';
      import { renderJunit } from './reporters/render-junit.ts';
      const run = JSON.parse(readFileSync(0, 'utf8'));
      process.stdout.write(JSON.stringify({ md: renderMarkdown(run), junit: renderJunit(run) }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      input: JSON.stringify(run),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, TZ: 'Pacific/Kiritimati', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8', CUTOVER_OWNER: 'someone else' },
    });
    const other = JSON.parse(out) as { md: string; junit: string };
    expect(other.md).toBe(renderMarkdown(run));
    expect(other.junit).toBe(renderJunit(run));
  });
});

describe('JUnit', () => {
  test('one suite per step; failures carry the error; steps that did not run are skipped cases', () => {
    const xml = renderJunit(
      buildRun(rawRun([rawTest('preflight', 'sha <ok> & "fine"', ['A.rc-sha']), rawTest('preflight', 'ci', ['A.ci-green'], 'failed')])),
    );
    expect(xml.match(/<testsuite /g)).toHaveLength(8);
    expect(xml).toContain('name="sha &lt;ok&gt; &amp; &quot;fine&quot;"');
    expect(xml).toContain('<failure message="ci broke">ci broke</failure>');
    expect(xml).toContain('<skipped message="NOT RUN: stopped at Step 0 (first failure ends the run)"/>');
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="cutover staging: NO-GO" tests="9" failures="1" errors="0" skipped="7">/,
    );
  });

  test('the totals are counted from the cases: an interrupted run is never "failures=0" around a failing case', () => {
    const tests = [
      rawTest('preflight', 'sha', ['A.rc-sha']),
      rawTest('preflight', 'ci', ['A.ci-green']),
      rawTest('migrations', 'status', ['B.status'], 'pending'),
    ];
    const xml = renderJunit(buildRun(rawRun(tests, { abort: 'interrupted by SIGINT (Ctrl-C)' })));
    const count = (pattern: RegExp) => (xml.match(pattern) ?? []).length;
    const cases = count(/<testcase /g);
    const failures = count(/<failure /g);
    const skipped = count(/<skipped /g);
    expect(failures).toBe(1);
    expect(xml).toMatch(/<failure message="[^"]*interrupted by SIGINT \(Ctrl-C\)"/);
    expect(xml).toContain(
      `<testsuites name="cutover staging: NO-GO" tests="${cases}" failures="${failures}" errors="0" skipped="${skipped}">`,
    );
    // Each suite's own counts are its cases'.
    for (const suite of xml.split('<testsuite ').slice(1)) {
      const body = suite.slice(0, suite.indexOf('</testsuite>'));
      expect(body).toContain(`tests="${(body.match(/<testcase /g) ?? []).length}" failures="${(body.match(/<failure /g) ?? []).length}"`);
    }
  });
});
