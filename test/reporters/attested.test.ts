// A row that passes on the operator's word (the deployed SHA where the target exposes none, a
// provider snapshot) must not read as verified anywhere: the console says what the document says.
import type { TestCase } from 'vitest/node';
import { describe, expect, test } from 'vitest';
import { Evidence } from '../../lib/evidence';
import { attestedNotVerified, decode } from '../../lib/evidence-codec';
import { Redactor } from '../../lib/secrets/redactor';
import { buildRun } from '../../reporters/build';
import { ConsoleReporter } from '../../reporters/console-reporter';
import { renderMarkdown } from '../../reporters/render-markdown';
import { toRawTest } from '../../reporters/vitest-adapter';
import { greenTests, rawRun } from './fixtures';

const NAME = 'RC commit SHA identified, and the deployed build is that commit';
const WHAT = 'the deployed build is abc1234: the target exposes no build SHA';

/** What the suite records for an attested SHA, as the annotations Vitest hands the reporters. */
async function attestedCheck(): Promise<TestCase> {
  const annotations: { type: string; message: string; attachment?: { body?: unknown } }[] = [];
  const evidence = new Evidence(
    async (message, type, attachment) => annotations.push({ message, type: type!, attachment }),
    new Redactor(),
  );
  await evidence.value('A.rc-sha', 'abc1234 (operator-attested: the target exposes no build SHA)');
  await evidence.attested('A.rc-sha', WHAT);
  return {
    name: NAME,
    module: { moduleId: '/repo/suites/0-preflight.test.ts' },
    result: () => ({ state: 'passed', errors: [] }),
    annotations: () => annotations,
    diagnostic: () => ({ duration: 3 }),
    meta: () => ({ rows: ['A.rc-sha'], started: true, checkId: '0.rc-sha' }),
  } as unknown as TestCase;
}

describe('attested, not verified', () => {
  test('the console line of an attested check says it, in the words the document uses', async () => {
    const check = await attestedCheck();
    const lines: string[] = [];
    const reporter = new ConsoleReporter(new Redactor(), (line) => lines.push(line));
    reporter.onTestCaseResult(check);
    expect(lines.at(-1)).toBe(`  ✓ ${NAME} — ${attestedNotVerified(WHAT)} (3 ms)`);
    expect(lines.at(-1)).toContain('attested, not verified');

    const raw = toRawTest(check)!;
    const run = buildRun(rawRun([...greenTests().filter((t) => !t.rows.includes('A.rc-sha')), raw]));
    const row = run.rows.find((r) => r.id === 'A.rc-sha')!;
    expect(row.status).toBe('ticked');
    expect(row.attested).toEqual([WHAT]);
    expect(renderMarkdown(run)).toContain(` — ${attestedNotVerified(WHAT)}`);
  });

  test('a check that verified its row prints a plain tick', async () => {
    const check = await attestedCheck();
    const plain = { ...check, annotations: () => check.annotations().filter((a) => decode(a)?.ok && a.type !== 'cutover:attested') };
    const lines: string[] = [];
    new ConsoleReporter(new Redactor(), (line) => lines.push(line)).onTestCaseResult(plain as unknown as TestCase);
    expect(lines.at(-1)).toBe(`  ✓ ${NAME} (3 ms)`);
  });
});
