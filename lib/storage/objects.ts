import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { digestFile, digestStream, type Digest } from './hash';
import { describeS3Error, isNotFound } from './s3';

/** The stored object's sha256 and size, streamed back from the bucket; null when there is none. */
export async function digestObject(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<Digest | null> {
  let body: AsyncIterable<Uint8Array> | undefined;
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    body = res.Body as AsyncIterable<Uint8Array> | undefined;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw new Error(describeS3Error(`GetObject ${key}`, error));
  }
  if (!body) throw new Error(`GetObject ${key}: answered without a body`);
  return digestStream(body);
}

export async function objectSize(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<number | null> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return head.ContentLength ?? null;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw new Error(describeS3Error(`HeadObject ${key}`, error));
  }
}

export interface CopyOptions {
  client: S3Client;
  bucket: string;
  key: string;
  file: string;
  contentType: string;
  /** Multipart part size in bytes; files up to it go in one PutObject. */
  partSize: number;
  /** Parts in flight per file: memory per file is about (queueSize + 1) x partSize. */
  queueSize: number;
  signal?: AbortSignal;
}

export interface CopyResult extends Digest {
  /** The object was already there with these exact bytes (an interrupted earlier run put it). */
  resumed: boolean;
}

export class VerificationFailed extends Error {}

/**
 * Streams a file to the bucket and proves the stored object is that file: HeadObject size,
 * then the object streamed back and its sha256 compared with the sha256 of the bytes sent.
 * An object already at the key with the file's exact bytes is kept (a resumed run), anything
 * else there is overwritten: keys are deterministic, so this never duplicates.
 */
export async function copyFileVerified(opts: CopyOptions): Promise<CopyResult> {
  const { client, bucket, key, signal } = opts;
  const size = (await stat(opts.file)).size;
  if ((await objectSize(client, bucket, key, signal)) === size) {
    const [stored, local] = await Promise.all([digestObject(client, bucket, key, signal), digestFile(opts.file)]);
    if (stored && stored.sha256 === local.sha256) return { ...local, resumed: true };
  }

  const hash = createHash('sha256');
  let sent = 0;
  const body = new PassThrough();
  const reading = pipeline(createReadStream(opts.file), async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      hash.update(chunk);
      sent += chunk.length;
      yield chunk;
    }
  }, body);
  const upload = new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: body, ContentType: opts.contentType },
    partSize: opts.partSize,
    queueSize: opts.queueSize,
    leavePartsOnError: false,
  });
  const abort = () => void upload.abort().catch(() => undefined);
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await Promise.all([upload.done(), reading]);
  } catch (error) {
    body.destroy();
    throw new Error(describeS3Error(`upload ${key}`, error));
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  const sentDigest = { sha256: hash.digest('hex'), bytes: sent };
  if (sentDigest.bytes !== size) throw new VerificationFailed(`the file changed while it was copied (${size} bytes at start, ${sent} read)`);

  const storedSize = await objectSize(client, bucket, key, signal);
  if (storedSize !== sent) throw new VerificationFailed(`HeadObject says ${storedSize ?? 'no object'} bytes, ${sent} were sent`);
  const stored = await digestObject(client, bucket, key, signal);
  if (!stored || stored.sha256 !== sentDigest.sha256) {
    throw new VerificationFailed(`the stored object's sha256 differs from the file's (${stored?.bytes ?? 0} bytes read back)`);
  }
  return { ...sentDigest, resumed: false };
}
