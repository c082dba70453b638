import type { EnvironmentConfig, EnvName } from '../config/schema';

/**
 * Why `value` is not a URL a request can be sent to (WHATWG parsing, http or https, a host, a
 * port from 1 to 65535, no whitespace), or undefined when it is. Never quotes the value.
 */
export function httpUrlProblem(value: string): string | undefined {
  if (/\s/.test(value)) return 'is not a URL (it contains whitespace)';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const port = /^[a-z][\w+.-]*:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/i.exec(value)?.[1];
    return port && Number(port) > 65_535 ? 'has a port outside 1-65535' : 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `is not an http(s) URL (it is ${url.protocol.slice(0, -1)}:)`;
  if (!url.hostname) return 'has no host';
  if (url.port === '0') return 'has a port outside 1-65535';
  return undefined;
}

/** The --base-url check, in the words both the CLI and the scripts print. */
export function baseUrlFlagProblem(value: string): string | undefined {
  const problem = httpUrlProblem(value);
  return problem && `${problem}; give an http(s) URL such as https://api.example.com`;
}

export interface BaseUrlResolution {
  url?: string;
  /** Why there is no usable base URL; with `missing`, none was configured at all. */
  problem?: string;
  missing?: boolean;
}

/**
 * The target's base URL: --base-url, else environments.<env>.baseUrl, else the variable its
 * baseUrlEnv names (which must hold an http(s) URL). The CLI needs one; a script needs one only
 * for prod's deployed-SHA check, but a malformed one is wrong everywhere.
 */
export function resolveBaseUrl(
  explicit: string | undefined,
  config: { env: EnvName; path: string; environment: EnvironmentConfig },
  env: NodeJS.ProcessEnv,
): BaseUrlResolution {
  if (explicit) return { url: explicit };
  const { environment: e, env: name } = config;
  if (e.baseUrl) return { url: e.baseUrl };
  if (e.baseUrlEnv) {
    const value = env[e.baseUrlEnv];
    const problem = value ? httpUrlProblem(value) : undefined;
    if (value && !problem) return { url: value };
    if (problem)
      return {
        problem: `${e.baseUrlEnv} ${problem}: set it to the target's base URL, such as https://api.example.com (in the environment or .env.${name}), or pass --base-url`,
      };
    return {
      missing: true,
      problem: `no base URL for ${name}: set ${e.baseUrlEnv} (in the environment or .env.${name}) or pass --base-url`,
    };
  }
  return {
    missing: true,
    problem: `no base URL for ${name}: set environments.${name}.baseUrl or baseUrlEnv in ${config.path}, or pass --base-url`,
  };
}

/** Which database a URL names: never the user or password. */
export interface DatabaseIdentity {
  host: string;
  port: string;
  name: string;
  /** The schema the URL names (Prisma's ?schema=): only it is dumped. Absent: the whole database. */
  schema?: string;
}

export function databaseIdentity(databaseUrl: string): DatabaseIdentity {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('the database URL is not a valid postgres:// URL');
  }
  // libpq also takes the host as a query parameter (unix sockets)
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const schema = url.searchParams.get('schema') || undefined;
  return {
    host,
    port: url.port || url.searchParams.get('port') || '5432',
    name: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    ...(schema ? { schema } : {}),
  };
}

export function describeDatabase(db: DatabaseIdentity): string {
  return `${db.host}:${db.port}/${db.name}${db.schema ? ` (schema "${db.schema}")` : ''}`;
}

/** host:port/name (schema "x") of a database URL, for plan lines and notes; '' when it is not a URL. */
export function describeDatabaseUrl(databaseUrl: string | undefined): string {
  try {
    return databaseUrl ? describeDatabase(databaseIdentity(databaseUrl)) : '';
  } catch {
    return '';
  }
}
