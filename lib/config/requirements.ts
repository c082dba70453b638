import type { StepId } from '../runbook/catalogue';
import type { EnvironmentConfig, Sections } from './schema';

export interface Requirement {
  name: string;
  why: string;
}

/**
 * The credentials each step needs from the process env (or .env.<env>). Checked before the
 * run so an operator learns every missing variable at once instead of one per attempt.
 */
export function requirementsFor(step: StepId, s: Sections, environment: EnvironmentConfig): Requirement[] {
  const c = s.credentials;
  const account = (who: keyof typeof c.accounts, why: string): Requirement[] => [
    { name: c.accounts[who].email, why },
    { name: c.accounts[who].password, why },
  ];
  const s3: Requirement[] = [
    { name: c.s3.bucket, why: 'object storage checks' },
    { name: c.s3.region, why: 'object storage checks' },
    { name: c.s3.accessKeyId, why: 'object storage checks' },
    { name: c.s3.secretAccessKey, why: 'object storage checks' },
  ];
  switch (step) {
    case 'preflight':
      return [
        ...(s.preflight.ci.provider === 'github' ? [{ name: c.githubToken, why: 'CI status on the RC SHA (GitHub API)' }] : []),
        { name: c.databaseUrl, why: 'the database backup check' },
      ];
    case 'migrations':
      return [{ name: c.databaseUrl, why: 'reading _prisma_migrations' }];
    case 'env':
      // With an env snapshot the probes use the target's own values from it, not the process env.
      if (s.env.snapshotFile) return [];
      return [
        { name: c.databaseUrl, why: 'database probe' },
        { name: c.redisUrl, why: 'Redis probe' },
        { name: c.stripeSecretKey, why: 'Stripe key probe' },
        ...s3,
      ];
    case 'storage': {
      // Storage settings come from the env snapshot when there is one (the target's own values).
      const target = s.env.snapshotFile ? [] : [{ name: c.databaseUrl, why: 'attachment rows (status, cleanup)' }, ...s3];
      return [
        // No testJobId: without one, the step posts its own job (lib/storage/upload-job.ts).
        ...(environment.optional.attachments ? account('consumer', 'test upload') : []),
        ...(environment.optional.legacyStorageMigration ? account('admin', 'reading legacy attachments of any user') : []),
        ...(environment.optional.attachments || environment.optional.legacyStorageMigration ? target : []),
      ];
    }
    case 'webhooks':
      return [
        { name: c.stripeWebhookSecret, why: 'signing synthetic webhook events' },
        { name: c.stripeSecretKey, why: 'Stripe endpoint lookup' },
        ...account('admin', 'GET /payments/health'),
      ];
    case 'smoke':
      return [
        ...account('consumer', 'login smoke'),
        { name: c.stripeWebhookSecret, why: 'webhook smoke' },
        ...(environment.optional.attachments
          ? s.storage.cleanup === 'delete'
            ? [{ name: c.databaseUrl, why: 'removing the smoke upload' }, ...s3]
            : []
          : []),
      ];
    case 'features':
      return [
        ...account('consumer', 'digest test job'),
        ...account('providerInstant', 'INSTANT provider'),
        ...account('providerDigest', 'DIGEST provider'),
        { name: c.databaseUrl, why: 'removing the digest test job and its notifications (no API route deletes them)' },
        // With enforcement on, the test job (a sensitive POST) and any login need an attestation.
        ...(environment.expect.attestation === 'on'
          ? [{ name: c.attestationToken, why: 'creating the digest test job once attestation is enforced' }]
          : []),
      ];
    case 'monitoring':
      return [
        ...account('admin', 'admin ops routes'),
        { name: c.stripeSecretKey, why: 'Stripe pending deliveries' },
        ...(s.monitoring.sentry.enabled ? [{ name: c.sentryToken, why: 'Sentry issues' }] : []),
      ];
  }
}

export function missingRequirements(steps: StepId[], s: Sections, environment: EnvironmentConfig, env: NodeJS.ProcessEnv): string[] {
  const missing = new Map<string, Set<string>>();
  for (const step of steps) {
    for (const req of requirementsFor(step, s, environment)) {
      if (env[req.name]) continue;
      missing.set(req.name, (missing.get(req.name) ?? new Set()).add(req.why));
    }
  }
  return [...missing].map(([name, why]) => `${name} is not set (needed for ${[...why].join(', ')})`);
}
