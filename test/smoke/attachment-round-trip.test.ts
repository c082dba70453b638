import { afterEach, describe, expect, it } from 'vitest';
import { sectionsSchema } from '../../lib/config/schema';
import { describeUpload, readBack } from '../../lib/smoke/attachment-round-trip';
import type { TestUpload } from '../../lib/storage/attachments-api';
import type { Route } from '../support/tiny-target';
import { clientFor } from './client';

const harness = { sections: sectionsSchema.parse({}) };
const bytes = Buffer.from('\x89PNG smoke bytes');
const upload = (storageKey: string | null): TestUpload => ({
  id: 7,
  storageKey,
  diskPath: storageKey ? null : 'job/1/x.png',
  filename: 'cutover-harness-test-x.png',
  bytes,
});

const redirect =
  (to: string): Route =>
  () => ({ status: 302, body: '', headers: { location: to, 'cache-control': 'private, max-age=0, no-store' } });
const png =
  (data: Buffer): Route =>
  () => ({ body: data, headers: { 'content-type': 'image/png' } });

let close: (() => Promise<void>) | undefined;
afterEach(() => close?.());

async function trip(routes: Record<string, Route>, storageKey: string | null) {
  const server = await clientFor(routes);
  close = server.close;
  return readBack(server.target, harness, 'token', upload(storageKey));
}

describe('readBack', () => {
  it('object storage: 302 to a signed URL serving the same bytes', async () => {
    const result = await trip({ 'GET /attachments/7': redirect('/signed/7'), 'GET /signed/7': png(bytes) }, 'attachments/job/1/x.png');
    expect(result.problems).toEqual([]);
    expect(result.hops).toEqual(['GET attachment #7 → 302 to a signed URL', 'GET signed URL → the same bytes']);
  });

  it('object storage: other bytes behind the signed URL are a problem', async () => {
    const result = await trip(
      { 'GET /attachments/7': redirect('/signed/7'), 'GET /signed/7': png(Buffer.from('other')) },
      'attachments/job/1/x.png',
    );
    expect(result.problems).toEqual([expect.stringMatching(/^the signed URL served 5 bytes whose sha256 differs/)]);
  });

  it('object storage: a 200 stream instead of the redirect is a problem', async () => {
    const result = await trip({ 'GET /attachments/7': png(bytes) }, 'attachments/job/1/x.png');
    expect(result.problems).toEqual([expect.stringMatching(/answered 200, not 302 to a signed URL/)]);
  });

  it('disk only: the target streams the same bytes itself', async () => {
    const result = await trip({ 'GET /attachments/7': png(bytes) }, null);
    expect(result.problems).toEqual([]);
    expect(result.hops).toEqual(['GET attachment #7 → 200, streamed the same bytes']);
  });

  it('disk only: an error answer is a problem', async () => {
    const result = await trip({}, null);
    expect(result.problems).toEqual([expect.stringMatching(/^GET attachment #7 \(disk only\) answered 404, not 200/)]);
  });

  it('describes the upload for the notes', () => {
    expect(describeUpload(upload('k'))).toBe(
      `upload cutover-harness-test-x.png (${bytes.length} bytes) → 201 attachment #7, storageKey set`,
    );
  });
});
