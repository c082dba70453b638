import type { Sections } from '../config/schema';
import { Redactor } from './redactor';
import { SECRET_NAME } from './patterns';

/** Env var names that the config says hold credentials, plus every name that looks secret. */
export function secretEnvNames(sections: Sections | undefined, env: NodeJS.ProcessEnv): string[] {
  const named = new Set<string>();
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      // Names of non-secret settings (bucket, region, endpoint, path style, TTL) stay readable.
      if (!/^(bucket|region|endpoint|forcePathStyle|signedUrlTtl|email|testJobId)$/.test(key)) named.add(value);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  if (sections) walk(sections.credentials, 'credentials');
  for (const name of Object.keys(env)) if (SECRET_NAME.test(name)) named.add(name);
  return [...named].sort();
}

/** Values worth hiding inside a URL even when the URL itself is shown (its password). */
function urlPasswords(value: string): string[] {
  try {
    const url = new URL(value);
    return url.password ? [decodeURIComponent(url.password), url.password] : [];
  } catch {
    return [];
  }
}

export function secretValues(sections: Sections | undefined, env: NodeJS.ProcessEnv): string[] {
  const values = secretEnvNames(sections, env)
    .map((name) => env[name])
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
  return [...values, ...values.flatMap(urlPasswords)];
}

export function redactorFor(sections: Sections | undefined, env: NodeJS.ProcessEnv = process.env): Redactor {
  return new Redactor(secretValues(sections, env));
}
