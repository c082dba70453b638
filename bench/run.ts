/**
 * `npm run bench`: each benchmark runs the harness's way and the alternative side by side in
 * one process, on the same input, and prints both. Method and recorded numbers: docs/benchmarks.md.
 * Timings are medians of several rounds; nothing here is asserted (the machines are shared).
 */
import os from 'node:os';
import { benchMigrationMemory } from './migrate-memory';
import { benchRedaction, benchRedactionScaling } from './redaction';

const header = `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`;
console.log(`cutover harness benchmarks — ${header}\n`);

const r = benchRedaction();
console.log('Redaction of a report (every form of every known secret):');
console.log(`  ${r.secrets} secrets, ${(r.documentBytes / 1024).toFixed(0)} KiB document, median of ${r.rounds} rounds`);
console.log(`  harness (one compiled alternation):   ${r.harnessMsPerDoc.toFixed(1)} ms`);
console.log(`  alternative (replaceAll per form):    ${r.naiveMsPerDoc.toFixed(1)} ms`);
console.log(`  ratio: ${(r.naiveMsPerDoc / r.harnessMsPerDoc).toFixed(1)}x\n`);

const scaling = benchRedactionScaling();
console.log('Redaction time against input size (linear: the time per MB stays flat):');
for (const row of scaling.rows) {
  console.log(`  ${row.input.padEnd(10)} ${String(row.megabytes).padStart(4)} MB: ${row.ms.toFixed(0).padStart(6)} ms, ${row.msPerMb.toFixed(1).padStart(6)} ms/MB (median of ${row.rounds})`);
}
console.log(`  the old URL-shape pattern on a run of letters: ${scaling.oldPattern.map((o) => `${o.chars / 1000}K chars ${o.ms.toFixed(0)} ms`).join(', ')} (quadratic)\n`);

console.log('Attachment migration, peak RSS of the migrating process (VmHWM), 4 files per size, concurrency 2:');
for (const row of await benchMigrationMemory([8, 128, 512], 4, 2)) {
  console.log(`  ${row.runner.padEnd(44)} ${String(row.fileMiB).padStart(4)} MiB files: ${String(row.peakRssMiB).padStart(5)} MiB peak, ${row.seconds.toFixed(1)} s, exit ${row.exitCode}`);
}
