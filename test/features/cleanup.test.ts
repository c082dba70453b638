import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '../support/database';
import { startTarget, type RunningTarget } from '../../rehearsal/target/app';
import { signToken } from '../../rehearsal/target/auth';
import { seedTarget, type SeedResult } from '../../rehearsal/target/seed';
import { sectionsSchema } from '../../lib/config/schema';
import { cleanUpDigestTrial, leftovers } from '../../lib/features/cleanup';
import { DigestTrial, type Preference, type ProviderRole } from '../../lib/features/digest';
import { Redactor } from '../../lib/secrets/redactor';
import { TargetClient } from '../../lib/http/client';
import { Sessions, type AccountRole, type Session } from '../../lib/http/session';

/**
 * The digest trial's cleanup against the reference target (in-process, real HTTP) on a
 * throwaway database of the machine's Postgres: it must remove exactly what the trial
 * created, restore what it changed, and notice what the API only pretended to remove.
 */
const PG_ADMIN_URL = process.env.CUTOVER_STACK_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const JWT_SECRET = 'cleanup-test-jwt-secret-0123456789';
const MIGRATIONS = path.resolve(import.meta.dirname, '../../rehearsal/target/prisma/migrations');

const harness = { runId: 'selftest', sections: sectionsSchema.parse({}) };
const accounts = {
  admin: { email: 'admin@cleanup.test', password: 'admin-password-123' },
  consumer: { email: 'consumer@cleanup.test', password: 'consumer-password-123' },
  providerInstant: { email: 'instant@cleanup.test', password: 'instant-password-123' },
  providerDigest: { email: 'digest@cleanup.test', password: 'digest-password-123' },
};

let admin: pg.Pool;
let pool: pg.Pool;
let dbName: string;
let databaseUrl: string;
let work: string;
let seed: SeedResult;
const targets: RunningTarget[] = [];

async function target(faults = ''): Promise<TargetClient> {
  const running = await startTarget({
    NODE_ENV: 'development',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    JWT_SECRET,
    STRIPE_SECRET_KEY: 'sk_test_cleanup',
    UPLOADS_DIR: path.join(work, 'uploads'),
    REQUEST_LOG_FILE: path.join(work, 'requests.log'),
    TARGET_FAULTS: faults,
  });
  targets.push(running);
  return new TargetClient({ baseUrl: running.url, timeoutMs: 5_000, userAgent: 'cleanup-test', redactor: new Redactor() });
}

function session(role: AccountRole): Session {
  const id = seed.users[role];
  const dbRole = role === 'consumer' ? 'CONSUMER' : role === 'admin' ? 'ADMIN' : 'PROVIDER';
  return {
    role,
    email: accounts[role].email,
    token: signToken(JWT_SECRET, { id, role: dbRole } as never),
    user: { id: String(id), role: dbRole },
  };
}

/** A trial whose accounts are already signed in (login is the session module's business). */
async function trialOn(client: TargetClient): Promise<DigestTrial> {
  const trial = new DigestTrial(harness, new Sessions(harness, new Redactor()));
  trial.consumer = session('consumer');
  for (const role of ['providerInstant', 'providerDigest'] as ProviderRole[]) {
    const s = session(role);
    const res = await client.get(harness.sections.backend.routes.preferences, { token: s.token });
    trial.providers.set(role, {
      role,
      session: s,
      previous: res.status === 200 ? res.json<Preference>() : null,
      changed: false,
      createdSearchIds: [],
      savedSearchIds: [],
    });
  }
  return trial;
}

