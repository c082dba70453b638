import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { ACCOUNTS, BUCKET, call, expectedSignature, fetchBytes, PNG, type Res, upload, useReferenceTarget } from './reference-target';

const target = useReferenceTarget();
let consumerToken = '';
beforeAll(async () => {
  consumerToken = await target.login(ACCOUNTS.consumer);
});

describe.concurrent('uploads to S3 and presigned reads (contract §4)', () => {
  const bytes = Buffer.concat([PNG, randomBytes(2048)]);
  let up: Res;
  let a: { id: number; diskPath: string | null; storageKey: string };
  beforeAll(async () => {
    up = await upload(target.url, consumerToken, target.seed.jobId, bytes);
    a = up.json?.attachment;
  });

  test('an upload is 201 and stored in S3 under attachments/job/<jobId>/<uuid>.png, not on disk', () => {
    expect(up.status, up.text).toBe(201);
    expect(a.diskPath, 'diskPath').toBeNull();
    expect(a.storageKey, 'storageKey').toMatch(new RegExp(`^attachments/job/${target.seed.jobId}/[0-9a-f-]{36}\\.png$`));
  });

  test('GET /attachments/:id is an uncached 302 to a URL presigned for the bucket with the 300 s TTL and the configured key, serving the same bytes', async () => {
    const get = await call(target.url, 'GET', `/attachments/${a.id}`, { token: consumerToken });
    expect(get.status, 'status').toBe(302);
    expect(get.headers.get('cache-control'), 'Cache-Control').toBe('private, max-age=0, no-store');
    const loc = new URL(get.headers.get('location')!);
    expect(loc.searchParams.get('X-Amz-Expires'), 'X-Amz-Expires').toBe('300');
    expect(loc.pathname.startsWith(`/${BUCKET}/`), `${loc.pathname} is in ${BUCKET}`).toBe(true);
    expect(await fetchBytes(loc.toString()), 'bytes behind the URL').toEqual(bytes);
    expect(loc.searchParams.get('X-Amz-Signature'), 'signature of the configured key').toBe(
      await expectedSignature(target.env, loc.toString()),
    );
  });

  test('a bidder on the job may read its attachment; a stranger may neither read nor upload', async () => {
    const bidder = await target.login(ACCOUNTS.providerInstant);
    expect((await call(target.url, 'GET', `/attachments/${a.id}`, { token: bidder })).status, 'bidder reads').toBe(302);
    const stranger = await target.login(ACCOUNTS.providerDigest);
    expect((await call(target.url, 'GET', `/attachments/${a.id}`, { token: stranger })).status, 'stranger reads').toBe(403);
    expect((await upload(target.url, stranger, target.seed.jobId, bytes)).status, 'stranger uploads').toBe(403);
  });

  test('refused: upload to an unknown job 404, not an image 415, over MAX_ATTACHMENT_BYTES 413, not multipart 400; an unknown attachment 404', async () => {
    const { jobId } = target.seed;
    expect((await upload(target.url, consumerToken, 999999, bytes)).status, 'unknown job').toBe(404);
    expect((await upload(target.url, consumerToken, jobId, bytes, 'text/plain', 'a.txt')).status, 'text/plain').toBe(415);
    expect((await upload(target.url, consumerToken, jobId, randomBytes(1024 * 1024 + 1))).status, '1 MiB + 1').toBe(413);
    expect(
      (await call(target.url, 'POST', `/jobs/${jobId}/attachments/upload`, { token: consumerToken, body: {} })).status,
      'JSON body',
    ).toBe(400);
    expect((await call(target.url, 'GET', '/attachments/999999', { token: consumerToken })).status, 'unknown attachment').toBe(404);
  });
});

// Before the migrate command runs: it moves these rows to S3.
describe.concurrent('legacy disk attachments (contract §4)', () => {
  test('a legacy attachment streams from the uploads dir with its type, length and bytes', async () => {
    const legacy = target.seed.legacy.job[0];
    const r = await fetch(`${target.url}/attachments/${legacy.id}`, { headers: { authorization: `Bearer ${consumerToken}` } });
    expect(r.status, 'status').toBe(200);
    expect(r.headers.get('content-type'), 'Content-Type').toBe('image/png');
    expect(r.headers.get('content-length'), 'Content-Length').toBe(String(legacy.bytes.length));
    expect(Buffer.from(await r.arrayBuffer()), 'bytes').toEqual(legacy.bytes);
  });

  test('a legacy row whose file is missing, or whose path escapes the uploads dir, is 404', async () => {
    const { missingFileId, outsideUploadsId } = target.seed.legacy;
    expect((await call(target.url, 'GET', `/attachments/${missingFileId}`, { token: consumerToken })).status, 'missing file').toBe(404);
    expect((await call(target.url, 'GET', `/attachments/${outsideUploadsId}`, { token: consumerToken })).status, 'escaping path').toBe(404);
  });
});

describe('the migrate-attachments command (contract §4)', () => {
  const migrate = (args: string[], env = target.env) => target.runToEnd('migrate-attachments.ts', args, env);
  const summary = (out: string) => JSON.parse(/\[migrate\] done (.*)/.exec(out)![1]);

  test.concurrent('a malformed argument (--limit 20, not --limit=20) is a usage error: exit 2', async () => {
    expect((await migrate(['--limit', '20'])).code, 'exit code').toBe(2);
  });

  test.concurrent('without the S3 settings even a dry run exits 1', async () => {
    expect((await migrate(['--dry-run'], { ...target.env, OBJECT_STORAGE_PROVIDER: undefined })).code, 'exit code').toBe(1);
  });

  test('a dry run announces itself and reports what it would move, moving nothing', async () => {
    const dry = await migrate(['--dry-run', '--limit=20', '--concurrency=5']);
    expect(dry.code, dry.out).toBe(0);
    expect(dry.out, 'start line').toMatch(/^\[migrate\] starting$/m);
    expect({ ...summary(dry.out) }, 'summary').toEqual({
      dryRun: true,
      processed: 6,
      migrated: 0,
      wouldMigrate: 4,
      failed: 0,
      skippedMissingFile: 1,
      skippedInvalidPath: 1,
    });
  });

  test('a real run moves the 4 movable files to S3 keys named after their rows, keeping diskPath', async () => {
    const real = await migrate(['--limit=200', '--concurrency=5']);
    expect(real.code, real.out).toBe(0);
    expect(summary(real.out).migrated, 'migrated').toBe(4);
    const rows = await target.pool.query(`SELECT "id", "diskPath", "storageKey" FROM "MessageAttachment"`);
    expect(rows.rows[0].storageKey, 'message attachment key').toMatch(new RegExp(`^attachments/message/${rows.rows[0].id}/leak\\.png$`));
    expect(rows.rows[0].diskPath, 'diskPath kept').toBeTruthy();
  });

  test('after the run a legacy attachment redirects to S3, with the same bytes', async () => {
    const legacy = target.seed.legacy.job[1];
    const get = await call(target.url, 'GET', `/attachments/${legacy.id}`, { token: consumerToken });
    expect(get.status, 'status').toBe(302);
    expect(await fetchBytes(get.headers.get('location')!), 'bytes').toEqual(legacy.bytes);
  });

  test('a second run only finds the 2 rows it cannot move', async () => {
    expect((await migrate([])).out, 'summary').toMatch(/"processed":2/);
  });
});
