import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Redactor } from '../../lib/secrets/redactor';
import { TargetClient } from '../../lib/http/client';
import { acceptedWritesProblem, watchAcceptedWrites } from '../../lib/http/readonly';
import { tinyTarget } from '../support/tiny-target';

let server: Awaited<ReturnType<typeof tinyTarget>>;

beforeAll(async () => {
  server = await tinyTarget({
    'GET /notifications': () => ({ body: [] }),
    'POST /auth/login': () => ({ body: { token: 't' } }),
    'POST /payments/webhook': () => ({ status: 400, body: { error: 'No signatures found' } }),
    'POST /jobs': () => ({ status: 201, body: { job: { id: 1 } } }),
  });
});
afterAll(() => server.close());

const watched = () =>
  watchAcceptedWrites(
    new TargetClient({ baseUrl: server.url, timeoutMs: 5_000, userAgent: 'selftest', redactor: new Redactor() }),
    '/auth/login',
  );

describe('a readonly check cannot write unnoticed', () => {
  test('reads, logins and writes the target refuses are not writes', async () => {
    const { client, accepted } = watched();
    expect((await client.get('/notifications')).status).toBe(200);
    expect((await client.post('/auth/login', { json: {} })).status).toBe(200);
    expect((await client.post('/payments/webhook', { json: {} })).status).toBe(400);
    expect(accepted).toEqual([]);
  });

  test('a write the target accepts is noted, and the problem says what and how to tag the check', async () => {
    const { client, accepted } = watched();
    expect((await client.post('/jobs', { json: { title: 'x' } })).status).toBe(201);
    expect(accepted).toEqual(['POST /jobs → 201']);
    expect(acceptedWritesProblem(accepted)).toBe(
      'a readonly check had the target accept POST /jobs → 201: it may have written to the target; tag the check testdata or mutating',
    );
  });
});
