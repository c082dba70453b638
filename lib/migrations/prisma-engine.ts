// `prisma migrate deploy`, offline: Prisma's schema engine compiled to WebAssembly
// (@prisma/schema-engine-wasm, exact version pinned in package.json), driving Postgres through
// the pg driver adapter. The Prisma CLI cannot run migrate deploy here (it downloads a native
// engine at run time). This module is the only place that knows the engine's undocumented API.
//
// What the engine does is what `migrate deploy` does: it takes the advisory migration lock,
// creates `_prisma_migrations` if needed, refuses to run with a failed migration present (P3009)
// or a non-empty unmanaged schema (P3005), applies each pending migration.sql and records it
// (checksum = sha256 of migration.sql), and applies nothing on a re-run.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { HARNESS_APPLICATION, harnessConnection } from '../pg-connection';
import { describeHolder, watchLockWait } from '../lock-wait';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

export interface MigrationDir {
  name: string;
  sql: string;
}

export interface ApplyPrismaMigrationsOptions {
  databaseUrl: string;
  /** schema.prisma, or a directory of .prisma files (multi-file schema). */
  schemaPath: string;
  /** The prisma/migrations directory (one sub-directory per migration, with migration.sql). */
  migrationsDir: string;
  /**
   * Apply only these migrations: a prefix of the sorted list, e.g. to rehearse the previous
   * release. The engine is given only these directories, exactly as if the later ones did not
   * exist yet. Anything else (unknown name, not a prefix) is an error.
   */
  only?: string[];
  log?: (line: string) => void;
  /** Whole run, including waiting for the migration lock. Default 300 000 ms. */
  timeoutMs?: number;
}

export interface ApplyPrismaMigrationsResult {
  applied: string[];
  /** Reads like `prisma migrate deploy` output. */
  output: string;
}

/** A failed deploy. `code` is Prisma's error code where there is one (P3005, P3009, P3018, ...). */
export class PrismaMigrateError extends Error {
  readonly code: string | undefined;
  readonly migrationName: string | undefined;
  /** The deploy output up to the failure, ending with the error. */
  readonly output: string;
  constructor(message: string, opts: { code?: string; migrationName?: string; output: string; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'PrismaMigrateError';
    this.code = opts.code;
    this.migrationName = opts.migrationName;
    this.output = opts.output;
  }
}

/** sha256 hex of a migration.sql, as Prisma stores it in `_prisma_migrations.checksum`. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** Migration directories sorted by name (as Prisma sorts them); files beside them are ignored. */
export async function readMigrationsDir(migrationsDir: string): Promise<MigrationDir[]> {
  let entries;
  try {
    entries = await fs.readdir(migrationsDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`migrations directory not found: ${migrationsDir}`);
    throw err;
  }
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      try {
        return { name, sql: await fs.readFile(file, 'utf8') };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new Error(`migration ${name} has no migration.sql (${file})`);
        }
        throw err;
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The wasm module. It is a wasm-bindgen build: its JS glue (schema_engine_bg.js) is the import
// object of schema_engine_bg.wasm, and it holds the instance in a module-level variable, so we
// instantiate once per process.

type EngineModule = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');
type SchemaEngine = Awaited<ReturnType<EngineModule['SchemaEngine']['new']>>;

let engineModule: Promise<EngineModule> | undefined;

// tsconfig has no DOM lib, and @types/node declares WebAssembly only as types
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const wasmApi = () => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function loadSchemaEngine(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as EngineModule;
    const bytes = await fs.readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
    const { instance } = await wasmApi().instantiate(bytes, { './schema_engine_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })().catch((err) => {
    engineModule = undefined;
    throw err;
  });
  return engineModule;
}

// ---------------------------------------------------------------------------------------------

async function readSchemaFiles(schemaPath: string): Promise<Array<[string, string]>> {
  const stat = await fs.stat(schemaPath).catch(() => undefined);
  if (!stat) throw new Error(`Prisma schema not found: ${schemaPath}`);
  if (stat.isFile()) return [[schemaPath, await fs.readFile(schemaPath, 'utf8')]];
  const files: Array<[string, string]> = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'migrations') await walk(p);
      else if (e.isFile() && e.name.endsWith('.prisma')) files.push([p, await fs.readFile(p, 'utf8')]);
    }
  };
  await walk(schemaPath);
  if (files.length === 0) throw new Error(`no .prisma files in ${schemaPath}`);
  return files.sort((a, b) => a[0].localeCompare(b[0]));
}

