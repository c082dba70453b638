import { open } from 'node:fs/promises';
import type { LoadedConfig } from '../config/load';
import { pathChecks } from './gaps';
import { loadTargetEnv } from '../env-rules/target-env';
import { describeNetworkError, TargetClient } from '../http/client';
import { describeSource, runCommand } from '../monitoring/five-xx';
import { githubGet } from '../preflight/ci-github';
import { readDeployedSha } from '../preflight/deployed-sha';
import { probeDatabase } from '../probes/database';
import { probeObjectStorage } from '../probes/object-storage';
import { notConfigured, ProbeFailure, runProbe, type ProbeResult } from '../probes/probe';
import { probeRedis } from '../probes/redis';
import { probeStripe } from '../probes/stripe';
import type { Redactor } from '../secrets/redactor';
import { s3SettingsFromEnv } from '../storage/s3';

/** A source the doctor looked at: answered, did not, or is not configured to be used (off, with why). */
export interface SourceResult {
  name: string;
  state: 'ok' | 'failed' | 'off';
  detail: string;
}

export interface SourcesInput {
  config: LoadedConfig;
  /** Resolved already (--base-url or the environment's); undefined when there is none (a gap). */
  baseUrl: string | undefined;
  redactor: Redactor;
  env?: NodeJS.ProcessEnv;
}

const off = (name: string, detail: string): SourceResult => ({ name, state: 'off', detail });
const fromProbe = (p: ProbeResult): SourceResult => ({ name: p.name, state: p.ok ? 'ok' : 'failed', detail: p.detail });

/**
 * Read-only questions to every source a run will use, at once and each with a deadline: nothing
 * is written anywhere (no canary key or object, no request but GETs, the log source read once).
 */
