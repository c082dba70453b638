/**
 * The smoke pass side by side against one already-running reference target: the harness
 * (`--only=smoke --base-url=…`), a Newman collection making the same requests and checks
 * (bench/smoke/collection.json) and a plain undici script (bench/smoke/undici-smoke.mjs, the
 * floor). Each is a fresh process per round, start-up included; rounds are interleaved so load
 * drifts hit all three alike. Also `--help` and `--list`.
 *
 * The target comes from the rehearsal's own start-up (rehearsal/boot/start.ts: embedded or
 * container stack, migrations, seed, target), restarted once with login limits off: 3 runners ×
 * N rounds of refused logins would otherwise lock the test account and the loopback address out.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { deepMerge } from '../lib/config/load';
import { sectionsSchema } from '../lib/config/schema';
import { restartRehearsalTarget } from '../lib/features/attestation';
import { startRehearsal } from '../rehearsal/boot/start';
import { tinyPng } from '../lib/storage/png';
import type { Rehearsal } from '../lib/runner/rehearsal-wing';
import { mib, measure, ROOT, spread, spreadSeconds, type BenchSection, type Measured } from './measure';

const NEWMAN = path.join(ROOT, 'node_modules/newman/bin/newman.js');

interface Runner {
  name: string;
  command: () => [string, string[]];
  env: NodeJS.ProcessEnv;
  /** Untimed, after each round: what the runner cannot do itself. */
  after?: () => Promise<void>;
}

/** The harness's command line; BENCH_HARNESS (a command prefix) measures another entry, e.g. a prebuilt one. */
function harnessCommand(...args: string[]): [string, string[]] {
  const custom = process.env.BENCH_HARNESS?.trim();
  if (custom) {
    const [cmd, ...rest] = custom.split(/\s+/);
    return [cmd!, [...rest, ...args]];
  }
  // What `npm test` runs: the prebuilt CLI.
  return [process.execPath, ['bin/cutover.mjs', ...args]];
}

async function bootTarget(log: string[]): Promise<Rehearsal> {
  const stop = new AbortController();
  const rehearsal = await startRehearsal({
    faults: [],
    stack: (process.env.CUTOVER_STACK as 'auto' | 'embedded' | undefined) ?? 'embedded',
    sections: sectionsSchema.parse({}),
    steps: ['smoke'],
    buildSha: null,
    log: (line) => log.push(line),
    signal: stop.signal,
    timed: (_phase, fn) => fn(),
  });
  try {
    rehearsal.baseUrl = await restartRehearsalTarget(rehearsal.info.controlUrl, { TARGET_FAULTS: 'login-no-rate-limit' }, 30_000);
    return rehearsal;
  } catch (error) {
    await rehearsal.stop();
    throw error;
  }
}

function failed(m: Measured, name: string): string | null {
  if (m.code === 0) return null;
  const tail = `${m.stdout}\n${m.stderr}`.trim().split('\n').slice(-12).join('\n');
  return `${name} exited ${m.code}:\n${tail}`;
}

