/**
 * The attachment-migration benchmark's baseline: a plain @aws-sdk/lib-storage upload loop, no
 * database, no verification, no resume, the same S3 client settings as the harness.
 *
 *   node --import tsx bench/migrate/plain-upload.ts <uploads dir> <concurrency> <part MiB> <queue size>
 *
 * Uploads every file under the dir to plain/<relative path> in OBJECT_STORAGE_S3_BUCKET.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Upload } from '@aws-sdk/lib-storage';
import { inLanes } from '../../lib/storage/migrate/runner';
import { s3Client } from '../../lib/storage/s3';

const [dir, concurrency, partMiB, queueSize] = process.argv.slice(2);
if (!dir || !concurrency || !partMiB || !queueSize) {
  console.error('usage: plain-upload.ts <uploads dir> <concurrency> <part MiB> <queue size>');
  process.exit(2);
}
const env = process.env;
const bucket = env.OBJECT_STORAGE_S3_BUCKET!;
const client = s3Client(
  {
    bucket,
    region: env.OBJECT_STORAGE_S3_REGION!,
    accessKeyId: env.OBJECT_STORAGE_S3_ACCESS_KEY_ID!,
    secretAccessKey: env.OBJECT_STORAGE_S3_SECRET_ACCESS_KEY!,
    endpoint: env.OBJECT_STORAGE_S3_ENDPOINT,
    forcePathStyle: true,
  },
  { requestTimeoutMs: 120_000 },
);
const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile()).map((f) => path.join(f.parentPath, f.name));
await inLanes(files, Number(concurrency), async (file) => {
  await new Upload({
    client,
    params: { Bucket: bucket, Key: `plain/${path.relative(dir, file)}`, Body: createReadStream(file) },
    partSize: Number(partMiB) * 1024 * 1024,
    queueSize: Number(queueSize),
    leavePartsOnError: false,
  }).done();
});
client.destroy();
console.log(`uploaded ${files.length} file(s)`);
