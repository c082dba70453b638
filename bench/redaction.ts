/**
 * Redaction cost, two questions. First: the harness's Redactor (every form of every secret compiled into one
 * alternation, one pass) against the obvious alternative (replaceAll per form per secret), on
 * the same document, in one process. Both must produce the same output; only time differs.
 * Second: does it stay linear in the input (a target can answer megabytes)? The same redactor
 * over 1, 10 and 100 MB of a report and of one unbroken base64 run, the input that made the
 * old URL-shape pattern quadratic (kept here, on small inputs, as the comparison).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redactor, REDACTED, redactShapes, secretForms } from '../lib/secrets/redactor';
import type { BenchSection } from './measure';

export interface RedactionResult {
  secrets: number;
  documentBytes: number;
  rounds: number;
  harnessMsPerDoc: number;
  naiveMsPerDoc: number;
}

/** Same forms, same shape passes; only the value matching differs (one replaceAll per form). */
function naiveRedact(text: string, forms: string[]): string {
  let out = text;
  for (const form of forms) out = out.replaceAll(form, REDACTED);
  return redactShapes(out);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function benchRedaction(secretCount = 40, documentKb = 512, rounds = 15): RedactionResult {
  const secrets = Array.from({ length: secretCount }, () => randomBytes(18).toString('base64url'));
  const filler = 'GET /attachments/123 → 302 in 12 ms {"ok":true,"items":[1,2,3]} ';
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < documentKb * 1024; i += 1) {
    const piece = i % 50 === 0 ? `${filler}${Buffer.from(secrets[i % secretCount]!).toString('base64')} ` : filler;
    parts.push(piece);
    size += piece.length;
  }
  const doc = parts.join('');
  const redactor = new Redactor(secrets);
  const harness = (t: string) => redactor.redact(t);
  const forms = secrets.flatMap(secretForms).sort((a, b) => b.length - a.length);
  if (harness(doc) !== naiveRedact(doc, forms) || !harness(doc).includes(REDACTED))
    throw new Error('the two ways disagree, or nothing was planted');
  const time = (fn: (t: string) => string) => {
    const samples: number[] = [];
    for (let r = 0; r < rounds; r += 1) {
      const start = performance.now();
      fn(doc);
      samples.push(performance.now() - start);
    }
    return median(samples);
  };
  const harnessMs = time(harness);
  const naiveMs = time((t) => naiveRedact(t, forms));
  return { secrets: secretCount, documentBytes: doc.length, rounds, harnessMsPerDoc: harnessMs, naiveMsPerDoc: naiveMs };
}

export interface ScalingRow {
  input: 'report' | 'base64 run';
  megabytes: number;
  rounds: number;
  ms: number;
  msPerMb: number;
}

/** The URL-shape pattern before it was anchored at "://": rescans every run of letters. */
const OLD_URL_SHAPE = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s"']*:)[^@\s"'/]+@/gi;

function reportOf(bytes: number, secrets: string[]): string {
  const line = 'GET /attachments/123 → 302 in 12 ms {"ok":true,"items":[1,2,3]}\n';
  const planted = secrets.map((s, i) => `${line.trim()} token=${Buffer.from(s).toString(i % 2 ? 'hex' : 'base64')}\n`);
  const block = [...Array.from({ length: 49 }, () => line), planted[0]!].join('');
  let text = block.repeat(Math.ceil(bytes / block.length)).slice(0, bytes);
  // One of each planted secret near the end too, so every form is matched at every size.
  text = text.slice(0, bytes - planted.join('').length) + planted.join('');
  return text;
}

function base64RunOf(bytes: number): string {
  return randomBytes(Math.ceil((bytes * 3) / 4))
    .toString('base64')
    .slice(0, bytes);
}

