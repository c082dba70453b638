// What `--rehearse` starts the operator's backend with, under the backend's own env names
// (the config's rehearse.env, defaulting to its credentials names), and what the harness's
// checks get, under the names the config's credentials section gives.
import type { Sections } from '../../lib/config/schema';
import type { Stack } from '../stack';
import type { RehearsalCredentials } from './credentials';
import { BCRYPT_ROUNDS, CLOCK_SCALE } from './settings';

export type ProvidedName = keyof Sections['rehearse']['env'];

/** The backend's name for each thing the rehearsal provides, or null when it reads none. */
export function backendNames(sections: Sections): Record<ProvidedName, string | null> {
  const c = sections.credentials;
  const e = sections.rehearse.env;
  return {
    ...e,
    databaseUrl: e.databaseUrl ?? c.databaseUrl,
    redisUrl: e.redisUrl ?? c.redisUrl,
    jwtSecret: e.jwtSecret ?? c.jwtSecret,
    s3Bucket: e.s3Bucket ?? c.s3.bucket,
    s3Region: e.s3Region ?? c.s3.region,
    s3AccessKeyId: e.s3AccessKeyId ?? c.s3.accessKeyId,
    s3SecretAccessKey: e.s3SecretAccessKey ?? c.s3.secretAccessKey,
    s3Endpoint: e.s3Endpoint ?? c.s3.endpoint,
    s3ForcePathStyle: e.s3ForcePathStyle ?? c.s3.forcePathStyle,
    s3SignedUrlTtl: e.s3SignedUrlTtl ?? c.s3.signedUrlTtl,
    stripeSecretKey: e.stripeSecretKey ?? c.stripeSecretKey,
    stripeWebhookSecret: e.stripeWebhookSecret ?? c.stripeWebhookSecret,
    attestationEnforce: e.attestationEnforce ?? sections.backend.attestation.enforceVariable,
  };
}

export interface OwnBackendEnv {
  /** The backend's env (server, worker, seed), as the operator would export it from the platform. */
  targetEnv: Record<string, string>;
  /** What the harness's checks read, under the credentials section's names. */
  harnessEnv: Record<string, string>;
  /** The test accounts, as the seed command reads them (CUTOVER_<ROLE>_EMAIL/_PASSWORD). */
  accountEnv: Record<string, string>;
}

export function ownBackendEnv(
  sections: Sections,
  stack: Stack,
  creds: RehearsalCredentials,
  files: { requestLogFile: string },
): OwnBackendEnv {
  const names = backendNames(sections);
  const provided: Partial<Record<ProvidedName, string>> = {
    databaseUrl: stack.databaseUrl,
    ...(stack.redisUrl ? { redisUrl: stack.redisUrl } : {}),
    jwtSecret: creds.jwtSecret,
    s3Bucket: stack.s3.bucket,
    s3Region: stack.s3.region,
    s3AccessKeyId: stack.s3.accessKeyId,
    s3SecretAccessKey: stack.s3.secretAccessKey,
    s3Endpoint: stack.s3.endpoint,
    s3ForcePathStyle: String(stack.s3.forcePathStyle),
    s3SignedUrlTtl: '300',
    stripeSecretKey: creds.stripeSecretKey,
    stripeWebhookSecret: creds.stripeWebhookSecret,
    attestationEnforce: 'false',
    attestationPublicKey: creds.attestationPublicKey,
    clockSpeed: String(CLOCK_SCALE),
    requestLogFile: files.requestLogFile,
  };
  const targetEnv: Record<string, string> = { BCRYPT_ROUNDS: String(BCRYPT_ROUNDS), ...sections.rehearse.fixedEnv };
  for (const [key, value] of Object.entries(provided) as [ProvidedName, string][]) {
    const name = names[key];
    if (name) targetEnv[name] = value;
  }
  const c = sections.credentials;
  const harnessEnv: Record<string, string> = {
    [c.stripePreviousWebhookSecret]: creds.stripePreviousWebhookSecret,
    [c.githubToken]: creds.githubToken,
    [c.sentryToken]: creds.sentryToken,
    [c.attestationToken]: creds.attestationToken,
  };
  // The checks read the target's credentials under the config's names, whatever the backend calls them.
  const credentialKeys: [string, ProvidedName][] = [
    [c.databaseUrl, 'databaseUrl'],
    [c.redisUrl, 'redisUrl'],
    [c.jwtSecret, 'jwtSecret'],
    [c.stripeSecretKey, 'stripeSecretKey'],
    [c.stripeWebhookSecret, 'stripeWebhookSecret'],
    [c.s3.bucket, 's3Bucket'],
    [c.s3.region, 's3Region'],
    [c.s3.accessKeyId, 's3AccessKeyId'],
    [c.s3.secretAccessKey, 's3SecretAccessKey'],
    [c.s3.endpoint, 's3Endpoint'],
    [c.s3.forcePathStyle, 's3ForcePathStyle'],
    [c.s3.signedUrlTtl, 's3SignedUrlTtl'],
  ];
  for (const [name, key] of credentialKeys) if (provided[key] !== undefined) harnessEnv[name] = provided[key];
  const accountEnv: Record<string, string> = {};
  const roles = [
    ['admin', 'ADMIN'],
    ['consumer', 'CONSUMER'],
    ['providerInstant', 'PROVIDER_INSTANT'],
    ['providerDigest', 'PROVIDER_DIGEST'],
  ] as const;
  for (const [role, prefix] of roles) {
    accountEnv[`CUTOVER_${prefix}_EMAIL`] = creds.accounts[role].email;
    accountEnv[`CUTOVER_${prefix}_PASSWORD`] = creds.accounts[role].password;
    harnessEnv[c.accounts[role].email] = creds.accounts[role].email;
    harnessEnv[c.accounts[role].password] = creds.accounts[role].password;
  }
  return { targetEnv, harnessEnv, accountEnv };
}
