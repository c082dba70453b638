// The evidence codec (lib/evidence-codec.ts) between the writer (lib/evidence.ts, lib/suite.ts)
// and the reporter (reporters/vitest-adapter.ts): what one writes the other reads back whole,
// and what the reporter cannot read fails the check instead of vanishing.
import type { TestCase } from 'vitest/node';
import { describe, expect, test } from 'vitest';
import { Evidence } from '../../lib/evidence';
import { decode, encode, type EvidenceRecord } from '../../lib/evidence-codec';
import { Redactor } from '../../lib/secrets/redactor';
import { buildRun } from '../../reporters/build';
import { toRawTest } from '../../reporters/vitest-adapter';
import { greenTests, rawRun } from './fixtures';

/** One record of every member, every optional field set; `satisfies` makes a new member need one here. */
const SAMPLES = {
  paste: { type: 'paste', row: 'B.output', title: 'prisma migrate status', text: 'Database schema is up to date!' },
  value: { type: 'value', row: 'A.rc-sha', text: 'abc1234' },
  exchange: {
    type: 'exchange',
    method: 'GET',
    url: 'https://staging.example.com/readyz',
    status: 200,
    durationMs: 12,
    at: '2026-11-28T01:01:00.000Z',
    requestHeaders: { accept: 'application/json' },
    responseHeaders: { 'content-type': 'application/json' },
    responseExcerpt: '{"ok":true}',
    truncatedAfterBytes: 65_536,
    error: 'answered 200, but its body did not arrive in full',
  },
  measure: { type: 'measure', name: '5xx rate', value: '0.1% (1 of 1000)', threshold: '≤ 1%', ok: true },
  note: { type: 'note', text: 'the worker is simulated' },
  progress: { type: 'progress', text: 'waiting for the digest (2 of 60)' },
  confirmed: { type: 'confirmed', row: 'E.secret-rotated', by: 'dana', at: '2026-11-28T01:02:00Z', how: 'flag' },
  attested: { type: 'attested', row: 'A.rc-sha', what: 'the deployed build is abc1234' },
  testdata: { type: 'testdata', key: 'upload:a.png', what: 'uploads/a.png in the bucket', state: 'left', detail: 'DELETE answered 403' },
  na: { type: 'na', reason: 'attachments are not enabled in this environment' },
  'not-run': { type: 'not-run', reason: 'needs "new upload" (failed)' },
} as const satisfies { [K in EvidenceRecord['type']]: Extract<EvidenceRecord, { type: K }> };

/** The parts of Vitest's TestCase the adapter reads, for a check of step 0 with these annotations. */
function testCase(annotations: { type: string; message: string; attachment?: { body?: unknown } }[], state = 'passed'): TestCase {
  return {
    name: 'GET /readyz → 200',
    module: { moduleId: '/repo/suites/0-preflight.test.ts' },
    result: () => ({ state, errors: [] }),
    annotations: () => annotations,
    diagnostic: () => ({ duration: 3 }),
    meta: () => ({ rows: ['A.rc-sha'], started: true }),
  } as unknown as TestCase;
}

const annotation = (type: string, body: unknown) => ({ type, message: 'm', attachment: { contentType: 'application/json', body } });

