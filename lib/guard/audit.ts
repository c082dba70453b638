import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../processes';
import type { Redactor } from '../secrets/redactor';
import type { Resources } from '../command/resources';

/** `acknowledged`: an entry that never recorded its own end, closed by an operator who checked what it changed (npm run audit:acknowledge). */
export type AuditOutcome = 'started' | 'done' | 'failed' | 'refused' | 'interrupted' | 'acknowledged';

export interface AuditEntry {
  /** Ties an end entry to its start (auditId()); a start with no end is reported by the next run. */
  id?: string;
  script: string;
  env: string;
  owner: string;
  args: string[];
  outcome: AuditOutcome;
  /** What it changes, by identity (database host:port/name, bucket at endpoint, base URL). */
  touches?: Resources;
  summary?: unknown;
}

/** As written: the entry plus when, where and by which process. */
export interface AuditRecord extends AuditEntry {
  time: string;
  host?: string;
  pid?: number;
}

export function auditId(): string {
  return randomBytes(6).toString('hex');
}

/**
 * This process's writes to each audit log, one after another. A signal's handler ends the
 * process's open entries as interrupted (read the log, then append) while the run may be
 * recording its own end: interleaved, both ends landed and the log contradicted itself.
 */
const queues = new Map<string, Promise<unknown>>();
/** Entries this process has ended, by id: an entry ends once, and the first end stands. */
const ended = new Set<string>();

function inTurn<T>(file: string, write: () => Promise<T>): Promise<T> {
  const key = path.resolve(file);
  const turn = (queues.get(key) ?? Promise.resolve()).then(write, write);
  queues.set(
    key,
    turn.catch(() => undefined),
  );
  return turn;
}

/** Append-only JSON lines: who changed what, where, when, and how it ended. Redacted. */
export function audit(file: string, entry: AuditEntry, redactor: Redactor): Promise<void> {
  return inTurn(file, () => append(file, entry, redactor));
}

async function append(file: string, entry: AuditEntry, redactor: Redactor): Promise<void> {
  if (entry.id && entry.outcome !== 'started') {
    if (ended.has(entry.id)) return;
    ended.add(entry.id);
  }
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const line = JSON.stringify({ time: new Date().toISOString(), host: os.hostname(), pid: process.pid, ...entry });
  await appendFile(file, `${redactor.redact(line)}\n`);
}

export async function readAudit(file: string): Promise<AuditRecord[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').flatMap((line) => {
    try {
      return line.trim() ? [JSON.parse(line) as AuditRecord] : [];
    } catch {
      return [];
    }
  });
}

/** Started entries with no end entry: still running elsewhere, or killed before they could say. */
export async function unfinishedAudits(file: string): Promise<AuditRecord[]> {
  return unfinishedOf(await readAudit(file));
}

export function unfinishedOf(records: AuditRecord[]): AuditRecord[] {
  const ended = new Set(records.filter((r) => r.id && r.outcome !== 'started').map((r) => r.id));
  return records.filter((r) => r.id && r.outcome === 'started' && !ended.has(r.id));
}

/** Whether the process that wrote a record is still running (on this machine). */
export function writerAlive(record: AuditRecord): boolean {
  return record.host === os.hostname() && typeof record.pid === 'number' && isAlive(record.pid);
}

/**
 * One line naming them, for the start of the next run; undefined when there are none. Each is
 * named until someone closes it (npm run audit:acknowledge), so the line says how: a warning
 * that repeats on every run with no way to settle it teaches operators to skip it.
 */
export function describeUnfinished(records: AuditRecord[], file: string): string | undefined {
  if (!records.length) return undefined;
  const named = records.map((r) => {
    const where = r.touches ? ` (${Object.values(r.touches).filter(Boolean).join(', ')})` : '';
    const state = writerAlive(r) ? `still running as pid ${r.pid}` : `pid ${r.pid ?? '?'} on ${r.host ?? '?'} ended without saying how`;
    return `${r.script} on ${r.env}${where} started ${r.time} by ${r.owner}, ${state} (audit id ${r.id})`;
  });
  const first = records[0]!;
  return (
    `${records.length} earlier run(s) in ${file} started and never recorded an end: ${named.join('; ')}. ` +
    `Check what they changed before going on; once checked, close each: npm run audit:acknowledge -- --env=${first.env} --id=${first.id} --note="what you found"`
  );
}

/** An unfinished entry closed by an operator who checked what it changed. */
export function acknowledge(file: string, r: AuditRecord, by: string, note: string, redactor: Redactor): Promise<void> {
  const { id, script, env, args, touches } = r;
  return audit(
    file,
    { id, script, env, owner: by, args, touches, outcome: 'acknowledged', summary: { startedBy: r.owner, startedAt: r.time, note } },
    redactor,
  );
}

/**
 * Ends, as interrupted, the unfinished entries `which` picks: those of this process when a
 * signal ends it, or of the children of an interrupted run (its test worker), which die with it
 * and cannot say so.
 */
export function endInterrupted(file: string, which: (r: AuditRecord) => boolean, endedBy: string, redactor: Redactor): Promise<void> {
  return inTurn(file, async () => {
    for (const r of (await unfinishedAudits(file)).filter(which)) {
      const { id, script, env, owner, args, touches } = r;
      await append(file, { id, script, env, owner, args, touches, outcome: 'interrupted', summary: { endedBy } }, redactor);
    }
  });
}

/**
 * Entries started since `since` on this machine whose writer is gone. The runbook suites run in
 * a worker thread of the CLI's own process (same pid), ended by the time this is asked: an
 * entry of this pid other than the run's own (`except`) was theirs, cut short, too.
 */
export const orphanedSince = (since: Date, except?: string) => (r: AuditRecord) =>
  r.id !== except && r.time >= since.toISOString() && r.host === os.hostname() && (r.pid === process.pid || !writerAlive(r));