/** Credentials out of any text: URLs' passwords and the literal password. */
function redactor(databaseUrl: string): (text: string) => string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(databaseUrl).password);
  } catch {
    // not a URL; nothing to cut
  }
  return (text: string) => {
    let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^:@/\s]*):([^@/\s]*)@/gi, '$1$2:***@');
    if (password.length >= 3) out = out.split(password).join('***');
    return out;
  };
}

function describeDatasource(databaseUrl: string, schemaName: string): string {
  try {
    const u = new URL(databaseUrl);
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
    return `Datasource "db": PostgreSQL database "${db}", schema "${schemaName}" at "${u.hostname}:${u.port || '5432'}"`;
  } catch {
    return 'Datasource "db": PostgreSQL';
  }
}

/** How `prisma migrate deploy` names the directory: relative to the project (schema's parent's parent). */
function displayDir(dir: string, schemaPath: string): string {
  const schemaDir = path.extname(schemaPath) ? path.dirname(schemaPath) : schemaPath;
  const rel = path.relative(path.dirname(path.resolve(schemaDir)), path.resolve(dir));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : dir;
}

function appliedTree(names: string[]): string {
  let out = 'migrations/';
  for (const n of names) out += `\n  └─ ${n}/\n    └─ migration.sql`;
  return out;
}

interface EngineLogLine {
  level?: string;
  fields?: { message?: string; migration_name?: string };
  span?: { migration_name?: string; name?: string };
}

/** What the engine's sessions are called in pg_stat_activity (after "cutover-harness: "). */
const ENGINE_PURPOSE = 'migrate deploy (schema engine)';

/**
 * Applies pending Prisma migrations like `prisma migrate deploy`. Always frees the engine and
 * ends its own pg.Pool (a pool left open would hold the migration lock: the next run waits 10 s
 * and fails). Errors are PrismaMigrateError with Prisma's code; no credentials in messages.
 */
