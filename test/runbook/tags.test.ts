import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { listText } from '../../lib/cli/help';
import { STEPS, TEST_TAGS, WRITE_TAGS } from '../../lib/runbook/catalogue';
import type { ListedCheck } from '../../lib/runbook/catalogue';
import { runHarness } from '../support/run-harness';

const ROOT = path.resolve(import.meta.dirname, '../..');
let checks: ListedCheck[];

beforeAll(() => {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'TEST') delete env[k];
  const listed = JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', 'test/support/list-checks.ts'], { cwd: ROOT, encoding: 'utf8', env }),
  ) as { checks: ListedCheck[]; errors: string[] };
  expect(listed.errors).toEqual([]);
  checks = listed.checks;
}, 120_000);

describe('every check says what it may change', () => {
  test('testdata is a declared tag, beside readonly and mutating', () => {
    expect(Object.keys(TEST_TAGS)).toEqual(expect.arrayContaining([...WRITE_TAGS]));
    expect(WRITE_TAGS).toEqual(['readonly', 'testdata', 'mutating']);
  });

  test('each check of the suites carries exactly one of readonly, testdata, mutating', () => {
    expect(checks.length).toBeGreaterThan(40);
    const wrong = checks
      .filter((c) => c.tags.filter((t) => (WRITE_TAGS as readonly string[]).includes(t)).length !== 1)
      .map((c) => `${c.step}: ${c.name} [${c.tags.join(', ')}]`);
    expect(wrong).toEqual([]);
  });

  test("the checks that write the runbook's test data are tagged testdata", () => {
    const tagOf = (title: RegExp) =>
      checks.find((c) => title.test(c.name))?.tags.find((t) => (WRITE_TAGS as readonly string[]).includes(t));
    expect(tagOf(/^new uploads: POST/)).toBe('testdata');
    expect(tagOf(/^Test event signed with the new STRIPE_WEBHOOK_SECRET → 2xx$/)).toBe('testdata');
    expect(tagOf(/^Same event id delivered again/)).toBe('testdata');
    expect(tagOf(/^Auth\/login: a wrong password/)).toBe('testdata');
    expect(tagOf(/^Stripe test event signed .* → 2xx and no errors$/)).toBe('testdata');
    expect(tagOf(/^Attachment round trip/)).toBe('testdata');
    expect(tagOf(/^Test provider set to digest mode/)).toBe('testdata');
    expect(tagOf(/^Worker running: a test job/)).toBe('testdata');
    expect(tagOf(/canary object round-trips$/)).toBe('testdata');
  });

  test('a check needs only earlier checks of its own step', () => {
    const bad: string[] = [];
    for (const [i, check] of checks.entries()) {
      for (const title of check.needs) {
        const j = checks.findIndex((c) => c.name === title && c.step === check.step);
        if (j < 0 || j >= i) bad.push(`${check.name} needs ${title}`);
      }
    }
    expect(bad).toEqual([]);
    expect(checks.filter((c) => c.needs.length).length).toBeGreaterThanOrEqual(6);
  });

  test('--list shows each check with its id, its tags and what it needs', () => {
    const text = listText([], checks);
    for (const check of checks) {
      const step = STEPS.find((s) => s.id === check.step)!;
      expect(text).toContain(`      ${check.id.padEnd(24)} [${check.tags.filter((t) => t !== step.tag).join(', ')}] ${check.name}\n`);
    }
    expect(text).toMatch(/3\.redirect +\[readonly\] GET \/attachments\/:id → 302[^\n]*\n {35}needs: new uploads: POST/);
  });

  test('npm test -- --list prints them', async () => {
    const list = await runHarness(['--list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(
      '    checks (id, tags):\n      0.rc-sha                 [readonly] RC commit SHA identified, and the deployed build is that commit\n',
    );
    expect(list.stdout).toContain('      3.new-upload             [testdata] new uploads: POST /jobs/:jobId/attachments/upload');
    expect(list.stdout).toContain('      6.digest-observed        [readonly, slow] Digest notification observed at interval');
    expect(list.stdout).toMatch(/\n {2}testdata +writes test data the runbook asks for/);
  }, 120_000);
});