describe('the evidence codec', () => {
  test.each(Object.values(SAMPLES))('round-trips $type', (record) => {
    const { type, attachment } = encode(record);
    expect(type).toBe(`cutover:${record.type}`);
    expect(decode({ type, attachment })).toEqual({ ok: true, record });
  });

  test('round-trips a record without its optional fields, and an exchange that got no answer', () => {
    const bare: EvidenceRecord[] = [
      { type: 'paste', row: 'B.output', text: 'x' },
      {
        type: 'exchange',
        method: 'GET',
        url: 'https://x.test/',
        status: null,
        durationMs: 5000,
        at: '2026-11-28T01:01:00.000Z',
        error: 'timed out',
      },
      { type: 'measure', name: 'new Sentry issues', value: 0, threshold: '≤ 0', ok: true },
    ];
    for (const record of bare) expect(decode(encode(record))).toEqual({ ok: true, record });
  });

  test('the writer refuses what the reader would: the check that records it fails, in the worker', async () => {
    const evidence = new Evidence(async () => undefined, new Redactor());
    await expect(evidence.measure({ name: 'ratio', value: Number.NaN, threshold: '≥ 0.5', ok: false })).rejects.toThrow(/value/);
    expect(() => encode({ ...SAMPLES.value, extra: 1 } as EvidenceRecord)).toThrow(/extra/);
  });

  test('what the writer annotates, redacted, is what the reporter reads', async () => {
    const seen: { type: string; message: string; attachment?: { body?: unknown } }[] = [];
    const redactor = new Redactor(['hunter2-hunter2']);
    const evidence = new Evidence(async (message, type, attachment) => void seen.push({ type: type!, message, attachment }), redactor);
    await evidence.value('A.rc-sha', 'abc1234');
    await evidence.testData({ key: 'k', what: 'a row with hunter2-hunter2', state: 'created' });
    expect(seen.map((a) => decode(a))).toEqual([
      { ok: true, record: { type: 'value', row: 'A.rc-sha', text: 'abc1234' } },
      { ok: true, record: { type: 'testdata', key: 'k', what: 'a row with [REDACTED]', state: 'created' } },
    ]);
  });
});

describe('the reporter reads evidence loudly', () => {
  test("evidence, N/A and NOT RUN marks come through; progress and annotations that are not the harness's do not", () => {
    const raw = toRawTest(
      testCase(
        [
          { type: 'notice', message: "a suite's own annotate" },
          { type: encode(SAMPLES.progress).type, message: 'waiting', attachment: encode(SAMPLES.progress).attachment },
          { ...encode(SAMPLES.value), message: 'A.rc-sha: abc1234' },
          { ...encode(SAMPLES.na), message: SAMPLES.na.reason },
        ],
        'skipped',
      ),
    )!;
    expect(raw.evidence).toEqual([SAMPLES.value]);
    expect(raw.notApplicable).toBe(SAMPLES.na.reason);
    expect(raw.state).toBe('skipped');
    expect(toRawTest(testCase([{ ...encode(SAMPLES['not-run']), message: 'x' }], 'skipped'))!.notRun).toBe(SAMPLES['not-run'].reason);
  });

  test.each([
    [
      'a field of the wrong type',
      annotation('cutover:measure', JSON.stringify({ name: 'x', value: true, threshold: 't', ok: true })),
      /\(cutover:measure\): value: Invalid input/,
    ],
    [
      'a missing field',
      annotation('cutover:paste', JSON.stringify({ row: 'B.output' })),
      /\(cutover:paste\): text: Invalid input: expected string, received undefined/,
    ],
    [
      'a field the codec does not know',
      annotation('cutover:value', JSON.stringify({ row: 'A.rc-sha', text: 'x', by: 'me' })),
      /\(cutover:value\): \(body\): Unrecognized key: "by"/,
    ],
    ['an unknown kind', annotation('cutover:bogus', JSON.stringify({ text: 'x' })), /\(cutover:bogus\): type: Invalid discriminator value/],
    ['a body that is not JSON', annotation('cutover:note', '{"text": "cut off'), /\(cutover:note\): its body is not JSON/],
    ['no body', { type: 'cutover:note', message: 'm' }, /\(cutover:note\): it has no JSON body/],
  ])('%s fails the check it belongs to, and the run is NO-GO with it as the blocking error', (_what, bad, error) => {
    const raw = toRawTest(testCase([{ ...encode(SAMPLES.value), message: 'ok' }, bad]))!;
    expect(raw.state).toBe('failed');
    expect(raw.errors).toHaveLength(1);
    expect(raw.errors[0]).toMatch(/^evidence annotation could not be read /);
    expect(raw.errors[0]).toMatch(error);
    expect(raw.evidence).toEqual([SAMPLES.value]);

    const run = buildRun(rawRun([...greenTests().filter((t) => t.rows[0] !== 'A.rc-sha'), raw]));
    expect(run.decision).toBe('NO-GO');
    expect(run.blocking).toMatchObject({ stepN: 0, check: 'GET /readyz → 200', error: raw.errors[0] });
  });
});
