import type { Readable } from 'node:stream';
import { FormData, request, Response } from 'undici';
import type { Evidence, ExchangeRecord } from '../evidence';
import { redactedExcerpt } from '../evidence';
import { outboundDispatcher } from './outbound';
import type { Redactor } from '../secrets/redactor';

export interface TargetRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** A path on the target (`/readyz`) or an absolute URL (a presigned URL it redirected to). */
  path: string;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Buffer | string;
  /** Bearer token for the Authorization header. */
  token?: string;
  timeoutMs?: number;
}

export interface TargetResponse {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  /** At most the client's maxBodyBytes: the read stops there. */
  body: Buffer;
  text: string;
  /** The body was longer than maxBodyBytes and was cut there (the rest never read). */
  truncated: boolean;
  durationMs: number;
  /** Parses the body as JSON or fails with what came back instead. */
  json<T = unknown>(): T;
  /** The start of the body, redacted before it is cut, for error messages. */
  excerpt(limit?: number): string;
  /** The start of a text made from the body (re-serialised JSON, say), redacted before it is cut. */
  excerptOf(derived: string, limit?: number): string;
}

export class TargetUnreachable extends Error {}

export class SecretEchoed extends Error {}

/** Response headers worth keeping as evidence; the rest is noise. */
const KEPT_HEADERS = ['content-type', 'content-length', 'location', 'x-request-id', 'retry-after', 'cache-control', 'x-release-sha'];

/** Default for http.maxBodyBytes: more than any answer the runbook reads, far less than memory. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

export interface TargetClientOptions {
  baseUrl: string;
  /** Deadline of each call, body included: a target dripping its answer byte by byte is cut off too. */
  timeoutMs: number;
  /** Bodies are read up to this many bytes; default DEFAULT_MAX_BODY_BYTES. */
  maxBodyBytes?: number;
  userAgent: string;
  redactor: Redactor;
  evidence?: Evidence;
}

/**
 * Real HTTP to the target. Every call has a deadline (headers and body), reads at most
 * maxBodyBytes, is recorded (redacted) as evidence, and fails if the answer echoes a secret
 * the harness knows.
 */
export class TargetClient {
  constructor(private readonly options: TargetClientOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  url(path: string, query?: Record<string, string | number>): string {
    const url = /^https?:\/\//.test(path) ? new URL(path) : new URL(path.replace(/^\/?/, ''), this.options.baseUrl.replace(/\/?$/, '/'));
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, String(v));
    return url.toString();
  }

  get(path: string, init: Omit<TargetRequest, 'path' | 'method'> = {}): Promise<TargetResponse> {
    return this.request({ ...init, method: 'GET', path });
  }

  post(path: string, init: Omit<TargetRequest, 'path' | 'method'> = {}): Promise<TargetResponse> {
    return this.request({ ...init, method: 'POST', path });
  }

