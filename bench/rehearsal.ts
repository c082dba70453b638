/**
 * The full rehearsal, `npm test` exactly as a developer types it, N times in a row: its wall
 * time and each phase it prints on its `Phases: …` line (stack, target, steps, document,
 * teardown: whatever the code prints), median/min/max.
 */
import { measure, spread, spreadSeconds, type BenchSection } from './measure';

/** `Phases: stack 1.9 s · target 2.7 s · …` → [['stack', 1900], …] */
export function parsePhases(output: string): [string, number][] {
  const line = output.split('\n').findLast((l) => l.includes('Phases: '));
  if (!line) return [];
  return line
    .slice(line.indexOf('Phases: ') + 'Phases: '.length)
    .split(' · ')
    .flatMap((part) => {
      const m = /^(.+?) ([\d.]+) s$/.exec(part.trim());
      return m ? [[m[1]!, Number(m[2]) * 1000] as [string, number]] : [];
    });
}

interface Timed {
  walls: number[];
  startups: number[];
}

/** One rehearsal: its wall time and start-up (the first step line less the stack and target phases) go into `into`. */
async function rehearse(
  cmd: string,
  args: string[],
  into: Timed,
): Promise<{ code: number | null; parsed: [string, number][]; ms: number }> {
  const run = await measure(cmd, args, { timeoutMs: 240_000, marks: { firstStep: /▶ Step / } });
  const parsed = parsePhases(run.stdout + run.stderr);
  if (!parsed.length)
    throw new Error(
      `${[cmd, ...args].join(' ')} printed no Phases line (exit ${run.code}):\n${(run.stdout + run.stderr).trim().split('\n').slice(-10).join('\n')}`,
    );
  into.walls.push(run.ms);
  const booted = parsed.filter(([name]) => name === 'stack' || name === 'target').reduce((sum, [, ms]) => sum + ms, 0);
  if (run.marked.firstStep !== undefined) into.startups.push(run.marked.firstStep - booted);
  return { code: run.code, parsed, ms: run.ms };
}

export async function benchRehearsal(rounds = 5, log: (line: string) => void = console.log): Promise<BenchSection> {
  const viaNpm: Timed = { walls: [], startups: [] };
  // What `npm test` runs, without npm's own start (a few hundred ms that are npm's, not the harness's).
  const direct: Timed = { walls: [], startups: [] };
  const phases = new Map<string, number[]>();
  const verdicts: string[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const run = await rehearse('npm', ['test'], viaNpm);
    for (const [name, ms] of run.parsed) phases.set(name, [...(phases.get(name) ?? []), ms]);
    verdicts.push(String(run.code));
    log(
      `  run ${i + 1}: ${(run.ms / 1000).toFixed(1)} s, exit ${run.code}, ${run.parsed.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`).join(' · ')}`,
    );
    const plain = await rehearse(process.execPath, ['bin/cutover.mjs'], direct);
    log(`  run ${i + 1}, node bin/cutover.mjs: ${(plain.ms / 1000).toFixed(1)} s, exit ${plain.code}`);
  }
  const sum = [...phases.values()].map((v) => spread(v).median).reduce((a, b) => a + b, 0);
  const startupRow = (label: string, t: Timed) => (t.startups.length ? [[label, spreadSeconds(spread(t.startups))]] : []);
  return {
    name: 'rehearsal',
    title: 'Full rehearsal phases',
    method: `Method (\`bench/rehearsal.ts\`): \`npm test\` (the full local rehearsal) ${rounds} times, each a fresh process, each followed by one run of \`node bin/cutover.mjs\` (the command \`npm test\` runs, without npm's own start); wall time from spawn to exit, and each phase from \`npm test\`'s \`Phases: …\` line. The start-up rows are the time from spawn to the first \`▶ Step\` line on stdout minus the run's own stack and target phases. Median (min–max) of the ${rounds} runs. No alternative: this measure tracks the rehearsal's own time.`,
    header: ['phase', 'median (min–max)'],
    rows: [
      ...[...phases].map(([name, v]) => [name, spreadSeconds(spread(v))]),
      ['sum of the phases', `${(sum / 1000).toFixed(2)} s`],
      ['wall (npm test)', spreadSeconds(spread(viaNpm.walls))],
      ['wall (node bin/cutover.mjs)', spreadSeconds(spread(direct.walls))],
      ...startupRow('start-up to the first step line, beyond stack and target (npm test)', viaNpm),
      ...startupRow("the same without npm's own start (node bin/cutover.mjs)", direct),
    ],
    notes: [
      `Exit codes of the \`npm test\` runs: ${verdicts.join(', ')} (0 GO; a NO-GO, e.g. on a machine without Redis, exits non-zero). Goals: ≤ 12 s wall on 2 cores, 8 s the moonshot; the first step line at most 1 s beyond the stack and target.`,
    ],
  };
}
