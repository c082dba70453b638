import { readFileSync } from 'node:fs';
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { CONFIG_CACHE_DIR, importBundled, makePrivateDir } from '../../lib/config/import-module';
import { ConfigError, loadConfig, resolveConfig } from '../../lib/config/load';
import { tempDir } from '../support/run-harness';

// Fake keys are split ('sk' + '_live_…') so no committed literal looks like a real credential.

const envs = {
  local: { expect: { stripeMode: 'test' } },
  staging: { baseUrlEnv: 'STAGING_BASE_URL', expect: { stripeMode: 'test' } },
  prod: { baseUrlEnv: 'PROD_BASE_URL', production: true, expect: { stripeMode: 'live' } },
};

function problemsOf(raw: unknown): string[] {
  try {
    resolveConfig(raw, 'local');
  } catch (error) {
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  test('defaults follow the contract', () => {
    const { sections, environment } = resolveConfig({ environments: envs }, 'prod');
    expect(environment).toMatchObject({ production: true, expect: { stripeMode: 'live', attestation: 'on' } });
    expect(sections.backend.routes.readyz).toBe('/readyz');
    expect(sections.credentials.stripeWebhookSecret).toBe('STRIPE_WEBHOOK_SECRET');
    expect(sections.preflight.backup.maxAgeMinutes).toBe(120);
  });

  test('per-environment overrides merge deeply; choosing another union variant replaces it', () => {
    const raw = {
      environments: {
        ...envs,
        local: {
          ...envs.local,
          overrides: { monitoring: { fiveXx: { source: { kind: 'log-file', path: '/tmp/x.log' } } }, http: { timeoutMs: 2000 } },
        },
      },
      monitoring: { fiveXx: { maxRate: 0.05 } },
    };
    const { sections } = resolveConfig(raw, 'local');
    expect(sections.monitoring.fiveXx).toMatchObject({ maxRate: 0.05, source: { kind: 'log-file', path: '/tmp/x.log' } });
    expect(sections.http.timeoutMs).toBe(2000);
    expect(resolveConfig(raw, 'prod').sections.http.timeoutMs).toBe(10_000);
  });

  test('a setting the backend profile took over says where it went', () => {
    const problems = problemsOf({
      environments: { ...envs, prod: { ...envs.prod, overrides: { features: { digest: { category: 'home-repair' } } } } },
      routes: { login: '/login' },
      features: { attestation: { blockedStatus: 403 } },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'routes: moved to backend.routes (the backend profile); move it there',
        'features.attestation.blockedStatus: moved to backend.attestation.blockedStatus (the backend profile); move it there',
        'environments.prod.overrides.features.digest.category: moved to backend.digest.category (the backend profile); move it there',
      ]),
    );
  });

  test('every problem in every environment is listed at once, without values', () => {
    const problems = problemsOf({
      environments: { ...envs, staging: { baseUrl: 'nope', expect: { stripeMode: 'test' } }, prod: { expect: {} }, qa: {} },
      http: { timeoutMs: 0 },
      backend: { routes: { retries: 3 } },
      credentials: { stripeSecretKey: 'sk' + '_live_abcdefghijklmnop' },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'environments.qa: unknown environment (use local, staging, prod)',
        expect.stringMatching(/^environments\.staging\.baseUrl: /),
        expect.stringMatching(/^environments\.prod\.expect\.stripeMode: /),
        expect.stringMatching(/^http\.timeoutMs: /),
        expect.stringMatching(/^backend\.routes: Unrecognized key: "retries"/),
        'credentials.stripeSecretKey: holds what looks like a secret; put it in .env.<env> and name the variable instead',
      ]),
    );
    expect(problems.join('\n')).not.toContain('abcdefghijklmnop');
  });

  test('a config file that throws while loading has its message redacted: secret shapes and known secret values', async () => {
    const stripeKey = 'sk' + '_live_CONFIGthrow000111222';
    vi.stubEnv('CUTOVER_VAULT_TOKEN', 'vault-token-value-9f8e7d');
    try {
      const file = path.join(await tempDir('cutover-selftest-config'), 'throws.config.mjs');
      await writeFile(file, `throw new Error('vault login failed with ${stripeKey} and token ' + process.env.CUTOVER_VAULT_TOKEN);\n`);
      const error = await loadConfig(file, 'local').then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).problems.join('\n');
      expect(text).toContain('cannot be loaded: vault login failed with [REDACTED] and token [REDACTED]');
      expect(text).not.toContain('CONFIGthrow');
      expect(text).not.toContain('vault-token-value');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

test('a config whose top-level await never settles is refused after the load deadline, not waited on for ever', async () => {
  const file = path.join(await tempDir('cutover-config'), 'never.config.mjs');
  await writeFile(file, 'await new Promise(() => {});\nexport default {};\n');
  const loading = loadConfig(file, 'local', 200).catch((e: unknown) => e);
  const error = await loading;
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems).toEqual([
    'cannot be loaded: it did not finish loading within 0.2 s (a top-level await in it, or in a module it imports, never settled); make what it waits for answer, or load it before the run',
  ]);
});

describe('credentials and the backend profile', () => {
  const rename = { DATABASE_URL: 'POSTGRES_URL', OBJECT_STORAGE_S3_BUCKET: 'S3_BUCKET' };

  test("a credential step 2 reads from the target's env, under a name the profile renames, is refused with the name to set", () => {
    const problems = problemsOf({ backend: { envRules: { rename } }, environments: envs });
    expect(problems).toContain(
      "credentials.databaseUrl: names DATABASE_URL, which backend.envRules.rename calls POSTGRES_URL in this backend; step 2 reads it from the target's env, so set credentials.databaseUrl: 'POSTGRES_URL'",
    );
    expect(problems.filter((p) => p.startsWith('credentials.s3.bucket: names OBJECT_STORAGE_S3_BUCKET'))).toHaveLength(1);
    expect(problems, 'a name the profile does not rename is fine').not.toContainEqual(expect.stringMatching(/^credentials\.redisUrl/));
  });

  test('the same names in both places load', () => {
    const raw = {
      backend: { envRules: { rename } },
      credentials: { databaseUrl: 'POSTGRES_URL', s3: { bucket: 'S3_BUCKET' } },
      environments: envs,
    };
    expect(resolveConfig(raw, 'prod').sections.credentials.databaseUrl).toBe('POSTGRES_URL');
  });
});

describe('a TypeScript config under the prebuilt CLI (bundled by esbuild, kept between runs)', () => {
  test('the kept bundle is reused while its files are unchanged, and made again when the config or a file it imports changes', async () => {
    const dir = await tempDir('cutover-selftest-config-bundle');
    const config = path.join(dir, 'cutover.config.ts');
    const part = path.join(dir, 'part.ts');
    await writeFile(part, 'export const timeoutMs: number = 1000;\n');
    await writeFile(config, "import { timeoutMs } from './part';\nexport default { http: { timeoutMs } };\n");
    const value = async () => ((await importBundled(config)).default as { http: { timeoutMs: number } }).http.timeoutMs;

    expect(await value()).toBe(1000);
    const kept = (await readdir(CONFIG_CACHE_DIR)).filter((f) => f.endsWith('.json'));
    const keptFile = kept.find((f) => readFileSync(path.join(CONFIG_CACHE_DIR, f), 'utf8').includes(part))!;
    expect(keptFile, 'a record of the bundle naming the imported file').toBeDefined();
    const before = (await stat(path.join(CONFIG_CACHE_DIR, keptFile))).mtimeMs;
    expect(await value()).toBe(1000);
    expect((await stat(path.join(CONFIG_CACHE_DIR, keptFile))).mtimeMs, 'reused, not bundled again').toBe(before);

    await writeFile(part, 'export const timeoutMs: number = 2500;\n');
    expect(await value()).toBe(2500);
    await writeFile(config, "import { timeoutMs } from './part';\nexport default { http: { timeoutMs: timeoutMs + 1 } };\n");
    expect(await value()).toBe(2501);
    const keptBase = path.join(CONFIG_CACHE_DIR, keptFile.replace(/\.json$/, ''));
    expect((await stat(`${keptBase}.mjs`)).mode & 0o777, 'only its owner reads the kept bundle').toBe(0o600);
    await Promise.all([rm(`${keptBase}.json`), rm(`${keptBase}.mjs`)]);
  });

  // node_modules/.cache/cutover-harness also keeps the embedded Postgres's cluster, which the
  // postgres OS user must pass through: only the config's own directory is private.
  test("its directory is its owner's alone; the directories made above it keep the usual modes", async () => {
    const dir = await tempDir('cutover-selftest-private-dir');
    const cache = path.join(dir, 'node_modules/.cache/cutover-harness/config');
    await makePrivateDir(cache);
    expect((await stat(cache)).mode & 0o777).toBe(0o700);
    for (const above of [path.dirname(cache), path.dirname(path.dirname(cache))])
      expect((await stat(above)).mode & 0o011, `${above} can be passed through`).toBe(0o011);
  });
});
