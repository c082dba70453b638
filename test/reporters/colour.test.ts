import type { TestCase } from 'vitest/node';
import { describe, expect, test } from 'vitest';
import { colourDecision, colours, colourWanted } from '../../reporters/colour';
import { ConsoleReporter } from '../../reporters/console-reporter';
import { Redactor } from '../../lib/secrets/redactor';

const ESC = '\u001b[';

describe('colour on the console', () => {
  test('a terminal gets colour; NO_COLOR, a pipe or TERM=dumb do not; FORCE_COLOR wins over a pipe unless 0 or false', () => {
    expect(colourWanted({}, true)).toBe(true);
    expect(colourWanted({}, false)).toBe(false);
    expect(colourWanted({ TERM: 'dumb' }, true)).toBe(false);
    expect(colourWanted({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colourWanted({ NO_COLOR: '' }, true)).toBe(true);
    expect(colourWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, false)).toBe(false);
    expect(colourWanted({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colourWanted({ FORCE_COLOR: '' }, false)).toBe(true);
    expect(colourWanted({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colourWanted({ FORCE_COLOR: 'false' }, true)).toBe(false);
  });

  test('the decision: GO green, NO-GO red, plain text without colour', () => {
    expect(colourDecision('GO', colours({ FORCE_COLOR: '1' }, false))).toContain(`${ESC}32mGO`);
    expect(colourDecision('NO-GO', colours({ FORCE_COLOR: '1' }, false))).toContain(`${ESC}31mNO-GO`);
    expect(colourDecision('NO-GO', colours({ NO_COLOR: '1' }, true))).toBe('NO-GO');
  });

  test('check marks: ✓ green and ✗ red with colour, the same lines in plain text without', () => {
    const check = (name: string, state: 'passed' | 'failed') =>
      ({
        name,
        id: name,
        module: { moduleId: '/x/suites/2-env.test.ts' },
        result: () => ({ state, errors: state === 'failed' ? [{ message: 'readyz said 503' }] : [] }),
        diagnostic: () => ({ duration: 12 }),
        annotations: () => [],
        options: { mode: 'run' },
      }) as unknown as TestCase;
    const printed = (env: NodeJS.ProcessEnv) => {
      const lines: string[] = [];
      const reporter = new ConsoleReporter(new Redactor(), (l) => lines.push(l), colours(env, false));
      reporter.onTestCaseResult(check('GET /readyz', 'passed'));
      reporter.onTestCaseResult(check('GET /healthz', 'failed'));
      return lines;
    };
    const plain = printed({});
    expect(plain.join('\n')).not.toContain(ESC);
    expect(plain).toContain('  ✓ GET /readyz (12 ms)');
    expect(plain).toContain('  ✗ GET /healthz (12 ms)');
    expect(plain).toContain('      readyz said 503');
    const coloured = printed({ FORCE_COLOR: '1' }).join('\n');
    expect(coloured).toContain(`${ESC}32m✓`);
    expect(coloured).toContain(`${ESC}31m✗`);
  });
});
