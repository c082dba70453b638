// The S3 SDK parts the target uses, in a module of their own: the server imports it on its
// first object-storage call rather than at start (the SDK takes about 300 ms to load).
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from './config';

export { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
export { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export function createS3Client(s3: S3Config, secretAccessKey = s3.secretAccessKey): S3Client {
  return new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey },
    // S3-compatible stores (s3rver, older MinIO) mishandle the SDK's default
    // checksums; with them a streamed upload can be stored corrupted.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
  });
}
