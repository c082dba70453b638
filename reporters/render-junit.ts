import type { CheckResult, RunResult, StepResult } from './model';

/** An XML element: the document is built as a tree, and every total is counted from it. */
interface Element {
  name: string;
  attrs: Record<string, string | number>;
  children?: Element[];
  text?: string;
}

const escape = (s: string) =>
  s
    // XML 1.0 cannot carry most control characters, even escaped.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

function serialize(el: Element, depth = 0): string {
  const pad = '  '.repeat(depth);
  const attrs = Object.entries(el.attrs)
    .map(([k, v]) => ` ${k}="${escape(String(v))}"`)
    .join('');
  if (el.children?.length)
    return `${pad}<${el.name}${attrs}>\n${el.children.map((c) => serialize(c, depth + 1)).join('')}${pad}</${el.name}>\n`;
  if (el.text !== undefined) return `${pad}<${el.name}${attrs}>${escape(el.text)}</${el.name}>\n`;
  return `${pad}<${el.name}${attrs}/>\n`;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);
const outcome = (testcase: Element, kind: 'failure' | 'skipped') => testcase.children?.some((c) => c.name === kind) ?? false;

function testcase(name: string, classname: string, ms: number, result?: Element): Element {
  return { name: 'testcase', attrs: { name, classname, time: seconds(ms) }, children: result ? [result] : [] };
}

/** A suite whose counts are its children's. */
function testsuite(name: string, ms: number, cases: Element[]): Element {
  return {
    name: 'testsuite',
    attrs: {
      name,
      tests: cases.length,
      failures: cases.filter((c) => outcome(c, 'failure')).length,
      errors: 0,
      skipped: cases.filter((c) => outcome(c, 'skipped')).length,
      time: seconds(ms),
    },
    children: cases,
  };
}

function checkCase(check: CheckResult, suite: string): Element {
  if (check.state === 'failed') {
    const message = check.errors[0]?.split('\n')[0] ?? 'failed';
    return testcase(check.name, suite, check.durationMs, { name: 'failure', attrs: { message }, text: check.errors.join('\n\n') });
  }
  if (check.state !== 'passed') {
    const why = check.notApplicable ? `not applicable: ${check.notApplicable}` : (check.skipNote ?? 'NOT RUN');
    return testcase(check.name, suite, check.durationMs, { name: 'skipped', attrs: { message: why } });
  }
  return testcase(check.name, suite, check.durationMs);
}

function stepSuite(step: StepResult): Element {
  const name = `Step ${step.n} — ${step.title}`;
  const cases = step.checks.length
    ? step.checks.map((check) => checkCase(check, name))
    : [testcase(`${name} (not run)`, name, 0, { name: 'skipped', attrs: { message: `NOT RUN: ${step.note ?? ''}` } })];
  return testsuite(name, step.durationMs, cases);
}

/**
 * Pure: RunResult -> JUnit XML, one testsuite per runbook step; steps not run appear as
 * skipped. A NO-GO that no check failed (interrupted, crashed) is one failing case of its own,
 * so CI never shows a green JUnit for a run that did not finish.
 */
export function renderJunit(run: RunResult): string {
  const suites = run.steps.map(stepSuite);
  if (run.decision === 'NO-GO' && !run.counts.failed) {
    suites.push(
      testsuite('cutover run', 0, [
        testcase('the run completes', 'cutover run', 0, { name: 'failure', attrs: { message: run.reason }, text: run.reason }),
      ]),
    );
  }
  const sum = (attr: 'tests' | 'failures' | 'skipped') => suites.reduce((n, s) => n + Number(s.attrs[attr]), 0);
  const root: Element = {
    name: 'testsuites',
    attrs: {
      name: `cutover ${run.meta.env}: ${run.decision}`,
      tests: sum('tests'),
      failures: sum('failures'),
      errors: 0,
      skipped: sum('skipped'),
    },
    children: suites,
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(root)}`;
}