const notify = (userId: number, type: string, content: unknown) =>
  pool.query(`INSERT INTO "Notification" ("userId", "type", "content", "createdAt") VALUES ($1, $2, $3, now())`, [
    userId,
    type,
    JSON.stringify(content),
  ]);

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'digest-cleanup-'));
  dbName = `cutover_selftest_cleanup_${Date.now()}`;
  admin = new pg.Pool({ connectionString: PG_ADMIN_URL, max: 1 });
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${dbName}`;
  databaseUrl = url.toString();
  pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  for (const dir of (await readdir(MIGRATIONS)).filter((d) => /^\d+_/.test(d)).sort()) {
    await pool.query(await readFile(path.join(MIGRATIONS, dir, 'migration.sql'), 'utf8'));
  }
  seed = await seedTarget(pool, { uploadsDir: path.join(work, 'uploads'), accounts });
});

afterAll(async () => {
  for (const t of targets) await t.close();
  await pool?.end();
  await admin?.end();
  await dropDatabase(dbName);
  await rm(work, { recursive: true, force: true });
});

describe('digest trial cleanup', () => {
  it('removes what the trial created, restores what it changed, and leaves everything else', async () => {
    const client = await target();
    const { users } = seed;
    // Before the trial: the INSTANT provider had a stored preference, the DIGEST one none.
    const before = { matchDeliveryMode: 'DIGEST', digestIntervalMinutes: 30, pushEnabled: false };
    expect(
      (await client.request({ method: 'PUT', path: '/me/notification-preferences', token: session('providerInstant').token, json: before }))
        .status,
    ).toBe(200);
    await pool.query(`UPDATE "NotificationPreference" SET "lastDigestSentAt" = '2026-01-02T03:04:05Z' WHERE "userId" = $1`, [
      users.providerInstant,
    ]);

    const trial = await trialOn(client);
    await trial.setPreference(client, 'providerInstant', { matchDeliveryMode: 'INSTANT' });
    await trial.setPreference(client, 'providerDigest', { matchDeliveryMode: 'DIGEST', digestIntervalMinutes: 15 });
    await trial.addSavedSearch(client, 'providerInstant');
    await trial.addSavedSearch(client, 'providerDigest');
    const job = await trial.createJob(client);
    // What the worker would have sent, plus notifications that are none of the trial's business.
    await notify(users.providerInstant, 'job.match', { jobId: job.id, title: job.title });
    await notify(users.providerDigest, 'job.match.digest', { count: 1, topMatches: [{ jobId: job.id }] });
    await notify(users.admin, 'job.match', { jobId: job.id });
    await notify(users.admin, 'job.match', { jobId: seed.jobId });
    await notify(users.providerInstant, 'job.match', { jobId: seed.jobId });
    expect(await trial.aboutJob(client, 'providerInstant', 'job.match')).toHaveLength(1);

    const report = await cleanUpDigestTrial(trial, client, harness, databaseUrl);
    expect(report.problems).toEqual([]);
    expect(await leftovers(trial, client, harness)).toEqual([]);

    const jobs = await pool.query(`SELECT "id" FROM "Job" ORDER BY "id"`);
    expect(jobs.rows.map((r) => r.id)).toEqual([seed.jobId]);
    const notes = await pool.query(`SELECT "userId", "content"->>'jobId' AS "jobId" FROM "Notification" ORDER BY "id"`);
    expect(notes.rows).toEqual([
      { userId: users.admin, jobId: String(seed.jobId) },
      { userId: users.providerInstant, jobId: String(seed.jobId) },
    ]);
    expect((await pool.query(`SELECT count(*)::int AS n FROM "SavedSearch"`)).rows[0].n).toBe(0);
    const prefs = await pool.query(
      `SELECT "userId", "matchDeliveryMode", "digestIntervalMinutes", "pushEnabled", "lastDigestSentAt" FROM "NotificationPreference"`,
    );
    expect(prefs.rows).toEqual([
      {
        userId: users.providerInstant,
        matchDeliveryMode: 'DIGEST',
        digestIntervalMinutes: 30,
        pushEnabled: false,
        lastDigestSentAt: new Date('2026-01-02T03:04:05Z'),
      },
    ]);

    // Nothing left to undo: a second pass (afterAll after the check) changes nothing.
    const again = await cleanUpDigestTrial(trial, client, harness, databaseUrl);
    expect(again.problems).toEqual([]);
    expect((await pool.query(`SELECT count(*)::int AS n FROM "NotificationPreference"`)).rows[0].n).toBe(1);
  });

  it('does not take a 204 for proof: a saved search the API kept is reported (saved-search-delete-ignored)', async () => {
    const client = await target('saved-search-delete-ignored');
    const trial = await trialOn(client);
    await trial.addSavedSearch(client, 'providerDigest');
    const report = await cleanUpDigestTrial(trial, client, harness, databaseUrl);
    expect(report.problems).toEqual([]);
    expect(await leftovers(trial, client, harness)).toEqual([expect.stringMatching(/providerDigest: saved search\(es\) \d+ still listed/)]);
  });
});