export async function applyPrismaMigrations(opts: ApplyPrismaMigrationsOptions): Promise<ApplyPrismaMigrationsResult> {
  const log = opts.log ?? (() => undefined);
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const clean = redactor(opts.databaseUrl);
  const out: string[] = [];
  const say = (line: string) => {
    out.push(line);
    if (line !== '') log(line);
  };
  const fail = (message: string, extra: { code?: string; migrationName?: string; cause?: unknown } = {}): never => {
    const text = clean(message);
    say(extra.code ? `Error: ${extra.code}\n\n${text}` : `Error: ${text}`);
    throw new PrismaMigrateError(extra.code ? `${extra.code}: ${text}` : text, { ...extra, output: out.join('\n') });
  };

  // 1. Inputs (fail before touching the database)
  const all = await readMigrationsDir(opts.migrationsDir).catch((err: Error) => fail(err.message, { cause: err }));
  let migrations = all;
  if (opts.only) {
    const names = all.map((m) => m.name);
    const unknown = opts.only.filter((n) => !names.includes(n));
    if (unknown.length > 0) fail(`only: unknown migration(s) ${unknown.join(', ')} (have: ${names.join(', ') || 'none'})`);
    const isPrefix = opts.only.every((n, i) => names[i] === n);
    if (!isPrefix) {
      fail(
        `only: must be a prefix of the migrations in order (${names.slice(0, opts.only.length).join(', ')}), got ${opts.only.join(', ')}`,
      );
    }
    migrations = all.slice(0, opts.only.length);
  }
  const schemaFiles = await readSchemaFiles(opts.schemaPath).catch((err: Error) => fail(err.message, { cause: err }));
  const lockfileContent = await fs.readFile(path.join(opts.migrationsDir, 'migration_lock.toml'), 'utf8').catch(() => null);

  // Prisma's ?schema= URL parameter is not a pg option: hand it to the adapter instead
  let pgUrl = opts.databaseUrl;
  let schemaName = 'public';
  try {
    const u = new URL(opts.databaseUrl);
    const s = u.searchParams.get('schema');
    if (s) {
      schemaName = s;
      u.searchParams.delete('schema');
      pgUrl = u.toString();
    }
  } catch {
    fail('databaseUrl is not a valid URL');
  }

  const where = displayDir(opts.migrationsDir, opts.schemaPath);
  say(`Prisma schema loaded from ${displayDir(schemaFiles[0]![0], opts.schemaPath)}`);
  say(describeDatasource(opts.databaseUrl, schemaName));
  say('');
  if (opts.only) say(`Rehearsal: only the first ${migrations.length} of ${all.length} migrations are given to the engine`);
  say(
    migrations.length > 0
      ? `${migrations.length} migration${migrations.length > 1 ? 's' : ''} found in ${where}`
      : `No migration found in ${where}`,
  );
  say('');

  // 2. Engine run
  const glue = await loadSchemaEngine().catch((err: Error) =>
    fail(`could not load @prisma/schema-engine-wasm: ${err.message}`, { cause: err }),
  );
  const clients = new Set<pg.Client>();
  const pool = new pg.Pool(
    harnessConnection(pgUrl, ENGINE_PURPOSE, {
      // The adapter's schema option only names the schema to the engine; migration.sql and the
      // engine's own _prisma_migrations are unqualified, so, as Prisma's native engine does, every
      // connection resolves names in the schema the URL names (set at connect: a startup option).
      options: `-c search_path=${startupOptionValue(`"${schemaName.replaceAll('"', '""')}"`)}`,
      max: 4,
      connectionTimeoutMillis: Math.min(10_000, timeoutMs),
      idleTimeoutMillis: 1_000,
    }),
  );
  pool.on('error', (err) => log(`pg pool error: ${clean(err.message)}`));
  pool.on('connect', (c) => {
    clients.add(c);
    c.on('end', () => clients.delete(c));
  });
  let lastDbError: { code?: string; message: string } | undefined;
  let current: string | undefined; // the migration being applied, from the engine's log
  // A migration's ALTER waiting on a session that holds its table stalls silently, with every
  // query on that table queued behind it: say whom it waits for.
  const lockWait = watchLockWait({
    databaseUrl: pgUrl,
    application: `${HARNESS_APPLICATION}: ${ENGINE_PURPOSE}`,
    say: (holder) =>
      say(
        `migrate deploy: ${current ? `\`${current}\`` : 'the migration'} waits for a lock${describeHolder(holder)}; ` +
          `queries on that table wait behind it (the deploy gives up after ${Math.round(timeoutMs / 1000)} s)`,
      ),
  });
  const engineLog = (raw: unknown) => {
    for (const text of String(raw).split('\n')) {
      if (!text.trim()) continue;
      let entry: EngineLogLine;
      try {
        entry = JSON.parse(text) as EngineLogLine;
      } catch {
        continue;
      }
      const name = entry.span?.migration_name ?? entry.fields?.migration_name;
      const msg = entry.fields?.message ?? '';
      const applying = /^Applying `(.+)`$/.exec(msg);
      if (applying) {
        current = applying[1];
        lockWait.progressed();
        say(`Applying migration \`${applying[1]}\``);
      } else if (name) {
        current = name;
      }
      if (entry.level === 'WARN' || entry.level === 'ERROR') log(`schema engine ${entry.level}: ${clean(msg)}`);
    }
  };

  let engine: SchemaEngine | undefined;
  let inFlight: Promise<unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = (async () => {
      // `prisma migrate deploy` creates the schema the URL names when it is not there yet.
      if (schemaName !== 'public' && (await ensureSchema(pool, schemaName))) say(`The schema "${schemaName}" was created.`);
      const adapter = new WholeScriptPrismaPg(pool, schemaName !== 'public' ? { schema: schemaName } : undefined, (e) => {
        lastDbError = e;
      });
      engine = await glue.SchemaEngine.new({ datamodels: schemaFiles }, engineLog, bindMigrationAwareSqlAdapterFactory(adapter));
      return engine.applyMigrations({
        filters: { externalTables: [], externalEnums: [] },
        migrationsList: {
          baseDir: path.resolve(opts.migrationsDir),
          shadowDbInitScript: '',
          lockfile: { path: 'migration_lock.toml', content: lockfileContent },
          migrationDirectories: migrations.map((m) => ({
            path: m.name,
            migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: m.sql } },
          })),
        },
      });
    })();
    inFlight = run;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    const { appliedMigrationNames } = await Promise.race([run, timeout]);
    say('');
    if (appliedMigrationNames.length === 0) {
      say('No pending migrations to apply.');
    } else {
      say('The following migration(s) have been applied:');
      say('');
      say(appliedTree(appliedMigrationNames));
      say('');
      say('All migrations have been successfully applied.');
    }
    return { applied: appliedMigrationNames, output: out.join('\n') };
  } catch (err) {
    if (err instanceof PrismaMigrateError) throw err;
    const e = err as Error & { code?: string };
    say('');
    if (/^timed out after/.test(e.message)) {
      fail(
        `migrate deploy ${e.message}` + (current ? ` while applying \`${current}\`` : ' (waiting for the database or the migration lock?)'),
        { migrationName: current },
      );
    }
    const message = stripBacktrace(e.message ?? String(err));
    if (e.code) fail(message, { code: e.code, migrationName: current, cause: err });
    const connectionCode = CONNECTION_ERRORS.find(([re]) => re.test(message))?.[1];
    if (connectionCode) fail(message, { code: connectionCode, cause: err });
    if (current) {
      // what `prisma migrate deploy` reports for a migration whose SQL failed
      const db = lastDbError
        ? `${lastDbError.code ? `Database error code: ${lastDbError.code}\n\n` : ''}Database error:\nERROR: ${lastDbError.message}\n`
        : '';
      fail(
        `A migration failed to apply. New migrations cannot be applied before the error is recovered from. ` +
          `Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\n` +
          `Migration name: ${current}\n\n${db || `${message}\n`}`.trimEnd(),
        { code: 'P3018', migrationName: current, cause: err },
      );
    }
    return fail(message, { cause: err });
  } finally {
    clearTimeout(timer);
    await lockWait.stop();
    // a timed-out run is still using its connections: cut them so it settles, then free it
    let settled = true;
    if (inFlight) {
      const done = inFlight.then(
        () => true,
        () => true,
      );
      settled = await Promise.race([done, new Promise<boolean>((r) => setTimeout(() => r(false), 0))]);
      if (!settled) {
        for (const c of clients) (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
        settled = await Promise.race([done, new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
      }
    }
    const toFree = engine as SchemaEngine | undefined;
    if (toFree && settled) {
      try {
        toFree.free();
      } catch (err) {
        log(`schema engine free failed: ${(err as Error).message}`);
      }
    } else if (toFree) {
      log('schema engine still busy after its connections were closed; not freeing it (this process should exit)');
    }
    await Promise.race([pool.end().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000))]);
  }
}

