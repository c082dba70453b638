// The embedded Postgres copies a cached initdb'd cluster instead of running initdb each time:
// the first start fills the cache, later ones copy it, and a copy never runs with the password
// kept in the cache.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../rehearsal/stack/postgres';
import { useIsolatedTmpdir } from './helpers/env';

const base = useIsolatedTmpdir();
const started: EmbeddedPostgres[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function start(cache: string, logs: string[] = []): Promise<EmbeddedPostgres> {
  process.env.CUTOVER_STACK_CLUSTER_CACHE = cache;
  const dir = fs.mkdtempSync(path.join(base, 'cutover-stack-'));
  const server = await startEmbeddedPostgres({ dir, log: (l) => logs.push(l) });
  started.push(server);
  return server;
}

async function select1(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query('SELECT 1 AS one')).rows[0].one;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Like node_modules/.cache: the postgres OS user (when running as root) can pass through it. */
function cacheDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-cluster-cache-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

function cachedClusters(cache: string): string[] {
  return fs.existsSync(cache) ? fs.readdirSync(cache).filter((n) => n.startsWith('postgres-cluster-')) : [];
}

describe('the cached initdb cluster', () => {
  it('the first start fills the cache; a later start copies it and runs with a password of its own', async () => {
    const cache = cacheDir();
    try {
      const first = await start(cache);
      const [kept] = cachedClusters(cache);
      expect(kept, 'a cluster kept in the cache').toBeDefined();
      const keptDir = path.join(cache, kept!);
      expect(fs.existsSync(path.join(keptDir, 'pg', 'PG_VERSION'))).toBe(true);
      expect(fs.statSync(path.join(keptDir, 'password')).mode & 0o077, 'the cached password is readable by its owner only').toBe(0);
      const cachedPassword = fs.readFileSync(path.join(keptDir, 'password'), 'utf8').trim();
      const keptMtime = fs.statSync(path.join(keptDir, 'pg', 'PG_VERSION')).mtimeMs;

      const logs: string[] = [];
      const second = await start(cache, logs);
      expect(await select1(first.url('postgres'))).toBe(1);
      expect(await select1(second.url('postgres'))).toBe(1);
      expect(logs.join('\n')).not.toMatch(/running initdb/);
      expect(cachedClusters(cache), 'still one cluster in the cache').toHaveLength(1);
      expect(fs.statSync(path.join(keptDir, 'pg', 'PG_VERSION')).mtimeMs, 'the cache was copied, not rebuilt').toBe(keptMtime);
      // Its data dir is its own copy: the cache's cluster is never started.
      expect(second.dataDir).not.toContain(cache);
      expect(fs.existsSync(path.join(keptDir, 'pg', 'postmaster.pid'))).toBe(false);

      for (const server of [first, second]) {
        expect(server.password).not.toBe(cachedPassword);
        const withCachedPassword = new URL(server.url('postgres'));
        withCachedPassword.password = encodeURIComponent(cachedPassword);
        await expect(select1(withCachedPassword.toString()), 'the cached password opens no running copy').rejects.toThrow(
          /password authentication failed/,
        );
      }
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  // Run as root, initdb is the postgres OS user's: a cache dir only its owner may enter (as the
  // config cache once left node_modules/.cache/cutover-harness) made every start run initdb.
  it('node_modules/.cache/cutover-harness made owner-only is let through, and the first start still fills it', async () => {
    const top = cacheDir();
    const dotCache = path.join(top, 'node_modules/.cache');
    const cache = path.join(dotCache, 'cutover-harness');
    fs.mkdirSync(cache, { recursive: true });
    for (const dir of [dotCache, cache]) fs.chmodSync(dir, 0o700);
    try {
      const logs: string[] = [];
      await start(cache, logs);
      expect(logs.join('\n')).not.toMatch(/could not be used/);
      expect(cachedClusters(cache), 'a cluster kept in the cache').toHaveLength(1);
      for (const dir of [dotCache, cache])
        expect(fs.statSync(dir).mode & 0o777, `${dir}: others may pass through, not list it`).toBe(0o711);
    } finally {
      fs.rmSync(top, { recursive: true, force: true });
    }
  });

  it('CUTOVER_STACK_CLUSTER_CACHE=off runs initdb in the data dir itself', async () => {
    const server = await start('off');
    expect(await select1(server.url('postgres'))).toBe(1);
    expect(fs.existsSync(path.join(server.dataDir, 'PG_VERSION'))).toBe(true);
  });

  it('a cache that cannot be copied falls back to initdb and says so', async () => {
    const cache = cacheDir();
    try {
      await start(cache);
      const keptDir = path.join(cache, cachedClusters(cache)[0]!);
      // What is kept there is no cluster any more: cp finds no directory to copy.
      fs.rmSync(path.join(keptDir, 'pg'), { recursive: true, force: true });
      fs.writeFileSync(path.join(keptDir, 'pg'), 'not a cluster');
      const logs: string[] = [];
      const server = await start(cache, logs);
      expect(await select1(server.url('postgres'))).toBe(1);
      expect(logs.join('\n')).toMatch(/the cached cluster could not be used .*running initdb/);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});
