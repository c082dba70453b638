import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { proxyFor } from '../http/proxy-env';
import type { S3Settings } from './s3';

// Apart from the settings (./s3.ts): the SDK is a large import, and only the checks and scripts that talk to the bucket load it.

export interface S3ClientTimeouts {
  connectionTimeoutMs?: number;
  /** Whole request and response of one call. */
  requestTimeoutMs?: number;
  maxAttempts?: number;
}

/**
 * An S3 client for the target's bucket. Checksums only when required: with S3-compatible
 * stores such as s3rver the SDK's default streaming checksums store a corrupted object,
 * silently. Every call has a connect and a request deadline.
 */
export function s3Client(s3: S3Settings, timeouts: S3ClientTimeouts = {}): S3Client {
  const config: S3ClientConfig = {
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: timeouts.maxAttempts ?? 2,
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs ?? 5_000,
      requestTimeout: timeouts.requestTimeoutMs ?? 60_000,
      throwOnRequestTimeout: true,
      ...proxyAgents(s3),
    },
  };
  return new S3Client(config);
}

/**
 * Behind a corporate proxy the store is reached through it, as every other call the harness
 * makes (lib/http/outbound.ts); the SDK takes Node agents, not undici's dispatcher.
 */
function proxyAgents(s3: S3Settings): { httpAgent?: HttpProxyAgent<string>; httpsAgent?: HttpsProxyAgent<string> } {
  const proxy = proxyFor(new URL(s3.endpoint ?? `https://s3.${s3.region}.amazonaws.com`), process.env);
  return proxy ? { httpAgent: new HttpProxyAgent(proxy), httpsAgent: new HttpsProxyAgent(proxy) } : {};
}
