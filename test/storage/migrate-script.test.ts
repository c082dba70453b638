// scripts/migrate-attachments.ts as an operator runs it (npm run migrate:attachments: bin/guarded.mjs): bad input and refusals change nothing
// (exit 2, one line each); kill -9 at any point loses nothing and a re-run finishes the job; a
// signal or a closed console stops it after the rows in flight, its audit entry ended as interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { processCmdline } from '../../lib/processes';
import { pidsWithCmdline } from '../../rehearsal/stack/util';
import { sql } from '../support/database';
import { s3Env } from '../support/target-env';
import { useScriptSandboxes } from '../migrations/helpers/run-script';
import { bucketResource, databaseResource } from '../../lib/command/resources';
import { digestBuffer } from '../../lib/storage/hash';
import { legacyObjectKey } from '../../lib/storage/keys';
import { MigrationState } from '../../lib/storage/migrate/state';
import { digestObject } from '../../lib/storage/objects';
import { s3Client } from '../../lib/storage/s3-client';
import { bytesOf, ROOT, useStorageWorlds, type StorageWorld } from './helpers';

const world = useStorageWorlds();
const sandbox = useScriptSandboxes();

function envFor(w: StorageWorld): Record<string, string> {
  return { DATABASE_URL: w.databaseUrl, ...s3Env(w.s3.settings) };
}

async function boxFor(w: StorageWorld) {
  return sandbox({ storage: { uploadsDir: w.uploadsDir, migrate: { partSizeMiB: 5 } } });
}