export async function benchSmoke(rounds = 7, log: (line: string) => void = console.log): Promise<BenchSection> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'cutover-bench-smoke-'));
  const bootLog: string[] = [];
  let rehearsal: Rehearsal | undefined;
  try {
    rehearsal = await bootTarget(bootLog);
    const e = rehearsal.env;
    const baseUrl = rehearsal.baseUrl;
    log(`  target at ${baseUrl} (${rehearsal.info.stackProvider} stack), ${rounds} round(s) per runner`);
    const png = tinyPng('cutover bench upload');
    await writeFile(path.join(work, 'bench-upload.png'), png);

    const config = path.join(work, 'cutover.config.mjs');
    const sections = deepMerge(
      { reports: { dir: path.join(work, 'reports'), auditLog: path.join(work, 'reports/audit.log') } },
      rehearsal.overrides as Record<string, unknown>,
    );
    await writeFile(
      config,
      `export default ${JSON.stringify({ ...sections, environments: { local: { production: true, expect: { stripeMode: 'test', attestation: 'on' } }, staging: { expect: { stripeMode: 'test' } }, prod: { expect: { stripeMode: 'live' } } } })};\n`,
    );

    const base = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', CUTOVER_OWNER: 'bench' };
    const s3 = {
      endpoint: e.OBJECT_STORAGE_S3_ENDPOINT!,
      bucket: e.OBJECT_STORAGE_S3_BUCKET!,
      region: e.OBJECT_STORAGE_S3_REGION!,
      accessKeyId: e.OBJECT_STORAGE_S3_ACCESS_KEY_ID!,
      secretAccessKey: e.OBJECT_STORAGE_S3_SECRET_ACCESS_KEY!,
    };
    const db = new pg.Pool({ connectionString: e.DATABASE_URL, max: 1 });
    const newmanVars: Record<string, string> = {
      baseUrl,
      email: e.CUTOVER_CONSUMER_EMAIL!,
      password: e.CUTOVER_CONSUMER_PASSWORD!,
      webhookSecret: e.STRIPE_WEBHOOK_SECRET!,
      jobId: e.REHEARSAL_SEEDED_JOB_ID!,
      pngBase64: png.toString('base64'),
      s3Endpoint: s3.endpoint,
      s3Bucket: s3.bucket,
      s3Region: s3.region,
      s3AccessKeyId: s3.accessKeyId,
      s3SecretAccessKey: s3.secretAccessKey,
    };
    const runners: Runner[] = [
      {
        name: 'harness (--only=smoke --base-url)',
        command: () => harnessCommand('--env=local', `--base-url=${baseUrl}`, '--only=smoke', `--config=${config}`),
        // The same job as the other runners: without it the harness would post and remove its own.
        env: { ...base, ...e, CUTOVER_TEST_JOB_ID: newmanVars.jobId },
      },
      {
        name: 'Newman 6, same collection',
        command: () => [
          process.execPath,
          [
            NEWMAN,
            'run',
            path.join(ROOT, 'bench/smoke/collection.json'),
            '--working-dir',
            work,
            '--reporters',
            'cli',
            '--color',
            'off',
            '--bail',
            ...Object.entries(newmanVars).flatMap(([k, v]) => ['--env-var', `${k}=${v}`]),
          ],
        ],
        env: base,
        // Newman has no database client: the row of its upload goes here (the object it deleted itself).
        after: async () => void (await db.query(`DELETE FROM "JobAttachment" WHERE "filename" = 'bench-upload.png'`)),
      },
      {
        name: 'plain node + undici (the floor)',
        command: () => [process.execPath, [path.join(ROOT, 'bench/smoke/undici-smoke.mjs')]],
        env: {
          ...base,
          BENCH_BASE_URL: baseUrl,
          BENCH_EMAIL: newmanVars.email,
          BENCH_PASSWORD: newmanVars.password,
          BENCH_WEBHOOK_SECRET: newmanVars.webhookSecret,
          BENCH_JOB_ID: newmanVars.jobId,
          BENCH_PNG_BASE64: newmanVars.pngBase64,
          BENCH_DATABASE_URL: e.DATABASE_URL,
          BENCH_S3_ENDPOINT: s3.endpoint,
          BENCH_S3_BUCKET: s3.bucket,
          BENCH_S3_REGION: s3.region,
          BENCH_S3_ACCESS_KEY_ID: s3.accessKeyId,
          BENCH_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        },
      },
      { name: 'harness --help', command: () => harnessCommand('--help'), env: base },
      { name: 'harness --list', command: () => harnessCommand('--list'), env: base },
    ];

    const results = new Map<string, Measured[]>(runners.map((r) => [r.name, []]));
    const problems: string[] = [];
    try {
      // one untimed round first: file caches warm, and a runner that cannot pass stops the bench early
      for (let round = 0; round <= rounds; round += 1) {
        for (const r of runners) {
          const [cmd, args] = r.command();
          const m = await measure(cmd, args, { env: r.env, timeoutMs: 120_000 });
          await r.after?.();
          log(
            `  ${round ? `round ${round}` : 'warm-up'}: ${r.name}: ${(m.ms / 1000).toFixed(2)} s, ${Math.round(m.treePeakKiB / 1024)} MiB, exit ${m.code}`,
          );
          const problem = failed(m, r.name);
          if (problem) {
            problems.push(problem);
            throw new Error(problem);
          }
          if (round > 0) results.get(r.name)!.push(m);
        }
      }
    } finally {
      await db.end();
    }

    const floor = spread(results.get(runners[2]!.name)!.map((m) => m.ms)).median;
    const newman = spread(results.get(runners[1]!.name)!.map((m) => m.ms)).median;
    const harness = spread(results.get(runners[0]!.name)!.map((m) => m.ms)).median;
    const rows = runners.map((r) => {
      const ms = spread(results.get(r.name)!.map((m) => m.ms));
      const rss = spread(results.get(r.name)!.map((m) => m.treePeakKiB));
      return [r.name, spreadSeconds(ms), mib(rss.median), r.name.startsWith('harness --') ? '' : (harness / ms.median).toFixed(2)];
    });
    return {
      name: 'smoke',
      title: 'Smoke pass against one running target',
      method: [
        `Method (\`bench/smoke.ts\`): one reference target, booted the way the rehearsal boots it (\`rehearsal/boot/start.ts\`, ${rehearsal.info.stackProvider} stack) and restarted once with login limits off (3 runners × ${rounds} rounds of refused logins would lock the test account out). Each runner is a fresh process per round, start-up included; the rounds are interleaved (harness, Newman, undici, --help, --list), one untimed warm-up round first. Wall time is the median (min–max) of ${rounds} rounds; peak memory is the highest summed RSS of the runner's process tree, or a process's own peak (VmHWM) where higher (sampled from /proc every 20 ms for the first second, every 100 ms after).`,
        '',
        "Every runner makes the same requests with the same checks: GET /healthz and /readyz; a wrong password and an unknown email, both 401 with the same body; the consumer test account's login (a verified CONSUMER with a token); a Stripe-signed `cutover_harness.ping` event (2xx, `received: true`); a PNG upload (201 with a storageKey) → GET attachment (302) → the signed URL serves the same bytes → cleanup (row deleted, object deleted and HEAD 404).",
        '',
        '- harness: `node bin/cutover.mjs --env=local --base-url=<url> --only=smoke --config=<bench config>`, what `npm test` runs (the prebuilt CLI; `BENCH_HARNESS` swaps the command prefix);',
        "- Newman 6 (devDependency): `bench/smoke/collection.json`; it has no database client, so the bench deletes its upload's row after each round, untimed;",
        '- the floor: `bench/smoke/undici-smoke.mjs`, plain Node with undici, pg and a SigV4 signer, no loader.',
      ].join('\n'),
      header: ['runner', 'wall, median (min–max)', 'peak RSS (tree)', 'harness ÷ runner'],
      rows,
      notes: [
        `Harness ÷ Newman: ${(harness / newman).toFixed(2)}× (goal ≤ 1, moonshot 0.8). Harness above the floor: ${((harness - floor) / 1000).toFixed(2)} s (goal ≤ 1.5 s). \`--help\` and \`--list\`: goal under 0.5 s each.`,
      ],
    };
  } catch (error) {
    if (bootLog.length)
      log(
        bootLog
          .slice(-10)
          .map((l) => `    ${l}`)
          .join('\n'),
      );
    throw error;
  } finally {
    await rehearsal?.stop();
    await rm(work, { recursive: true, force: true });
  }
}
