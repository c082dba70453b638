import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RunResult } from '../../reporters/model';
import { ROOT, runHarness, summary, tempDir } from '../support/run-harness';

const onlyTheRotationRow = [
  '--env=staging',
  '--base-url=http://127.0.0.1:9',
  '--only=webhooks',
  '-t',
  'secret rotated in the Dashboard',
  '--owner=Dana Ops',
];

/** Runs the CLI under a pseudo-terminal (util-linux `script`), typing `answer` at the prompt. */
async function runInTerminal(args: string[], answer: string): Promise<{ code: number | null; output: string; run: RunResult }> {
  const reportsDir = await tempDir('cutover-selftest-tty');
  const command = ['node', 'bin/cutover.mjs', ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const env: NodeJS.ProcessEnv = { ...process.env, CUTOVER_REPORTS_DIR: reportsDir };
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'TEST') delete env[k];
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.includes('(y/N)') && !child.stdin.writableEnded) child.stdin.end(`${answer}\n`);
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const json = (await readdir(reportsDir)).find((f) => f.endsWith('-go-no-go.json'));
  if (!json) throw new Error(`no document; output:\n${output}`);
  return { code, output, run: JSON.parse(await readFile(path.join(reportsDir, json), 'utf8')) as RunResult };
}

describe('manual rows', () => {
  test('confirmed at the terminal prompt: ticked, with who and when', async () => {
    const { code, output, run } = await runInTerminal(onlyTheRotationRow, 'y');
    expect(output).toContain('Confirm as Dana Ops: [E.secret-rotated] Stripe endpoint secret rotated? (y/N)');
    expect(output).toContain('Step 4 — Webhook secret rotation (Stripe) needs a human: rotate the signing secret of');
    expect(code, output).toBe(0);
    const row = run.rows.find((r) => r.id === 'E.secret-rotated')!;
    expect(row).toMatchObject({ status: 'ticked', confirmed: { by: 'Dana Ops', how: 'prompt' } });
    expect(Date.parse(row.confirmed!.at)).toBeGreaterThan(Date.now() - 120_000);
  });

  test('declined at the prompt: NO-GO at once, naming the row, and how to confirm', async () => {
    const { code, output, run } = await runInTerminal(onlyTheRotationRow, 'n');
    expect(code).toBe(1);
    // Asked at its step, once the run has started, not before it.
    expect(output.indexOf('cutover: staging → ')).toBeGreaterThan(-1);
    expect(output.indexOf('(y/N)')).toBeGreaterThan(output.indexOf('cutover: staging → '));
    expect(run.decision).toBe('NO-GO');
    expect(run.rows.find((r) => r.id === 'E.secret-rotated')!.status).toBe('unconfirmed');
    expect(run.blocking).toMatchObject({ stepN: 4, checkId: '4.rotation-confirmed' });
    expect(run.blocking!.error).toContain('E.secret-rotated not confirmed (answered N at the prompt)');
    expect(run.blocking!.error).toContain('--confirm-manual=E.secret-rotated');
  });

  test('Ctrl-C at the prompt: NO-GO interrupted at that row, not "Blocked at Step 0"', async () => {
    const { code, output, run } = await runInTerminal(onlyTheRotationRow, '\u0003');
    expect(code, output).toBe(1);
    expect(output).not.toContain('Blocked at Step 0');
    expect(run.blocking!.stepN).toBe(4);
    expect(`${run.reason} ${run.blocking!.error}`).toContain('E.secret-rotated');
    expect(`${run.reason} ${run.blocking!.error}`).toMatch(/interrupted/);
  });

  test("not confirmed, no terminal: NO-GO, and the console prints the step's rollback plan itself", async () => {
    const result = await runHarness(onlyTheRotationRow);
    expect(result.code, summary(result)).toBe(1);
    expect(result.stdout).toContain('Rollback plan for Step 4 (from the runbook):');
    expect(result.stdout).toContain(`    ${result.run!.blocking!.rollback.split('\n')[0]}`);
    expect(result.stdout).not.toContain('see "Why NO-GO" in the document');
  });

  test('confirmed with --confirm-manual (no terminal, as in CI): ticked as a flag confirmation', async () => {
    const result = await runHarness([...onlyTheRotationRow, '--confirm-manual=E.secret-rotated']);
    expect(result.code, summary(result)).toBe(0);
    expect(result.markdown).toMatch(/- \[x\] Stripe endpoint secret rotated — confirmed by Dana Ops at \S+ \(flag\)/);
  });
});
