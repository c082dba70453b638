import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { createHash, type Hash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { digestFile, digestStream, type Digest } from './hash';
import { inLanes } from './migrate/runner';
import type { StoredObject } from './object-index';
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
  /** Parts of one file in flight at once; each is streamed from disk, so memory does not grow with it. */
  queueSize: number;
  signal?: AbortSignal;
  /** The file's size, when the caller has just read it; it is read again after the upload either way. */
  size?: number;
  /** What is at the key already, as a listing found it (ObjectIndex); undefined: ask HeadObject. */
  existing?: StoredObject | null;
}

export interface CopyResult {
  bytes: number;
  /** The object was already there with these exact bytes (an interrupted earlier run put it). */
  resumed: boolean;
  /** How the stored object was proven equal to the file: the store's own MD5 (ETag) or reading it back. */
  verifiedBy: 'etag' | 'read-back';
}

export class VerificationFailed extends Error {}

const md5Hex = /^"?([0-9a-f]{32})"?$/;
const compositeEtag = /^"?([0-9a-f]{32})-(\d+)"?$/;

/** What a store that computes ETags as MD5s (S3 without SSE-KMS/SSE-C, MinIO, s3rver) says about these bytes. */
interface SentDigests {
  /** MD5 of the whole file; unknown ('') for a multipart upload, whose parts go in parallel. */
  md5: string;
  /** MD5 of each part (multipart uploads), in order. */
  parts: Buffer[];
  /** Parts whose ETag was not the MD5 of the bytes sent. */
  partsUnverified?: number;
}

/** Whether an ETag is what the store computes over exactly these bytes: whole MD5, or S3's md5-of-part-md5s "-N". */
export function etagMatches(etag: string | undefined, sent: SentDigests): boolean {
  if (!etag) return false;
  const whole = md5Hex.exec(etag);
  if (whole) return !!sent.md5 && whole[1] === sent.md5;
  const multi = compositeEtag.exec(etag);
  if (!multi || Number(multi[2]) !== sent.parts.length) return false;
  return createHash('md5').update(Buffer.concat(sent.parts)).digest('hex') === multi[1];
}

/** A byte range of the file as a stream, every chunk also fed to the given hashes. */
function hashedRange(file: string, start: number, end: number, hashes: Hash[]): Readable {
  const read = createReadStream(file, { start, end: end - 1, highWaterMark: 256 * 1024 });
  const feed = new Transform({
    transform(chunk: Buffer, _enc, done) {
      for (const h of hashes) h.update(chunk);
      done(null, chunk);
    },
  });
  read.on('error', (error) => feed.destroy(error));
  return read.pipe(feed);
}

/**
 * Streams the file to the key without holding it (or a part of it) in memory: one PutObject up
 * to partSize, else a multipart upload with up to queueSize parts in flight, each streamed from
 * disk with its length. MD5s are computed on the bytes as they are sent and each UploadPart's ETag
 * (the store's MD5 of the part it received) compared with its part's. Returns the final ETag.
 */
async function streamUpload(opts: CopyOptions, size: number, sent: SentDigests): Promise<string | undefined> {
  const { client, bucket, key, file, signal } = opts;
  if (size <= opts.partSize) {
    const whole = createHash('md5');
    const res = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: size ? hashedRange(file, 0, size, [whole]) : Buffer.alloc(0),
        ContentLength: size,
        ContentType: opts.contentType,
      }),
      { abortSignal: signal },
    );
    sent.md5 = whole.digest('hex');
    return res.ServerSideEncryption === 'aws:kms' || res.SSECustomerAlgorithm ? undefined : res.ETag;
  }
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: opts.contentType }), {
    abortSignal: signal,
  });
  try {
    const numbers = Array.from({ length: Math.ceil(size / opts.partSize) }, (_, i) => i + 1);
    const parts: { ETag: string; PartNumber: number }[] = [];
    await inLanes(numbers, opts.queueSize, async (n) => {
      const start = (n - 1) * opts.partSize;
      const end = Math.min(size, start + opts.partSize);
      const part = createHash('md5');
      const res = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          PartNumber: n,
          Body: hashedRange(file, start, end, [part]),
          ContentLength: end - start,
        }),
        { abortSignal: signal },
      );
      const md5 = part.digest();
      // not the part's MD5: damaged on the way, or a store whose ETags are no MD5s (SSE-KMS); read back at the end
      if (!etagMatches(res.ETag, { md5: md5.toString('hex'), parts: [] })) sent.partsUnverified = (sent.partsUnverified ?? 0) + 1;
      sent.parts[n - 1] = md5;
      parts.push({ ETag: res.ETag!, PartNumber: n });
    });
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    const done = await client.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
      { abortSignal: signal },
    );
    return done.ETag;
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => undefined);
    throw error;
  }
}

