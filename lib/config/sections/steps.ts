import { z } from 'zod';
import { envName } from './common';

/**
 * Per-step settings. Each step's suite reads only its own block; defaults follow the
 * backend contract (docs/backend-contract.md) and every value can be overridden per
 * environment.
 */

const deployedSha = z.discriminatedUnion('source', [
  /** The target exposes no build SHA: step 0 records the RC SHA as operator-attested. */
  z.strictObject({ source: z.literal('none') }),
  /** A response header carrying the SHA, e.g. x-release-sha on GET /healthz. */
  z.strictObject({
    source: z.literal('header'),
    /** The header's name. */
    header: z.string().min(1),
    /** The route whose answer carries it (a GET). */
    path: z.string().default('/healthz'),
  }),
  /** A JSON route; `field` is a dotted path into the body, e.g. "build.sha". */
  z.strictObject({
    source: z.literal('route'),
    /** The route (a GET answering JSON). */
    path: z.string().min(1),
    /** Dotted path to the SHA in its body. */
    field: z.string().min(1),
  }),
  /** A platform CLI that prints the deployed SHA (the first 7-40 hex characters of its output count). */
  z.strictObject({
    source: z.literal('command'),
    command: z.string().min(1),
    /** How long the command may run. */
    timeoutMs: z.number().int().positive().max(300_000).default(30_000),
  }),
]);

export const preflight = z
  .strictObject({
    /** Where step 0 reads the deployed build's SHA, to compare with --sha. */
    deployedSha: deployedSha.default({ source: 'none' }),
    /** CI green on the RC SHA is a mandatory runbook row: 'none' fails it, it never makes it N/A. */
    ci: z
      .discriminatedUnion('provider', [
        z.strictObject({ provider: z.literal('none') }),
        z.strictObject({
          provider: z.literal('github'),
          /** The repository (owner/name) whose checks must be green on the RC SHA. */
          repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/name'),
          /** GitHub's API; for GitHub Enterprise Server, https://<host>/api/v3. */
          apiUrl: z.url().default('https://api.github.com'),
        }),
      ])
      .default({ provider: 'none' }),
    backup: z
      .strictObject({
        /** Step 0 accepts a backup or provider snapshot no older than this. */
        maxAgeMinutes: z.number().positive().default(120),
        /** Where the guarded backup script writes dumps, checksums and manifests. */
        dir: z.string().default('backups'),
        /** The pg_dump binary; it must be at least the server's major version. */
        pgDump: z.string().default('pg_dump'),
        /** How long one dump may take. */
        timeoutMs: z.number().int().positive().default(1_800_000),
        /** pg_advisory_lock key, so two operators do not dump the same database at once. */
        lockKey: z.number().int().default(72_707_000),
        /** A provider snapshot the operator took instead (operator-attested): its id and ISO time. */
        snapshotIdEnv: envName.default('CUTOVER_BACKUP_SNAPSHOT_ID'),
        /** The env var holding the snapshot's time, ISO 8601 with a zone. */
        snapshotAtEnv: envName.default('CUTOVER_BACKUP_SNAPSHOT_AT'),
      })
      .prefault({}),
  })
  .prefault({});

export const migrations = z
  .strictObject({
    /**
     * The backend's prisma/migrations directory and schema.prisma, as of this release. No default:
     * outside the rehearsal (which supplies the reference target's) step 1 and migrate:deploy need them.
     */
    dir: z.string().min(1).nullable().default(null),
    /** The backend's schema.prisma of this release, for the in-process deploy (not needed with deployCommand). */
    schema: z.string().min(1).nullable().default(null),
    /** Shell command for the deploy (e.g. `npx prisma migrate deploy`); null uses Prisma's engine in-process (works offline). */
    deployCommand: z.string().nullable().default(null),
    /** pg_advisory_lock key held for the whole apply, so two operators cannot overlap. */
    lockKey: z.number().int().default(72_707_001),
    /** How long the deploy may take. */
    timeoutMs: z.number().int().positive().default(600_000),
  })
  .prefault({});

