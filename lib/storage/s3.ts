import type { Sections } from '../config/schema';

/** How the target reaches its bucket; read from the target's env (snapshot or process env). */
export interface S3Settings {
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Unset for AWS itself (https://s3.<region>.amazonaws.com). */
  endpoint?: string;
  forcePathStyle: boolean;
}

export type EnvView = Readonly<Record<string, string | undefined>>;

/**
 * The target's object storage settings under the variable names the config gives. Problems name
 * the variable, never its value.
 */
export function s3SettingsFromEnv(env: EnvView, names: Sections['credentials']['s3']): { settings?: S3Settings; problems: string[] } {
  const problems: string[] = [];
  const get = (name: string) => env[name]?.trim() || undefined;
  const required = [names.bucket, names.region, names.accessKeyId, names.secretAccessKey];
  for (const name of required) if (!get(name)) problems.push(`${name} is not set`);
  const endpoint = get(names.endpoint);
  if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint)) problems.push(`${names.endpoint} is not an http(s) URL`);
  const pathStyle = get(names.forcePathStyle);
  if (pathStyle && pathStyle !== 'true' && pathStyle !== 'false') problems.push(`${names.forcePathStyle} must be true or false`);
  if (problems.length) return { problems };
  return {
    problems,
    settings: {
      bucket: get(names.bucket)!,
      region: get(names.region)!,
      accessKeyId: get(names.accessKeyId)!,
      secretAccessKey: get(names.secretAccessKey)!,
      endpoint,
      forcePathStyle: pathStyle === 'true',
    },
  };
}

/** Where the store answers: the configured endpoint, or AWS's regional one. */
export function endpointUrl(s3: S3Settings): URL {
  return new URL(s3.endpoint ?? `https://s3.${s3.region}.amazonaws.com`);
}

export function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

export function isNotFound(error: unknown): boolean {
  const name = (error as Error).name;
  return httpStatusOf(error) === 404 || name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket';
}

/** One line about an S3 failure: the operation, the status, S3's error name. Never credentials. */
export function describeS3Error(operation: string, error: unknown): string {
  const err = error as Error & { code?: string; cause?: { code?: string } };
  const status = httpStatusOf(error);
  const code = err.code ?? err.cause?.code;
  if (code === 'ECONNREFUSED') return `${operation}: connection refused (is the object storage endpoint right?)`;
  if (code === 'ENOTFOUND') return `${operation}: host not found (check the endpoint and region)`;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `${operation}: no answer in time`;
  return `${operation}: ${status ? `HTTP ${status} ` : ''}${err.name}${err.message && err.message !== err.name ? ` (${err.message.split('\n')[0]})` : ''}`;
}
