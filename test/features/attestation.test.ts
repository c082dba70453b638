import { afterAll, describe, expect, it } from 'vitest';
import { sectionsSchema } from '../../lib/config/schema';
import { fillPath, probe, restartRehearsalTarget } from '../../lib/features/attestation';
import { mentionsJob } from '../../lib/features/digest';
import { Redactor } from '../../lib/secrets/redactor';
import { TargetClient } from '../../lib/http/client';
import { tinyTarget } from '../support/tiny-target';

const att = sectionsSchema.parse({}).backend.attestation;
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

async function serve(routes: Parameters<typeof tinyTarget>[0]) {
  const server = await tinyTarget(routes);
  closers.push(server.close);
  return {
    url: server.url,
    client: new TargetClient({ baseUrl: server.url, timeoutMs: 2_000, userAgent: 'attestation-test', redactor: new Redactor() }),
  };
}

describe('probing routes without an attestation', () => {
  it('fills path parameters with a placeholder the guard never looks at', () => {
    expect(fillPath('/jobs/:jobId/attachments/upload')).toBe('/jobs/0/attachments/upload');
    expect(fillPath('/jobs/:jobId/bids', { jobId: '42' })).toBe('/jobs/42/bids');
  });

  it("tells the contract's block from an auth refusal and from other attestation refusals", async () => {
    const { client } = await serve({
      'POST /auth/login': () => ({ status: 401, body: { error: 'App attestation required', requestId: 'r1' } }),
      'POST /jobs': () => ({ status: 401, body: { error: 'Unauthorized' } }),
      'GET /notifications': () => ({ status: 503, body: { error: 'App attestation verifier not configured' } }),
    });
    const blocked = await probe(client, { method: 'POST', path: '/auth/login' }, att);
    expect(blocked).toMatchObject({ route: 'POST /auth/login', status: 401, blocked: true, attestationRefusal: true });
    expect(await probe(client, { method: 'POST', path: '/jobs' }, att)).toMatchObject({ blocked: false, attestationRefusal: false });
    expect(await probe(client, { method: 'GET', path: '/notifications' }, att)).toMatchObject({ blocked: false, attestationRefusal: true });
    expect(await probe(client, { method: 'POST', path: '/messages' }, att)).toMatchObject({ status: 404, blocked: false, error: null });
  });
});

describe('restarting the rehearsal target', () => {
  it('answers where the target listens once it is healthy', async () => {
    const { url } = await serve({ 'POST /target/restart': () => ({ body: { baseUrl: 'http://127.0.0.1:4000' } }) });
    expect(await restartRehearsalTarget(url, { APP_ATTESTATION_ENFORCE: 'true' }, 2_000)).toBe('http://127.0.0.1:4000');
  });

  it('fails when the restart fails or takes too long', async () => {
    const { url } = await serve({
      'POST /target/restart': () => ({ status: 500, body: { error: 'target exited (code 1) before it was ready' } }),
    });
    await expect(restartRehearsalTarget(url, {}, 2_000)).rejects.toThrow(/could not restart the target \(500\): .*exited/);
    const slow = await serve({ 'POST /target/restart': () => ({ body: { baseUrl: 'x' }, delayMs: 1_000 }) });
    await expect(restartRehearsalTarget(slow.url, {}, 100)).rejects.toThrow(/did not restart the target: no answer within 100 ms/);
  });
});

describe('which notifications are about the test job', () => {
  const paths = sectionsSchema.parse({}).backend.responses.notificationJob;
  it('matches job.match by jobId and digests by their top matches', () => {
    expect(mentionsJob({ jobId: 7, title: 'x' }, 7, paths)).toBe(true);
    expect(mentionsJob('{"jobId":"7"}', 7, paths)).toBe(true);
    expect(mentionsJob({ count: 2, topMatches: [{ jobId: 3 }, { id: 7 }] }, '7', paths)).toBe(true);
    expect(mentionsJob({ count: 1, topMatches: [{ jobId: 3 }] }, 7, paths)).toBe(false);
    expect(mentionsJob(null, 7, paths)).toBe(false);
    expect(mentionsJob('not json', 7, paths)).toBe(false);
  });

  it('reads where the profile says a notification names its job', () => {
    expect(mentionsJob({ job: { id: 7 } }, 7, 'job.id')).toBe(true);
    expect(mentionsJob({ jobId: 7 }, 7, 'job.id')).toBe(false);
  });
});
