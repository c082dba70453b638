import { z } from 'zod';
import './config/jitless';

/**
 * The one wire format of evidence: what a check records (lib/evidence.ts, lib/suite.ts) travels
 * from the worker to the reporter as a Vitest annotation of type `cutover:<kind>` whose JSON
 * body is checked here on both sides. The writer cannot send what the reader would refuse, and
 * what the reader cannot read is an error, never an empty record.
 */

const PREFIX = 'cutover:';

/** Annotation types of the harness; the part after `cutover:` is the record's `type`. */
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
  attested: 'cutover:attested',
} as const satisfies Record<string, `${typeof PREFIX}${EvidenceRecord['type']}`>;

// Strict objects: a field the writer adds without adding it here fails at the writer, in the
// harness's own tests, rather than vanishing on its way to the document.
export const testDataRecordSchema = z.strictObject({
  /** Names one thing (a row, an object), so a later record can say it was removed. */
  key: z.string(),
  /** What it is and where, for the operator who has to remove it by hand. */
  what: z.string(),
  /** `kept`: stays by design (the target's replay log of a synthetic webhook event), never removed. */
  state: z.enum(['created', 'removed', 'left', 'kept']),
  /** Why it was left or is kept (cleanup failed, id unreadable, storage.cleanup=mark). */
  detail: z.string().optional(),
});

export const exchangeRecordSchema = z.strictObject({
  method: z.string(),
  url: z.string(),
  status: z.number().int().nullable(),
  durationMs: z.number(),
  at: z.string(),
  requestHeaders: z.record(z.string(), z.string()).optional(),
  responseHeaders: z.record(z.string(), z.string()).optional(),
  responseExcerpt: z.string().optional(),
  /** The body was longer than http.maxBodyBytes: read up to here, the rest never read. */
  truncatedAfterBytes: z.number().optional(),
  error: z.string().optional(),
});

export const measureSchema = z.strictObject({
  name: z.string(),
  value: z.union([z.number(), z.string()]),
  threshold: z.string(),
  ok: z.boolean(),
});

const kind = <K extends string, S extends z.ZodRawShape>(type: K, shape: S) => z.strictObject({ type: z.literal(type), ...shape });

/** The records a document shows as evidence; the others mark a check or feed the console. */
const shownKinds = [
  kind('paste', { row: z.string(), title: z.string().optional(), text: z.string() }),
  kind('value', { row: z.string(), text: z.string() }),
  kind('exchange', exchangeRecordSchema.shape),
  kind('measure', measureSchema.shape),
  kind('note', { text: z.string() }),
  kind('confirmed', { row: z.string(), by: z.string(), at: z.string(), how: z.string() }),
  /** A row that passes on the operator's word: `what` is the claim the harness could not check. */
  kind('attested', { row: z.string(), what: z.string() }),
  kind('testdata', testDataRecordSchema.shape),
] as const;

export const shownEvidenceSchema = z.discriminatedUnion('type', [...shownKinds]);

export const evidenceRecordSchema = z.discriminatedUnion('type', [
  ...shownKinds,
  kind('progress', { text: z.string() }),
  kind('na', { reason: z.string() }),
  kind('not-run', { reason: z.string() }),
]);

export type TestDataRecord = z.infer<typeof testDataRecordSchema>;
export type ExchangeRecord = z.infer<typeof exchangeRecordSchema>;
export type Measure = z.infer<typeof measureSchema>;
export type EvidenceRecord = z.infer<typeof evidenceRecordSchema>;

/** What Vitest's `annotate` takes besides the message, and hands the reporter back. */
export interface EncodedEvidence {
  type: string;
  attachment: { contentType: 'application/json'; bodyEncoding: 'utf-8'; body: string };
}

/** Throws (zod's error) on a record the reader would refuse, so the check that wrote it fails. */
export function encode(record: EvidenceRecord): EncodedEvidence {
  const { type, ...body } = evidenceRecordSchema.parse(record);
  return { type: `${PREFIX}${type}`, attachment: { contentType: 'application/json', bodyEncoding: 'utf-8', body: JSON.stringify(body) } };
}

/** The one wording of an attested row, on the console and in the document alike. */
export function attestedNotVerified(what: string): string {
  return `attested, not verified: ${what}`;
}

export type Decoded = { ok: true; record: EvidenceRecord } | { ok: false; error: string };

/**
 * `null` for an annotation that is not the harness's (a suite may call Vitest's own
 * `annotate`); otherwise the record, or why it could not be read.
 */
export function decode(annotation: { type: string; attachment?: { body?: unknown } }): Decoded | null {
  if (!annotation.type.startsWith(PREFIX)) return null;
  const unreadable = (why: string): Decoded => ({ ok: false, error: `evidence annotation could not be read (${annotation.type}): ${why}` });
  const body = annotation.attachment?.body;
  if (typeof body !== 'string') return unreadable('it has no JSON body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return unreadable(`its body is not JSON (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return unreadable('its body is not a JSON object');
  const result = evidenceRecordSchema.safeParse({ ...parsed, type: annotation.type.slice(PREFIX.length) });
  if (!result.success) return unreadable(result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  return { ok: true, record: result.data };
}
