// The reference target booted for real, once per test file: a fresh database on the machine's
// Postgres (migrated with plain pg: the harness applies them through Prisma's engine, so the
// SQL itself is what gets checked here), the machine's Redis, an in-process s3rver and a tiny
// Stripe API stub. Everything a file starts is stopped after it, also when the boot or a test
// fails half-way.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, generateKeyPair, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Redis } from 'ioredis';
import pg from 'pg';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect } from 'vitest';
import { type RunningTarget, startTarget } from '../../rehearsal/target/app';
import { type SeedResult, seedTarget } from '../../rehearsal/target/seed';
import { createS3Client } from '../../rehearsal/target/s3-client';
import { type RunningWorker, startWorker } from '../../rehearsal/target/worker-loop';
import { startS3rver } from '../../rehearsal/stack/s3';
import { useDatabases } from '../support/database';
import { contractEnv } from '../support/target-env';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TARGET_DIR = path.join(ROOT, 'rehearsal/target');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const BUCKET = 'devcheck-attachments';
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
export const ACCOUNTS = {
  admin: { email: 'admin@cutover.test', password: 'admin-password-123' },
  consumer: { email: 'consumer@cutover.test', password: 'consumer-password-123' },
  providerInstant: { email: 'instant@cutover.test', password: 'instant-password-123' },
  providerDigest: { email: 'digest@cutover.test', password: 'digest-password-123' },
};
export type Account = { email: string; password: string };
export type Env = Record<string, string | undefined>;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until fn returns something truthy; the target's work (worker, digests) is asynchronous. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export type Res = { status: number; headers: Headers; text: string; json: any };
export async function call(
  base: string,
  method: string,
  p: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: RequestInit['body'] } = {},
): Promise<Res> {
  const headers: Record<string, string> = { 'user-agent': 'target-selftest', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: RequestInit['body'] = opts.raw;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(base + p, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const fetchBytes = async (url: string) =>
  Buffer.from(await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).arrayBuffer());

export function upload(base: string, token: string, jobId: number, bytes: Buffer, type = 'image/png', name = 'photo.png') {
  const fd = new FormData();
  fd.append('file', new Blob([bytes], { type }), name);
  return call(base, 'POST', `/jobs/${jobId}/attachments/upload`, { token, raw: fd });
}

const stripe = new Stripe('sk_test_unused');
export const event = (type: string, object: Record<string, unknown> = {}) =>
  JSON.stringify({ id: `evt_${randomBytes(8).toString('hex')}`, object: 'event', type, data: { object } });
export const postHook = (base: string, payload: string, sig?: string, contentType = 'application/json') =>
  call(base, 'POST', '/payments/webhook', {
    raw: payload,
    headers: { 'content-type': contentType, ...(sig ? { 'stripe-signature': sig } : {}) },
  });

/** s3rver accepts any signature, so recompute what the configured key would sign. */
export async function expectedSignature(env: Env, location: string): Promise<string | null> {
  const url = new URL(location);
  const [, bucket, ...key] = url.pathname.split('/');
  const d = url.searchParams.get('X-Amz-Date')!;
  const signingDate = new Date(
    `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`,
  );
  const client = createS3Client({
    bucket,
    region: env.OBJECT_STORAGE_S3_REGION!,
    accessKeyId: env.OBJECT_STORAGE_S3_ACCESS_KEY_ID!,
    secretAccessKey: env.OBJECT_STORAGE_S3_SECRET_ACCESS_KEY!,
    endpoint: env.OBJECT_STORAGE_S3_ENDPOINT,
    forcePathStyle: true,
  });
  const signed = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: decodeURIComponent(key.join('/')) }), {
    expiresIn: Number(url.searchParams.get('X-Amz-Expires')),
    signingDate,
  });
  client.destroy();
  return new URL(signed).searchParams.get('X-Amz-Signature');
}

