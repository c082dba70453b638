import { afterEach, describe, expect, it } from 'vitest';
import { sectionsSchema } from '../../lib/config/schema';
import { probeHealth } from '../../lib/http/health';
import type { Route } from '../support/tiny-target';
import { clientFor } from './client';

const json =
  (status: number, body: unknown): Route =>
  () => ({ status, body });

const harness = { sections: sectionsSchema.parse({}) };

let close: (() => Promise<void>) | undefined;
afterEach(() => close?.());

async function probe(route: 'healthz' | 'readyz', answer: Route) {
  const server = await clientFor({ [`GET /${route}`]: answer });
  close = server.close;
  return (await probeHealth(server.target, harness, route)).problem;
}

describe('probeHealth', () => {
  it("passes 200 with the contract's fields, extra fields allowed", async () => {
    expect(await probe('healthz', json(200, { ok: true }))).toBeNull();
    expect(await probe('readyz', json(200, { ok: true, db: true, latencyMs: 3 }))).toBeNull();
  });

  it.each([
    ['healthz', json(500, { ok: false }), /\/healthz answered 500, not 200/],
    ['readyz', json(503, { ok: false, db: false }), /\/readyz answered 503, not 200/],
    ['readyz', json(200, { ok: true, db: false }), /answered 200 but not \{"ok":true,"db":true\}/],
    ['healthz', json(200, { ok: 'yes' }), /answered 200 but not \{"ok":true\}/],
    ['healthz', json(200, ''), /not JSON .*\(empty body\)/],
    ['healthz', json(200, '<html>ok</html>'), /not JSON/],
  ] as const)('%s: fails closed on %#', async (route, answer, message) => {
    expect(await probe(route, answer)).toMatch(message);
  });

  it('an unreachable target is an error, not a pass', async () => {
    const server = await clientFor({});
    await server.close();
    await expect(probeHealth(server.target, harness, 'healthz')).rejects.toThrow(/connection refused/);
  });
});