describe('npm run migrate:attachments', () => {
  it('lists every bad input at once, exit 2, and changes nothing', async () => {
    const w = await world();
    await w.legacy('job', 'legacy/a.png', bytesOf(10));
    const box = await boxFor(w);
    const run = await box.run('migrate-attachments', ['--limit=abc', '--concurrency=0', '--env=staging'], {
      ...envFor(w),
      OBJECT_STORAGE_S3_BUCKET: undefined,
    });
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'migrate:attachments: --limit must be a whole number from 1 to 1000000',
        'migrate:attachments: --concurrency must be a whole number from 1 to 64',
        'migrate:attachments: refusing to migrate attachments on staging without --confirm=staging; nothing was changed',
        'migrate:attachments: OBJECT_STORAGE_S3_BUCKET is not set (object storage)',
      ]),
    );
    expect(await w.objectKeys()).toEqual([]);
    expect((await w.rows('JobAttachment'))[0]?.storageKey).toBeNull();
    // Bad input is not an attempt: not even the audit log is created.
    expect(await fs.readdir(box.dir)).toEqual(['cutover.config.mjs']);
  });

  it("without storage.uploadsDir in the config it says what to set (no default into the reference target's ./uploads): exit 2, nothing changed", async () => {
    const w = await world();
    await w.legacy('job', 'legacy/a.png', bytesOf(10));
    const box = await sandbox({ storage: { migrate: { partSizeMiB: 5 } } });
    const run = await box.run('migrate-attachments', ['--env=staging', '--confirm=staging', '--limit=10'], envFor(w));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^migrate:attachments: storage\.uploadsDir is not set in .*cutover\.config\.mjs \(needed for the attachment migration, which reads the legacy files\): set it to the target's legacy uploads directory/m,
    );
    expect(await w.objectKeys()).toEqual([]);
    expect((await w.rows('JobAttachment'))[0]?.storageKey).toBeNull();
  });

  it('rejects unknown flags and the space form, and --rollback with a plan', async () => {
    const w = await world();
    const box = await boxFor(w);
    const unknown = await box.run('migrate-attachments', ['--dryrun', '--limit', '20'], envFor(w));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('migrate:attachments: unknown option --dryrun');
    expect(unknown.stderr).toContain('unexpected argument "20"');
    expect(unknown.stderr).toContain('--limit needs a value (--limit=...)');
    const rollback = await box.run('migrate-attachments', ['--env=local', '--rollback=x', '--limit=5'], envFor(w));
    expect(rollback.code).toBe(2);
    expect(rollback.stderr).toContain('--rollback takes no --limit or --concurrency');
  });

  it('without --env, or in local without --confirm on a bucket and database no rehearsal started, nothing moves or is cleared: exit 2', async () => {
    const w = await world();
    const row = await w.legacy('job', 'legacy/g.png', bytesOf(100));
    const box = await boxFor(w);
    const noEnv = await box.run('migrate-attachments', ['--limit=10'], envFor(w));
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr.split('\n')[0]).toBe(
      'migrate:attachments: --env is required (local, staging, prod): the guarded scripts have no default environment',
    );
    const noEnvRollback = await box.run('migrate-attachments', ['--rollback=20261128T050000Z-local-abcdef'], envFor(w));
    expect(noEnvRollback.code).toBe(2);
    expect(noEnvRollback.stderr).toContain('--env is required');
    expect(await fs.readdir(box.dir)).toEqual(['cutover.config.mjs']);

    // The rehearsal registry is looked up under TMPDIR: an empty one here, whatever runs on this machine.
    const env = { ...envFor(w), TMPDIR: box.dir };
    const local = await box.run('migrate-attachments', ['--env=local', '--limit=10'], env);
    expect(local.code).toBe(2);
    const bucket = bucketResource(w.s3.settings);
    expect(local.stderr.trim().split('\n')).toEqual([
      `migrate:attachments: refusing to migrate attachments without --confirm=local: database ${databaseResource(w.databaseUrl)}, bucket ${bucket} is not something a running local rehearsal started; nothing was changed`,
    ]);
    const rollback = await box.run('migrate-attachments', ['--env=local', '--rollback=20261128T050000Z-local-abcdef'], env);
    expect(rollback.code).toBe(2);
    expect(rollback.stderr).toContain('refusing to roll back the attachment migration without --confirm=local');
    expect(await w.objectKeys()).toEqual([]);
    expect((await w.rows('JobAttachment'))[0]).toMatchObject({ id: row.id, storageKey: null });
  });

  it('a dry run needs no --confirm; the real run then migrates, and prints a run id that --rollback undoes', async () => {
    const w = await world();
    const row = await w.legacy('job', 'legacy/b.png', bytesOf(1000));
    const box = await boxFor(w);
    const dry = await box.run('migrate-attachments', ['--env=local', '--dry-run', '--limit=20', '--concurrency=5'], envFor(w));
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would move job#${row.id} legacy/b.png`);
    const real = await box.run('migrate-attachments', ['--env=local', '--confirm=local', '--limit=20', '--concurrency=5'], envFor(w));
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/\[migrate\] summary: moved 1, skipped 0, failed 0/);
    const runId = /--rollback=(\S+)/.exec(real.stdout)![1]!;
    const undo = await box.run('migrate-attachments', ['--env=local', '--confirm=local', `--rollback=${runId}`], envFor(w));
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stdout).toContain(`cleared storageKey of JobAttachment#${row.id}`);
    expect((await w.rows('JobAttachment'))[0]).toEqual({ id: row.id, diskPath: 'legacy/b.png', storageKey: null });
    expect((await box.audit()).map((e) => e.outcome)).toEqual(['started', 'done', 'started', 'done', 'started', 'done']);
  });

  it('kill -9 at any point loses nothing: re-runs finish the job, each row migrated once, every object verified', async () => {
    const w = await world();
    const rows = await w.legacyMany(
      'job',
      Array.from({ length: 24 }, (_, i) => ({ diskPath: `legacy/k/${i}.png`, bytes: bytesOf(i % 6 === 0 ? 6 * 1024 * 1024 : 200 * 1024) })),
    );
    const box = await boxFor(w);
    const args = ['--env=local', '--confirm=local', '--limit=1000', '--concurrency=2', `--config=${box.config}`];
    const env = envFor(w);

    // Two runs killed mid-way (after 2 and after 3 rows), then one that finishes.
    const killed1 = await runUntilKilled(args, env, 2);
    const killed2 = await runUntilKilled(args, env, 3);
    expect(killed1.signal).toBe('SIGKILL');
    expect(killed2.signal).toBe('SIGKILL');
    const done = await runUntilKilled(args, env, Infinity);
    expect(done.code, done.output).toBe(0);
    expect(done.output).toMatch(/\[migrate\] summary: moved \d+/);

    const keys = rows.map((r) => legacyObjectKey('job', r.id, path.basename(r.diskPath), r.diskPath));
    const dbRows = await w.rows('JobAttachment');
    expect(dbRows.map((r) => r.storageKey)).toEqual(keys);
    expect(dbRows.every((r, i) => r.diskPath === rows[i]!.diskPath)).toBe(true);
    // Exactly one object per row and nothing else: deterministic keys cannot duplicate.
    expect(await w.objectKeys()).toEqual([...keys].sort());
    const client = s3Client(w.s3.settings);
    try {
      for (const [i, r] of rows.entries())
        expect((await digestObject(client, w.s3.settings.bucket, keys[i]!))?.sha256, r.diskPath).toBe(digestBuffer(r.bytes).sha256);
    } finally {
      client.destroy();
    }
    // Every migrated row is in some run's list, so a rollback can find it.
    const state = new MigrationState(path.join(box.dir, 'reports'));
    const listed = new Set<number>();
    for (const out of [killed1.output, killed2.output, done.output]) {
      const runId = /starting run (\S+)/.exec(out)?.[1];
      for (const e of (runId && (await state.migratedBy(runId))) || []) listed.add(e.id);
    }
    expect([...listed].sort((a, b) => a - b)).toEqual(rows.map((r) => r.id));
    const [{ count }] = await sql<{ count: string }>(w.databaseUrl, `SELECT count(*) FROM "JobAttachment" WHERE "storageKey" IS NULL`);
    expect(Number(count)).toBe(0);
  });

  it('SIGTERM mid-way (a service manager stopping it) stops it as Ctrl-C does: the rows in flight finish, the summary, the entry ends interrupted, exit 1', async () => {
    const w = await world();
    // Many small rows: the signal must land mid-way even when this process reads the output late
    // (a clean-clone CI saw all 60 rows of 64 KiB moved, in 0.27 s, before it did).
    const rows = await w.legacyMany(
      'job',
      Array.from({ length: 600 }, (_, i) => ({ diskPath: `legacy/t/${i}.png`, bytes: bytesOf(4 * 1024) })),
    );
    const box = await boxFor(w);
    const args = ['--env=local', '--confirm=local', '--limit=1000', '--concurrency=2', `--config=${box.config}`];
    const stopped = await runUntilKilled(args, envFor(w), 2, (child) => child.kill('SIGTERM'));
    expect(stopped.signal, stopped.output).toBeNull();
    expect(stopped.code, stopped.output).toBe(1);
    expect(stopped.output).toContain('migrate:attachments: SIGTERM: finishing the rows in flight, then printing the summary');
    // No row was cut off mid-copy: the only failure is the rows it did not start.
    expect(stopped.output).not.toMatch(/^\[migrate\] failed /m);
    expect(stopped.output).toMatch(/interrupted: \d+ row\(s\) not started; run it again to finish/);
    const movedBefore = Number(/\[migrate\] summary: moved (\d+)/.exec(stopped.output)?.[1]);
    expect(movedBefore).toBeGreaterThanOrEqual(2);
    expect(movedBefore).toBeLessThan(rows.length);
    const entries = await box.audit();
    expect(entries.map((e) => e.outcome)).toEqual(['started', 'interrupted']);
    expect(entries[1]).toMatchObject({ summary: { moved: movedBefore } });
    const keys = (await w.rows('JobAttachment')).filter((r) => r.storageKey).length;
    expect(keys).toBe(movedBefore);

    const done = await runUntilKilled(args, envFor(w), Infinity);
    expect(done.code, done.output).toBe(0);
    expect(done.output).toContain(`[migrate] summary: moved ${rows.length - movedBefore}`);
  });

  // The backend's command runs in a process group of its own, which the signals that end the
  // script do not reach. Here it ignores SIGTERM, so the first signal's stop waits out a grace
  // period, and a second signal forces the script's end: the command must end with it.
  it("a second signal forces the end: the backend's command, which ignored the first, ends with the script", async () => {
    const w = await world();
    await w.legacy('job', 'legacy/f/1.png', bytesOf(1024));
    const marker = 'sleep 58.41';
    const box = await sandbox({
      storage: {
        uploadsDir: w.uploadsDir,
        migrate: { runner: 'backend', backendCommand: `sh -c "trap '' TERM; ${marker} & wait" migrate` },
      },
    });
    let signals = 0;
    const run = await box.run('migrate-attachments', ['--env=local', '--confirm=local', '--limit=10'], envFor(w), (child) => {
      const poll = setInterval(() => {
        if (signals === 0 && pidsWithCmdline(marker).some((pid) => processCmdline(pid) === marker)) {
          signals = 1;
          child.kill('SIGTERM');
        }
      }, 50);
      child.stderr!.on('data', (d: Buffer) => {
        if (signals === 1 && d.toString('utf8').includes("stopping the backend's command")) {
          signals = 2;
          child.kill('SIGTERM');
        }
      });
      child.once('close', () => clearInterval(poll));
    });
    try {
      expect(signals, run.stderr).toBe(2);
      expect(run.code, run.stderr).toBe(1);
      await vi.waitFor(() => expect(pidsWithCmdline(marker), "the backend command's processes").toEqual([]), {
        timeout: 5_000,
        interval: 50,
      });
      expect((await box.audit()).map((e) => e.outcome)).toEqual(['started', 'interrupted']);
    } finally {
      for (const pid of pidsWithCmdline(marker)) process.kill(pid, 'SIGKILL');
    }
  });

  it("its console's output closed by its reader mid-way (piped into head): no crash, stopped as on a hang-up, the entry ends interrupted, exit 1, a re-run finishes", async () => {
    const w = await world();
    // Long enough, one row at a time, that the close lands mid-way even when this test's own
    // process is slow to read (with 60 rows at concurrency 2 a busy CI machine once read the
    // second row's line only after the script had moved all 60).
    await w.legacyMany(
      'job',
      Array.from({ length: 240 }, (_, i) => ({ diskPath: `legacy/h/${i}.png`, bytes: bytesOf(16 * 1024) })),
    );
    const box = await boxFor(w);
    const args = ['--env=local', '--confirm=local', '--limit=1000', '--concurrency=1', `--config=${box.config}`];
    const closed = await runUntilKilled(args, envFor(w), 2, (child) => child.stdout!.destroy());
    // Unwatched, the next progress line crashed the script on an unhandled EPIPE (exit 1 as well),
    // mid-migration, and its audit entry stayed `started` for good.
    expect(closed.signal, closed.output).toBeNull();
    expect(closed.output).not.toContain('EPIPE');
    expect(closed.code, closed.output).toBe(1);
    expect(closed.output).toContain('migrate:attachments: SIGHUP: finishing the rows in flight');
    const entries = await box.audit();
    expect(entries.map((e) => e.outcome)).toEqual(['started', 'interrupted']);
    expect(entries[1]).toMatchObject({ summary: { failed: [{ row: '(run)' }] } });
    const done = await runUntilKilled(args, envFor(w), Infinity);
    expect(done.code, done.output).toBe(0);
    const [{ count }] = await sql<{ count: string }>(w.databaseUrl, `SELECT count(*) FROM "JobAttachment" WHERE "storageKey" IS NULL`);
    expect(Number(count)).toBe(0);
  });
});

/**
 * Runs the script as its own process (no npx between us and it) and, once `rows` rows have moved,
 * calls `act` on it once (by default kill -9).
 */
function runUntilKilled(
  args: string[],
  env: Record<string, string>,
  rows: number,
  act: (child: ChildProcess) => void = (child) => child.kill('SIGKILL'),
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined && !k.startsWith('VITEST')) childEnv[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/guarded.mjs', 'migrate-attachments', ...args], {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let acted = false;
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString('utf8');
      const moved = (output.match(/^\[migrate\] (moved|resumed) /gm) ?? []).length;
      if (moved < rows || acted) return;
      acted = true;
      act(child);
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}
