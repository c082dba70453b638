import { describe, expect, test } from 'vitest';
import { sectionsSchema } from '../../lib/config/schema';

/** The runbook's test data goes to production too: its defaults name no real place or person. */
describe('default test values', () => {
  test("the digest trial's ZIP code is 00000, which is no US ZIP code (the reference target accepts it: the rehearsal is GO)", () => {
    expect(sectionsSchema.parse({}).features.digest.zipCode).toBe('00000');
  });

  test("the test job is named as the harness's, not as anyone's", () => {
    expect(sectionsSchema.parse({}).features.digest.jobTitle).toMatch(/^Cutover harness test job/);
  });
});
