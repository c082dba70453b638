import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test, vi } from 'vitest';
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
