import type { TestAttachment } from 'vitest';
import { Redactor } from './secrets/redactor';

/** Annotation types the Go/No-Go reporter understands. */
export const EVIDENCE = {
  paste: 'cutover:paste',
  value: 'cutover:value',
  exchange: 'cutover:exchange',
  measure: 'cutover:measure',
  note: 'cutover:note',
  notApplicable: 'cutover:na',
  progress: 'cutover:progress',
  confirmed: 'cutover:confirmed',
  notRun: 'cutover:not-run',
  testData: 'cutover:testdata',
} as const;

/**
 * Test data on the target, as the run created and removed it. `key` names one thing (a row, an
 * object) so a later record can say it was removed; anything created whose last record is
 * not `removed` is listed in the document as left on the target.
 */
export interface TestDataRecord {
  key: string;
  /** What it is and where, for the operator who has to remove it by hand. */
  what: string;
  /** `kept`: stays by design (the target's replay log of a synthetic webhook event), never removed. */
  state: 'created' | 'removed' | 'left' | 'kept';
  /** Why it was left or is kept (cleanup failed, id unreadable, storage.cleanup=mark). */
  detail?: string;
}

export interface ExchangeRecord {
  method: string;
  url: string;
  status: number | null;
  durationMs: number;
  at: string;
  requestHeaders?: Record<string, string>;
  responseHeaders?: Record<string, string>;
  responseExcerpt?: string;
  /** The body was longer than http.maxBodyBytes: read up to here, the rest never read. */
  truncatedAfterBytes?: number;
  error?: string;
}

export interface Measure {
  name: string;
  value: number | string;
  threshold: string;
  ok: boolean;
}

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

  private async emit(type: string, message: string, payload: object): Promise<void> {
    const safe = this.redactor.redactDeep(payload);
    await this.annotate(this.redactor.redact(message), type, {
      contentType: 'application/json',
      bodyEncoding: 'utf-8',
      body: JSON.stringify(safe),
    });
  }

  /** Output the runbook asks the operator to paste into the document. */
  paste(row: string, text: string, title?: string): Promise<void> {
    return this.emit(EVIDENCE.paste, `${row}: ${title ?? 'output'}`, { row, title, text: redactedExcerpt(this.redactor, text, PASTE_LIMIT) });
  }

  /** Fills a row's `__________`. */
  value(row: string, text: string): Promise<void> {
    return this.emit(EVIDENCE.value, `${row}: ${text}`, { row, text });
  }

  exchange(record: ExchangeRecord): Promise<void> {
    const message = `${record.method} ${record.url} → ${record.status ?? record.error ?? 'no answer'} (${record.durationMs} ms)`;
    return this.emit(EVIDENCE.exchange, message, record);
  }

  measure(measure: Measure): Promise<void> {
    const message = `${measure.name}: ${measure.value} (threshold ${measure.threshold}) ${measure.ok ? 'ok' : 'OUT OF BOUNDS'}`;
    return this.emit(EVIDENCE.measure, message, measure);
  }

  note(text: string): Promise<void> {
    return this.emit(EVIDENCE.note, redactedExcerpt(this.redactor, text, 300), { text: redactedExcerpt(this.redactor, text, PASTE_LIMIT) });
  }

  /** Shown live on the console while a slow check waits. */
  progress(text: string): Promise<void> {
    return this.emit(EVIDENCE.progress, text, { text });
  }

  testData(record: TestDataRecord): Promise<void> {
    return this.emit(EVIDENCE.testData, `test data ${record.state}: ${record.what}${record.detail ? ` (${record.detail})` : ''}`, record);
  }

  confirmed(row: string, by: string, at: string, how: string): Promise<void> {
    return this.emit(EVIDENCE.confirmed, `${row}: confirmed by ${by} at ${at} (${how})`, { row, by, at, how });
  }
}
