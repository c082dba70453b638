import { databaseIdentity, describeDatabase } from './identity';
import { endpointUrl, type S3Settings } from '../storage/s3';

/**
 * What a mutation touches, by identity and never by credential: the database as host:port/name,
 * the bucket with the endpoint that serves it, the target's origin. These strings are what the
 * confirmation line, the audit entry and the document name, and what a rehearsal registers.
 */
export interface Resources {
  database?: string;
  bucket?: string;
  baseUrl?: string;
}

export function databaseResource(databaseUrl: string): string {
  const db = databaseIdentity(databaseUrl);
  return describeDatabase({ ...db, host: db.host.toLowerCase() });
}

export function bucketResource(s3: Pick<S3Settings, 'bucket' | 'endpoint' | 'region'>): string {
  return `${s3.bucket} at ${endpointUrl(s3 as S3Settings).host.toLowerCase()}`;
}

export function baseUrlResource(baseUrl: string): string {
  return new URL(baseUrl).origin;
}

const LABELS: Record<keyof Resources, string> = { database: 'database', bucket: 'bucket', baseUrl: 'base URL' };

/** `database 127.0.0.1:5432/app, bucket uploads at s3.example.com`: for lines an operator reads. */
export function describeResources(resources: Resources): string {
  const parts = (Object.keys(LABELS) as (keyof Resources)[]).filter((k) => resources[k]).map((k) => `${LABELS[k]} ${resources[k]}`);
  return parts.join(', ') || 'nothing outside this machine';
}

/** The parts of `touches` that `owned` does not name. */
export function notOwned(touches: Resources, owned: Resources): Resources {
  const rest: Resources = {};
  for (const key of Object.keys(LABELS) as (keyof Resources)[]) if (touches[key] && touches[key] !== owned[key]) rest[key] = touches[key];
  return rest;
}
