import { describe, expect, test } from 'vitest';
import { resolveBaseUrl } from '../../lib/command/identity';
import type { EnvironmentConfig } from '../../lib/config/schema';

const config = (environment: Partial<EnvironmentConfig>) => ({
  env: 'staging' as const,
  path: 'cutover.config.ts',
  environment: environment as EnvironmentConfig,
});

describe('one base-URL resolver for the CLI and the scripts', () => {
  test('--base-url, then the config, then the variable baseUrlEnv names', () => {
    expect(resolveBaseUrl('https://flag.example', config({ baseUrl: 'https://config.example' }), {}).url).toBe('https://flag.example');
    expect(resolveBaseUrl(undefined, config({ baseUrl: 'https://config.example' }), {}).url).toBe('https://config.example');
    expect(resolveBaseUrl(undefined, config({ baseUrlEnv: 'STAGING_BASE_URL' }), { STAGING_BASE_URL: 'https://env.example' }).url).toBe(
      'https://env.example',
    );
  });

  test('a variable that is not an http(s) URL is a problem, never quoted; none at all is marked missing', () => {
    const bad = resolveBaseUrl(undefined, config({ baseUrlEnv: 'STAGING_BASE_URL' }), { STAGING_BASE_URL: 'ftp://user:hunter2@x' });
    expect(bad).toEqual({
      problem:
        "STAGING_BASE_URL is not an http(s) URL (it is ftp:): set it to the target's base URL, such as https://api.example.com (in the environment or .env.staging), or pass --base-url",
    });
    const unset = resolveBaseUrl(undefined, config({ baseUrlEnv: 'STAGING_BASE_URL' }), {});
    expect(unset).toEqual({
      missing: true,
      problem: 'no base URL for staging: set STAGING_BASE_URL (in the environment or .env.staging) or pass --base-url',
    });
    expect(resolveBaseUrl(undefined, config({}), {}).missing).toBe(true);
  });
});
