import type { RunResult } from './model';

const xml = (s: string) =>
  s
    // XML 1.0 cannot carry most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

/** Pure: RunResult -> JUnit XML, one testsuite per runbook step; steps not run appear as skipped. */
export function renderJunit(run: RunResult): string {
  const suites = run.steps.map((step) => {
    const name = `Step ${step.n} — ${step.title}`;
    const cases = step.checks.length
      ? step.checks.map((check) => {
          const attrs = `name="${xml(check.name)}" classname="${xml(name)}" time="${(check.durationMs / 1000).toFixed(3)}"`;
          if (check.state === 'failed') {
            const message = check.errors[0]?.split('\n')[0] ?? 'failed';
            return `    <testcase ${attrs}>\n      <failure message="${xml(message)}">${xml(check.errors.join('\n\n'))}</failure>\n    </testcase>`;
          }
          if (check.state !== 'passed') {
            const why = check.notApplicable ? `not applicable: ${check.notApplicable}` : check.skipNote ?? 'NOT RUN';
            return `    <testcase ${attrs}>\n      <skipped message="${xml(why)}"/>\n    </testcase>`;
          }
          return `    <testcase ${attrs}/>`;
        })
      : [`    <testcase name="${xml(`${name} (not run)`)}" classname="${xml(name)}" time="0">\n      <skipped message="${xml(`NOT RUN: ${step.note ?? ''}`)}"/>\n    </testcase>`];
    const failures = step.checks.filter((c) => c.state === 'failed').length;
    const skipped = step.checks.length ? step.checks.filter((c) => c.state !== 'passed' && c.state !== 'failed').length : 1;
    const tests = Math.max(step.checks.length, 1);
    return `  <testsuite name="${xml(name)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${(step.durationMs / 1000).toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const total = run.steps.reduce((n, s) => n + Math.max(s.checks.length, 1), 0);
  const abortCase = run.meta && run.decision === 'NO-GO' && !run.counts.failed
    ? `  <testsuite name="cutover run" tests="1" failures="1" errors="0" skipped="0" time="0">\n    <testcase name="the run completes" classname="cutover run" time="0">\n      <failure message="${xml(run.reason)}">${xml(run.reason)}</failure>\n    </testcase>\n  </testsuite>\n`
    : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="cutover ${xml(run.meta.env)}: ${run.decision}" tests="${total}" failures="${run.counts.failed}">\n` +
    `${suites.join('\n')}\n${abortCase}</testsuites>\n`
  );
}
