import { expect, test } from 'vitest';
import { deployProgress } from '../../lib/migrations/deploy-progress';

test("migrate deploy's progress on the console: the migration it starts, n/N done, rate and ETA", () => {
  let clock = 0;
  const progress = deployProgress(3, () => clock);
  expect(progress('Applying migration `20260101_init`')).toBe('migrate deploy: 0/3, 0.0/s done; applying `20260101_init`');
  clock = 4_000;
  expect(progress('Applying migration `20260102_jobs`')).toBe('migrate deploy: 1/3, 0.3/s, ETA 8 s done; applying `20260102_jobs`');
  expect(progress('The following migration(s) have been applied:')).toBeUndefined();
});
