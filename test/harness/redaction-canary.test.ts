import { afterEach, expect, test } from 'vitest';
import { secretForms } from '../../lib/secrets/redactor';
import { runHarness, summary } from '../support/run-harness';
import { tinyTarget } from '../support/tiny-target';

// Fake keys are split ('sk' + '_live_…') so no committed literal looks like a real credential.

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const canaries = {
  STRIPE_SECRET_KEY: 'sk' + '_live_CANARYstripe000111222333',
  JWT_SECRET: 'canary-jwt-secret-4f1d9c7e',
  CUTOVER_ADMIN_PASSWORD: 'Canary pass/word+=&"quoted"',
  DATABASE_URL: 'postgres://harness:canary-db-password-77@db.internal:5432/app',
};

/** The forms the issues name, computed independently of the redactor under test. */
function plantedForms(secret: string): string[] {
  return [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('hex'),
    Buffer.from(secret).toString('hex').toUpperCase(),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ];
}

/** Where the evidence cuts a body into an excerpt (lib/evidence.ts). */
const EXCERPT_CUT = 2_000;
/** This much of the straddling secret falls before the cut: what cutting before redacting kept. */
const STRADDLE = 12;

test('canary secrets in raw, base64, hex, URL-encoded and JSON-escaped forms, and one straddling the excerpt cut, never reach any artifact', async () => {
  const leak = Object.values(canaries).flatMap(plantedForms).join(' | ');
  const basic = Buffer.from(`admin:${canaries.CUTOVER_ADMIN_PASSWORD}`).toString('base64');
  // In the body as sent, the JWT secret starts STRADDLE characters before the excerpt cut (where
  // cutting before redacting cut it); redacted first, the text shrinks, and the tail keeps it cut.
  const head = `{"ok":true,"debug":${JSON.stringify(leak)},"auth":"Basic ${basic}","pad":"`;
  const healthz = `${head}${'x'.repeat(EXCERPT_CUT - STRADDLE - head.length)}${canaries.JWT_SECRET}","tail":"${'y'.repeat(3_000)}"}`;
  const target = await tinyTarget({
    // A healthy answer that carries every form: the harness must fail it and keep it out of the reports.
    'GET /healthz': () => ({ body: healthz }),
    'GET /readyz': () => ({
      status: 500,
      body: `{"ok":false,"error":"connect failed for ${canaries.DATABASE_URL}?token=${encodeURIComponent(canaries.JWT_SECRET)}"}`,
      headers: { 'set-cookie': `session=${canaries.JWT_SECRET}` },
    }),
  });
  close = target.close;
  const result = await runHarness([`--base-url=${target.url}`, '--only=env', '-t', 'GET /healthz|GET /readyz'], { env: canaries });
  expect(result.code, summary(result)).toBe(1);
  expect(result.run!.blocking!.error).toContain('contains a secret the harness knows');

  const artifacts = { ...result.artifacts, 'console stdout': result.stdout, 'console stderr': result.stderr };
  expect(Object.keys(artifacts).some((n) => n.endsWith('.md'))).toBe(true);
  expect(Object.keys(artifacts).some((n) => n.endsWith('junit.xml'))).toBe(true);
  expect(Object.keys(artifacts).some((n) => n.endsWith('.json'))).toBe(true);
  for (const [secretName, secret] of Object.entries(canaries)) {
    const forms = new Set([...plantedForms(secret), ...secretForms(secret)]);
    const password = secretName === 'DATABASE_URL' ? 'canary-db-password-77' : null;
    if (password) forms.add(password);
    for (const [name, text] of Object.entries(artifacts)) {
      for (const form of forms) expect(text.includes(form), `${secretName} (${form.slice(0, 6)}…) leaked into ${name}`).toBe(false);
    }
  }
  for (const [name, text] of Object.entries(artifacts)) {
    expect(
      text.includes(canaries.JWT_SECRET.slice(0, STRADDLE)),
      `the start of the secret straddling the excerpt cut leaked into ${name}`,
    ).toBe(false);
  }
  // The excerpt was cut (so the straddle test means something) and is in the JSON document.
  expect(Object.entries(result.artifacts).find(([n]) => n.endsWith('.json'))![1]).toContain('more characters)');
  // The evidence is still there, redacted: the reader sees what happened without the secret.
  expect(JSON.stringify(result.run)).toContain('[REDACTED]');
  expect(result.markdown).toContain('GET http://127.0.0.1');
});
