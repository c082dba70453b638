import { readdirSync, readFileSync } from 'node:fs';
// `--rehearse=<dir>`: the rehearsal boots a backend the harness did not ship with (the second
// backend in test/fixtures/second-backend) and the whole cutover runs against it.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Io } from '../../lib/command/exit';
import { processCmdline } from '../../lib/processes';
import { sectionsSchema } from '../../lib/config/schema';
import { main } from '../../lib/runner/run';
import type { Stack } from '../../rehearsal/stack';
import { rehearsalCredentials } from '../../rehearsal/boot/credentials';
import { ownBackendEnv } from '../../rehearsal/boot/own-env';
import secondBackend from '../fixtures/second-backend/cutover.config';
import { expectAllEndBySelf, onceOutputShows, REHEARSAL_TIMEOUT_MS, ROOT, runHarness, summary, tempDir } from '../support/run-harness';

const DIR = 'test/fixtures/second-backend';
const CONFIG = `--config=${DIR}/cutover.config.ts`;

function buffers(): Io & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(`out: ${l}`), err: (l) => lines.push(`err: ${l}`) };
}

/** Runs the CLI in process and answers what it printed; the rehearsal wing must never be loaded for refused input. */
async function refused(args: string[]): Promise<string> {
  const io = buffers();
  let wingLoaded = false;
  const code = await main(args, io, async () => {
    wingLoaded = true;
    throw new Error('the wing must not load for bad input');
  });
  expect(code, io.lines.join('\n')).toBe(2);
  expect(wingLoaded).toBe(false);
  return io.lines.join('\n');
}

describe('--rehearse: bad input is one clear line, exit 2, nothing started', () => {
  test('a directory that does not exist', async () => {
    expect((await refused(['--rehearse=test/fixtures/no-such-backend', CONFIG])).split('\n')[0]).toBe(
      "err: cutover: --rehearse: test/fixtures/no-such-backend does not exist (give the path of your backend's checkout)",
    );
  });

  test('a file, not a directory', async () => {
    expect(await refused([`--rehearse=${DIR}/README.md`, CONFIG])).toContain('is not a directory');
  });

  test('a config without a rehearse section (the default one)', async () => {
    const line = await refused([`--rehearse=${DIR}`, '--config=cutover.config.ts']);
    expect(line).toContain('cutover.config.ts has no rehearse section saying how to start the backend (set rehearse.server.command');
  });

  test('outside the local rehearsal, or with a fault of the reference target', async () => {
    expect(await refused([`--rehearse=${DIR}`, CONFIG, '--base-url=http://127.0.0.1:9'])).toContain(
      '--rehearse only works in the local rehearsal',
    );
    expect(await refused([`--rehearse=${DIR}`, CONFIG, '--fault=healthz-down'])).toContain('cannot be combined with --rehearse');
  });
});

describe("the backend's env comes from the config, under the backend's own names", () => {
  const { environments: _environments, ...shared } = secondBackend;
  const sections = sectionsSchema.parse(shared);
  const stack = {
    databaseUrl: 'postgres://rehearsal@127.0.0.1:5432/db1',
    redisUrl: 'redis://127.0.0.1:6379',
    s3: {
      bucket: 'b',
      region: 'us-east-1',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
    },
  } as unknown as Stack;
  const creds = rehearsalCredentials();
  const { targetEnv, harnessEnv, accountEnv } = ownBackendEnv(sections, stack, creds, { requestLogFile: '/tmp/requests.log' });

  test('credentials names and the rehearse map name what the backend reads; nothing of the reference target leaks in', () => {
    expect(targetEnv).toMatchObject({
      POSTGRES_URL: stack.databaseUrl,
      REDIS_URL: stack.redisUrl,
      AUTH_TOKEN_SECRET: creds.jwtSecret,
      STRIPE_API_KEY: creds.stripeSecretKey,
      STRIPE_SIGNING_SECRET: creds.stripeWebhookSecret,
      S3_BUCKET: 'b',
      S3_PATH_STYLE: 'true',
      SIGNED_URL_TTL: '300',
      ATTEST_ENFORCE: 'false',
      CLOCK_SPEED: '900',
      REQUEST_LOG_FILE: '/tmp/requests.log',
      NODE_ENV: 'production',
    });
    for (const name of ['DATABASE_URL', 'JWT_SECRET', 'OBJECT_STORAGE_PROVIDER', 'APP_ATTESTATION_ENFORCE', 'CUTOVER_ADMIN_PASSWORD'])
      expect(targetEnv).not.toHaveProperty(name);
    expect(harnessEnv).toMatchObject({ POSTGRES_URL: stack.databaseUrl, STRIPE_API_KEY: creds.stripeSecretKey });
    expect(harnessEnv.CUTOVER_CONSUMER_PASSWORD).toBe(creds.accounts.consumer.password);
    expect(accountEnv.CUTOVER_ADMIN_EMAIL).toBe(creds.accounts.admin.email);
  });
});

