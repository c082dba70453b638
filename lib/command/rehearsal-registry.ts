// Which databases, buckets and targets a running local rehearsal started, so a mutation of
// exactly those needs no --confirm while anything else does.
//
// Each rehearsal writes <pid>-<random>.json under os.tmpdir()/cutover-rehearsals-<uid>/ (mode
// 0700, so another user cannot vouch for a database) holding its pid, that pid's start time and
// the identities it started (resources.ts: host:port/name, bucket at endpoint, origin; never a
// credential). It removes the file at teardown; a file whose pid is gone, or belongs to another
// process now, is ignored and removed.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive, processStartTime } from '../processes';
import { notOwned, type Resources } from './resources';

export interface RehearsalRecord {
  pid: number;
  startTime?: string;
  startedAt: string;
  resources: Resources;
}

const uid = () => process.getuid?.() ?? 0;

export function rehearsalRegistryDir(): string {
  return path.join(os.tmpdir(), `cutover-rehearsals-${uid()}`);
}

/** Records what the rehearsal in this process started; the returned function forgets it. */
export function registerRehearsal(resources: Resources): () => void {
  const dir = rehearsalRegistryDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.json`);
  const record: RehearsalRecord = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    startedAt: new Date().toISOString(),
    resources,
  };
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  return () => fs.rmSync(file, { force: true });
}

function ownedByMe(stat: fs.Stats): boolean {
  return stat.uid === uid() && (stat.mode & 0o022) === 0;
}

function isLive(record: RehearsalRecord): boolean {
  if (!Number.isInteger(record.pid) || !isAlive(record.pid)) return false;
  return !record.startTime || record.startTime === processStartTime(record.pid);
}

/** The rehearsals running now (this user's only). Stale records are removed on the way. */
export function liveRehearsals(): RehearsalRecord[] {
  const dir = rehearsalRegistryDir();
  let names: string[];
  try {
    if (!ownedByMe(fs.statSync(dir))) return [];
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const live: RehearsalRecord[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      if (!ownedByMe(fs.statSync(file))) continue;
      const record = JSON.parse(fs.readFileSync(file, 'utf8')) as RehearsalRecord;
      if (isLive(record)) live.push(record);
      else fs.rmSync(file, { force: true });
    } catch {
      // half-written or unreadable: not evidence of anything
    }
  }
  return live;
}

/** The live rehearsal that started every resource in `touches`, if one did. */
export function owningRehearsal(touches: Resources): RehearsalRecord | undefined {
  if (!Object.values(touches).some(Boolean)) return undefined;
  return liveRehearsals().find((r) => !Object.values(notOwned(touches, r.resources)).some(Boolean));
}
