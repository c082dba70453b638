import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Redactor } from '../../lib/secrets/redactor';
import { TargetClient } from '../../lib/target/client';
import { refuseAcceptedWrites } from '../../lib/target/readonly';
import { tinyTarget } from '../support/tiny-target';

let server: Awaited<ReturnType<typeof tinyTarget>>;
const received: string[] = [];
const note = (req: { method?: string; url?: string }) => received.push(`${req.method} ${req.url}`);

beforeAll(async () => {
  server = await tinyTarget({
    'GET /notifications': (req) => (note(req), { body: [] }),
    'POST /auth/login': (req) => (note(req), { body: { token: 't' } }),
    'POST /payments/webhook': (req) => (note(req), { status: 400, body: { error: 'No signatures found' } }),
    'POST /jobs': (req) => (note(req), { status: 201, body: { job: { id: 1 } } }),
  });
});
afterAll(() => server.close());

const guarded = () => refuseAcceptedWrites(new TargetClient({ baseUrl: server.url, timeoutMs: 5_000, userAgent: 'selftest', redactor: new Redactor() }), '/auth/login');

describe('a readonly check cannot write unnoticed', () => {
  test('reads, logins and writes the target refuses pass', async () => {
    const target = guarded();
    expect((await target.get('/notifications')).status).toBe(200);
    expect((await target.post('/auth/login', { json: {} })).status).toBe(200);
    expect((await target.post('/payments/webhook', { json: {} })).status).toBe(400);
  });

  test('a write the target accepts fails the check, saying what and how to tag it', async () => {
    await expect(guarded().post('/jobs', { json: { title: 'x' } })).rejects.toThrow(
      'a readonly check sent POST /jobs and the target accepted it (201): it may have written to the target; tag the check testdata or mutating',
    );
    expect(received).toContain('POST /jobs');
  });
});