/**
 * Streams a file to the bucket and proves the stored object is that file. The proof is the
 * store's own: it computes each object's (and part's) MD5 over the bytes it stored and answers
 * it as the ETag, which must equal the MD5 of the bytes sent. Where the ETag is not an MD5
 * (SSE-KMS, SSE-C, some stores) or does not match, HeadObject must show the file's size and the
 * object is read back and its sha256 compared with the file's instead. An object already at the key with
 * the file's exact bytes is kept (a resumed run), anything else there is overwritten: keys are
 * deterministic, so this never duplicates. What is at the key comes from HeadObject, or from a
 * listing the caller made (opts.existing).
 */
export async function copyFileVerified(opts: CopyOptions): Promise<CopyResult> {
  const { client, bucket, key, signal } = opts;
  const size = opts.size ?? (await stat(opts.file)).size;
  const existing = opts.existing === undefined ? await objectHead(client, bucket, key, signal) : opts.existing;
  if (existing?.size === size) {
    const local = await digestFileForEtag(opts.file, opts.partSize, size);
    if (etagMatches(existing.etag, local)) return { bytes: size, resumed: true, verifiedBy: 'etag' };
    if (await sameBytesReadBack(opts, signal)) return { bytes: size, resumed: true, verifiedBy: 'read-back' };
  }

  const sent: SentDigests = { md5: '', parts: [], partsUnverified: 0 };
  let etag: string | undefined;
  try {
    etag = await streamUpload(opts, size, sent);
  } catch (error) {
    throw new Error(describeS3Error(`upload ${key}`, error));
  }
  if ((await stat(opts.file)).size !== size) throw new VerificationFailed('the file changed while it was copied');
  // The ETag the write answered is the store's digest of the object it now holds: equal to the
  // MD5 of what was sent (or S3's MD5 of the part MD5s), nothing more needs reading.
  if (etagMatches(etag, sent)) return { bytes: size, resumed: false, verifiedBy: 'etag' };
  const head = await objectHead(client, bucket, key, signal);
  if (head?.size !== size) throw new VerificationFailed(`HeadObject says ${head?.size ?? 'no object'} bytes, ${size} were sent`);
  // Multipart on a store whose final ETag is not S3's md5-of-parts form (s3rver: the whole
  // object's MD5, unknown here as parts go in parallel): every part was checked as it arrived.
  if (sent.parts.length && !sent.partsUnverified && !compositeEtag.test(etag ?? ''))
    return { bytes: size, resumed: false, verifiedBy: 'etag' };
  if (await sameBytesReadBack(opts, signal)) return { bytes: size, resumed: false, verifiedBy: 'read-back' };
  throw new VerificationFailed(
    `the stored object's sha256 differs from the file's (read back after its ETag ${etag ?? '(none)'} did not match the MD5s sent)`,
  );
}

async function objectHead(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<StoredObject | null> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return {
      size: head.ContentLength ?? null,
      etag: head.ServerSideEncryption === 'aws:kms' || head.SSECustomerAlgorithm ? undefined : head.ETag,
    };
  } catch (error) {
    if (isNotFound(error)) return null;
    throw new Error(describeS3Error(`HeadObject ${key}`, error));
  }
}

/** The MD5s a store would compute for this file uploaded with this part size. */
async function digestFileForEtag(file: string, partSize: number, size: number): Promise<SentDigests> {
  const whole = createHash('md5');
  const parts: Buffer[] = [];
  if (size <= partSize) {
    if (size > 0) for await (const chunk of hashedRange(file, 0, size, [whole])) void chunk;
    return { md5: whole.digest('hex'), parts };
  }
  for (let start = 0; start < size; start += partSize) {
    const part = createHash('md5');
    for await (const chunk of hashedRange(file, start, Math.min(size, start + partSize), [part, whole])) void chunk;
    parts.push(part.digest());
  }
  return { md5: whole.digest('hex'), parts };
}

async function sameBytesReadBack(opts: CopyOptions, signal?: AbortSignal): Promise<boolean> {
  const [stored, local] = await Promise.all([digestObject(opts.client, opts.bucket, opts.key, signal), digestFile(opts.file)]);
  return !!stored && stored.sha256 === local.sha256 && stored.bytes === local.bytes;
}
