// Presigned URLs made by the real AWS SDK presigner, checked the way step 3 checks the target's:
// location, expiry, and the signature recomputed with the configured credentials.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import type { S3Settings } from '../../lib/storage/s3';
import { s3Client } from '../../lib/storage/s3-client';
import { expiryProblems, locationProblems, parseSignedUrl, signatureProblems } from '../../lib/storage/signed-url';

const pathStyle: S3Settings = {
  bucket: 'cutover-attachments',
  region: 'eu-west-1',
  accessKeyId: 'AKIASELFTEST0000001',
  secretAccessKey: 'selftest/Secret+Access=Key',
  endpoint: 'http://127.0.0.1:4569',
  forcePathStyle: true,
};
const aws: S3Settings = { ...pathStyle, endpoint: undefined, forcePathStyle: false };
const KEY = 'attachments/job/7/5f0c a+b.png';

async function presign(s3: S3Settings, opts: { key?: string; bucket?: string; expiresIn?: number; secret?: string } = {}): Promise<string> {
  const client = s3Client({ ...s3, secretAccessKey: opts.secret ?? s3.secretAccessKey });
  try {
    return await getSignedUrl(client, new GetObjectCommand({ Bucket: opts.bucket ?? s3.bucket, Key: opts.key ?? KEY }), {
      expiresIn: opts.expiresIn ?? 300,
    });
  } finally {
    client.destroy();
  }
}

describe.each([
  ['path style (custom endpoint)', pathStyle],
  ['virtual-host style (AWS)', aws],
])('a presigned GET URL, %s', (_, s3) => {
  it('passes every check when it is right', async () => {
    const url = parseSignedUrl(await presign(s3), s3);
    expect(url.style).toBe(s3.forcePathStyle ? 'path' : 'virtual-host');
    expect(url.key).toBe(KEY);
    expect(locationProblems(url, s3, KEY)).toEqual([]);
    expect(expiryProblems(url, 300)).toEqual([]);
    expect(await signatureProblems(url, s3)).toEqual([]);
  });

  it('fails the signature when another secret signed it', async () => {
    const url = parseSignedUrl(await presign(s3, { secret: 'someone-elses-secret' }), s3);
    expect(await signatureProblems(url, s3)).toEqual([expect.stringMatching(/^X-Amz-Signature does not match/)]);
  });

  it('fails the signature when the URL was tampered with after signing (another key)', async () => {
    const tampered = (await presign(s3)).replace('5f0c', '5f0d');
    expect(await signatureProblems(parseSignedUrl(tampered, s3), s3)).toEqual([expect.stringMatching(/^X-Amz-Signature does not match/)]);
  });

  it('names another bucket and another key', async () => {
    const url = parseSignedUrl(await presign(s3, { bucket: 'other-bucket', key: 'attachments/job/8/x.png' }), s3);
    expect(locationProblems(url, s3, KEY)).toEqual([
      'the URL is for bucket "other-bucket", the configured bucket is "cutover-attachments"',
      `the URL is for key "attachments/job/8/x.png", the row's storageKey is "${KEY}"`,
    ]);
  });

  it('names a TTL other than the configured one, and an expired URL', async () => {
    const url = parseSignedUrl(await presign(s3, { expiresIn: 360 }), s3);
    expect(expiryProblems(url, 300)).toEqual(['X-Amz-Expires is 360 s, ATTACHMENTS_SIGNED_URL_TTL_SECONDS is 300 s']);
    const later = new Date(Date.now() + 10 * 60_000);
    expect(expiryProblems(url, 360, later)).toEqual(['the URL has already expired']);
  });
});

describe('parseSignedUrl and its checks', () => {
  it('a URL on another host is neither style', async () => {
    const url = parseSignedUrl((await presign(pathStyle)).replace('127.0.0.1:4569', 'evil.example:4569'), pathStyle);
    expect(url.style).toBe('unknown');
    expect(locationProblems(url, pathStyle, KEY)).toEqual([
      "the URL's host evil.example:4569 is neither the configured endpoint 127.0.0.1:4569 (path style) nor <bucket>.127.0.0.1:4569",
    ]);
  });

  it('an unsigned URL lacks what a signature needs', async () => {
    const url = parseSignedUrl(`${pathStyle.endpoint}/${pathStyle.bucket}/${KEY}`, pathStyle);
    expect(await signatureProblems(url, pathStyle)).toEqual(['X-Amz-Algorithm is missing, not AWS4-HMAC-SHA256']);
    expect(expiryProblems(url, 300)).toEqual(['the URL has no X-Amz-Expires', 'the URL has no valid X-Amz-Date']);
  });

  it('another access key id or region is named, never the secret', async () => {
    const other = { ...pathStyle, accessKeyId: 'AKIAOTHER0000000001', region: 'us-east-1' };
    const problems = await signatureProblems(parseSignedUrl(await presign(other), pathStyle), pathStyle);
    expect(problems).toEqual([
      'X-Amz-Credential names another access key id than OBJECT_STORAGE_S3_ACCESS_KEY_ID',
      "the credential scope's region is us-east-1, OBJECT_STORAGE_S3_REGION is eu-west-1",
    ]);
    expect(problems.join(' ')).not.toContain(pathStyle.secretAccessKey);
  });

  it('path style is required when OBJECT_STORAGE_S3_FORCE_PATH_STYLE=true', async () => {
    // (an IP endpoint is always addressed path style, so a host name here)
    const virtual = { ...pathStyle, endpoint: 'http://s3.internal:9000', forcePathStyle: false };
    const configured = { ...virtual, forcePathStyle: true };
    const url = parseSignedUrl(await presign(virtual), configured);
    expect(url.style).toBe('virtual-host');
    expect(locationProblems(url, configured, KEY)).toEqual([
      'OBJECT_STORAGE_S3_FORCE_PATH_STYLE=true but the URL is virtual-host style (cutover-attachments.s3.internal:9000)',
    ]);
  });
});