export function benchRedactionScaling(
  sizesMb = [1, 10, 100],
  secretCount = 40,
): { rows: ScalingRow[]; oldPattern: { chars: number; ms: number }[] } {
  const secrets = Array.from({ length: secretCount }, () => randomBytes(18).toString('base64url'));
  const redactor = new Redactor(secrets);
  redactor.redact(reportOf(1 << 20, secrets)); // warm-up: compile the patterns once
  const rows: ScalingRow[] = [];
  for (const megabytes of sizesMb) {
    // Fewer rounds at 100 MB keep `npm run bench` near a minute; each round is seconds there.
    const rounds = megabytes >= 100 ? 1 : 3;
    for (const [input, make] of [
      ['report', () => reportOf(megabytes << 20, secrets)],
      ['base64 run', () => base64RunOf(megabytes << 20)],
    ] as const) {
      const text = make();
      const samples: number[] = [];
      for (let r = 0; r < rounds; r += 1) {
        const start = performance.now();
        const out = redactor.redact(text);
        samples.push(performance.now() - start);
        if (input === 'report' && out.includes(secrets[0]!)) throw new Error('a planted secret survived redaction');
      }
      const ms = median(samples);
      rows.push({ input, megabytes, rounds, ms, msPerMb: ms / megabytes });
    }
  }
  const oldPattern = [10_000, 20_000, 40_000].map((chars) => {
    const text = 'a'.repeat(chars);
    const start = performance.now();
    text.replace(OLD_URL_SHAPE, '$1[REDACTED]@');
    return { chars, ms: performance.now() - start };
  });
  return { rows, oldPattern };
}

/** Both redaction measures as one section of docs/benchmarks.md. */
export function redactionSection(report: RedactionResult, scaling: ReturnType<typeof benchRedactionScaling>): BenchSection {
  const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${n.toFixed(n < 10 ? 1 : 0)} ms`);
  const sizes = [...new Set(scaling.rows.map((r) => r.megabytes))];
  const scalingRow = (input: ScalingRow['input']) => [
    input,
    ...sizes.map((mb) => {
      const row = scaling.rows.find((r) => r.input === input && r.megabytes === mb)!;
      return `${ms(row.ms)} (${row.msPerMb.toFixed(0)} ms/MB)`;
    }),
  ];
  return {
    name: 'redaction',
    title: 'Redaction of a report',
    method:
      `Method (\`bench/redaction.ts\`): ${report.secrets} random secrets, a ${(report.documentBytes / 1024).toFixed(0)} KiB report in which every 50th line carries one of them base64-encoded. Both ways redact the same forms of every secret (raw, base64 at every alignment, hex, URL-encoded, JSON-escaped) and then apply the same shape rules (headers, signed URLs, tokens); their outputs are compared and must be identical. Median of ${report.rounds} rounds each.\n\n` +
      `Then the same redactor over ${sizes.map((s) => `${s}`).join(', ')} MB of two inputs: a report (as above, each secret once more at the end; the run fails if one survives) and one unbroken run of base64, the input that made the old URL-shape pattern quadratic. Median of 3 rounds up to 10 MB, one round at 100 MB. For comparison the old pattern runs on ${scaling.oldPattern.map((o) => `${o.chars / 1000}K`).join(', ')} letters.`,
    header: ['way', 'time per report'],
    rows: [
      ['harness: every form compiled into one alternation, one pass', ms(report.harnessMsPerDoc)],
      ['alternative: one `replaceAll` per form', ms(report.naiveMsPerDoc)],
    ],
    notes: [
      [
        `| input | ${sizes.map((s) => `${s} MB`).join(' | ')} |\n|---|${sizes.map(() => '---|').join('')}\n| ${scalingRow('report').join(' | ')} |\n| ${scalingRow('base64 run').join(' | ')} |`,
        `| old URL-shape pattern, run of letters | ${scaling.oldPattern.map((o) => `${o.chars / 1000}K chars`).join(' | ')} |\n|---|${scaling.oldPattern.map(() => '---|').join('')}\n| time | ${scaling.oldPattern.map((o) => ms(o.ms)).join(' | ')} |`,
        "Linear means the time per MB stays within the machine's noise from 1 to 100 MB; the old pattern grows with the square of its input (4× per doubling and worse).",
      ].join('\n\n'),
    ],
  };
}
