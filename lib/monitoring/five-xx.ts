import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { RehearsalInfo } from '../context';
import type { Sections } from '../config/schema';
import { runShell } from '../shell';

type FiveXxConfig = Sections['monitoring']['fiveXx'];
export type RequestLogSource = Exclude<FiveXxConfig['source'], { kind: 'none' }>;

/** What the window held: the rate is errors / total, and means nothing below minRequests. */
export interface FiveXxCount {
  total: number;
  errors: number;
  /** Lines that were not JSON, had no numeric status or no readable time. */
  unreadable: number;
  /** Lines older than the window. */
  older: number;
  since: string;
  until: string;
}

/**
 * The configured source, or the rehearsal's own request log when none is configured there.
 * Outside the rehearsal an unconfigured source stays unconfigured: an unmeasured error rate
 * is not a normal one.
 */
export function resolveSource(config: FiveXxConfig, rehearsal: RehearsalInfo | null): RequestLogSource | { kind: 'none'; reason: string } {
  if (config.source.kind !== 'none') return config.source;
  if (rehearsal?.requestLogFile) return { kind: 'log-file', path: rehearsal.requestLogFile };
  return config.source;
}

export function describeSource(source: RequestLogSource): string {
  return source.kind === 'log-file' ? `log file ${source.path}` : `command \`${source.command}\``;
}

export const HOW_TO_CONFIGURE =
  "set monitoring.fiveXx.source in cutover.config.ts: { kind: 'log-file', path: '<JSON request log>' } or " +
  "{ kind: 'command', command: 'railway logs --json' } (any command printing one JSON line per request)";

/** Reads a timestamp as an ISO string or epoch seconds/milliseconds. */
function toTime(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value > 1e12 ? value : value * 1000;
  if (typeof value === 'string') {
    const t = Date.parse(value);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** Counts requests and 5xx answers among JSON lines whose time falls in [since, until]. */
export async function countFiveXx(
  lines: AsyncIterable<string> | Iterable<string>,
  window: { since: Date; until: Date },
  fields: { statusField: string; timeField: string },
): Promise<FiveXxCount> {
  const count: FiveXxCount = {
    total: 0,
    errors: 0,
    unreadable: 0,
    older: 0,
    since: window.since.toISOString(),
    until: window.until.toISOString(),
  };
  const since = window.since.getTime();
  const until = window.until.getTime();
  for await (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    let entry: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
      entry = parsed as Record<string, unknown>;
    } catch {
      count.unreadable += 1;
      continue;
    }
    const status = Number(entry[fields.statusField]);
    const at = toTime(entry[fields.timeField]);
    if (!Number.isInteger(status) || status < 100 || status > 599 || at === null) {
      count.unreadable += 1;
      continue;
    }
    if (at < since) {
      count.older += 1;
      continue;
    }
    if (at > until) continue;
    count.total += 1;
    if (status >= 500) count.errors += 1;
  }
  return count;
}

/** The source's lines: a file streamed (logs get large) or a command's stdout. */
export async function requestLogLines(source: RequestLogSource): Promise<AsyncIterable<string> | string[]> {
  if (source.kind === 'log-file') {
    try {
      await access(source.path);
    } catch {
      throw new Error(`request log ${source.path} does not exist or cannot be read`);
    }
    return createInterface({ input: createReadStream(source.path, 'utf8'), crlfDelay: Infinity });
  }
  return (await runCommand(source.command, source.timeoutSeconds * 1000)).split('\n');
}

const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Runs the operator's log command; a non-zero exit, a timeout or a flood of output is a failure. */
export async function runCommand(command: string, timeoutMs: number): Promise<string> {
  const result = await runShell(command, { timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES });
  if (result.spawnError) throw new Error(`log command could not start: ${result.spawnError}`);
  if (result.timedOut) throw new Error(`log command no result within ${timeoutMs / 1000} s`);
  // A cut log would measure a rate over part of the window: refuse rather than guess.
  if (result.stdout.length >= MAX_OUTPUT_BYTES) throw new Error(`log command printed more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB`);
  if (result.code !== 0) throw new Error(`log command exited ${result.code}: ${result.stderr.trim().split('\n').pop() ?? ''}`);
  return result.stdout;
}