export interface TargetWorld {
  /** The env the target runs with: production rules met, fixture switches set. */
  env: Env;
  /** The target started at boot. */
  url: string;
  pool: pg.Pool;
  seed: SeedResult;
  requestLog: string;
  webhookSecret: string;
  /** Private key matching APP_ATTESTATION_JWT_PUBLIC_KEYS. */
  attestKey: string;
  /** What the boot worker logged (empty without `worker`). */
  workerLog: string[];
  /** One more target on the same parts, stopped after the file at the latest. */
  start(extra?: Env): Promise<RunningTarget>;
  /** One more worker, stopped after the file at the latest. */
  startWorker(extra?: Env): RunningWorker;
  applyMigration(name: 'init' | 'notifications' | 'job_match_digest'): Promise<void>;
  /** A Stripe-Signature header for payload (the configured secret and now, unless told). */
  sign(payload: string, opts?: { secret?: string; timestamp?: number }): string;
  login(account: Account, userAgent?: string): Promise<string>;
  /** A target script run as its own process; killed after the file at the latest. */
  spawn(script: string, args: string[], env: Env): ChildProcess;
  runToEnd(script: string, args: string[], env: Env, timeoutMs?: number): Promise<{ code: number | null; out: string }>;
}

/**
 * Call at the top of a test file. `rc` applies the release candidate's migration before the
 * target starts (else the server and worker start on the previous release's schema, as at
 * cutover); `worker` starts the worker beside the server.
 */