export async function checkSources(input: SourcesInput): Promise<SourceResult[]> {
  const { config, redactor, baseUrl } = input;
  const env = input.env ?? process.env;
  const s = config.sections;
  const names = s.credentials;
  const probeMs = s.env.probeTimeoutMs;
  const httpMs = s.http.timeoutMs;
  const target = loadTargetEnv(s, env);
  const fromTarget = (name: string) => target.values[name]?.trim() || undefined;
  const client = baseUrl
    ? new TargetClient({ baseUrl, timeoutMs: httpMs, maxBodyBytes: s.http.maxBodyBytes, userAgent: s.http.userAgent, redactor })
    : undefined;
  const unset = (name: string, variable: string) => notConfigured(name, [`${variable} is not set`]);

  const checks: Promise<SourceResult>[] = [];
  const add = (p: Promise<ProbeResult> | ProbeResult) => checks.push(Promise.resolve(p).then(fromProbe));

  add(
    client
      ? runProbe('base URL', httpMs, async () => {
          const res = await client.get(s.backend.routes.healthz);
          if (res.status !== 200) throw new ProbeFailure(`GET ${client.url(s.backend.routes.healthz)} answered ${res.status}`);
          return `GET ${client.url(s.backend.routes.healthz)} → 200`;
        })
      : notConfigured('base URL', ['no base URL (see the gaps)']),
  );

  // Steps 0, 1 and 3 use the harness's DATABASE_URL; step 2 probes the target's (the snapshot's) when it differs.
  const databaseUrl = env[names.databaseUrl]?.trim();
  add(databaseUrl ? probeDatabase(databaseUrl, probeMs) : unset('database', names.databaseUrl));
  const targetDatabaseUrl = fromTarget(names.databaseUrl);
  if (target.fromSnapshot && targetDatabaseUrl && targetDatabaseUrl !== databaseUrl)
    add(probeDatabase(targetDatabaseUrl, probeMs).then((p) => ({ ...p, name: 'database (env snapshot)' })));

  const redisUrl = fromTarget(names.redisUrl);
  add(redisUrl ? probeRedis(redisUrl, null, probeMs) : unset('redis', names.redisUrl));

  const s3 = s3SettingsFromEnv(target.values, names.s3);
  add(s3.settings ? probeObjectStorage(s3.settings, null, probeMs) : notConfigured('object storage', s3.problems));

  const stripeKey = fromTarget(names.stripeSecretKey);
  add(
    stripeKey
      ? probeStripe(stripeKey, config.environment.expect.stripeMode, s.webhooks.stripeApiUrl, probeMs)
      : unset('stripe', names.stripeSecretKey),
  );

  const ci = s.preflight.ci;
  if (ci.provider === 'github') {
    const token = env[names.githubToken];
    add(
      token
        ? runProbe('github', httpMs, async () => {
            const url = `${ci.apiUrl.replace(/\/$/, '')}/repos/${ci.repo}`;
            const res = await githubGet(url, { repo: ci.repo, token, timeoutMs: httpMs, userAgent: s.http.userAgent });
            await res.body?.cancel();
            return `GET ${new URL(url).origin}/repos/${ci.repo} → 200`;
          })
        : unset('github', names.githubToken),
    );
  } else checks.push(Promise.resolve(off('github', 'preflight.ci.provider is none (see the gaps)')));

  const sentry = s.monitoring.sentry;
  if (sentry.enabled) {
    const token = env[names.sentryToken];
    add(token ? sentryProject(sentry, token, httpMs) : unset('sentry', names.sentryToken));
  } else checks.push(Promise.resolve(off('sentry', 'monitoring.sentry.enabled is false')));

  const logSource = s.monitoring.fiveXx.source;
  if (logSource.kind === 'none') checks.push(Promise.resolve(off('5xx log source', 'monitoring.fiveXx.source is none (see the gaps)')));
  else {
    const deadline = logSource.kind === 'command' ? logSource.timeoutSeconds * 1000 : probeMs;
    // A second more than the command's own deadline, so its clearer message wins the race.
    add(
      runProbe('5xx log source', deadline + 1_000, async () => {
        if (logSource.kind === 'log-file') return `${describeSource(logSource)}: ${await readable(logSource.path)}`;
        const lines = (await runCommand(logSource.command, deadline)).split('\n').filter((l) => l.trim()).length;
        return `${describeSource(logSource)} printed ${lines} line(s)`;
      }),
    );
  }

  const sha = s.preflight.deployedSha;
  if (sha.source === 'none')
    checks.push(Promise.resolve(off('deployed SHA', 'preflight.deployedSha.source is none: the SHA is operator-attested')));
  else
    add(
      client || sha.source === 'command'
        ? runProbe('deployed SHA', sha.source === 'command' ? sha.timeoutMs : httpMs, async () => {
            const read = await readDeployedSha(sha, client ?? noTarget);
            return read.kind === 'reported' ? `${read.sha} (${read.via})` : 'not reported';
          })
        : notConfigured('deployed SHA', ['no base URL (see the gaps)']),
    );

  for (const p of pathChecks(config)) {
    const row: SourceResult = { name: p.setting, state: p.state === 'ok' ? 'ok' : 'failed', detail: p.detail };
    checks.push(Promise.resolve(row));
  }

  return Promise.all(checks);
}

const noTarget = {
  get: () => Promise.reject(new Error('no base URL')),
};

async function readable(file: string): Promise<string> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new ProbeFailure(`request log ${file} cannot be read (${error.code ?? error.message})`);
  });
  try {
    const { size } = await handle.stat();
    return `readable, ${size} bytes`;
  } finally {
    await handle.close();
  }
}

/** GET the project (project:read), the same token and URL step 7's issue search uses. */
function sentryProject(sentry: { apiUrl: string; org: string; project: string }, token: string, timeoutMs: number): Promise<ProbeResult> {
  return runProbe('sentry', timeoutMs, async () => {
    const url = new URL(
      `/api/0/projects/${encodeURIComponent(sentry.org)}/${encodeURIComponent(sentry.project)}/`,
      sentry.apiUrl.replace(/\/?$/, '/'),
    );
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
    } catch (error) {
      throw new ProbeFailure(`Sentry API ${url.origin} did not answer: ${describeNetworkError(error, timeoutMs)}`);
    }
    if (res.status === 200) return `GET ${url.origin}${url.pathname} → 200`;
    const hint =
      res.status === 401 || res.status === 403
        ? ' (check the token and its project:read scope)'
        : res.status === 404
          ? ' (check monitoring.sentry.org and project)'
          : '';
    throw new ProbeFailure(`GET ${url.origin}${url.pathname} answered ${res.status}${hint}`);
  });
}
