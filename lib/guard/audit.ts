import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Redactor } from '../secrets/redactor';

export interface AuditEntry {
  script: string;
  env: string;
  owner: string;
  args: string[];
  outcome: 'started' | 'done' | 'failed' | 'refused';
  summary?: unknown;
}

/** Append-only JSON lines: who changed what, where, when, and how it ended. Redacted. */
export async function audit(file: string, entry: AuditEntry, redactor: Redactor): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const line = JSON.stringify({ time: new Date().toISOString(), ...entry });
  await appendFile(file, `${redactor.redact(line)}\n`);
}
