/**
 * Examples for settings whose default is no example (none, null, empty) or whose value names the
 * operator's own backend. Everything else gets one derived from its type and default. Keys are
 * setting keys: a union variant is spelled `{source=route}`. The reference test fails on a key
 * that no longer names a setting, so a moved setting cannot leave its example behind.
 */
export const EXAMPLES: Record<string, unknown> = {
  'environments.<env>.baseUrl': 'https://api.example.com',
  'environments.<env>.baseUrlEnv': 'PROD_BASE_URL',
  'environments.<env>.overrides': { monitoring: { fiveXx: { maxRate: 0.02 } } },
  'preflight.deployedSha.{source=header}.header': 'x-release-sha',
  'preflight.deployedSha.{source=route}.path': '/version',
  'preflight.deployedSha.{source=route}.field': 'build.sha',
  'preflight.deployedSha.{source=command}.command': 'railway status --json | jq -r .deployment.meta.commitHash',
  'preflight.ci.{provider=github}.repo': 'your-org/backend',
  'migrations.dir': '../backend/prisma/migrations',
  'migrations.schema': '../backend/prisma/schema.prisma',
  'migrations.deployCommand': 'railway run npx prisma migrate deploy',
  'env.snapshotFile': 'prod.env.snapshot',
  'storage.uploadsDir': '/mnt/backend/uploads',
  'webhooks.endpointUrl': 'https://api.example.com/payments/webhook',
  'monitoring.fiveXx.source.{kind=log-file}.path': '/var/log/backend/requests.jsonl',
  'monitoring.fiveXx.source.{kind=command}.command': 'railway logs --json --since 15m',
  'monitoring.fiveXx.source.{kind=none}.reason': '5xx rate read from the platform dashboard',
  'monitoring.sentry.org': 'your-org',
  'monitoring.sentry.project': 'backend',
  'monitoring.sentry.deployedAt': '2026-12-02T14:00:00Z',
  'rehearse.build': 'npm run build',
  'rehearse.server.command': 'node dist/server.js',
  'rehearse.server.readyLine': 'listening on',
  'rehearse.worker.command': 'node dist/worker.js',
  'rehearse.worker.readyLine': 'worker started',
  'rehearse.env.databaseUrl': 'POSTGRES_URL',
  'rehearse.env.stripeApiBase': 'STRIPE_API_BASE',
  'rehearse.env.attestationPublicKey': 'ATTEST_DEV_PUBLIC_KEY',
  'rehearse.env.clockSpeed': 'CLOCK_SPEED',
  'rehearse.env.requestLogFile': 'REQUEST_LOG_FILE',
  'rehearse.fixedEnv': { NODE_ENV: 'production', MAIL_FROM: 'rehearsal@example.test' },
  'rehearse.seed.command': 'node scripts/seed-test-accounts.js',
};
