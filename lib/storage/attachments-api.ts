import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { describePaths, firstParent, firstValue } from '../backend/json-path';
import type { HarnessContext } from '../context';
import { attestationHeaders } from '../http/session';
import { multipartFile, type TargetClient, type TargetResponse } from '../http/client';
import { digestBuffer, type Digest } from './hash';
import { objectSize } from './objects';
import { tinyPng } from './png';

/** What the target answered for the harness's test upload. */
export interface TestUpload {
  id: number;
  storageKey: string | null;
  diskPath: string | null;
  filename: string;
  bytes: Buffer;
}

/** Named so that, left behind (storage.cleanup 'mark'), it says what it is. */
export const testUploadName = (runId: string) => `cutover-harness-test-${runId.replace(/[^\w-]/g, '')}.png`;

export function attachmentPath(route: string, params: Record<string, string | number>): string {
  return route.replace(/:(\w+)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`route ${route} needs :${name}`);
    return encodeURIComponent(String(params[name]));
  });
}

/** The target took the upload (201) but did not say which row it is: the harness cannot remove it. */
export class UploadWithoutId extends Error {
  constructor(
    readonly filename: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runbook step 3.1: upload a small image through the API as the consumer who owns the test job. */
export async function uploadTestAttachment(
  target: TargetClient,
  harness: Pick<HarnessContext, 'runId' | 'sections'>,
  token: string,
  jobId: string,
): Promise<TestUpload> {
  const filename = testUploadName(harness.runId);
  const bytes = tinyPng(`cutover-harness ${harness.runId}: test upload, safe to delete`);
  const form = await multipartFile('file', { filename, contentType: 'image/png', data: bytes });
  const res = await target.post(attachmentPath(harness.sections.backend.routes.upload, { jobId }), {
    token,
    body: form.body,
    headers: { 'content-type': form.contentType, ...attestationHeaders(harness) },
  });
  if (res.status !== 201) throw new Error(`the upload answered ${res.status}, not 201: ${res.excerpt(200)}`);
  const paths = harness.sections.backend.responses.created.upload;
  const body = res.json<unknown>();
  const id = firstValue(body, paths);
  const a = firstParent(body, paths) as { storageKey?: string | null; diskPath?: string | null } | undefined;
  if (typeof id !== 'number' || !a)
    throw new UploadWithoutId(filename, `the upload answered 201 without an id at ${describePaths(paths)}: ${res.excerpt(200)}`);
  return { id, storageKey: a.storageKey ?? null, diskPath: a.diskPath ?? null, filename, bytes };
}

export function getAttachment(
  target: TargetClient,
  harness: Pick<HarnessContext, 'sections'>,
  token: string,
  id: number,
): Promise<TargetResponse> {
  return target.get(attachmentPath(harness.sections.backend.routes.attachment, { id }), { token });
}

/** The signed URL a 302 points at, or an error saying what came instead. */
export function redirectTarget(res: TargetResponse): string {
  if (res.status !== 302)
    throw new Error(`GET ${new URL(res.url).pathname} answered ${res.status}, not 302 to a signed URL: ${res.excerpt(200)}`);
  const location = res.headers.location;
  if (!location) throw new Error(`GET ${new URL(res.url).pathname} answered 302 without a Location header`);
  return new URL(location, res.url).toString();
}

/** Whether a response served the expected bytes (a 200 with the same sha256); null when it did. */
export function servedBytesProblem(res: TargetResponse, expected: Buffer | Digest): string | null {
  const want = Buffer.isBuffer(expected) ? digestBuffer(expected) : expected;
  if (res.status !== 200) return `answered ${res.status}, not 200`;
  const got = digestBuffer(res.body);
  if (got.sha256 !== want.sha256) return `served ${got.bytes} bytes whose sha256 differs from the expected ${want.bytes} bytes`;
  return null;
}

/** Fetches a URL (a signed URL) and compares what it serves with the expected bytes. */
export async function bytesProblem(target: TargetClient, url: string, expected: Buffer | Digest): Promise<string | null> {
  return servedBytesProblem(await target.get(url), expected);
}

/**
 * storage.cleanup 'delete': the row and the object go, and both are checked gone, so production
 * keeps no harness data. Returns what was done, for the evidence.
 */
export async function deleteTestUpload(
  db: Pick<pg.ClientBase, 'query'>,
  table: string,
  upload: TestUpload,
  client: S3Client,
  bucket: string,
): Promise<string> {
  const res = await db.query(`DELETE FROM "${table}" WHERE "id" = $1 AND "filename" = $2`, [upload.id, upload.filename]);
  if (res.rowCount !== 1)
    throw new Error(`the test upload's row ${table}#${upload.id} could not be deleted (${res.rowCount} rows matched)`);
  if (upload.storageKey) {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: upload.storageKey }));
    if ((await objectSize(client, bucket, upload.storageKey)) !== null)
      throw new Error(`the test upload's object ${upload.storageKey} is still in the bucket after DeleteObject`);
  }
  return `removed the test upload: row ${table}#${upload.id}${upload.storageKey ? ` and object ${upload.storageKey}` : ''}`;
}
