// The schema DATABASE_URL names (?schema=) is where deploy applies, where status reads and what
// the backup dumps; `public` beside it is left alone, and the audit log names the schema.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedBackup } from '../../lib/backup/guarded';
import { sectionsSchema, type Sections } from '../../lib/config/schema';
import { deployMigrations } from '../../lib/migrations/deploy';
import { readMigrationStatus } from '../../lib/migrations/status';
import { Redactor } from '../../lib/secrets/redactor';
import { sql, useDatabases } from '../support/database';

const databases = useDatabases();
const BASIC = path.join(import.meta.dirname, 'fixtures/basic');
const NAMES = ['20240101000000_init', '20240102000000_add_name', '20240103000000_add_posts'];

let work: string;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-schema-test-'));
});
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

function sections(): Sections {
  return sectionsSchema.parse({
    reports: { auditLog: path.join(work, 'audit.log') },
    migrations: { dir: path.join(BASIC, 'migrations'), schema: path.join(BASIC, 'schema.prisma'), timeoutMs: 30_000 },
    preflight: { backup: { dir: path.join(work, 'backups') } },
  });
}

const tablesIn = async (url: string, schema: string) =>
  (await sql<{ t: string }>(url, 'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema])).map(
    (r) => r.t,
  );

async function auditEntries(s: Sections): Promise<{ script: string; outcome: string; summary?: { database?: string } }[]> {
  return (await fs.readFile(s.reports.auditLog, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('a DATABASE_URL naming a schema other than public', () => {
  it('deploy applies there, public is untouched, status reads the same schema, the audit names it, the backup dumps it', async () => {
    const plain = await databases.fresh();
    // The backend's neighbour in public: it must survive exactly as it was, and must not make the schema "non-empty" (P3005).
    await sql(plain, 'CREATE TABLE public.neighbour (id int PRIMARY KEY); INSERT INTO public.neighbour VALUES (7)');
    const url = `${plain}?schema=app`;
    const s = sections();

    const result = await deployMigrations({
      env: 'local',
      owner: 'selftest',
      rcSha: null,
      baseUrl: undefined,
      sections: s,
      databaseUrl: url,
      redactor: new Redactor([]),
      args: ['--env=local'],
    });
    expect(result.output).toContain('schema "app"');
    expect(result.after.pending).toEqual([]);

    expect(await tablesIn(plain, 'app')).toEqual(['Post', 'User', '_prisma_migrations']);
    expect(await tablesIn(plain, 'public')).toEqual(['neighbour']);
    expect(await sql(plain, 'SELECT id FROM public.neighbour')).toEqual([{ id: 7 }]);

    const status = await readMigrationStatus(url, path.join(BASIC, 'migrations'));
    expect(status.database).toMatch(/\(schema "app"\)$/);
    expect(status.applied.map((a) => a.name)).toEqual(NAMES);
    expect(status.pending).toEqual([]);
    // The same database read without the schema is public: nothing was ever deployed there.
    expect((await readMigrationStatus(plain, path.join(BASIC, 'migrations'))).tableMissing).toBe(true);

    const deploys = (await auditEntries(s)).filter((e) => e.script === 'migrate:deploy');
    expect(deploys.map((e) => e.outcome)).toEqual(['started', 'done']);
    for (const e of deploys) expect(e.summary?.database).toMatch(/\(schema "app"\)$/);

    const taken = await guardedBackup({
      env: 'local',
      owner: 'selftest',
      sections: s,
      databaseUrl: url,
      redactor: new Redactor([]),
      args: ['--env=local'],
    });
    expect(taken.manifest.database.schema).toBe('app');
    const dump = gunzipSync(await fs.readFile(path.join(taken.dir, taken.manifest.file))).toString('utf8');
    expect(dump).toContain('CREATE TABLE app."User"');
    expect(dump).not.toContain('neighbour');
    const backups = (await auditEntries(s)).filter((e) => e.script === 'backup');
    expect(backups.map((e) => [e.outcome, e.summary?.database])).toEqual([
      ['started', expect.stringMatching(/\(schema "app"\)$/)],
      ['done', expect.stringMatching(/\(schema "app"\)$/)],
    ]);
  });

  it('a schema that does not exist is created by the deploy, as prisma migrate deploy does', async () => {
    const plain = await databases.fresh();
    const url = `${plain}?schema=${encodeURIComponent('Tenant One')}`;
    const result = await deployMigrations({
      env: 'local',
      owner: 'selftest',
      rcSha: null,
      baseUrl: undefined,
      sections: sections(),
      databaseUrl: url,
      redactor: new Redactor([]),
      args: ['--env=local'],
    });
    expect(result.output).toContain('The schema "Tenant One" was created.');
    expect(await tablesIn(plain, 'Tenant One')).toEqual(['Post', 'User', '_prisma_migrations']);
    expect(await tablesIn(plain, 'public')).toEqual([]);
  });
});
