// The audit log is what an operator reads to learn what a guarded run changed and how it ended.
// A signal can arrive while a run records its own end: the log must still say one thing.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { audit, auditId, endInterrupted, readAudit, unfinishedAudits, type AuditEntry } from '../../lib/guard/audit';
import { Redactor } from '../../lib/secrets/redactor';

const redactor = new Redactor(['s3cret-token']);
let dir = '';
let file = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cutover-audit-'));
  file = path.join(dir, 'reports', 'audit.log');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const entry = (id: string): AuditEntry => ({
  id,
  script: 'migrate:attachments',
  env: 'local',
  owner: 'selftest',
  args: [],
  outcome: 'started',
});

/** Twenty entries started, then each ended by the run and by a signal at the same moment. */
async function raceEnds(signalFirst: boolean): Promise<string[]> {
  const ids = Array.from({ length: 20 }, () => auditId());
  for (const id of ids) await audit(file, entry(id), redactor);
  await Promise.all(
    ids.flatMap((id) => {
      const own = () => audit(file, { ...entry(id), outcome: 'done' }, redactor);
      const signal = () => endInterrupted(file, (r) => r.id === id, 'SIGTERM to pid 1', redactor);
      return signalFirst ? [signal(), own()] : [own(), signal()];
    }),
  );
  return ids;
}

describe('the audit log', () => {
  test("an entry ends once: the run's own end and a signal's 'interrupted' at the same moment leave one end, the first asked for", async () => {
    for (const signalFirst of [false, true]) {
      const ids = await raceEnds(signalFirst);
      const records = await readAudit(file);
      for (const id of ids) {
        const outcomes = records.filter((r) => r.id === id).map((r) => r.outcome);
        expect(outcomes, `entry ${id}, signal ${signalFirst ? 'first' : 'second'}`).toEqual([
          'started',
          signalFirst ? 'interrupted' : 'done',
        ]);
      }
    }
    expect(await unfinishedAudits(file)).toEqual([]);
  });

  test('an interrupted end names what the started entry touched and the signal; entries it does not pick stay open', async () => {
    const [picked, other] = [auditId(), auditId()];
    await audit(file, { ...entry(picked), touches: { database: '127.0.0.1:5432/app' } }, redactor);
    await audit(file, entry(other), redactor);
    await endInterrupted(file, (r) => r.id === picked, 'SIGHUP to pid 7', redactor);
    const ends = (await readAudit(file)).filter((r) => r.outcome === 'interrupted');
    expect(ends).toMatchObject([{ id: picked, touches: { database: '127.0.0.1:5432/app' }, summary: { endedBy: 'SIGHUP to pid 7' } }]);
    expect((await unfinishedAudits(file)).map((r) => r.id)).toEqual([other]);
  });

  test('what it writes is redacted', async () => {
    await audit(file, { ...entry(auditId()), args: ['--token=s3cret-token'] }, redactor);
    const [record] = await readAudit(file);
    expect(JSON.stringify(record)).not.toContain('s3cret-token');
    expect(record!.args[0]).toMatch(/^--token=/);
  });
});
