import pg from 'pg';
import { harnessConnection } from '../pg-connection';
import { firstValue, pathList } from '../backend/json-path';
import type { Sections } from '../config/schema';
import type { JsonPaths } from '../config/sections/backend/json-path';
import type { HarnessContext } from '../context';
import type { TargetClient } from '../http/client';
import { deleteTestJobQuery } from '../test-job';
import { type DigestTrial, mentionsJob, type TestProvider } from './digest';

/**
 * Undoes the digest trial: what the API can remove goes through the API, the rest (the job,
 * notifications, the digest clock) through the database, touching only rows the trial
 * created: ids it was given, for the test accounts it used. Table names come from the backend
 * profile (backend.cleanup.tables, the contract's Prisma models by default), columns are the
 * contract's (§7).
 */

export interface CleanupReport {
  done: string[];
  problems: string[];
}

const DB_TIMEOUT_MS = 10_000;

async function withDatabase<T>(databaseUrl: string, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client(
    harnessConnection(databaseUrl, 'test data cleanup', {
      connectionTimeoutMillis: DB_TIMEOUT_MS,
      statement_timeout: DB_TIMEOUT_MS,
      query_timeout: DB_TIMEOUT_MS,
    }),
  );
  await db.connect();
  try {
    await db.query('BEGIN');
    const result = await fn(db);
    await db.query('COMMIT');
    return result;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** Deleting the job first also drops its queued match task and held digest items, so nothing more is sent for it. */
type Profile = Sections['backend'];

/** A table name from the profile, quoted (the schema allows plain identifiers only). */
const table = (profile: Profile, name: keyof Profile['cleanup']['tables']) => `"${profile.cleanup.tables[name]}"`;

/**
 * A Postgres jsonpath finding the job at any of the profile's paths under `content`
 * (`topMatches.*.jobId` → `$.topMatches[*].jobId`), matching its id as a number or a string.
 */
export function contentMentionsJob(paths: JsonPaths): string {
  return pathList(paths)
    .map((path) => {
      const steps = path.split('.').map((s) => (s === '*' ? '[*]' : `."${s}"`));
      return `$${steps.join('')} ? (@ == $n || @ == $s)`;
    })
    .map((p) => `jsonb_path_exists("content", '${p}', $VARS::jsonb)`)
    .join(' OR ');
}

/** The variables for contentMentionsJob: the id as a number (when it is one) and as a string. */
const jobVars = (jobId: number | string) =>
  JSON.stringify({ n: Number.isFinite(Number(jobId)) ? Number(jobId) : String(jobId), s: String(jobId) });

async function deleteJob(trial: DigestTrial, profile: Profile, databaseUrl: string, report: CleanupReport): Promise<void> {
  const job = trial.job;
  if (!job || !trial.consumer || trial.jobRemoved) return;
  const { rowCount } = await withDatabase(databaseUrl, (db) =>
    db.query(deleteTestJobQuery(job, trial.consumer!.user.id, profile.cleanup.tables.job)),
  );
  report.done.push(`test job ${job.id}: ${rowCount ? 'deleted' : 'already gone'}`);
  trial.jobRemoved = true;
}

async function undoProviderViaApi(
  target: TargetClient,
  harness: Pick<HarnessContext, 'sections'>,
  p: TestProvider,
  report: CleanupReport,
): Promise<void> {
  const { savedSearches, preferences } = harness.sections.backend.routes;
  for (const id of [...p.savedSearchIds]) {
    const res = await target.request({ method: 'DELETE', path: `${savedSearches}/${encodeURIComponent(id)}`, token: p.session.token });
    // Anything else: the database pass removes it.
    if (res.status === 200 || res.status === 204 || res.status === 404) {
      p.savedSearchIds.splice(p.savedSearchIds.indexOf(id), 1);
      report.done.push(`${p.role}: saved search ${id} deleted`);
    }
  }
  if (p.changed && p.restore) {
    const { matchDeliveryMode, digestIntervalMinutes, pushEnabled, emailEnabled } = p.restore.preference;
    const res = await target.request({
      method: 'PUT',
      path: preferences,
      token: p.session.token,
      json: { matchDeliveryMode, digestIntervalMinutes, pushEnabled, emailEnabled },
    });
    if (res.status !== 200)
      report.problems.push(`${p.role}: restoring the previous delivery mode answered ${res.status}: ${res.excerpt(200)}`);
    else report.done.push(`${p.role}: delivery mode restored to ${matchDeliveryMode} (${p.restore.how})`);
  }
}

async function undoProviderInDatabase(
  db: pg.Client,
  profile: Profile,
  trial: DigestTrial,
  p: TestProvider,
  jobId: number | string | null,
  report: CleanupReport,
): Promise<void> {
  const userId = p.session.user.id;
  const seenIds = (trial.seen.get(p.role) ?? []).map((n) => Number(n.id));
  if (jobId !== null || seenIds.length) {
    // Also those it had not seen yet (a digest sent while the check was failing).
    const about = jobId === null ? 'false' : contentMentionsJob(profile.responses.notificationJob).replaceAll('$VARS', '$3');
    const { rowCount } = await db.query(
      `DELETE FROM ${table(profile, 'notification')} WHERE "userId" = $1 AND ("id" = ANY($2::int[]) OR ${about})`,
      jobId === null ? [userId, seenIds] : [userId, seenIds, jobVars(jobId)],
    );
    report.done.push(`${p.role}: ${rowCount} notification(s) about the test job deleted`);
  }
  if (p.savedSearchIds.length) {
    const { rowCount } = await db.query(`DELETE FROM ${table(profile, 'savedSearch')} WHERE "providerId" = $1 AND "id" = ANY($2::int[])`, [
      userId,
      p.savedSearchIds,
    ]);
    report.done.push(`${p.role}: ${rowCount} saved search(es) deleted in the database`);
    p.savedSearchIds.length = 0;
  }
  if (!p.changed) return;
  // Whether a row was stored before is unknown (no GET before the PUT), so the row stays, restored.
  if (p.restore && 'lastDigestSentAt' in p.restore.preference) {
    // The worker moved it when it sent the trial's digest; the next run starts from the same clock.
    await db.query(`UPDATE ${table(profile, 'notificationPreference')} SET "lastDigestSentAt" = $2 WHERE "userId" = $1`, [
      userId,
      p.restore.preference.lastDigestSentAt ?? null,
    ]);
  }
  p.changed = false;
}

/** Match notifications about the test job sent to anyone else whose saved search matched it. */
async function deleteOtherMatches(db: pg.Client, profile: Profile, jobId: number | string, report: CleanupReport): Promise<void> {
  const { instant } = profile.responses.notificationTypes;
  const about = contentMentionsJob(profile.responses.notificationJob).replaceAll('$VARS', '$2');
  const { rowCount } = await db.query(`DELETE FROM ${table(profile, 'notification')} WHERE "type" = $1 AND (${about})`, [
    instant,
    jobVars(jobId),
  ]);
  if (rowCount) report.done.push(`${rowCount} other ${instant} notification(s) about the test job deleted`);
}

/** Idempotent: what is undone is forgotten, so a second call (afterAll after the check) does nothing. */
export async function cleanUpDigestTrial(
  trial: DigestTrial,
  target: TargetClient,
  harness: Pick<HarnessContext, 'sections'>,
  databaseUrl: string,
): Promise<CleanupReport> {
  const report: CleanupReport = { done: [], problems: [] };
  const jobId = trial.jobRemoved ? null : (trial.job?.id ?? null);
  const profile = harness.sections.backend;
  await deleteJob(trial, profile, databaseUrl, report);
  for (const p of trial.providers.values()) {
    await undoProviderViaApi(target, harness, p, report).catch((error: Error) => report.problems.push(`${p.role}: ${error.message}`));
  }
  // Last, so a notification the worker was writing while the job went is caught too.
  await withDatabase(databaseUrl, async (db) => {
    for (const p of trial.providers.values()) await undoProviderInDatabase(db, profile, trial, p, jobId, report);
    if (jobId !== null) await deleteOtherMatches(db, profile, jobId, report);
  });
  trial.seen.clear();
  report.problems.push(...trial.unremovable);
  return report;
}

/** Reads back through the API what cleanup claims to have undone: a 204 is not proof. */
export async function leftovers(trial: DigestTrial, target: TargetClient, harness: Pick<HarnessContext, 'sections'>): Promise<string[]> {
  const { savedSearches, preferences } = harness.sections.backend.routes;
  const found: string[] = [];
  for (const p of trial.providers.values()) {
    if (p.createdSearchIds.length) {
      const res = await target.get(savedSearches, { token: p.session.token });
      const list = harness.sections.backend.responses.lists.savedSearches;
      const items = res.status === 200 ? firstValue(res.json<unknown>(), list) : undefined;
      if (!Array.isArray(items)) found.push(`${p.role}: GET ${savedSearches} answered ${res.status} without a list at ${list}`);
      else {
        const left = (items as { id?: unknown }[]).map((i) => String(i.id)).filter((id) => p.createdSearchIds.includes(id));
        if (left.length) found.push(`${p.role}: saved search(es) ${left.join(', ')} still listed`);
      }
    }
    if (trial.job) {
      const about = (await trial.notifications(target, p.role)).filter((n) =>
        mentionsJob(n.content, trial.job!.id, harness.sections.backend.responses.notificationJob),
      );
      if (about.length) found.push(`${p.role}: ${about.length} notification(s) about test job ${trial.job.id} still listed`);
    }
    if (!p.restore) continue;
    const res = await target.get(preferences, { token: p.session.token });
    const mode = res.status === 200 ? res.json<{ matchDeliveryMode?: unknown }>().matchDeliveryMode : null;
    const expected = p.restore.preference.matchDeliveryMode;
    if (mode !== expected) {
      found.push(
        `${p.role}: delivery mode reads ${res.status === 200 ? String(mode) : `HTTP ${res.status}`}, cleanup restored ${expected}`,
      );
    }
  }
  return found;
}
