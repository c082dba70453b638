import { createTagsFilter } from '@vitest/runner/utils';
import { STEPS, TEST_TAGS, type StepId } from '../runbook/catalogue';

export interface TestDataPlanInput {
  steps: readonly StepId[];
  tagsFilter: readonly string[];
  testNamePattern?: string;
  baseUrl: string;
  /** The database the cleanups delete from (host:port/name), when known. */
  database?: string;
  bucket?: string;
}

/** Whether Vitest's tag filter keeps a check with these tags (the same parser Vitest uses). */
function kept(tagsFilter: readonly string[], tags: string[]): boolean {
  if (!tagsFilter.length) return true;
  const available = [...STEPS.map((s) => ({ name: s.tag })), ...Object.keys(TEST_TAGS).map((name) => ({ name }))];
  return createTagsFilter([...tagsFilter], available)(tags);
}

/**
 * The start-up plan's lines on test data: which steps' `testdata` checks this run keeps, what
 * they write, where, and how it is cleaned up. A readonly pass says it writes nothing.
 */
export function testDataPlan(input: TestDataPlanInput): string[] {
  const writing = STEPS.filter((s) => s.testData && input.steps.includes(s.id) && kept(input.tagsFilter, [s.tag, 'testdata']));
  const logins = 'readonly checks log in as the test accounts';
  if (!writing.length) return [`test data: none (the selection runs no testdata check); ${logins}`];
  const where = [input.database && `database ${input.database}`, input.bucket && `bucket ${input.bucket}`].filter(Boolean).join(', ');
  const lines = [
    `test data: written on ${input.baseUrl}${where ? ` (${where})` : ''}${input.testNamePattern ? '; -t may leave some of it out' : ''}; ${logins}`,
  ];
  for (const step of writing) lines.push(`  step ${step.n}: ${step.testData!.what} → ${step.testData!.cleanup}`);
  return lines;
}
