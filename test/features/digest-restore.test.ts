import { describe, expect, test } from 'vitest';
import { DEFAULT_PREFERENCE, restoreFrom } from '../../lib/features/digest';

// The digest trial never reads preferences before its PUT (the contract allows that GET to fail),
// so what it restores comes from the PUT's answer, and the contract's default stands in for the rest.
describe('what the digest trial restores', () => {
  test('fields the PUT did not name are restored as it answered them; the ones it named go to the default', () => {
    const { preference, how } = restoreFrom(
      { matchDeliveryMode: 'DIGEST', digestIntervalMinutes: 15 },
      {
        matchDeliveryMode: 'DIGEST',
        digestIntervalMinutes: 15,
        pushEnabled: false,
        emailEnabled: true,
        lastDigestSentAt: null,
        updatedAt: 'now',
      },
    );
    expect(preference).toEqual({ ...DEFAULT_PREFERENCE, pushEnabled: false, emailEnabled: true, lastDigestSentAt: null });
    expect(how).toMatch(/^matchDeliveryMode and digestIntervalMinutes will be restored to the contract's default \(INSTANT, no interval\)/);
    expect(how).toContain('pushEnabled, emailEnabled, lastDigestSentAt as the PUT answered them');
  });

  test('an answer without those fields restores the default alone, and says so', () => {
    const { preference, how } = restoreFrom({ matchDeliveryMode: 'INSTANT' }, null);
    expect(preference).toEqual(DEFAULT_PREFERENCE);
    expect(how).toContain('cannot be read without a GET before the first PUT');
    expect(how).not.toContain('as the PUT answered them');
  });
});
