// lib/http/client.ts against real hostile servers: bounded reads, deadlines that cover the body,
// excerpts redacted before they are cut.
import { afterEach, describe, expect, test } from 'vitest';
import { Evidence, type ExchangeRecord } from '../../lib/evidence';
import { Redactor } from '../../lib/secrets/redactor';
import { TargetClient, TargetUnreachable } from '../../lib/http/client';
import { hostileTarget, HUGE_BODY_BYTES } from '../support/hostile-target';
import { tinyTarget } from '../support/tiny-target';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

function clientWithEvidence(baseUrl: string, redactor = new Redactor(), opts: { timeoutMs?: number; maxBodyBytes?: number } = {}) {
  const exchanges: ExchangeRecord[] = [];
  const annotate = async (_message: string, type?: string, attachment?: { body?: unknown }) => {
    if (type === 'cutover:exchange') exchanges.push(JSON.parse(String(attachment?.body)) as ExchangeRecord);
  };
  const evidence = new Evidence(annotate, redactor);
  const client = new TargetClient({
    baseUrl,
    timeoutMs: opts.timeoutMs ?? 5_000,
    maxBodyBytes: opts.maxBodyBytes,
    userAgent: 'client-test',
    redactor,
    evidence,
  });
  return { client, exchanges };
}

describe('what the target sends is bounded', () => {
  test('a 20 MB body is read up to maxBodyBytes, the read is cancelled there, and the evidence says so', async () => {
    const target = await hostileTarget('huge-body');
    close = target.close;
    const { client, exchanges } = clientWithEvidence(target.url, new Redactor(), { maxBodyBytes: 65_536 });
    const res = await client.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.truncated).toBe(true);
    expect(res.body.length).toBe(65_536);
    expect(() => res.json()).toThrow(/longer than 65536 bytes \(http\.maxBodyBytes\)/);
    expect(exchanges[0]!.responseExcerpt).toMatch(/\(truncated after 65536 bytes\)$/);
    expect(exchanges[0]!.truncatedAfterBytes).toBe(65_536);
    expect(exchanges[0]!.responseExcerpt!.length).toBeLessThan(2_200);
    // The server saw the client hang up before it could send the 20 MB.
    await expect.poll(() => target.stats.clientHungUp).toBe(true);
    expect(target.stats.bytesWritten).toBeLessThan(HUGE_BODY_BYTES);
  });

  test('a body at most maxBodyBytes long is read whole and not marked truncated', async () => {
    const target = await tinyTarget({ 'GET /x': () => ({ body: 'y'.repeat(1_024) }) });
    close = target.close;
    const { client, exchanges } = clientWithEvidence(target.url, new Redactor(), { maxBodyBytes: 1_024 });
    const res = await client.get('/x');
    expect(res).toMatchObject({ truncated: false, text: 'y'.repeat(1_024) });
    expect(exchanges[0]!.responseExcerpt).not.toContain('truncated');
  });

  test('a body dripping one byte a second ends at the call deadline, which covers the body, not only the headers', async () => {
    const target = await hostileTarget('drip');
    close = target.close;
    const { client, exchanges } = clientWithEvidence(target.url, new Redactor(), { timeoutMs: 2_500 });
    const error = await client.get('/healthz').then(
      () => null,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(TargetUnreachable);
    expect(error!.message).toMatch(/answered 200, but its body did not arrive in full \(no answer within 2500 ms\)/);
    expect(exchanges[0]).toMatchObject({ status: 200, error: expect.stringContaining('did not arrive in full') });
    await expect.poll(() => target.stats.clientHungUp).toBe(true);
  });

  test('a connection accepted and never answered ends at the deadline', async () => {
    const target = await hostileTarget('accept-and-hang');
    close = target.close;
    const { client } = clientWithEvidence(target.url, new Redactor(), { timeoutMs: 1_000 });
    await expect(client.get('/healthz')).rejects.toThrow('no answer within 1000 ms');
  });
});

describe('excerpts are redacted before they are cut', () => {
  const secret = 'straddling-secret-value-0123456789';

  test('a known secret straddling the 2000-character excerpt cut leaves no prefix in the evidence', async () => {
    const body = `${'x'.repeat(1_990)}${secret} and more after it`;
    const target = await tinyTarget({ 'GET /x': () => ({ body, headers: { 'content-type': 'text/plain' } }) });
    close = target.close;
    const redactor = new Redactor().addIssued(secret);
    const { client, exchanges } = clientWithEvidence(target.url, redactor);
    const res = await client.get('/x');
    expect(exchanges[0]!.responseExcerpt).not.toContain(secret.slice(0, 10));
    expect(exchanges[0]!.responseExcerpt).toContain('[REDACTED]');
    expect(res.excerpt(1_995)).not.toContain(secret.slice(0, 5));
  });

  test('the same for an error message quoting a body that is not JSON', async () => {
    const body = `${'x'.repeat(190)}${secret}`;
    const target = await tinyTarget({ 'GET /x': () => ({ body, headers: { 'content-type': 'text/plain' } }) });
    close = target.close;
    const { client } = clientWithEvidence(target.url, new Redactor().addIssued(secret));
    const res = await client.get('/x');
    expect(() => res.json()).toThrow(/not JSON/);
    let message = '';
    try {
      res.json();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain(secret.slice(0, 6));
  });
});