export function useReferenceTarget(opts: { rc?: boolean; worker?: boolean } = {}): TargetWorld {
  // Registered first, so its afterAll (hooks run as a stack) drops the database after ours stop.
  const databases = useDatabases();
  const world = {} as TargetWorld;
  const cleanups: (() => Promise<unknown>)[] = [];
  const targets: RunningTarget[] = [];
  const workers: RunningWorker[] = [];
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'target-selftest-'));
    cleanups.push(() => rm(work, { recursive: true, force: true }));
    const uploadsDir = path.join(work, 'uploads');

    // Independent parts start side by side: the boot runs once per file.
    const keys = new Promise<{ publicKey: string; privateKey: string }>((resolve, reject) =>
      generateKeyPair(
        'rsa',
        { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } },
        (err, publicKey, privateKey) => (err ? reject(err) : resolve({ publicKey, privateKey })),
      ),
    );
    const s3Started = startS3rver({ dir: path.join(work, 's3'), bucket: BUCKET });
    cleanups.push(async () => (await s3Started).stop());
    // awaited below or by the clean-up: not an unhandled rejection while the database is made
    for (const p of [keys, s3Started]) p.catch(() => undefined);
    const DATABASE_URL = await databases.fresh();
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 3 });
    cleanups.push(() => pool.end());
    // Login limits live in Redis under a namespace the target derives from DATABASE_URL.
    cleanups.push(async () => {
      const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      const ns = createHash('sha256').update(DATABASE_URL).digest('hex').slice(0, 12);
      const keys = await redis.keys(`target:${ns}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });

    const s3 = await s3Started;

    // The Stripe SDK's one call: GET /v1/account.
    const stripeStub = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url?.startsWith('/v1/account')) {
        res.end(JSON.stringify({ id: 'acct_test', object: 'account' }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { message: 'not stubbed' } }));
      }
    });
    await new Promise<void>((r) => stripeStub.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => stripeStub.close(r)));

    const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
    const { publicKey, privateKey } = await keys;
    const env: Env = {
      PATH: process.env.PATH,
      // the run's teardown finds leftover processes by it
      TMPDIR: process.env.TMPDIR,
      NODE_ENV: 'production',
      PORT: '0',
      ...contractEnv({
        databaseUrl: DATABASE_URL,
        redisUrl: REDIS_URL,
        stripeKey: `sk_test_${randomBytes(12).toString('hex')}`,
        webhookSecret,
        jwtSecret: randomBytes(32).toString('hex'),
        s3: s3.settings,
      }),
      STRIPE_API_BASE: `http://127.0.0.1:${(stripeStub.address() as AddressInfo).port}`,
      MAX_ATTACHMENT_BYTES: String(1024 * 1024),
      APP_ATTESTATION_JWT_PUBLIC_KEYS: publicKey,
      UPLOADS_DIR: uploadsDir,
      REQUEST_LOG_FILE: path.join(work, 'requests.log'),
      BUILD_SHA: 'deadbeefcafe',
      TARGET_CLOCK_SCALE: '600', // a 15-minute digest interval elapses in 1.5 s
      WORKER_POLL_MS: '200',
      // bcrypt's lowest cost, as in the rehearsal: the tests log in often and the accounts are throwaway.
      BCRYPT_ROUNDS: '4',
    };

    const applyMigration = async (name: string) => {
      const dir = path.join(TARGET_DIR, 'prisma/migrations');
      const dirName = (await readdir(dir)).find((d) => d.endsWith(`_${name}`));
      expect(dirName, `migration ${name} exists`).toBeTruthy();
      await pool.query(await readFile(path.join(dir, dirName!, 'migration.sql'), 'utf8'));
    };
    await applyMigration('init');
    await applyMigration('notifications');
    const seed = await seedTarget(pool, { uploadsDir, accounts: ACCOUNTS, bcryptRounds: 4 });
    expect(seed.legacy.job.length, 'legacy job attachments seeded on the previous release').toBe(2);
    if (opts.rc) await applyMigration('job_match_digest');

    cleanups.push(async () => {
      for (const w of workers) await w.stop();
      for (const t of targets) await t.close();
      await Promise.all([...children].map(stopProcess));
    });
    const start = async (extra: Env = {}) => {
      const t = await startTarget({ ...env, ...extra });
      targets.push(t);
      return t;
    };
    const spawnScript = (script: string, args: string[], scriptEnv: Env) => {
      const prebuilt = prebuiltEntry(script);
      const child = spawn(process.execPath, [...(prebuilt ? [prebuilt] : ['--import', 'tsx', path.join(TARGET_DIR, script)]), ...args], {
        cwd: ROOT,
        env: scriptEnv as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    };
    const workerLog: string[] = [];
    Object.assign(world, {
      env,
      pool,
      seed,
      webhookSecret,
      attestKey: privateKey,
      requestLog: env.REQUEST_LOG_FILE!,
      workerLog,
      start,
      startWorker: (extra: Env = {}) => {
        const running = startWorker({ ...env, ...extra }, (m) => workerLog.push(m));
        // a test stops its worker, and the file's end stops it again: only the first counts
        let stopped: Promise<void> | undefined;
        const w = { stop: () => (stopped ??= running.stop()) };
        workers.push(w);
        return w;
      },
      applyMigration,
      sign: (payload: string, o: { secret?: string; timestamp?: number } = {}) =>
        stripe.webhooks.generateTestHeaderString({ payload, secret: o.secret ?? webhookSecret, timestamp: o.timestamp }),
      spawn: spawnScript,
      async runToEnd(script: string, args: string[], scriptEnv: Env, timeoutMs = 30_000) {
        const child = spawnScript(script, args, scriptEnv);
        let out = '';
        child.stdout!.on('data', (d) => (out += d));
        child.stderr!.on('data', (d) => (out += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        const code = await new Promise<number | null>((r) => child.on('exit', r));
        clearTimeout(timer);
        return { code, out };
      },
    } satisfies Omit<TargetWorld, 'url' | 'login'>);
    if (opts.worker) world.startWorker();
    world.url = (await start()).url;
    world.login = async (a, ua = `selftest-${a.email}`) => {
      const r = await call(world.url, 'POST', '/auth/login', { body: a, headers: { 'user-agent': ua } });
      expect(r.status, `login of ${a.email}: ${r.text}`).toBe(200);
      return r.json.token as string;
    };
  });

  afterAll(async () => {
    const problems: string[] = [];
    for (const fn of cleanups.splice(0).reverse()) await fn().catch((e: Error) => problems.push(e.message));
    if (problems.length) throw new Error(`stopping the reference target: ${problems.join('; ')}`);
  });

  return world;
}

/**
 * The server and worker as the rehearsal starts them: prebuilt into dist/ (the run's global
 * setup builds it), which plain node starts in a fraction of tsx's time. Else null: tsx.
 */
function prebuiltEntry(script: string): string | null {
  const name = { 'main.ts': 'target-main.mjs', 'worker.ts': 'target-worker.mjs' }[script];
  const current = path.join(ROOT, 'dist/current.json');
  if (!name || !existsSync(current)) return null;
  const entry = path.join(ROOT, 'dist', (JSON.parse(readFileSync(current, 'utf8')) as { dir: string }).dir, name);
  return existsSync(entry) ? entry : null;
}

/** SIGTERM, then SIGKILL after 5 s: the entry points must exit on their own, but never linger. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Waits for a line on stdout, then leaves the process running. */
export async function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in: ${out}`)), timeoutMs);
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before ${pattern}: ${out}`)));
  });
}
