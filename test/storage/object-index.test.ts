// ObjectIndex against s3rver: what a listing finds at a run's keys stands in for a HeadObject per
// key, and where the listing stops short the keys past it stay unknown (HeadObject decides).
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { ObjectIndex } from '../../lib/storage/object-index';
import { s3Client } from '../../lib/storage/s3-client';
import { bytesOf, recordingS3Client, useStorageWorlds, type StorageWorld } from './helpers';

const world = useStorageWorlds();

async function put(w: StorageWorld, key: string, size: number): Promise<void> {
  const client = s3Client(w.s3.settings);
  try {
    await client.send(new PutObjectCommand({ Bucket: w.s3.settings.bucket, Key: key, Body: bytesOf(size) }));
  } finally {
    client.destroy();
  }
}

describe('ObjectIndex', () => {
  it('finds each stored object with the size and ETag HeadObject gives, and none where nothing is stored: one listing per chunk of keys', async () => {
    const w = await world();
    await put(w, 'attachments/job/12/a.png', 300);
    await put(w, 'attachments/job/7/b.png', 40);
    await put(w, 'attachments/job/120/foreign.png', 5);
    const keys = [
      'attachments/job/12/a.png',
      'attachments/job/7/b.png',
      'attachments/job/3/c.png',
      'attachments/message/9/d.png',
      'x/e.png',
    ];
    const { client, calls } = recordingS3Client(w);
    try {
      const index = new ObjectIndex(client, w.s3.settings.bucket, keys, { chunk: 2 });
      const found = await Promise.all(keys.map((k) => index.lookup(k)));
      expect(calls.filter((c) => c === 'ListObjectsV2Command')).toHaveLength(3);
      expect(calls).not.toContain('HeadObjectCommand');
      const head = await client.send(new HeadObjectCommand({ Bucket: w.s3.settings.bucket, Key: 'attachments/job/12/a.png' }));
      expect(found).toEqual([
        { size: 300, etag: head.ETag },
        { size: 40, etag: expect.stringMatching(/^"[0-9a-f]{32}"$/) },
        null,
        null,
        null,
      ]);
      expect(await index.lookup('attachments/job/120/foreign.png')).toBeUndefined();
    } finally {
      client.destroy();
    }
  });

  it('pages a range by StartAfter and leaves the keys past its last page unknown when foreign objects fill the pages', async () => {
    const w = await world();
    const { client, calls } = recordingS3Client(w);
    // A store that truncates its answers (s3rver cannot: it fails on every truncated listing).
    const stored = ['k/1/a', 'k/2/x', 'k/3/x', 'k/4/x'];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'ListObjectsV2Command') return next(args);
        const input = args.input as { Prefix: string; StartAfter?: string; MaxKeys: number };
        const after = stored.filter((k) => k.startsWith(input.Prefix) && k > (input.StartAfter ?? ''));
        const page = after.slice(0, input.MaxKeys).map((Key) => ({ Key, Size: 10, ETag: '"e"' }));
        return { output: { Contents: page, IsTruncated: after.length > page.length, $metadata: {} }, response: {} };
      },
      { step: 'initialize', priority: 'low' },
    );
    try {
      const short = new ObjectIndex(client, w.s3.settings.bucket, ['k/1/a', 'k/5/b'], { pageSize: 2, pages: 1 });
      expect(await short.lookup('k/1/a')).toEqual({ size: 10, etag: '"e"' });
      expect(await short.lookup('k/5/b')).toBeUndefined();
      const long = new ObjectIndex(client, w.s3.settings.bucket, ['k/1/a', 'k/5/b'], { pageSize: 2, pages: 3 });
      expect(await long.lookup('k/5/b')).toBeNull();
      expect(await long.lookup('k/1/a')).toEqual({ size: 10, etag: '"e"' });
    } finally {
      client.destroy();
    }
    expect(calls.filter((c) => c === 'ListObjectsV2Command')).toHaveLength(1 + 2);
  });

  it('leaves every key to HeadObject when the store does not answer the listing (no s3:ListBucket, or a store that fails it)', async () => {
    const w = await world();
    await put(w, 'k/1/a', 10);
    for (const key of ['k/2/x', 'k/3/x']) await put(w, key, 10);
    const client = s3Client(w.s3.settings);
    try {
      // s3rver fails every listing it would have to truncate: pages of 2 keys over 3 objects
      const index = new ObjectIndex(client, w.s3.settings.bucket, ['k/1/a', 'k/9/b'], { pageSize: 2 });
      expect(await index.lookup('k/1/a')).toBeUndefined();
      expect(await index.lookup('k/9/b')).toBeUndefined();
    } finally {
      client.destroy();
    }
  });
});
