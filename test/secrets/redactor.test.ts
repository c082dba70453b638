import { describe, expect, test } from 'vitest';
import { Redactor, REDACTED } from '../../lib/secrets/redactor';
import { redactorFor, secretEnvNames } from '../../lib/secrets/known';
import { sectionsSchema } from '../../lib/config/schema';

// Fake keys are split ('sk' + '_live_…') so no committed literal looks like a real credential.

describe('redaction', () => {
  const secret = 'p@ss word/with+odd=chars"';
  const r = new Redactor([secret]);

  test.each([
    ['raw', secret],
    ['base64', Buffer.from(secret).toString('base64')],
    ['base64url', Buffer.from(secret).toString('base64url')],
    ['URL-encoded', encodeURIComponent(secret)],
    ['form-encoded', encodeURIComponent(secret).replaceAll('%20', '+')],
    ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
    ['JSON inside JSON', JSON.stringify(JSON.stringify(secret)).slice(1, -1)],
    ['lower-case hex', Buffer.from(secret).toString('hex')],
    ['upper-case hex', Buffer.from(secret).toString('hex').toUpperCase()],
  ])('removes the %s form', (_, form) => {
    const out = r.redact(`before ${form} after`);
    expect(out).not.toContain(form);
    expect(out).toContain(REDACTED);
  });

  test.each([0, 1, 2, 3, 4, 5])('finds base64 of the secret embedded at offset %i of a larger value', (offset) => {
    const encoded = Buffer.from(`${'u'.repeat(offset)}:${secret}:tail`).toString('base64');
    expect(r.redact(encoded)).not.toBe(encoded);
  });

  test('headers, signed URLs, tokens and URL passwords are redacted by shape', () => {
    const input = [
      'Authorization: Bearer abc.def.ghi123',
      '{"cookie":"sid=123456789"}',
      'https://bucket.s3.amazonaws.com/k?X-Amz-Credential=AK' + 'IAABCDEFGHIJKLMNOP%2F2026&X-Amz-Signature=deadbeefcafe&X-Amz-Expires=300',
      'postgres://app:hunter2hunter2@db:5432/x',
      'key sk' + '_live_51Habcdefghijklmnop and whsec_abcdefghijklmnopqrst',
      'jwt eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOjF9.c2lnbmF0dXJlc2ln',
      't=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
    ].join('\n');
    const out = new Redactor().redact(input);
    for (const leaked of [
      'abc.def.ghi123',
      'sid=123456789',
      'deadbeefcafe',
      'AK' + 'IAABCDEFGHIJKLMNOP',
      'hunter2hunter2',
      'sk_live_51H',
      'whsec_abcd',
      'eyJ1c2VySWQiOjF9',
      '5257a869e7',
    ]) {
      expect(out, leaked).not.toContain(leaked);
    }
    expect(out).toContain('X-Amz-Expires=300');
    expect(out).toContain('postgres://app:[REDACTED]@db:5432/x');
  });

  test('hex of the secret inside a longer hex dump is found at either nibble alignment', () => {
    const hex = Buffer.from(`xy${secret}z`).toString('hex');
    expect(r.redact(hex)).toBe(`7879${REDACTED}7a`);
    expect(r.redact(`0${hex}`)).toBe(`07879${REDACTED}7a`);
  });

  test('a JWT is redacted whole, header included, wherever it starts (after a dash, a dot, a quote)', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOjF9.c2lnbmF0dXJlc2ln';
    const r0 = new Redactor();
    expect(r0.redact(`"${jwt}"`)).toBe(`"${REDACTED}"`);
    expect(r0.redact(`token-${jwt} x`)).toBe(`token-${REDACTED} x`);
    expect(r0.redact(`v.${jwt}`)).toBe(`v.${REDACTED}`);
    expect(r0.redact(`${jwt} ${jwt}`)).toBe(`${REDACTED} ${REDACTED}`);
    // Overlapping candidates (the signature itself starts like a header) make one redaction.
    expect(r0.redact('eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOjF9.eyJzaWduYXR1cmU.eyJ0YWlsdGFpbA.c2lnbmF0dXJl')).toBe(REDACTED);
    expect(r0.redact('eyJhbGciOiJIUzI1NiJ9 is only a header')).toBe('eyJhbGciOiJIUzI1NiJ9 is only a header');
  });

  test('a URL password is redacted whatever the scheme looks like', () => {
    const r0 = new Redactor();
    expect(r0.redact('x1postgres://app:hunter2hunter2@db/x')).toBe('x1postgres://app:[REDACTED]@db/x');
    expect(r0.redact('REDIS_URL=rediss://:pw-pw-pw-pw@cache:6380')).toBe('REDIS_URL=rediss://:[REDACTED]@cache:6380');
  });

  // What made the old patterns quadratic (80K characters took 6.5 s, so these 2 MB took hours):
  // each must now finish well inside the test's deadline. Speed itself is measured in bench/.
  test.each([
    ['a run of letters', () => 'a'.repeat(2_000_000)],
    ['a base64 blob', () => Buffer.alloc(1_500_000, 7).toString('base64')],
    ['header starts in one run', () => 'eyJ-'.repeat(500_000)],
    ['header starts, then a dot', () => `${'eyJ-'.repeat(500_000)}.eyJ.x`],
    ['schemes without passwords', () => 'a://b:'.repeat(330_000)],
    ['key prefixes', () => '-sk_live_abcdefgh_'.repeat(110_000)],
  ])(
    'redacting 2 MB of %s ends (linear time)',
    (_, make) => {
      const text = make();
      const r0 = new Redactor(['operator-secret-value']);
      expect(r0.redact(text).length).toBeGreaterThan(0);
      expect(r0.findKnown(text)).toBe(false);
    },
    30_000,
  );

  test('short values are not treated as secrets (a password of "true" would wreck the document)', () => {
    expect(new Redactor(['true']).redact('ok: true')).toBe('ok: true');
  });

  test("every credential the config names is known from the start, the accounts' emails are not", () => {
    // credential() leaves registration to this: nothing the suites read through it may go unredacted.
    const sections = sectionsSchema.parse({});
    const c = sections.credentials;
    const secrets = [
      c.stripeWebhookSecret,
      c.stripePreviousWebhookSecret,
      c.attestationToken,
      c.githubToken,
      c.accounts.consumer.password,
      c.accounts.admin.password,
    ];
    const env = Object.fromEntries(secrets.map((name, i) => [name, `configured-credential-value-${i}`]));
    const redactor = redactorFor(sections, { ...env, [c.accounts.consumer.email]: 'consumer@example.com' });
    for (const value of Object.values(env)) expect(redactor.findKnown(`echo ${value}`), value).toBe(true);
    expect(redactor.redact('consumer@example.com')).toBe('consumer@example.com');
  });

  test('values of env vars named like secrets are known without configuration', () => {
    expect(secretEnvNames(undefined, { MY_API_TOKEN: 'x', SOMETHING_SECRET: 'y', PATH: '/bin', DATABASE_URL: 'z' })).toEqual([
      'DATABASE_URL',
      'MY_API_TOKEN',
      'SOMETHING_SECRET',
    ]);
  });
});

describe('leak detection', () => {
  test("the operator's secrets echoed by the target are a leak; a token the target issued is only hidden", () => {
    const r = new Redactor(['operator-secret-value']).addIssued('issued-session-token');
    expect(r.findKnown('{"error":"bad operator-secret-value"}')).toBe(true);
    expect(r.findKnown('{"token":"issued-session-token"}')).toBe(false);
    expect(r.redact('{"token":"issued-session-token"}')).toBe('{"token":"[REDACTED]"}');
  });
});
