import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RehearsalInfo } from '../../lib/context';
import { monitoring } from '../../lib/config/sections/steps';
import { countFiveXx, requestLogLines, resolveSource, runCommand } from '../../lib/monitoring/five-xx';

const fields = { statusField: 'status', timeField: 'time' };
const until = new Date('2026-11-28T12:00:00Z');
const since = new Date('2026-11-28T11:45:00Z');
const line = (status: number, time: string | number) => JSON.stringify({ time, status, path: '/health' });

describe('countFiveXx', () => {
  it('counts requests and 5xx inside the window only, and says what it could not read', async () => {
    const count = await countFiveXx(
      [
        line(200, '2026-11-28T11:50:00Z'),
        line(500, '2026-11-28T11:55:00.123Z'),
        line(503, Date.parse('2026-11-28T11:56:00Z')), // epoch milliseconds
        line(404, Date.parse('2026-11-28T11:57:00Z') / 1000), // epoch seconds
        line(500, '2026-11-28T11:00:00Z'), // before the window
        line(500, '2026-11-28T12:30:00Z'), // after it
        'not json',
        JSON.stringify({ time: '2026-11-28T11:50:00Z' }), // no status
        JSON.stringify({ status: 200, time: 'yesterday' }),
        '',
      ],
      { since, until },
      fields,
    );
    expect(count).toMatchObject({ total: 4, errors: 2, older: 1, unreadable: 3 });
  });

  it('reads the field names it is configured with', async () => {
    const count = await countFiveXx(
      [JSON.stringify({ ts: '2026-11-28T11:50:00Z', code: 502 })],
      { since, until },
      { statusField: 'code', timeField: 'ts' },
    );
    expect(count).toMatchObject({ total: 1, errors: 1 });
  });
});

describe('request log sources', () => {
  const none = monitoring.parse({}).fiveXx;
  const rehearsal = { requestLogFile: '/tmp/requests.log' } as RehearsalInfo;

  it('stays unconfigured outside the rehearsal, and uses the rehearsal log inside it', () => {
    expect(resolveSource(none, null)).toMatchObject({ kind: 'none' });
    expect(resolveSource(none, rehearsal)).toEqual({ kind: 'log-file', path: '/tmp/requests.log' });
    const configured = monitoring.parse({ fiveXx: { source: { kind: 'command', command: 'railway logs --json' } } }).fiveXx;
    expect(resolveSource(configured, rehearsal)).toMatchObject({ kind: 'command', timeoutSeconds: 60 });
  });

  const dir = mkdtemp(path.join(os.tmpdir(), 'five-xx-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('streams a log file, and a missing one is an error', async () => {
    const file = path.join(await dir, 'requests.log');
    await writeFile(file, `${line(200, '2026-11-28T11:50:00Z')}\n${line(500, '2026-11-28T11:51:00Z')}\n`);
    const count = await countFiveXx(await requestLogLines({ kind: 'log-file', path: file }), { since, until }, fields);
    expect(count).toMatchObject({ total: 2, errors: 1 });
    await expect(requestLogLines({ kind: 'log-file', path: path.join(await dir, 'missing.log') })).rejects.toThrow(/does not exist/);
  });

  it("takes a command's stdout as lines", async () => {
    const lines = await requestLogLines({
      kind: 'command',
      command: `printf '%s\\n' '${line(500, '2026-11-28T11:50:00Z')}'`,
      timeoutSeconds: 10,
    });
    expect(await countFiveXx(lines, { since, until }, fields)).toMatchObject({ total: 1, errors: 1 });
  });
});

describe('runCommand', () => {
  it('fails on a non-zero exit with the last line of stderr', async () => {
    await expect(runCommand("echo 'railway: not logged in' >&2; exit 3", 10_000)).rejects.toThrow(
      'log command exited 3: railway: not logged in',
    );
  });

  it('kills a command that outlives its deadline, with its children', async () => {
    await expect(runCommand('sleep 30 & sleep 30; wait', 300)).rejects.toThrow('no result within 0.3 s');
  });
});
