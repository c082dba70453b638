// npm run audit:acknowledge: an audit entry that never recorded its own end is named by every run
// until an operator who checked what it changed closes it, saying who and what they found.
import fs from 'node:fs/promises';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { unfinishedAudits } from '../../lib/guard/audit';
import { useScriptSandboxes } from '../migrations/helpers/run-script';

const sandbox = useScriptSandboxes();

/** migrate:deploy on staging, started by Dana from a process on another machine that never said how it ended. */
const started = {
  id: 'abc123def456',
  time: '2026-11-28T05:00:00.000Z',
  host: 'another-host',
  pid: 4242,
  script: 'migrate:deploy',
  env: 'staging',
  owner: 'Dana',
  args: ['--env=staging', '--confirm=staging'],
  outcome: 'started',
  touches: { database: 'db.example:5432/app' },
};

async function boxWith(...entries: object[]) {
  const box = await sandbox();
  await fs.writeFile(box.auditLog, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return box;
}

describe('npm run audit:acknowledge', () => {
  // Backups with no DATABASE_URL: refused as bad input, so they write nothing, but they name unfinished entries first.
  it('closes the entry the warning names, with who checked it and what they found; the next run names it no more', async () => {
    const box = await boxWith(started);
    const before = await box.run('backup', ['--env=staging'], { DATABASE_URL: undefined });
    const warning = before.stderr.split('\n').find((l) => l.startsWith('backup: note: '));
    expect(warning).toContain('(audit id abc123def456)');
    const hint = /npm run audit:acknowledge -- (--env=\S+ --id=\S+) --note=/.exec(warning ?? '');
    expect(hint?.[1]).toBe('--env=staging --id=abc123def456');

    const closed = await box.run('audit-acknowledge', [
      ...hint![1]!.split(' '),
      '--note=the migration had applied; _prisma_migrations agrees',
      '--owner=Lee',
    ]);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stdout.trim()).toBe(
      `audit:acknowledge: closed migrate:deploy on staging started 2026-11-28T05:00:00.000Z by Dana (audit id abc123def456) in ${box.auditLog}, as checked by Lee`,
    );
    const entries = await box.audit();
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({
      id: 'abc123def456',
      script: 'migrate:deploy',
      env: 'staging',
      owner: 'Lee',
      outcome: 'acknowledged',
      touches: { database: 'db.example:5432/app' },
      summary: { startedBy: 'Dana', startedAt: '2026-11-28T05:00:00.000Z', note: 'the migration had applied; _prisma_migrations agrees' },
    });
    expect(await unfinishedAudits(box.auditLog)).toEqual([]);
    const after = await box.run('backup', ['--env=staging'], { DATABASE_URL: undefined });
    expect(after.stderr).not.toContain('never recorded an end');
  });

  it('refuses, exit 2, writing nothing: no --id or --note, an unknown id, one already ended, one whose run still goes', async () => {
    const ended = { ...started, id: 'e0e0e0e0e0e0' };
    const running = { ...started, id: 'a1a1a1a1a1a1', host: os.hostname(), pid: process.pid };
    const box = await boxWith(started, ended, { ...ended, outcome: 'done', time: '2026-11-28T05:01:00.000Z' }, running);
    const log = await fs.readFile(box.auditLog, 'utf8');
    const refusal = async (args: string[]) => {
      const run = await box.run('audit-acknowledge', ['--env=staging', ...args]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      expect(await fs.readFile(box.auditLog, 'utf8')).toBe(log);
      return run.stderr
        .split('\n')
        .filter((l) => l && !l.includes('note: '))
        .join('\n');
    };
    expect(await refusal([])).toBe(
      'audit:acknowledge: --id is required: the audit id the warning names\n' +
        'audit:acknowledge: --note is required: say what you checked and found, for whoever reads the log next',
    );
    expect(await refusal(['--id=abc123def456', '--note=  '])).toContain('--note is required');
    expect(await refusal(['--id=ffffffffffff', '--note=checked'])).toBe(
      `audit:acknowledge: no audit entry ffffffffffff in ${box.auditLog}; the unfinished ones there: abc123def456, a1a1a1a1a1a1 (another --config or --env keeps its log elsewhere); nothing was written`,
    );
    expect(await refusal(['--id=e0e0e0e0e0e0', '--note=checked'])).toBe(
      `audit:acknowledge: audit id e0e0e0e0e0e0 already ended (done at 2026-11-28T05:01:00.000Z) in ${box.auditLog}; nothing was written`,
    );
    expect(await refusal(['--id=a1a1a1a1a1a1', '--note=checked'])).toBe(
      `audit:acknowledge: migrate:deploy (audit id a1a1a1a1a1a1) is still running as pid ${process.pid}: it records its own end; nothing was written`,
    );
  });
});
