// lib/command/rehearsal-registry.ts + confirm.ts: a mutation without --confirm is allowed only on exactly
// what a live rehearsal of this user registered; stale, foreign and partial matches do not count.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../lib/cli/args';
import { mutationPermission } from '../../lib/command/confirm';
import { liveRehearsals, owningRehearsal, registerRehearsal, rehearsalRegistryDir } from '../../lib/command/rehearsal-registry';
import { bucketResource, databaseResource, type Resources } from '../../lib/command/resources';
import { guardProblems } from '../../lib/runner/plan';

const savedTmp = process.env.TMPDIR;
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-registry-test-'));
  process.env.TMPDIR = tmp;
});
afterAll(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  fs.rmSync(tmp, { recursive: true, force: true });
});

const mine: Resources = {
  database: databaseResource('postgres://u:secret@127.0.0.1:5432/cutover_rehearsal_1'),
  bucket: bucketResource({ bucket: 'cutover-attachments', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1' }),
  baseUrl: 'http://127.0.0.1:4000',
};

describe('the rehearsal registry', () => {
  it('names resources by identity, never by credential', () => {
    expect(mine).toEqual({
      database: '127.0.0.1:5432/cutover_rehearsal_1',
      bucket: 'cutover-attachments at 127.0.0.1:9000',
      baseUrl: 'http://127.0.0.1:4000',
    });
  });

  it('a live rehearsal owns exactly what it registered, until it forgets it', () => {
    const forget = registerRehearsal(mine);
    try {
      expect(owningRehearsal({ database: mine.database })?.pid).toBe(process.pid);
      expect(owningRehearsal(mine)?.pid).toBe(process.pid);
      expect(owningRehearsal({ ...mine, database: '127.0.0.1:5432/app_production' })).toBeUndefined();
      expect(owningRehearsal({ database: mine.database, bucket: 'uploads at s3.eu-west-1.amazonaws.com' })).toBeUndefined();
      expect(owningRehearsal({})).toBeUndefined();
      expect(mutationPermission('local', undefined, 'apply migrations', { database: mine.database })).toEqual({
        problems: [],
        because: `started by the running local rehearsal (pid ${process.pid})`,
      });
      // Outside local the environment's name is always typed again.
      expect(mutationPermission('staging', undefined, 'apply migrations', { database: mine.database }).problems).toEqual([
        'refusing to apply migrations on staging without --confirm=staging; nothing was changed',
      ]);
      // The CLI: --base-url at the rehearsal's own target, DATABASE_URL its own database.
      const opts = parseArgs(['--env=local', '--base-url=http://127.0.0.1:4000', '--apply=migrations', '--only=1']);
      expect(guardProblems(opts, () => ({ database: mine.database, baseUrl: mine.baseUrl }))).toEqual([]);
      expect(guardProblems(opts, () => ({ database: mine.database, baseUrl: 'http://127.0.0.1:4001' }))).toEqual([
        `refusing to apply migrations without --confirm=local: database ${mine.database}, base URL http://127.0.0.1:4001 is not something a running local rehearsal started; nothing was changed`,
      ]);
    } finally {
      forget();
    }
    expect(owningRehearsal({ database: mine.database })).toBeUndefined();
  });

  it('ignores and removes a record whose process is gone or is another process now', () => {
    const dir = rehearsalRegistryDir();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const dead = path.join(dir, 'dead.json');
    const reused = path.join(dir, 'reused.json');
    fs.writeFileSync(dead, JSON.stringify({ pid: 2 ** 22 + 11, startedAt: '', resources: mine }), { mode: 0o600 });
    fs.writeFileSync(reused, JSON.stringify({ pid: process.pid, startTime: '1', startedAt: '', resources: mine }), { mode: 0o600 });
    expect(liveRehearsals()).toEqual([]);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(reused)).toBe(false);
  });

  it('does not trust a registry others can write to', () => {
    const forget = registerRehearsal(mine);
    try {
      fs.chmodSync(rehearsalRegistryDir(), 0o777);
      expect(owningRehearsal(mine)).toBeUndefined();
    } finally {
      fs.chmodSync(rehearsalRegistryDir(), 0o700);
      forget();
    }
  });
});
