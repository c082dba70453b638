/**
 * The runbook, encoded once. Suites tick rows by id and the reporter lays the document out
 * from the same list, so a checklist line can never drift from the test that proves it.
 * Titles, checklist labels and rollback plans are quoted from the operator's runbook
 * (docs/runbook.md summarises it); change them there first, then here.
 */

export const STEP_IDS = ['preflight', 'migrations', 'env', 'storage', 'webhooks', 'smoke', 'features', 'monitoring'] as const;
export type StepId = (typeof STEP_IDS)[number];

export type Section = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H';

/** check: a test proves it; paste: output the runbook asks to paste; manual: a human confirms it. */
export type RowKind = 'check' | 'paste' | 'manual';

export interface Row {
  id: string;
  label: string;
  kind: RowKind;
  /** The runbook leaves a `__________` to fill in for this row. */
  fillIn?: boolean;
  /** Sub-heading inside the section (e.g. "Attestation", "Digest mode"). */
  group?: string;
}

export interface Step {
  n: number;
  id: StepId;
  /** Vitest tag carried by the step's suite file. */
  tag: `step-${number}`;
  title: string;
  section: Section;
  sectionTitle: string;
  /** Commands the runbook lists above the section's outputs. */
  commands?: string[];
  /** The step's suite file, relative to the project root. */
  file: string;
  /** Whether the step has a guarded mutation the operator can ask to apply. */
  applicable?: string;
  /** What its `testdata` checks write (even in production: the runbook asks for it) and how it goes. */
  testData?: { what: string; cleanup: string };
  rows: Row[];
  rollback: string;
}