  async request(req: TargetRequest): Promise<TargetResponse> {
    const method = req.method ?? 'GET';
    const url = this.url(req.path, req.query);
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs;
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent, ...req.headers };
    if (req.token) headers.authorization = `Bearer ${req.token}`;
    let body = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    }
    const started = Date.now();
    const at = new Date(started).toISOString();
    const cap = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const deadline = AbortSignal.timeout(timeoutMs);
    let status: number | null = null;
    let responseHeaders: Record<string, string>;
    let read: { buffer: Buffer; truncated: boolean };
    try {
      const res = await request(url, {
        dispatcher: outboundDispatcher(),
        method,
        headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: deadline,
      });
      status = res.statusCode;
      responseHeaders = Object.fromEntries(
        Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v ?? '')]),
      );
      read = await readCapped(res.body, cap, deadline);
    } catch (error) {
      const network = describeNetworkError(error, timeoutMs);
      const reason = status === null ? network : `answered ${status}, but its body did not arrive in full (${network})`;
      await this.record({ method, url, status, durationMs: Date.now() - started, at, error: reason });
      throw new TargetUnreachable(`${method} ${this.options.redactor.redact(url)}: ${reason}`);
    }
    const { buffer, truncated } = read;
    const durationMs = Date.now() - started;
    const text = buffer.toString('utf8');
    const redactor = this.options.redactor;
    const contentType = responseHeaders['content-type'];
    const isBinary = !/json|text|html|xml|javascript/.test(contentType ?? 'text');
    const cut = truncated ? ` (truncated after ${cap} bytes)` : '';
    await this.record({
      method,
      url,
      status,
      durationMs,
      at,
      requestHeaders: Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'user-agent')),
      responseHeaders: Object.fromEntries(KEPT_HEADERS.filter((h) => h in responseHeaders).map((h) => [h, responseHeaders[h]!])),
      responseExcerpt: isBinary
        ? `<${buffer.length} bytes of ${contentType ?? 'unknown type'}>${cut}`
        : `${redactedExcerpt(redactor, text)}${cut}`,
      ...(truncated ? { truncatedAfterBytes: cap } : {}),
    });
    if (!isBinary && redactor.findKnown(text)) {
      throw new SecretEchoed(
        `${method} ${new URL(url).pathname} answered ${status} with a body that contains a secret the harness knows ` +
          '(redacted in this document): the target leaks secrets in its responses',
      );
    }
    return {
      method,
      url,
      status,
      headers: responseHeaders,
      body: buffer,
      text,
      truncated,
      durationMs,
      json<T>() {
        if (truncated)
          throw new Error(
            `${method} ${new URL(url).pathname} answered ${status} with a body longer than ${cap} bytes (http.maxBodyBytes): read no further, not parsed`,
          );
        try {
          return JSON.parse(text) as T;
        } catch {
          throw new Error(
            `${method} ${new URL(url).pathname} answered ${status} with a body that is not JSON: ${redactedExcerpt(redactor, text, 200) || '(empty)'}`,
          );
        }
      },
      excerpt: (limit = 200) => `${redactedExcerpt(redactor, text, limit)}${cut}`,
      excerptOf: (derived, limit = 200) => redactedExcerpt(redactor, derived, limit),
    };
  }

  private async record(exchange: ExchangeRecord): Promise<void> {
    await this.options.evidence?.exchange(exchange);
  }
}

/**
 * Reads at most `cap` bytes, then cancels the stream (the rest is never read); the deadline
 * cancels it too, so neither a huge nor a dripping body holds a check past its deadline.
 */
async function readCapped(body: Readable, cap: number, deadline: AbortSignal): Promise<{ buffer: Buffer; truncated: boolean }> {
  const stop = () => body.destroy(deadline.reason as Error);
  if (deadline.aborted) stop();
  deadline.addEventListener('abort', stop, { once: true });
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (size + chunk.length > cap) {
        chunks.push(chunk.subarray(0, cap - size));
        size = cap;
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } finally {
    deadline.removeEventListener('abort', stop);
    if (!body.destroyed) body.destroy();
  }
  return { buffer: Buffer.concat(chunks, size), truncated };
}

export function describeNetworkError(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code;
  if (err.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return `no answer within ${timeoutMs} ms`;
  }
  if (code === 'ECONNREFUSED') return 'connection refused (is the target running at this address?)';
  if (code === 'ENOTFOUND') return 'host not found (check the base URL)';
  return `${code ?? err.name ?? 'error'}: ${err.message ?? String(error)}`;
}

/**
 * A multipart/form-data body with one file field, encoded by undici's FormData: the file name is
 * escaped the way browsers do (quotes and line breaks percent-encoded), so no name can end the
 * header or add one. A Buffer, not a stream, so the exchange can be recorded and sent as is.
 */
export async function multipartFile(
  field: string,
  file: { filename: string; contentType: string; data: Buffer },
): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  form.append(field, new Blob([file.data], { type: file.contentType }), file.filename);
  const encoded = new Response(form);
  return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}
