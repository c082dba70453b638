/**
 * `npm run soak -- [--runs=20] [--no-write]`: the full rehearsal (`npm test`, as a developer
 * types it) N times in a row. Each run must end GO, and leave nothing behind: no process it
 * printed a pid for (postgres, redis-server, target, worker) still alive, no temp dir of the
 * rehearsal or its stack, no rehearsal registration. Prints one line per run and a summary,
 * writes the summary to docs/soak.md, and exits 0 only when every run was GO and clean.
 */
import { readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../lib/processes';
import { measure, ROOT, spread, spreadSeconds } from './measure';
import { parsePhases } from './rehearsal';

/** What a rehearsal leaves in the temp dir while it runs; none of it may outlive the run. */
const OURS = /^(cutover-rehearsal-|cutover-stack-)/;

function parseArgs(argv: string[]): { runs: number; write: boolean } {
  let runs = 20;
  let write = true;
  for (const arg of argv) {
    const m = /^--runs=([1-9]\d{0,3})$/.exec(arg);
    if (m) runs = Number(m[1]);
    else if (arg === '--no-write') write = false;
    else {
      console.error(`soak: unknown or malformed argument ${arg}`);
      console.error('usage: npm run soak -- [--runs=N] [--no-write]');
      process.exit(2);
    }
  }
  return { runs, write };
}

/** Every pid the rehearsal printed: `(pid 123, …`, `pid 123,` for its stack, target and worker. */
function printedPids(output: string): number[] {
  return [...new Set([...output.matchAll(/\bpid (\d+)/g)].map((m) => Number(m[1])))];
}

async function tempEntries(): Promise<string[]> {
  const entries = await readdir(os.tmpdir()).catch(() => [] as string[]);
  const registrations = await Promise.all(
    entries
      .filter((e) => /^cutover-rehearsals-\d+$/.test(e))
      .map(async (dir) => (await readdir(path.join(os.tmpdir(), dir)).catch(() => [] as string[])).map((f) => `${dir}/${f}`)),
  );
  return [...entries.filter((e) => OURS.test(e)), ...registrations.flat()];
}

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(isAlive);
  while (left.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = left.filter(isAlive);
  }
  return left;
}

const { runs, write } = parseArgs(process.argv.slice(2));
console.log(`soak: ${runs} full rehearsals in a row (npm test), each must be GO and leave nothing behind\n`);
const before = new Set(await tempEntries());
const walls: number[] = [];
const decisions = new Map<string, number>();
let dirty = 0;
for (let i = 1; i <= runs; i += 1) {
  const run = await measure('npm', ['test', '--', '--owner=soak'], { timeoutMs: 300_000 });
  const output = run.stdout + run.stderr;
  const decision = /^Decision: (GO|NO-GO|INCOMPLETE)/m.exec(output)?.[1] ?? `no decision (exit ${run.code})`;
  decisions.set(decision, (decisions.get(decision) ?? 0) + 1);
  walls.push(run.ms);
  // Give teardown's last signals a moment to land before calling anything left behind.
  const pids = await waitGone(printedPids(output), 2_000);
  const dirs = (await tempEntries()).filter((e) => !before.has(e));
  const leftovers = [...pids.map((p) => `process ${p}`), ...dirs];
  if (leftovers.length) dirty += 1;
  const phases = parsePhases(output)
    .map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)}`)
    .join(' · ');
  console.log(
    `run ${String(i).padStart(2)}/${runs}: ${decision.padEnd(5)} ${(run.ms / 1000).toFixed(1).padStart(5)} s  (${phases})  leftovers: ${leftovers.length ? leftovers.join(', ') : 'none'}`,
  );
  if (decision !== 'GO')
    console.log(
      output
        .trim()
        .split('\n')
        .slice(-12)
        .map((l) => `    ${l}`)
        .join('\n'),
    );
  for (const dir of dirs) before.add(dir); // counted once
}

const go = decisions.get('GO') ?? 0;
const wall = spread(walls);
const summary = [
  `GO ${go}/${runs}${
    go < runs
      ? ` (${[...decisions]
          .filter(([d]) => d !== 'GO')
          .map(([d, n]) => `${d} ${n}`)
          .join(', ')})`
      : ''
  }`,
  `runs that left something behind: ${dirty}`,
  `wall per run: ${spreadSeconds(wall)}`,
];
console.log(`\nsoak: ${summary.join('; ')}`);
if (write) {
  const doc = [
    '# Soak: the rehearsal, again and again',
    '',
    '`npm run soak -- --runs=N` (`bench/soak.ts`) runs the full rehearsal (`npm test`) N times in a',
    'row. Each run must end GO and leave nothing behind: no process it printed a pid for (postgres,',
    'redis-server, target, worker) alive 2 s after it exited, no `cutover-rehearsal-*` or',
    '`cutover-stack-*` temp dir, no rehearsal registration. It exits 0 only',
    'then. This file is rewritten by each run of it.',
    '',
    `Recorded ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)} at the end:`,
    '',
    ...summary.map((line) => `- ${line}`),
    '',
  ].join('\n');
  await writeFile(path.join(ROOT, 'docs/soak.md'), doc);
  console.log('docs/soak.md: rewritten');
}
process.exitCode = go === runs && dirty === 0 ? 0 : 1;
