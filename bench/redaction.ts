/**
 * Redaction cost: the harness's Redactor (every form of every secret compiled into one
 * alternation, one pass) against the obvious alternative (replaceAll per form per secret), on
 * the same document, in one process. Both must produce the same output; only time differs.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redactor, REDACTED, redactShapes, secretForms } from '../lib/secrets/redactor';

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
  if (harness(doc) !== naiveRedact(doc, forms) || !harness(doc).includes(REDACTED)) throw new Error('the two ways disagree, or nothing was planted');
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
