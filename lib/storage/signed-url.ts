import { timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { endpointUrl, type S3Settings } from './s3';

/**
 * Checks of a presigned S3 GET URL against the configuration. s3rver (and a misconfigured
 * proxy) serve a tampered URL all the same, so the signature is recomputed here from the URL's
 * own date, scope and signed headers with the configured credentials: the only proof that a
 * real S3 would accept it.
 */

export interface SignedUrl {
  url: URL;
  /** The bucket and key the URL addresses, and how (path-style /bucket/key or bucket.host/key). */
  bucket: string | null;
  key: string | null;
  style: 'path' | 'virtual-host' | 'unknown';
  expiresSeconds: number | null;
  signedAt: Date | null;
  credential: { accessKeyId: string; date: string; region: string; service: string } | null;
  signedHeaders: string[];
}

const AUTH_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
];

function amzDate(value: string | null): Date | null {
  const m = value && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : null;
}

export function parseSignedUrl(location: string, s3: S3Settings): SignedUrl {
  const url = new URL(location);
  const endpoint = endpointUrl(s3);
  const q = url.searchParams;
  const segments = url.pathname.split('/').slice(1);
  let bucket: string | null = null;
  let key: string | null = null;
  let style: SignedUrl['style'] = 'unknown';
  const decode = (parts: string[]) => parts.map(decodeURIComponent).join('/');
  if (url.host === endpoint.host && segments.length >= 2) {
    style = 'path';
    bucket = decodeURIComponent(segments[0]!);
    key = decode(segments.slice(1));
  } else if (url.host.endsWith(`.${endpoint.host}`)) {
    style = 'virtual-host';
    bucket = url.host.slice(0, -endpoint.host.length - 1);
    key = decode(segments);
  }
  const [accessKeyId, date, region, service] = (q.get('X-Amz-Credential') ?? '').split('/');
  const expires = q.get('X-Amz-Expires');
  return {
    url,
    bucket,
    key,
    style,
    expiresSeconds: expires && /^\d+$/.test(expires) ? Number(expires) : null,
    signedAt: amzDate(q.get('X-Amz-Date')),
    credential: accessKeyId && date && region && service ? { accessKeyId, date, region, service } : null,
    signedHeaders: (q.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean),
  };
}

/** The URL points at the configured endpoint, bucket and the row's key. */
export function locationProblems(signed: SignedUrl, s3: S3Settings, storageKey: string): string[] {
  const endpoint = endpointUrl(s3);
  const problems: string[] = [];
  if (signed.url.protocol !== endpoint.protocol)
    problems.push(`the URL uses ${signed.url.protocol}// but the endpoint is ${endpoint.protocol}//`);
  if (signed.style === 'unknown') {
    problems.push(
      `the URL's host ${signed.url.host} is neither the configured endpoint ${endpoint.host} (path style) nor <bucket>.${endpoint.host}`,
    );
    return problems;
  }
  if (s3.forcePathStyle && signed.style !== 'path')
    problems.push(`OBJECT_STORAGE_S3_FORCE_PATH_STYLE=true but the URL is virtual-host style (${signed.url.host})`);
  if (signed.bucket !== s3.bucket) problems.push(`the URL is for bucket "${signed.bucket}", the configured bucket is "${s3.bucket}"`);
  if (signed.key !== storageKey) problems.push(`the URL is for key "${signed.key}", the row's storageKey is "${storageKey}"`);
  return problems;
}

/** X-Amz-Expires is the configured TTL and the URL is valid now (signed within the clock skew S3 allows). */
export function expiryProblems(signed: SignedUrl, ttlSeconds: number, now = new Date()): string[] {
  const problems: string[] = [];
  if (signed.expiresSeconds === null) problems.push('the URL has no X-Amz-Expires');
  else if (signed.expiresSeconds !== ttlSeconds)
    problems.push(`X-Amz-Expires is ${signed.expiresSeconds} s, ATTACHMENTS_SIGNED_URL_TTL_SECONDS is ${ttlSeconds} s`);
  if (!signed.signedAt) problems.push('the URL has no valid X-Amz-Date');
  else {
    const skewMs = Math.abs(now.getTime() - signed.signedAt.getTime());
    if (skewMs > 15 * 60_000) problems.push(`X-Amz-Date is ${Math.round(skewMs / 60_000)} minutes away from now (S3 allows 15)`);
    if (signed.expiresSeconds !== null && signed.signedAt.getTime() + signed.expiresSeconds * 1000 < now.getTime())
      problems.push('the URL has already expired');
  }
  return problems;
}

/** Recomputes X-Amz-Signature with the configured credentials from the URL's own parameters. */
export async function signatureProblems(signed: SignedUrl, s3: S3Settings): Promise<string[]> {
  const q = signed.url.searchParams;
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
    return [`X-Amz-Algorithm is ${q.get('X-Amz-Algorithm') ?? 'missing'}, not AWS4-HMAC-SHA256`];
  const given = q.get('X-Amz-Signature');
  if (!given || !signed.credential || !signed.signedAt || signed.expiresSeconds === null) {
    return ['the URL lacks X-Amz-Signature, X-Amz-Credential, X-Amz-Date or X-Amz-Expires'];
  }
  const problems: string[] = [];
  if (signed.credential.accessKeyId !== s3.accessKeyId)
    problems.push('X-Amz-Credential names another access key id than OBJECT_STORAGE_S3_ACCESS_KEY_ID');
  if (signed.credential.region !== s3.region)
    problems.push(`the credential scope's region is ${signed.credential.region}, OBJECT_STORAGE_S3_REGION is ${s3.region}`);
  if (signed.signedHeaders.join(';') !== 'host')
    problems.push(`the URL signs headers other than host (${signed.signedHeaders.join(', ')}): a plain GET cannot present them`);
  if (problems.length) return problems;

  const query: Record<string, string> = {};
  const headers: Record<string, string> = { host: signed.url.host };
  for (const [k, v] of q) {
    if (AUTH_PARAMS.includes(k)) continue;
    // The presigner hoists x-amz-* headers into the query; the payload hash is one of them.
    if (k.toLowerCase() === 'x-amz-content-sha256') headers[k] = v;
    else query[k] = v;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    region: signed.credential.region,
    service: signed.credential.service,
    sha256: Hash.bind(null, 'sha256'),
    // S3 signs the path as sent (already escaped once), not escaped again.
    uriEscapePath: false,
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: signed.url.protocol,
    hostname: signed.url.hostname,
    port: signed.url.port ? Number(signed.url.port) : undefined,
    path: signed.url.pathname,
    query,
    headers,
  });
  const resigned = await signer.presign(request, {
    signingDate: signed.signedAt,
    expiresIn: signed.expiresSeconds,
    signingRegion: signed.credential.region,
    signingService: signed.credential.service,
  });
  const expected = String(resigned.query?.['X-Amz-Signature'] ?? '');
  const same = expected.length === given.length && timingSafeEqual(Buffer.from(expected), Buffer.from(given));
  return same
    ? []
    : [
        'X-Amz-Signature does not match the signature recomputed with the configured credentials: a real S3 would refuse this URL (403 SignatureDoesNotMatch)',
      ];
}
