import { defineConfig } from './lib/config';

/**
 * Where the harness points and what it expects, per environment. Secrets never go here:
 * name the variables that hold them (see .env.example); values come from the process
 * environment or .env.<env>.
 */
export default defineConfig({
  // Settings shared by every environment go here, next to `environments`; each environment can
  // override them under `overrides`. Before a first real cutover, tell the harness where your
  // backend is (no defaults outside the local rehearsal: a run lists what is unset, exit 2):
  //
  //   migrations: { dir: '../backend/prisma/migrations', schema: '../backend/prisma/schema.prisma' },
  //   storage: { uploadsDir: '/mnt/backend/uploads' },
  //
  // and where the facts live (until then those rows fail and say what to set), for example:
  //
  //   preflight: {
  //     ci: { provider: 'github', repo: 'your-org/backend' },
  //     deployedSha: { source: 'command', command: 'railway status --json | jq -r .deployment.meta.commitHash' },
  //   },
  //   monitoring: {
  //     fiveXx: { source: { kind: 'command', command: 'railway logs --json --since 15m' } },
  //     sentry: { enabled: true, org: 'your-org', project: 'backend' },
  //   },
  environments: {
    local: {
      // The rehearsal fills the base URL with the reference target it boots.
      production: true,
      expect: { stripeMode: 'test', attestation: 'on' },
      overrides: {
        preflight: {
          deployedSha: { source: 'header', header: 'x-release-sha', path: '/healthz' },
          // The rehearsal's simulated GitHub answers for this repository (rehearsal/thirdparty/github.ts).
          ci: { provider: 'github', repo: 'example/backend' },
        },
        // The rehearsal's simulated Sentry (rehearsal/thirdparty/sentry.ts) answers for this project.
        monitoring: { sentry: { enabled: true, org: 'cutover-rehearsal', project: 'backend' } },
      },
    },
    staging: {
      baseUrlEnv: 'STAGING_BASE_URL',
      production: true,
      expect: { stripeMode: 'test', attestation: 'on' },
    },
    prod: {
      baseUrlEnv: 'PROD_BASE_URL',
      production: true,
      expect: { stripeMode: 'live', attestation: 'on' },
    },
  },
});
