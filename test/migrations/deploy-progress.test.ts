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

test('a lock the migration waits for is shown on the console as it is said', () => {
  const progress = deployProgress(1);
  const line =
    'migrate deploy: `20260101_init` waits for a lock on table "User" held by backend pid 7 ("nightly report", idle in transaction, its transaction open for 40 s); queries on that table wait behind it (the deploy gives up after 300 s)';
  expect(progress(line)).toBe(line);
});
