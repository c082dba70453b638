import type { TestAttachment } from 'vitest';
import { attestedNotVerified, encode, type EvidenceRecord, type ExchangeRecord, type Measure, type TestDataRecord } from './evidence-codec';
import { Redactor } from './secrets/redactor';

export { attestedNotVerified, EVIDENCE, type ExchangeRecord, type Measure, type TestDataRecord } from './evidence-codec';

type Annotate = (message: string, type?: string, attachment?: TestAttachment) => Promise<unknown>;

const EXCERPT_LIMIT = 2_000;
/** Pasted output (a command's, a body the runbook asks for) is longer than an excerpt, not unbounded. */
const PASTE_LIMIT = 64_000;

/**
 * Redacts, then cuts: cut first, a secret straddling the cut would keep its prefix, which no
 * later redaction recognises.
 */
export function redactedExcerpt(redactor: Redactor, text: string, limit = EXCERPT_LIMIT): string {
  const safe = redactor.redact(text);
  return safe.length <= limit ? safe : `${safe.slice(0, limit)}… (${safe.length - limit} more characters)`;
}

/**
 * The only way suites record evidence. Everything is redacted here, in the worker, before
 * Vitest serialises it; the reporter redacts again before writing, in case a secret was
 * learnt only on one side.
 */
export class Evidence {
  constructor(
    private readonly annotate: Annotate,
    readonly redactor: Redactor,
  ) {}

  private async emit(record: EvidenceRecord, message: string): Promise<void> {
    const { type, attachment } = encode(this.redactor.redactDeep(record));
    await this.annotate(this.redactor.redact(message), type, attachment);
  }

  /** Output the runbook asks the operator to paste into the document. */
  paste(row: string, text: string, title?: string): Promise<void> {
    return this.emit(
      { type: 'paste', row, title, text: redactedExcerpt(this.redactor, text, PASTE_LIMIT) },
      `${row}: ${title ?? 'output'}`,
    );
  }

  /** Fills a row's `__________`. */
  value(row: string, text: string): Promise<void> {
    return this.emit({ type: 'value', row, text }, `${row}: ${text}`);
  }

  exchange(record: ExchangeRecord): Promise<void> {
    const message = `${record.method} ${record.url} → ${record.status ?? record.error ?? 'no answer'} (${record.durationMs} ms)`;
    return this.emit({ type: 'exchange', ...record }, message);
  }

  measure(measure: Measure): Promise<void> {
    const message = `${measure.name}: ${measure.value} (threshold ${measure.threshold}) ${measure.ok ? 'ok' : 'OUT OF BOUNDS'}`;
    return this.emit({ type: 'measure', ...measure }, message);
  }

  note(text: string): Promise<void> {
    return this.emit({ type: 'note', text: redactedExcerpt(this.redactor, text, PASTE_LIMIT) }, redactedExcerpt(this.redactor, text, 300));
  }

  /** Shown live on the console while a slow check waits. */
  progress(text: string): Promise<void> {
    return this.emit({ type: 'progress', text }, text);
  }

  testData(record: TestDataRecord): Promise<void> {
    return this.emit(
      { type: 'testdata', ...record },
      `test data ${record.state}: ${record.what}${record.detail ? ` (${record.detail})` : ''}`,
    );
  }

  /** The row passes on the operator's word: `what` says what the harness could not check. */
  attested(row: string, what: string): Promise<void> {
    return this.emit({ type: 'attested', row, what }, `${row}: ${attestedNotVerified(what)}`);
  }

  confirmed(row: string, by: string, at: string, how: string): Promise<void> {
    return this.emit({ type: 'confirmed', row, by, at, how }, `${row}: confirmed by ${by} at ${at} (${how})`);
  }
}