export const STEPS: readonly Step[] = [
  {
    n: 0,
    id: 'preflight',
    tag: 'step-0',
    title: 'Pre-flight',
    section: 'A',
    sectionTitle: 'Pre-flight confirmations',
    file: 'suites/0-preflight.test.ts',
    applicable: 'backup: take a database backup with the guarded backup script',
    rows: [
      { id: 'A.rc-sha', label: 'RC commit SHA', kind: 'check', fillIn: true },
      { id: 'A.ci-green', label: 'CI green on SHA (link)', kind: 'check', fillIn: true },
      { id: 'A.backup', label: 'DB backup/snapshot completed (timestamp)', kind: 'check', fillIn: true },
    ],
    rollback: [
      'Pre-flight changes nothing: do not start the ordered cutover.',
      '- Identify the RC commit SHA to deploy and confirm CI is green on it.',
      '- Take a DB snapshot / backup (preferred: provider snapshot or `scripts/db/backup.*`).',
    ].join('\n'),
  },
  {
    n: 1,
    id: 'migrations',
    tag: 'step-1',
    title: 'Migrations (Prisma)',
    section: 'B',
    sectionTitle: 'Step 1 — migrations',
    commands: ['npm run migrate:deploy'],
    file: 'suites/1-migrations.test.ts',
    applicable: 'migrations: apply pending Prisma migrations (migrate deploy) under an advisory lock',
    rows: [
      { id: 'B.status', label: 'Migration status read from `_prisma_migrations`', kind: 'paste' },
      { id: 'B.output', label: 'Output', kind: 'paste' },
    ],
    rollback: [
      '- If migrations fail before applying anything: fix the migration and re-run.',
      '- If migrations partially applied or schema drift is suspected:',
      '  - Stop the rollout.',
      '  - Prefer restoring into a new DB and cutting over `DATABASE_URL` per docs/backups.md.',
      '  - Do **not** attempt manual schema surgery unless you are confident and have a verified rollback.',
    ].join('\n'),
  },
  {
    n: 2,
    id: 'env',
    tag: 'step-2',
    title: 'Env validation (production gates)',
    section: 'C',
    sectionTitle: 'Step 2 — env validation',
    commands: ['npm run readiness', 'curl -sS $PROD_BASE_URL/healthz', 'curl -sS $PROD_BASE_URL/readyz'],
    file: 'suites/2-env.test.ts',
    testData: {
      what: 'a canary key in Redis and a canary object in the bucket, under env.probePrefix and the run id',
      cleanup: 'deleted by the probe at once and checked gone',
    },
    rows: [
      { id: 'C.readiness', label: 'readiness output', kind: 'paste' },
      { id: 'C.healthz', label: '/healthz', kind: 'paste' },
      { id: 'C.readyz', label: '/readyz', kind: 'paste' },
    ],
    rollback: [
      '- If readiness fails due to missing env:',
      '  - Do **not** proceed.',
      '  - Fix env vars and redeploy/restart.',
      '- If `readyz` fails due to DB connectivity:',
      '  - Roll back the deploy (previous build) or restore DB connectivity before continuing.',
    ].join('\n'),
  },
  {
    n: 3,
    id: 'storage',
    tag: 'step-3',
    title: 'Storage migration (legacy disk uploads → object storage)',
    section: 'D',
    sectionTitle: 'Step 3 — storage migration',
    commands: [
      'npm run migrate:attachments -- --dry-run --limit=20 --concurrency=5',
      'npm run migrate:attachments -- --limit=200 --concurrency=5',
    ],
    file: 'suites/3-storage.test.ts',
    applicable: 'storage: migrate legacy disk attachments to object storage',
    testData: {
      what: 'a test upload on the test job (a 1×1 PNG named cutover-harness-test-<run>.png: an attachment row and its object)',
      cleanup: 'storage.cleanup=delete removes the row (SQL on DATABASE_URL) and the object, checked gone; =mark leaves them, named',
    },
    rows: [
      { id: 'D.new-uploads', label: 'New uploads are object-storage backed (`storageKey`, not only `diskPath`)', kind: 'check' },
      { id: 'D.signed-url', label: '`GET /attachments/:id` redirects (`302`) to a valid signed URL', kind: 'check' },
      { id: 'D.legacy', label: 'Legacy uploads: migrated rows redirect and their bytes match the disk files', kind: 'check' },
      { id: 'D.output', label: 'Output', kind: 'paste' },
    ],
    rollback: [
      '- If object storage credentials are wrong:',
      '  - Fix env vars; do not continue.',
      '- If the legacy migration causes issues:',
      '  - The safe rollback is to clear `storageKey` for affected rows so reads fall back to disk',
      '    (see rollback section in docs/production-checklist.md).',
      '  - Keep `diskPath` until migrations are fully verified.',
    ].join('\n'),
  },
  {
    n: 4,
    id: 'webhooks',
    tag: 'step-4',
    title: 'Webhook secret rotation (Stripe)',
    section: 'E',
    sectionTitle: 'Step 4 — webhook secret rotation',
    file: 'suites/4-webhooks.test.ts',
    testData: {
      what: 'synthetic Stripe events of a type the target records but does not act on; one handled event naming no payment',
      cleanup:
        "kept in the target's processed-event record (its replay guard needs them); the failing one may stay among failed deliveries",
    },
    rows: [
      { id: 'E.secret-rotated', label: 'Stripe endpoint secret rotated', kind: 'manual' },
      { id: 'E.env-updated', label: 'Production `STRIPE_WEBHOOK_SECRET` updated', kind: 'check' },
      { id: 'E.test-event', label: 'Stripe test event delivered successfully', kind: 'check' },
      { id: 'E.delivery-status', label: 'Stripe test delivery status', kind: 'paste', fillIn: true },
      {
        id: 'E.retry-after-failure',
        label: "A failed event is processed again when Stripe retries it (the rollback's replay safety)",
        kind: 'check',
      },
      { id: 'E.payments-health', label: '`GET /payments/health` output', kind: 'paste' },
    ],
    rollback: [
      '- If you have **not** rotated in Stripe yet: revert the env change to the previous secret.',
      '- If you already rotated and webhooks are failing:',
      '  - Rotate the endpoint secret again to a fresh secret and update `STRIPE_WEBHOOK_SECRET` to match.',
      '  - Rely on replay safety: Stripe will retry deliveries and the backend is idempotent.',
    ].join('\n'),
  },
  {
    n: 5,
    id: 'smoke',
    tag: 'step-5',
    title: 'Smoke tests',
    section: 'F',
    sectionTitle: 'Step 5 — smoke tests',
    file: 'suites/5-smoke.test.ts',
    testData: {
      what: 'two refused logins (security events), one synthetic Stripe event, one test upload on the test job',
      cleanup: 'the upload is removed as in step 3; the refused logins and the event stay recorded',
    },
    rows: [
      { id: 'F.healthz', label: '`/healthz` OK', kind: 'check' },
      { id: 'F.readyz', label: '`/readyz` OK', kind: 'check' },
      { id: 'F.login', label: 'Auth/login sanity OK', kind: 'check' },
      { id: 'F.webhook', label: 'Stripe test event → `2xx` and no errors', kind: 'check' },
      { id: 'F.attachments', label: 'Attachment upload/retrieval OK (if applicable)', kind: 'check' },
      { id: 'F.notes', label: 'Evidence', kind: 'paste' },
    ],
    rollback: [
      '- If any smoke test fails:',
      '  - Stop and roll back the deploy to the previous known-good build.',
      '  - If failure is data/schema related, prefer DB restore/cutover per docs/backups.md.',
    ].join('\n'),
  },
  {
    n: 6,
    id: 'features',
    tag: 'step-6',
    title: 'Feature flag enablement',
    section: 'G',
    sectionTitle: 'Step 6 — feature enablement',
    file: 'suites/6-features.test.ts',
    applicable: 'features: (local rehearsal only) restart the target with APP_ATTESTATION_ENFORCE=true',
    testData: {
      what: 'delivery modes of the two test providers, a saved search each, a test job and its notifications; calls without attestation (security events)',
      cleanup:
        'modes restored and saved searches deleted through the API, the job and its notifications deleted by SQL on DATABASE_URL; the refused calls stay recorded',
    },
    rows: [
      // Document order follows the runbook; the suite runs digest mode first because once
      // enforcement is on, nothing without an attestation can log in or create a job.
      { id: 'G.attestation-applied', label: '`APP_ATTESTATION_ENFORCE=true` applied', kind: 'check', group: 'Attestation' },
      { id: 'G.real-client', label: 'Real client can call sensitive routes', kind: 'manual', group: 'Attestation' },
      { id: 'G.non-attested-blocked', label: 'Non-attested calls are blocked (expected)', kind: 'check', group: 'Attestation' },
      { id: 'G.worker-running', label: 'Worker running', kind: 'check', group: 'Digest mode' },
      { id: 'G.digest-mode', label: 'Test provider set to digest mode', kind: 'check', group: 'Digest mode' },
      { id: 'G.digest-observed', label: 'Digest notification observed at interval', kind: 'check', group: 'Digest mode' },
    ],
    rollback: [
      'Attestation enforcement:',
      '- Set `APP_ATTESTATION_ENFORCE=false` and redeploy/restart.',
      'Job match digest mode:',
      '- Disable digest for affected accounts via settings (set delivery mode back to immediate).',
      '- If the worker is causing issues, stop the worker process (temporary mitigation) and revert after investigation.',
    ].join('\n'),
  },
  {
    n: 7,
    id: 'monitoring',
    tag: 'step-7',
    title: 'Monitoring checks',
    section: 'H',
    sectionTitle: 'Step 7 — monitoring checks',
    file: 'suites/7-monitoring.test.ts',
    rows: [
      { id: 'H.logs', label: 'Logs normal (no error spike)', kind: 'check' },
      { id: 'H.sentry', label: 'Sentry normal (no exception spike)', kind: 'check' },
      { id: 'H.stripe-deliveries', label: 'Stripe webhook deliveries normal', kind: 'check' },
      { id: 'H.kpis', label: '`/admin/ops/kpis` looks sane', kind: 'check' },
      { id: 'H.ai-metrics', label: '`/admin/ai/metrics` looks sane (cache hit ratio, blocked calls)', kind: 'check' },
    ],
    rollback: [
      '- If monitoring indicates a production incident:',
      '  - Roll back to last known-good build.',
      '  - If the issue is data/schema, follow restore/cutover in docs/backups.md.',
    ].join('\n'),
  },
];

