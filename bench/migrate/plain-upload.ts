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
import { sectionsSchema } from '../../lib/config/schema';
import { s3SettingsFromEnv } from '../../lib/storage/s3';
import { s3Client } from '../../lib/storage/s3-client';

const [dir, concurrency, partMiB, queueSize] = process.argv.slice(2);
if (!dir || !concurrency || !partMiB || !queueSize) {
  console.error('usage: plain-upload.ts <uploads dir> <concurrency> <part MiB> <queue size>');
  process.exit(2);
}
const { settings } = s3SettingsFromEnv(process.env, sectionsSchema.parse({}).credentials.s3);
if (!settings) {
  console.error('plain-upload: the OBJECT_STORAGE_S3_* variables are not all set');
  process.exit(2);
}
const bucket = settings.bucket;
const client = s3Client(settings, { requestTimeoutMs: 120_000 });
const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
  .filter((f) => f.isFile())
  .map((f) => path.join(f.parentPath, f.name));
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
