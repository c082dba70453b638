import path from 'node:path';
import type { Sections } from '../config/schema';
import { commandHint, type Invocation } from '../command/hint';
import { databaseIdentity, describeDatabase } from '../command/identity';
import { backupsOf, type BackupManifest } from './manifest';
import { verifyBackup } from './verify';

export type BackupSettings = Sections['preflight']['backup'];

export interface BackupCheck {
  /** What A.backup shows: the backup's timestamp and what it is. */
  value: string;
  /** Empty when a fresh backup of this database exists (and, if the harness made it, restores). */
  problems: string[];
  /** A provider snapshot the operator vouches for; the harness cannot see it. */
  attested: boolean;
  at?: string;
  ageMinutes?: number;
}

/** A clock a few minutes ahead is a clock; more is a wrong timestamp. */
const FUTURE_SKEW_MINUTES = 5;

function ageProblems(what: string, at: Date, now: Date, maxAgeMinutes: number): { ageMinutes: number; problems: string[] } {
  const ageMinutes = Math.round(((now.getTime() - at.getTime()) / 60_000) * 10) / 10;
  if (ageMinutes < -FUTURE_SKEW_MINUTES)
    return { ageMinutes, problems: [`${what} is dated ${at.toISOString()}, in the future: check the timestamp`] };
  if (ageMinutes > maxAgeMinutes) {
    return {
      ageMinutes,
      problems: [
        `${what} is ${Math.round(ageMinutes)} min old (taken ${at.toISOString()}); the cutover needs one newer than ${maxAgeMinutes} min: take a fresh one`,
      ],
    };
  }
  return { ageMinutes, problems: [] };
}

/** A backup the harness made: fresh enough, and checked restorable. */
export async function checkHarnessBackup(
  dir: string,
  manifest: BackupManifest,
  maxAgeMinutes: number,
  now = new Date(),
): Promise<BackupCheck> {
  const at = new Date(manifest.startedAt);
  const age = ageProblems(`the newest backup (${manifest.file})`, at, now, maxAgeMinutes);
  const verification = await verifyBackup(dir, manifest);
  const restorable = verification.problems.length === 0 ? 'restorable: decompresses to a complete pg_dump' : 'NOT restorable';
  return {
    value: `${manifest.startedAt} ${manifest.file} of ${describeDatabase(manifest.database)} (${manifest.sizeBytes} bytes, sha256 ${manifest.sha256.slice(0, 12)}…, ${restorable})`,
    problems: [...age.problems, ...verification.problems],
    attested: false,
    at: manifest.startedAt,
    ageMinutes: age.ageMinutes,
  };
}

/** A provider snapshot the operator took and names through the environment (operator-attested). */
export function checkAttestedSnapshot(
  id: string | undefined,
  atText: string | undefined,
  settings: BackupSettings,
  now = new Date(),
): BackupCheck | undefined {
  if (!id && !atText) return undefined;
  const problems: string[] = [];
  if (!id) problems.push(`${settings.snapshotAtEnv} is set but ${settings.snapshotIdEnv} is not: name the provider snapshot`);
  // A time without a zone would be read in the harness's zone: ambiguous at 2 a.m.
  const valid = atText && /(Z|[+-]\d\d:?\d\d)$/i.test(atText.trim()) && !Number.isNaN(Date.parse(atText));
  if (!atText)
    problems.push(
      `${settings.snapshotIdEnv} is set but ${settings.snapshotAtEnv} is not: give the snapshot's time (ISO 8601 with zone, e.g. 2026-11-28T01:30:00Z)`,
    );
  else if (!valid) problems.push(`${settings.snapshotAtEnv} is not an ISO 8601 time with a zone (e.g. 2026-11-28T01:30:00Z)`);
  if (problems.length) return { value: '(provider snapshot incompletely described)', problems, attested: true };
  const at = new Date(atText!);
  const age = ageProblems(`provider snapshot ${id}`, at, now, settings.maxAgeMinutes);
  return {
    value: `${at.toISOString()} provider snapshot ${id} (operator-attested)`,
    problems: age.problems,
    attested: true,
    at: at.toISOString(),
    ageMinutes: age.ageMinutes,
  };
}

function backupHint(invocation: Invocation | undefined): string {
  if (!invocation) return 'npm run backup -- --env=<env> --confirm=<env>';
  return commandHint('npm run backup', invocation, ...(invocation.env === 'local' ? [] : [`--confirm=${invocation.env}`]));
}

/**
 * The freshest evidence that this database is backed up: a provider snapshot the operator
 * names, else the newest backup the harness made of this database. Neither is a problem.
 */
export async function checkBackup(opts: {
  settings: BackupSettings;
  databaseUrl: string;
  env: NodeJS.ProcessEnv;
  now?: Date;
  /** The flags the printed backup hint repeats; without them the hint names placeholders. */
  invocation?: Invocation;
}): Promise<BackupCheck> {
  const { settings } = opts;
  const now = opts.now ?? new Date();
  const snapshot = checkAttestedSnapshot(opts.env[settings.snapshotIdEnv], opts.env[settings.snapshotAtEnv], settings, now);
  if (snapshot) return snapshot;
  const db = databaseIdentity(opts.databaseUrl);
  const dir = path.resolve(settings.dir);
  const { found, unreadable } = await backupsOf(dir, db);
  const newest = found[0];
  if (!newest) {
    const note = unreadable.length ? ` (unreadable manifests there: ${unreadable.join(', ')})` : '';
    return {
      value: '(no backup found)',
      problems: [
        `no backup of ${describeDatabase(db)} in ${dir}${note} and no provider snapshot named: run \`${backupHint(opts.invocation)}\` ` +
          `or set ${settings.snapshotIdEnv} and ${settings.snapshotAtEnv}`,
      ],
      attested: false,
    };
  }
  return checkHarnessBackup(dir, newest.manifest, settings.maxAgeMinutes, now);
}
