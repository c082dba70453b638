import { createHash, randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { describeS3Error, endpointUrl, isNotFound, type S3Settings } from '../storage/s3';
import { s3Client } from '../storage/s3-client';
import { ProbeFailure, runProbe, type ProbeResult } from './probe';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * HeadBucket, then a put/get/delete of a canary object under `keyPrefix`: proves the bucket
 * exists and the credentials may write, read back the same bytes and delete. A null prefix lists
 * at most one key instead of the round trip: the doctor proves the credentials read, writing nothing.
 */
export function probeObjectStorage(s3: S3Settings, keyPrefix: string | null, timeoutMs: number): Promise<ProbeResult> {
  const where = `bucket "${s3.bucket}" at ${endpointUrl(s3).host}`;
  return runProbe('object storage', timeoutMs, async (abortSignal) => {
    const client = s3Client(s3, { maxAttempts: 1, requestTimeoutMs: timeoutMs, connectionTimeoutMs: timeoutMs });
    const step = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (error) {
        if (operation === 'HeadBucket' && isNotFound(error)) throw new ProbeFailure(`${where}: the bucket does not exist (HeadBucket 404)`);
        throw new ProbeFailure(`${where}: ${describeS3Error(operation, error)}`);
      }
    };
    try {
      await step('HeadBucket', () => client.send(new HeadBucketCommand({ Bucket: s3.bucket }), { abortSignal }));
      if (keyPrefix === null) {
        await step('ListObjectsV2', () => client.send(new ListObjectsV2Command({ Bucket: s3.bucket, MaxKeys: 1 }), { abortSignal }));
        return `${where}: HeadBucket ok; ListObjectsV2 (1 key at most) ok`;
      }
      const Key = `${keyPrefix}canary-${randomBytes(4).toString('hex')}.txt`;
      const body = Buffer.from(`cutover harness canary ${new Date().toISOString()} ${randomBytes(8).toString('hex')}\n`);
      await step('PutObject', () =>
        client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: body, ContentType: 'text/plain', ContentLength: body.length }), {
          abortSignal,
        }),
      );
      try {
        const got = await step('GetObject', () => client.send(new GetObjectCommand({ Bucket: s3.bucket, Key }), { abortSignal }));
        const bytes = await step('GetObject body', async () => (await got.Body?.transformToByteArray()) ?? new Uint8Array());
        if (sha256(bytes) !== sha256(body))
          throw new ProbeFailure(
            `${where}: the canary object read back differs from what was written (${bytes.length} vs ${body.length} bytes)`,
          );
      } finally {
        await step('DeleteObject', () => client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key }), { abortSignal }));
      }
      const gone = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key }), { abortSignal }).then(
        () => false,
        (error: unknown) => isNotFound(error),
      );
      if (!gone) throw new ProbeFailure(`${where}: the canary object ${Key} is still there after DeleteObject`);
      return `${where}: HeadBucket ok; canary ${Key} put, read back identical (sha256), deleted`;
    } finally {
      client.destroy();
    }
  });
}
