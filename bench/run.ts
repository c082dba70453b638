/**
 * `npm run bench [-- --only=<name>[,<name>] --rounds=N --no-write]`: each benchmark runs the
 * harness's way and the alternative side by side in one run, on the same input, prints a table
 * and refreshes its section of docs/benchmarks.md (method and numbers). Timings are medians of
 * several rounds; nothing here is asserted (the machines are shared). A measure marked optIn
 * (the whole check's CPU) runs only when --only names it.
 */
import os from 'node:os';
import { writeSections } from './docs';
import { consoleTable, type BenchSection } from './measure';
import { benchCheck } from './check';
import { benchMigration } from './migrate';
import { benchRedaction, benchRedactionScaling, redactionSection } from './redaction';
import { benchRehearsal } from './rehearsal';
import { benchSmoke } from './smoke';

interface Measure {
  name: string;
  about: string;
  defaultRounds: number;
  /** Too long for every `npm run bench`: only with --only. */
  optIn?: boolean;
  run(rounds: number): Promise<BenchSection | null>;
}

const MEASURES: Measure[] = [
  {
    name: 'redaction',
    about: 'redaction of a report, one compiled alternation vs replaceAll per form',
    defaultRounds: 15,
    async run() {
      const r = benchRedaction();
      console.log(`  ${r.secrets} secrets, ${(r.documentBytes / 1024).toFixed(0)} KiB document, median of ${r.rounds} rounds`);
      console.log(`  harness (one compiled alternation):   ${r.harnessMsPerDoc.toFixed(1)} ms`);
      console.log(`  alternative (replaceAll per form):    ${r.naiveMsPerDoc.toFixed(1)} ms`);
      console.log(`  ratio: ${(r.naiveMsPerDoc / r.harnessMsPerDoc).toFixed(1)}x`);
      const scaling = benchRedactionScaling();
      console.log('  time against input size (linear: the time per MB stays flat):');
      for (const row of scaling.rows) {
        console.log(
          `    ${row.input.padEnd(10)} ${String(row.megabytes).padStart(4)} MB: ${row.ms.toFixed(0).padStart(6)} ms, ${row.msPerMb.toFixed(1).padStart(6)} ms/MB (median of ${row.rounds})`,
        );
      }
      console.log(
        `    the old URL-shape pattern on a run of letters: ${scaling.oldPattern.map((o) => `${o.chars / 1000}K chars ${o.ms.toFixed(0)} ms`).join(', ')} (quadratic)`,
      );
      return redactionSection(r, scaling);
    },
  },
  {
    name: 'smoke',
    about: 'smoke pass against one running target: harness vs Newman vs plain undici; --help, --list',
    defaultRounds: 7,
    run: (n) => benchSmoke(n),
  },
  {
    name: 'migrate',
    about: "attachment migration: harness's migrator vs the backend's command vs a plain lib-storage loop",
    defaultRounds: 3,
    run: (n) => benchMigration(n),
  },
  { name: 'rehearsal', about: 'full rehearsal (npm test), each printed phase', defaultRounds: 5, run: (n) => benchRehearsal(n) },
  {
    name: 'check',
    about: 'npm run check once, its CPU by kind of process (as long as the check; only with --only=check)',
    defaultRounds: 1,
    optIn: true,
    run: () => benchCheck(),
  },
];

function usage(problem: string): never {
  console.error(`bench: ${problem}`);
  console.error(`usage: npm run bench -- [--only=<${MEASURES.map((m) => m.name).join('|')}>[,…]] [--rounds=N] [--no-write]`);
  process.exit(2);
}

function parse(argv: string[]): { only: Measure[]; rounds?: number; write: boolean } {
  let only = MEASURES.filter((m) => !m.optIn);
  let rounds: number | undefined;
  let write = true;
  for (const arg of argv) {
    const [flag, value] = arg.split(/=(.*)/s) as [string, string | undefined];
    if (flag === '--only' && value) {
      const names = value.split(',');
      const unknown = names.filter((n) => !MEASURES.some((m) => m.name === n));
      if (unknown.length) usage(`unknown measure ${unknown.join(', ')}`);
      only = MEASURES.filter((m) => names.includes(m.name));
    } else if (flag === '--rounds' && value && /^[1-9]\d{0,2}$/.test(value)) rounds = Number(value);
    else if (arg === '--no-write') write = false;
    else usage(`unknown or malformed argument ${arg}`);
  }
  return { only, rounds, write };
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * A shared machine's speed varies with its host, and the load average does not show it: the
 * same fixed loop is timed at the start and the end of a run, and recorded beside the numbers,
 * so runs of different days can be compared.
 */
function yardstickMs(): number {
  const started = performance.now();
  let x = 0;
  for (let i = 0; i < 100_000_000; i += 1) x = (x + i) % 1_000_003;
  if (x < 0) console.log(x); // keeps the loop from being optimised away
  return performance.now() - started;
}
const yardstickAtStart = yardstickMs();
const { only, rounds, write } = parse(process.argv.slice(2));
const machine = `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'})`;
console.log(
  `cutover harness benchmarks — ${machine}, load ${os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}; yardstick (a fixed 100M-step loop) ${yardstickAtStart.toFixed(0)} ms\n`,
);

const sections: BenchSection[] = [];
let failed = false;
for (const m of only) {
  console.log(`${m.name}: ${m.about}`);
  const started = Date.now();
  try {
    const section = await m.run(rounds ?? m.defaultRounds);
    if (section) {
      console.log(consoleTable(section.header, section.rows));
      for (const note of section.notes ?? []) console.log(`  ${note}`);
      sections.push(section);
    }
  } catch (error) {
    failed = true;
    console.error(`  ${m.name} failed: ${(error as Error).message}`);
  }
  console.log(`  (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}

if (write && sections.length) {
  const recorded = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine}, load average ${os.loadavg()[0]!.toFixed(1)} at the end; yardstick (a fixed 100M-step loop, the host's speed) ${yardstickAtStart.toFixed(0)} ms at the start, ${yardstickMs().toFixed(0)} ms at the end`;
  await writeSections(sections, recorded);
  console.log(`docs/benchmarks.md: refreshed ${sections.map((s) => s.name).join(', ')}`);
}
process.exitCode = failed ? 1 : 0;