export const env = z
  .strictObject({
    /**
     * A file of KEY=value lines exported from the platform (the target's own env); null validates
     * the harness's process env. `--env-snapshot=<file>` overrides it. The probes use its values.
     */
    snapshotFile: z.string().nullable().default(null),
    /** Deadline of each live probe (database, Redis, object storage, Stripe). */
    probeTimeoutMs: z.number().int().positive().max(120_000).default(10_000),
    /** What the probes write is named with this prefix and the run id, and removed again. */
    probePrefix: z
      .string()
      .regex(/^[\w.:/-]+$/)
      .default('cutover-harness'),
  })
  .prefault({});

const legacyTable = z.strictObject({
  /** Table name as in the target's Prisma schema (a plain identifier). */
  table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain table name'),
  kind: z.enum(['job', 'message', 'verification']),
});

export const storage = z
  .strictObject({
    /**
     * The target's legacy uploads directory, as seen from where the harness runs. No default (the
     * reference target's is ./uploads here): step 3's legacy part and migrate:attachments need it.
     */
    uploadsDir: z.string().min(1).nullable().default(null),
    legacyTables: z
      .array(legacyTable)
      .min(1)
      .default([
        { table: 'JobAttachment', kind: 'job' },
        { table: 'MessageAttachment', kind: 'message' },
        { table: 'ProviderVerificationAttachment', kind: 'verification' },
      ]),
    /** How many migrated rows per table to fetch and compare with their disk file. */
    sampleSize: z.number().int().min(1).default(3),
    migrate: z
      .strictObject({
        /** The dry run uses the same limit and concurrency: a real run in prod needs a passing dry run of the same plan. */
        limit: z.number().int().positive().default(200),
        /** Files migrated at once (the runbook starts at 5). */
        concurrency: z.number().int().positive().max(64).default(5),
        /** harness: the guarded streaming migrator; backend: the backend's own command, wrapped. */
        runner: z.enum(['harness', 'backend']).default('harness'),
        /** Run where the backend's env and uploads dir are (its repo, the production runtime). */
        backendCommand: z.string().min(1).default('npm run migrate:attachments --'),
        /** How long the backend's command may run. */
        backendTimeoutMs: z.number().int().positive().default(1_800_000),
        /** Multipart part size (S3's minimum is 5 MiB). Parts are streamed from disk, never buffered: memory does not grow with it. */
        partSizeMiB: z.number().int().min(5).max(512).default(8),
        /** Parts of one file in flight at once. */
        queueSize: z.number().int().min(1).max(16).default(2),
        /** How long a passing dry run counts as "in this cutover" for a real run in prod. */
        dryRunValidMinutes: z.number().positive().default(720),
        /** pg_advisory_lock key held by real runs and rollbacks. */
        lockKey: z.number().int().default(72_707_003),
      })
      .prefault({}),
    /** delete: remove the test upload (row and object); mark: leave it, named as harness data. */
    cleanup: z.enum(['delete', 'mark']).default('delete'),
  })
  .prefault({});

export const webhooks = z
  .strictObject({
    /** A type the target records but does not act on, so a synthetic event is harmless. */
    syntheticEventType: z.string().default('cutover_harness.ping'),
    /** Ids of the harness's test events start with this, so they stand out in the target's records. */
    eventIdPrefix: z.string().default('evt_cutover_'),
    /** Event types the Stripe endpoint must be subscribed to. */
    handledEvents: z.array(z.string()).default(['payment_intent.succeeded', 'payment_intent.payment_failed']),
    /** The target's signature tolerance: an event signed longer ago than this must be refused. */
    toleranceSeconds: z.number().int().positive().default(300),
    /** Stripe's API, for the key probe (step 2) and the endpoint and delivery checks (steps 4 and 7). */
    stripeApiUrl: z.url().default('https://api.stripe.com'),
    /**
     * The URL registered in Stripe, when it is not <base url><backend.routes.webhook> (the harness reaching
     * the target by an internal address while Stripe delivers to the public one).
     */
    endpointUrl: z.url().nullable().default(null),
    /** The previous secret has expired in Stripe: events signed with it alone must be refused. */
    previousSecretExpired: z.boolean().default(false),
  })
  .prefault({});

export const smoke = z
  .strictObject({
    /**
     * Stay well under the contract's login limits (5/min per client, 8 failures per email): the
     * smoke makes one wrong-password, one unknown-email and one real login, so at least 3.
     */
    maxLoginAttempts: z.number().int().min(3).max(4).default(3),
  })
  .prefault({});