/**
 * @prisma/adapter-pg's executeScript() splits a migration on every ";" and runs the pieces one
 * by one. That breaks valid migrations (a ";" in a string literal, a $$ function body) and is
 * not atomic: a migration failing half-way leaves its first statements applied. Prisma's native
 * engine sends the whole script in one simple-protocol query, which Postgres runs as one
 * implicit transaction (that is also why CREATE INDEX CONCURRENTLY must stand alone in a
 * Prisma migration). This subclass restores that, and keeps Postgres' own error (SQLSTATE,
 * message), which the adapter would map to a vaguer one.
 */
class WholeScriptPrismaPg extends PrismaPg {
  constructor(
    pool: pg.Pool,
    options: ConstructorParameters<typeof PrismaPg>[1],
    private readonly onDbError: (e: { code?: string; message: string }) => void,
  ) {
    super(pool, options);
  }

  override async connect() {
    return this.patch(await super.connect());
  }

  override async connectToShadowDb() {
    return this.patch(await super.connectToShadowDb());
  }

  private patch<A>(adapter: A): A {
    const a = adapter as unknown as {
      client: { query(text: string): Promise<unknown> };
      onError(err: unknown): never;
      executeScript(script: string): Promise<void>;
    };
    const onDbError = this.onDbError;
    a.executeScript = async (script: string) => {
      try {
        await a.client.query(script);
      } catch (err) {
        const e = err as { code?: string; message?: string };
        onDbError({ code: e.code, message: String(e.message ?? err) });
        a.onError(err);
      }
    };
    return adapter;
  }
}

/** A value inside the startup packet's options, where spaces separate options and backslash escapes. */
function startupOptionValue(value: string): string {
  return value.replace(/[\\\s]/g, (c) => `\\${c}`);
}

/** CREATE SCHEMA IF NOT EXISTS; true when it was not there. */
async function ensureSchema(pool: pg.Pool, schema: string): Promise<boolean> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (rows.length) return false;
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(schema)}`);
    return true;
  } finally {
    client.release();
  }
}

/** The wasm engine reports connection problems without Prisma's code; these are the CLI's codes. */
const CONNECTION_ERRORS: Array<[RegExp, string]> = [
  [/^Authentication failed/i, 'P1000'],
  [/^Can't reach database server/i, 'P1001'],
  [/was reached but timed out/i, 'P1002'],
  [/^Database `[^`]*` does not exist/i, 'P1003'],
];

/** The engine appends a Rust span trace ("   0: sql_schema_connector::..."); keep the message. */
function stripBacktrace(message: string): string {
  const idx = message.search(/\n\s+0: \w/);
  return (idx >= 0 ? message.slice(0, idx) : message).trim();
}
