import { expect } from 'vitest';
import { describeStep, proves, test } from '../lib/suite';

describeStep('env', () => {
  test('GET /healthz → 200 with { ok: true }', { tags: ['readonly'], meta: proves('C.healthz') }, async ({ harness, target, evidence }) => {
    const res = await target.get(harness.sections.routes.healthz);
    await evidence.paste('C.healthz', `HTTP ${res.status}\n${res.text}`);
    expect(res.status, `/healthz answered ${res.status}`).toBe(200);
    expect(res.json()).toMatchObject({ ok: true });
  });

  test('GET /readyz → 200 with { ok: true, db: true }', { tags: ['readonly'], meta: proves('C.readyz') }, async ({ harness, target, evidence }) => {
    const res = await target.get(harness.sections.routes.readyz);
    await evidence.paste('C.readyz', `HTTP ${res.status}\n${res.text}`);
    expect(res.status, `/readyz answered ${res.status}: ${res.text.slice(0, 200)}`).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, db: true });
  });
});
