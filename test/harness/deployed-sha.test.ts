import { execFileSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { buildRun } from '../../reporters/build';
import { greenTests, rawRun } from '../reporters/fixtures';
import { REHEARSAL_TIMEOUT_MS, ROOT, runHarness, summary, tempDir } from '../support/run-harness';
import { healthy, tinyTarget } from '../support/tiny-target';

// --sha=deployed: the nightly run has no RC SHA of its own, so it takes what the deployed build reports.
const rcShaOnly = ['--sha=deployed', '--only=preflight', '-t', 'RC commit SHA'];
const DEPLOYED = '0123456789abcdef0123456789abcdef01234567';
let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

describe('--sha=deployed', () => {
  test(
    "the rehearsal reads the RC SHA from its reference target's x-release-sha header: this checkout's HEAD",
    { timeout: REHEARSAL_TIMEOUT_MS },
    async () => {
      const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
      const result = await runHarness(rcShaOnly);
      expect(result.code, summary(result)).toBe(0);
      expect(result.run!.meta.rcSha).toBe(head);
      expect(result.run!.meta.notes).toContain(
        `RC SHA taken from the deployed build (--sha=deployed): ${head}, read from the x-release-sha header on GET /healthz.`,
      );
      expect(result.run!.rows.find((r) => r.id === 'A.rc-sha')).toMatchObject({ status: 'ticked' });
      expect(result.stdout).toContain(`RC ${head}`);
    },
  );

  test('against a target, the SHA its header reports becomes the RC SHA', async () => {
    const target = await tinyTarget({ ...healthy, 'GET /healthz': () => ({ body: { ok: true }, headers: { 'x-release-sha': DEPLOYED } }) });
    close = target.close;
    const result = await runHarness([`--base-url=${target.url}`, ...rcShaOnly]);
    expect(result.code, summary(result)).toBe(0);
    expect(result.run!.meta.rcSha).toBe(DEPLOYED);
    expect(result.run!.rows.find((r) => r.id === 'A.rc-sha')).toMatchObject({ status: 'ticked' });
  });

  test('--from carries over the earlier steps that passed for the SHA the deployed build reports', async () => {
    const target = await tinyTarget({ ...healthy, 'GET /healthz': () => ({ body: { ok: true }, headers: { 'x-release-sha': DEPLOYED } }) });
    close = target.close;
    const reportsDir = await tempDir('cutover-selftest-deployed-from');
    const earlier = buildRun(rawRun(greenTests()));
    const write = (file: string, rcSha: string) =>
      writeFile(path.join(reportsDir, file), JSON.stringify({ ...earlier, meta: { ...earlier.meta, env: 'local', rcSha } }));
    await write('20261128T010000Z-local-go-no-go.json', DEPLOYED);
    // Newer, but another build: not the one deployed.
    await write('20261128T020000Z-local-go-no-go.json', 'fedcba9');
    const result = await runHarness([`--base-url=${target.url}`, '--sha=deployed', '--from=migrations', '-t', 'RC commit SHA'], {
      reportsDir,
    });
    expect(result.code, summary(result)).toBe(0);
    expect(result.run!.steps.find((s) => s.id === 'preflight')).toMatchObject({
      status: 'carried',
      note: 'passed in 20261128T010000Z-local-go-no-go.json',
    });
  });

  test('a target that does not report its SHA: NO-GO at step 0, saying why', async () => {
    const target = await tinyTarget(healthy);
    close = target.close;
    const result = await runHarness([`--base-url=${target.url}`, ...rcShaOnly]);
    expect(result.code, summary(result)).toBe(1);
    expect(result.run!.decision).toBe('NO-GO');
    expect(result.run!.meta.rcSha).toBeNull();
    expect(result.run!.reason + (result.run!.blocking?.error ?? '')).toContain(
      "--sha=deployed: the deployed build's SHA could not be read: GET /healthz answered 200 without a x-release-sha header",
    );
  });

  test("without a deployed-SHA source (staging's is 'none'): exit 2, one line naming the setting, nothing written", async () => {
    const result = await runHarness(['--env=staging', '--base-url=http://127.0.0.1:9', '--sha=deployed', '-t', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^cutover: --sha=deployed: no deployed-SHA source is configured for staging \(preflight\.deployedSha\.source is 'none'\): set preflight\.deployedSha in cutover\.config\.ts, or pass --sha=<rc sha>$/m,
    );
    expect(await readdir(result.reportsDir)).toEqual([]);
  });

  test('with --apply outside the rehearsal: exit 2 (the guards compare the deployed build with the RC, so the RC must be named)', async () => {
    const result = await runHarness(
      ['--env=staging', '--base-url=http://127.0.0.1:9', '--sha=deployed', '--apply=backup', '--confirm=staging', '-t', 'x'],
      {
        env: { STAGING_BASE_URL: undefined },
      },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--sha=deployed cannot be combined with --apply: name the RC with --sha=<rc sha>');
    expect(await readdir(result.reportsDir)).toEqual([]);
  });

  test('any other word is still not a SHA', async () => {
    const result = await runHarness(['--sha=latest']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--sha: must be a git commit SHA');
  });
});