/** The backend's server and worker, by the pids the run printed: neither may outlive it. */
function backendPids(stdout: string): number[] {
  return [...stdout.matchAll(/^(?:target|worker): pid (\d+)/gm)].map((m) => Number(m[1]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process of the group whose leader was `pid` (each command's shell leads its own) still runs. */
/**
 * The group's members that have not ended, with their state and command line. A zombie has
 * ended: only its reaping is left, to init, once its parent (the killed CLI) is gone.
 */
function liveMembers(pgid: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(group) !== pgid || state === 'Z') continue;
      found.push(`${entry} (${state}) ${processCmdline(Number(entry)) ?? ''}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
const groupAlive = (pgid: number) => liveMembers(pgid).length > 0;

describe('rehearsing the second backend', { timeout: REHEARSAL_TIMEOUT_MS }, () => {
  test.each([
    [
      'build',
      "build: 'echo compile error >&2; exit 2'",
      "your backend's build command (echo compile error >&2; exit 2) failed: exit code 2; its last output:\ncompile error",
    ],
    [
      'seed',
      "seed: { command: 'echo seeding half; exit 3' }",
      "your backend's seed command (echo seeding half; exit 3) failed: exit code 3; its last output:\nseeding half",
    ],
  ])(
    'a %s command that fails stops the rehearsal before any step, saying which command and what it printed',
    async (what, setting, message) => {
      const dir = await tempDir(`cutover-selftest-bad-${what}`);
      const config = path.join(dir, 'cutover.config.ts');
      await writeFile(
        config,
        `import base from '${path.join(ROOT, DIR, 'cutover.config')}';\n` +
          `export default { ...base, rehearse: { ...base.rehearse, ${setting} } };\n`,
      );
      const result = await runHarness([`--rehearse=${DIR}`, `--config=${config}`, '--owner=selftest']);
      expect(result.code, summary(result)).toBe(1);
      expect(result.run?.decision, summary(result)).toBe('NO-GO');
      expect(result.stdout).toContain(message);
      expect(result.stdout).not.toMatch(/^▶ Step/m);
    },
  );

  // `npm start` and the like run the server as a child of a child, which a signal to the
  // command's shell alone would leave running: here the commands lose their `exec`, so each
  // shell stays the parent of its node. Killed outright, the CLI runs no teardown.
  test('kill -9 of the CLI alone during a step: the backend it started, and all that started, stop with it', async () => {
    const dir = await tempDir('cutover-selftest-no-exec');
    const config = path.join(dir, 'cutover.config.ts');
    await writeFile(
      config,
      `import base from '${path.join(ROOT, DIR, 'cutover.config')}';\n` +
        `const { rehearse } = base;\n` +
        `export default { ...base, rehearse: { ...rehearse, server: { ...rehearse.server, command: 'node src/server.mjs' }, ` +
        `worker: { ...rehearse.worker, command: 'node src/worker.mjs' } } };\n`,
    );
    const at = onceOutputShows('▶ Step 1', (child) => child.kill('SIGKILL'));
    const result = await runHarness([`--rehearse=${DIR}`, `--config=${config}`, '--owner=selftest'], { onStdout: at.onStdout });
    expect(at.acted(), summary(result)).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    const groups = backendPids(result.stdout);
    expect(groups, 'the server and the worker had started').toHaveLength(2);
    await expectAllEndBySelf(
      groups,
      groupAlive,
      (pid) => process.kill(-pid, 'SIGKILL'),
      (pid) => `group ${pid}: ${liveMembers(pid).join('; ')}`,
    );
  });

  // Through its profile and config alone: its env names, envelopes, KPI shapes, notification types,
  // attestation header, and a preferences GET that answers 500 before a first PUT (the digest
  // trial writes first, as the contract asks).
  test('it boots under --rehearse, step 1 applies its own RC migration, and the whole cutover is GO through its profile', async () => {
    const result = await runHarness([`--rehearse=${DIR}`, CONFIG, '--owner=selftest']);
    expect(result.stdout).toMatch(/^target: pid \d+, your backend \(.*test\/fixtures\/second-backend\)/m);
    expect(result.stdout).toMatch(/^worker: pid \d+/m);
    const run = result.run!;
    expect(run, summary(result)).not.toBeNull();
    const migrations = run.rows.find((r) => r.id === 'B.output')!;
    expect(JSON.stringify(migrations), "step 1 applied the backend's newest migration").toContain('20261125000000_digest_queue');
    const passed = run.steps.filter((s) => s.status === 'passed').map((s) => s.id);
    expect(passed, summary(result)).toEqual(['preflight', 'migrations', 'env', 'storage', 'webhooks', 'smoke', 'features', 'monitoring']);
    expect(run.blocking, summary(result)).toBeFalsy();
    expect(run.decision, summary(result)).toBe('GO');
    expect(result.code).toBe(0);
    const pids = backendPids(result.stdout);
    expect(pids.length, result.stdout).toBeGreaterThanOrEqual(2);
    expect(pids.filter(alive)).toEqual([]);
  });
});
