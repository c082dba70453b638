import { randomBytes } from 'node:crypto';
import type { HarnessContext } from '../context';
import { credential, setting } from '../credentials';
import type { TargetClient, TargetResponse } from '../http/client';
import { attestationHeaders } from '../http/session';

/**
 * Counts the smoke step's login attempts against smoke.maxLoginAttempts. The contract allows 5
 * logins a minute per client and locks an account after 8 failures: a smoke test must never be
 * the reason a real account is locked out.
 */
export class LoginBudget {
  private used: string[] = [];

  constructor(readonly max: number) {}

  take(what: string): void {
    if (this.used.length >= this.max) {
      throw new Error(`smoke.maxLoginAttempts (${this.max}) already spent on ${this.used.join(', ')}: not attempting ${what}`);
    }
    this.used.push(what);
  }
}

/**
 * The smoke step's login probes present themselves as their own client (User-Agent), so they
 * spend their own per-client allowance instead of the one the other steps' logins share.
 */
export function smokeLoginHeaders(harness: Pick<HarnessContext, 'sections'>): Record<string, string> {
  return { 'user-agent': `${harness.sections.http.userAgent} smoke`, ...attestationHeaders(harness) };
}

/**
 * An address no one registered, on the reserved example.com (RFC 2606): never a real
 * mailbox, even on production, whatever the test accounts' domain.
 */
export function nobodyEmail(): string {
  return `cutover-harness-nobody-${randomBytes(6).toString('hex')}@example.com`;
}

export interface RefusedLogins {
  wrongPassword: TargetResponse;
  unknownEmail: TargetResponse;
}

/**
 * One wrong password for the test account (never more per run) and one login for an email that
 * has no account. The caller logs in correctly afterwards, which clears the account's failure count.
 */
export async function refusedLogins(
  target: TargetClient,
  harness: Pick<HarnessContext, 'sections'>,
  budget: LoginBudget,
): Promise<RefusedLogins> {
  const names = harness.sections.credentials.accounts.consumer;
  const email = setting(names.email, 'the login smoke test');
  // Read as a credential: without the real password set, no refused login is worth spending.
  credential(names.password, 'the login smoke test');
  const attempt = (what: string, json: { email: string; password: string }) => {
    budget.take(what);
    return target.post(harness.sections.backend.routes.login, { json, headers: smokeLoginHeaders(harness) });
  };
  const wrong = `cutover-harness-wrong-${randomBytes(9).toString('hex')}`;
  const wrongPassword = await attempt('a wrong password', { email, password: wrong });
  const unknownEmail = await attempt('an unknown email', { email: nobodyEmail(), password: wrong });
  return { wrongPassword, unknownEmail };
}

/** Per-request fields that legitimately differ between two identical refusals. */
const VOLATILE = new Set(['requestId']);

function comparable(res: Pick<TargetResponse, 'text'>): string {
  try {
    const body = JSON.parse(res.text) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      return JSON.stringify(
        Object.fromEntries(
          Object.entries(body)
            .filter(([k]) => !VOLATILE.has(k))
            .sort(([a], [b]) => a.localeCompare(b)),
        ),
      );
    }
  } catch {
    // Not JSON: compare the text as it is.
  }
  return res.text.trim();
}

/**
 * Both refusals must be 401 and say the same thing: a different answer for an unknown email
 * tells an attacker which addresses have accounts.
 */
type Refusal = Pick<TargetResponse, 'status' | 'text' | 'excerpt'>;

export function refusalProblems({ wrongPassword, unknownEmail }: { wrongPassword: Refusal; unknownEmail: Refusal }): string[] {
  const problems: string[] = [];
  if (wrongPassword.status !== 401)
    problems.push(`a wrong password answered ${wrongPassword.status}, not 401: ${wrongPassword.excerpt(200)}`);
  if (unknownEmail.status !== 401) problems.push(`an unknown email answered ${unknownEmail.status}, not 401: ${unknownEmail.excerpt(200)}`);
  const a = comparable(wrongPassword);
  const b = comparable(unknownEmail);
  if (a !== b)
    problems.push(
      `the refusal for an unknown email (${b.slice(0, 120)}) differs from the one for a wrong password (${a.slice(0, 120)}): it reveals which emails have accounts`,
    );
  return problems;
}
