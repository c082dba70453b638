import { describe, expect, it } from 'vitest';
import { LoginBudget, refusalProblems, nobodyEmail } from '../../lib/smoke/login';

const refusal = (status: number, body: object | string) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, text, excerpt: (limit = 200) => text.slice(0, limit) };
};

describe('refusalProblems', () => {
  it('accepts two 401s that say the same thing, whatever their request ids', () => {
    const problems = refusalProblems({
      wrongPassword: refusal(401, { error: 'Invalid email or password.', requestId: 'a' }),
      unknownEmail: refusal(401, { requestId: 'b', error: 'Invalid email or password.' }),
    });
    expect(problems).toEqual([]);
  });

  it('refuses a different message for an unknown email: it tells which accounts exist', () => {
    const problems = refusalProblems({
      wrongPassword: refusal(401, { error: 'Invalid email or password.' }),
      unknownEmail: refusal(401, { error: 'No account exists for this email.' }),
    });
    expect(problems).toEqual([expect.stringMatching(/reveals which emails have accounts/)]);
  });

  it('refuses statuses other than 401, and a different status is also a different answer', () => {
    const problems = refusalProblems({
      wrongPassword: refusal(401, { error: 'Invalid email or password.' }),
      unknownEmail: refusal(404, { error: 'Invalid email or password.' }),
    });
    expect(problems).toEqual([expect.stringMatching(/^an unknown email answered 404, not 401/)]);
  });

  it('refuses a login that is not refused at all', () => {
    const problems = refusalProblems({ wrongPassword: refusal(200, { token: 't' }), unknownEmail: refusal(401, { error: 'x' }) });
    expect(problems[0]).toMatch(/^a wrong password answered 200, not 401/);
  });

  it('compares non-JSON bodies as text', () => {
    expect(refusalProblems({ wrongPassword: refusal(401, 'Unauthorized'), unknownEmail: refusal(401, 'Unauthorized\n') })).toEqual([]);
    expect(refusalProblems({ wrongPassword: refusal(401, 'Unauthorized'), unknownEmail: refusal(401, 'No such user') })).toHaveLength(1);
  });
});

describe('LoginBudget', () => {
  it('allows exactly max attempts and says what the budget went on', () => {
    const budget = new LoginBudget(3);
    budget.take('a wrong password');
    budget.take('an unknown email');
    budget.take('the test account login');
    expect(() => budget.take('one more')).toThrow(
      'smoke.maxLoginAttempts (3) already spent on a wrong password, an unknown email, the test account login: not attempting one more',
    );
  });
});

describe('nobodyEmail', () => {
  it("is on the reserved example.com (never a real mailbox), marked as the harness's, and new each time", () => {
    const a = nobodyEmail();
    expect(a).toMatch(/^cutover-harness-nobody-[0-9a-f]{12}@example\.com$/);
    expect(nobodyEmail()).not.toBe(a);
  });
});