export type RowId = string;

const rowIndex = new Map<string, { row: Row; step: Step }>(
  STEPS.flatMap((step) => step.rows.map((row) => [row.id, { row, step }] as const)),
);

export function findRow(id: RowId): { row: Row; step: Step } {
  const hit = rowIndex.get(id);
  if (!hit) throw new Error(`unknown checklist row "${id}"; rows are listed in lib/runbook/catalogue.ts`);
  return hit;
}

export function isRowId(id: string): boolean {
  return rowIndex.has(id);
}

/** Accepts a step number ("3") or id ("storage"). */
export function findStep(ref: string): Step | undefined {
  const trimmed = ref.trim().toLowerCase();
  return STEPS.find((s) => String(s.n) === trimmed || s.id === trimmed);
}

export function stepForFile(file: string): Step | undefined {
  const normalized = file.replaceAll('\\', '/');
  return STEPS.find((s) => normalized.endsWith(s.file));
}

/** Tags a test may carry besides its step tag. */
export const TEST_TAGS = {
  readonly: 'reads only (logging in as the test accounts aside); safe against production',
  testdata: 'writes test data the runbook asks for (uploads, synthetic webhook events, a test job), then removes what it can',
  mutating: 'changes the target (guarded: needs --apply and --confirm outside the local rehearsal)',
  slow: 'waits on something that takes time (polls with a deadline)',
  manual: 'a human confirms it (--confirm-manual or an interactive prompt)',
} as const;
export type TestTag = keyof typeof TEST_TAGS;

/** Every check carries exactly one of these: what it may change on the target. */
export const WRITE_TAGS = ['readonly', 'testdata', 'mutating'] as const satisfies readonly TestTag[];

/** A check of the runbook suites as --list shows it (collected by lib/runner/collect-checks.ts). */
export interface ListedCheck {
  step: StepId;
  /** Its stable id (`5.healthz`, lib/suite.ts checkId); empty when the check declares none. */
  id: string;
  name: string;
  /** Its own tags and its step's, as Vitest filters on them. */
  tags: string[];
  /** Titles of the earlier checks it builds on. */
  needs: string[];
}
