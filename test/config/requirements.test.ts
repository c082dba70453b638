import { describe, expect, test } from 'vitest';
import { missingRequirements, requirementsFor } from '../../lib/config/requirements';
import { environmentSchema, sectionsSchema } from '../../lib/config/schema';
import { STEPS } from '../../lib/runbook/catalogue';

const sections = sectionsSchema.parse({});
const environment = environmentSchema.parse({ expect: { stripeMode: 'test' } });

describe('credentials the steps need', () => {
  // On a fresh database no job exists before step 1: the steps that upload post their own.
  test('no step needs a test job id: a run without CUTOVER_TEST_JOB_ID is not refused up front', () => {
    const steps = STEPS.map((s) => s.id);
    const everything = Object.fromEntries(
      steps.flatMap((step) => requirementsFor(step, sections, environment)).map((r) => [r.name, 'set'] as const),
    );
    expect(everything).not.toHaveProperty(sections.credentials.testJobId);
    expect(missingRequirements(steps, sections, environment, everything)).toEqual([]);
  });

  test('what is missing is listed once per variable, with every step that needs it', () => {
    const missing = missingRequirements(['storage', 'smoke'], sections, environment, {});
    expect(missing).toContain('CUTOVER_CONSUMER_EMAIL is not set (needed for test upload, login smoke)');
    expect(missing.join('\n')).not.toContain('CUTOVER_TEST_JOB_ID');
  });
});