export const features = z
  .strictObject({
    attestation: z
      .strictObject({
        /** Rehearsal only: how long the restart with enforcement on may take before it counts as failed. */
        restartTimeoutSeconds: z.number().positive().default(90),
      })
      .prefault({}),
    digest: z
      .strictObject({
        /** 00000 is no US ZIP code: the test job and saved searches name no real place. */
        zipCode: z
          .string()
          .regex(/^\d{5}$/)
          .default('00000'),
        /** The digest interval the digest test provider is set to. */
        intervalMinutes: z.union([z.literal(15), z.literal(30), z.literal(60)]).default(15),
        /** Keywords the target infers the job's category (backend.digest.category) from. */
        jobTitle: z.string().default('Cutover harness test job: plumbing leak repair'),
        /** Radius of the test saved searches. */
        radiusMiles: z.number().int().min(1).max(500).default(10),
        /** How long the INSTANT provider's job.match notification may take. */
        instantDeadlineSeconds: z.number().positive().default(30),
        /** Real intervals are 15+ minutes; the local target runs its clock faster. */
        digestDeadlineSeconds: z.number().positive().default(1200),
        /**
         * Added to the digest deadline unscaled: the worker's poll period and our own polling
         * run in real time even when the target's clock is sped up.
         */
        workerSlackSeconds: z.number().min(0).default(15),
      })
      .prefault({}),
  })
  .prefault({});

const fiveXxSource = z.discriminatedUnion('kind', [
  /** JSON lines, one per request (the backend's REQUEST_LOG_FILE). */
  z.strictObject({ kind: z.literal('log-file'), path: z.string().min(1) }),
  /** A shell command printing JSON lines, e.g. `railway logs --json`. */
  z.strictObject({ kind: z.literal('command'), command: z.string().min(1), timeoutSeconds: z.number().positive().default(60) }),
  /** No log source: the 5xx row fails, quoting `reason`. */
  z.strictObject({ kind: z.literal('none'), reason: z.string() }),
]);

export const monitoring = z
  .strictObject({
    fiveXx: z
      .strictObject({
        source: fiveXxSource.default({ kind: 'none', reason: 'no log source configured' }),
        /** The rate is taken over the requests of this many minutes up to now. */
        windowMinutes: z.number().positive().default(15),
        /** Highest acceptable share of 5xx answers (0.01 is 1 %). */
        maxRate: z.number().min(0).max(1).default(0.01),
        /** Below this many requests a rate means nothing; the check says so and fails. */
        minRequests: z.number().int().min(1).default(20),
        /** The field of each log line holding the response status. */
        statusField: z.string().min(1).default('status'),
        /** The field of each log line holding the request's time (ISO 8601, or epoch seconds or milliseconds). */
        timeField: z.string().min(1).default('time'),
      })
      .prefault({}),
    sentry: z
      .strictObject({
        /** Count new Sentry issues since the deploy; false makes the Sentry row not applicable. */
        enabled: z.boolean().default(false),
        /** Sentry's URL (a self-hosted Sentry's own). */
        apiUrl: z.url().default('https://sentry.io'),
        /** Organisation slug. */
        org: z.string().default(''),
        /** Project slug. */
        project: z.string().default(''),
        /** When the RC went live (ISO 8601); unset, the harness run's start stands in for it. */
        deployedAt: z.iso.datetime({ offset: true }).nullable().default(null),
        /** Added to firstSeen:>deployedAt in the issue search. */
        query: z.string().default('is:unresolved'),
        /** The most new issues that still count as normal. */
        maxNewIssues: z.number().int().min(0).default(0),
      })
      .refine((s) => !s.enabled || (s.org && s.project), { message: 'sentry.enabled needs org and project' })
      .prefault({}),
    kpis: z
      .strictObject({
        /** The KPI window asked for; the answer must cover exactly that many days. */
        windowDays: z.number().int().positive().default(7),
      })
      .prefault({}),
    aiMetrics: z
      .strictObject({
        /** Lowest acceptable AI cache hit ratio this month. */
        minCacheHitRatio: z.number().min(0).max(1).default(0.2),
        /** The most blocked AI calls this month that still count as normal. */
        maxBlockedCalls: z.number().int().min(0).default(100),
      })
      .prefault({}),
  })
  .prefault({});
