import { z } from 'zod';
import { shownEvidenceSchema } from '../lib/evidence-codec';
import { ENV_NAMES } from '../lib/config/schema';
import { STEP_IDS } from '../lib/runbook/catalogue';
import type { RunResult } from './model';

/**
 * The JSON twin of the Go/No-Go document (reporters/render-json.ts) as a schema, for tools that
 * read it. docs/run-report.schema.json is generated from this (`npm run docs:schema`), and the
 * type check at the bottom fails the build if this and RunResult (reporters/model.ts) part ways.
 */

/** Raise when a field changes meaning or goes away; a new optional field does not need it. */
export const RUN_REPORT_SCHEMA_VERSION = 1;

const stepId = z.enum(STEP_IDS);
const section = z.enum(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);

const check = z.strictObject({
  step: stepId,
  checkId: z.string().optional(),
  name: z.string(),
  state: z.enum(['passed', 'failed', 'skipped', 'pending']),
  durationMs: z.number(),
  startedAt: z.string().optional(),
  rows: z.array(z.string()),
  tags: z.array(z.string()),
  errors: z.array(z.string()),
  notApplicable: z.string().optional(),
  skipNote: z.string().optional(),
  notRun: z.string().optional(),
  evidence: z.array(shownEvidenceSchema),
});

const testDataEntry = z.strictObject({ stepN: z.number().int(), stepTitle: z.string(), what: z.string(), detail: z.string() });

export const runReportSchema = z
  .strictObject({
    schemaVersion: z.literal(RUN_REPORT_SCHEMA_VERSION),
    meta: z.strictObject({
      runId: z.string(),
      env: z.string(),
      baseUrl: z.string(),
      rcSha: z.string().nullable(),
      owner: z.string(),
      startedAt: z.string(),
      finishedAt: z.string(),
      thirdParty: z.enum(['real', 'simulated']),
      notes: z.array(z.string()),
      backend: z.string().optional().describe('The backend profile the run held the target to (backend.name).'),
      invocation: z
        .strictObject({
          env: z.enum(ENV_NAMES),
          config: z.string().optional(),
          sha: z.string().optional(),
          envSnapshot: z.string().optional(),
          baseUrl: z.string().optional(),
        })
        .optional()
        .describe('The flags a printed hint repeats.'),
      applied: z.array(stepId).optional().describe('Steps whose change this run made (--apply).'),
    }),
    decision: z.enum(['GO', 'NO-GO', 'INCOMPLETE']),
    reason: z.string().describe('One sentence: why this decision.'),
    blocking: z
      .strictObject({
        stepN: z.number().int(),
        stepTitle: z.string(),
        checkId: z.string().optional(),
        check: z.string(),
        error: z.string(),
        rollback: z.string(),
      })
      .optional(),
    steps: z.array(
      z.strictObject({
        n: z.number().int(),
        id: stepId,
        title: z.string(),
        section,
        status: z.enum(['passed', 'failed', 'not-run', 'not-selected', 'carried', 'partial']),
        note: z.string().optional(),
        checks: z.array(check),
        durationMs: z.number(),
      }),
    ),
    rows: z.array(
      z.strictObject({
        id: z.string(),
        section,
        step: stepId,
        label: z.string(),
        kind: z.enum(['check', 'paste', 'manual']),
        group: z.string().optional(),
        fillIn: z.boolean(),
        status: z.enum(['ticked', 'failed', 'not-run', 'na', 'unconfirmed']),
        value: z.string().optional(),
        pastes: z.array(z.strictObject({ title: z.string().optional(), text: z.string() })),
        provedBy: z.array(z.string()),
        reason: z.string().optional(),
        confirmed: z.strictObject({ by: z.string(), at: z.string(), how: z.string() }).optional(),
        carriedFrom: z.string().optional(),
      }),
    ),
    counts: z.strictObject({
      passed: z.number().int(),
      failed: z.number().int(),
      notRun: z.number().int(),
      notApplicable: z.number().int(),
    }),
    testData: z.strictObject({ left: z.array(testDataEntry), kept: z.array(testDataEntry) }),
  })
  .meta({ title: 'Cutover harness run report', description: 'The JSON twin of the Go/No-Go document: reports/<run>-go-no-go.json' });

export type RunReport = z.infer<typeof runReportSchema>;

export const RUN_REPORT_SCHEMA_DOC = 'docs/run-report.schema.json';

/** The text of docs/run-report.schema.json. */
export function renderRunReportJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(runReportSchema, { target: 'draft-2020-12' }), null, 2)}\n`;
}

// Both directions: a field added to RunResult but not here (or the other way round) is a type error.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inStep: Same<Omit<RunReport, 'schemaVersion'>, RunResult> = true;
void inStep;
