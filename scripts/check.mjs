#!/usr/bin/env node
// `npm run check`: the type check, the dependency rules, ESLint and Prettier run side by side
// with the self-tests instead of one after another. Each is single-threaded for most of its
// time, and the self-tests leave a core idle while they wait on the processes they start, so
// on 2 cores this saves about a minute and a half. A static check's output is printed whole
// when it ends (never interleaved with the tests'); the exit code is non-zero when anything
// failed, and every failure is named again at the end.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);

// The check starts several hundred node processes and worker threads, each touching a few
// hundred MiB afresh. On a VM that traps every page fault (about 10 µs each on the shared AMD
// hosts, where about 30% of the check's CPU is spent in the kernel), glibc's malloc growing its
// heap in 64 MiB steps on transparent huge pages (granted on request where THP is `madvise`)
// takes a fault rehearsal from about 117,000 page faults to 67,000 and its CPU down by about 12%.
// It costs resident memory (about 70 MB more per harness process there); hosts with cheap page
// faults gain less. A GLIBC_TUNABLES already set is kept.
const MALLOC_TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864';
const env = { ...process.env, GLIBC_TUNABLES: process.env.GLIBC_TUNABLES ?? MALLOC_TUNABLES };

const STATIC = [
  { name: 'typecheck (tsc --noEmit)', cmd: bin('tsc'), args: ['--noEmit'] },
  { name: 'dependency rules (npm run deps)', cmd: 'npm', args: ['run', '--silent', 'deps'] },
  { name: 'eslint', cmd: bin('eslint'), args: ['.'] },
  { name: 'prettier --check', cmd: bin('prettier'), args: ['--check', '--log-level=warn', '.'] },
];
const TESTS = {
  name: 'self-tests (vitest)',
  cmd: bin('vitest'),
  args: ['run', '--config', 'test/vitest.config.ts', ...process.argv.slice(2)],
};

function run({ name, cmd, args }, { stream }) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: stream ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (b) => (output += b));
    child.stderr?.on('data', (b) => (output += b));
    child.once('error', (err) => resolve({ name, ok: false, output: `could not start ${cmd}: ${err.message}`, seconds: 0 }));
    child.once('exit', (code, signal) => {
      const seconds = Math.round((Date.now() - started) / 1000);
      resolve({ name, ok: code === 0, output: output || (signal ? `ended by ${signal}` : ''), seconds });
    });
  });
}

function report(result) {
  const mark = result.ok ? '✓' : '✗';
  process.stdout.write(`\n${mark} check: ${result.name} (${result.seconds} s)\n`);
  if (!result.ok) process.stdout.write(`${result.output.trimEnd()}\n`);
  return result;
}

const results = await Promise.all([
  ...STATIC.map((check) => run(check, { stream: false }).then(report)),
  run(TESTS, { stream: true }).then((r) => ({ ...r, output: '' })),
]);
const failed = results.filter((r) => !r.ok);
process.stdout.write(
  failed.length
    ? `\ncheck failed: ${failed.map((r) => r.name).join(', ')}\n`
    : `\ncheck passed: ${results.map((r) => `${r.name} ${r.seconds} s`).join(' · ')}\n`,
);
process.exit(failed.length ? 1 : 0);
