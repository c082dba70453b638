import { describePaths, firstValue } from '../backend/json-path';
import type { HarnessContext } from '../context';
import { credential, setting } from '../credentials';
import type { Redactor } from '../secrets/redactor';
import type { TargetClient } from './client';

export type AccountRole = keyof HarnessContext['sections']['credentials']['accounts'];

export interface Session {
  role: AccountRole;
  email: string;
  token: string;
  user: { id: string; role: string; emailVerified?: boolean; [k: string]: unknown };
}

export interface LoginOptions {
  /** Log in again even when a session is cached (the smoke test proves login works now); the new session is kept. */
  fresh?: boolean;
  headers?: Record<string, string>;
}

type SessionsContext = Pick<HarnessContext, 'sections'>;

/**
 * One login per test account per run. The contract allows 5 logins a minute per client and
 * locks an account after 8 failures; a harness that logged in per check would trip both.
 * The suites get one instance for the whole run (a worker fixture, lib/suite.ts).
 */
export class Sessions {
  private readonly cache = new Map<string, Session>();

  constructor(
    private readonly harness: SessionsContext,
    private readonly redactor: Redactor,
  ) {}

  async login(target: TargetClient, role: AccountRole, options: LoginOptions = {}): Promise<Session> {
    const key = `${target.baseUrl}|${role}`;
    const cached = this.cache.get(key);
    if (cached && !options.fresh) return cached;
    const { sections } = this.harness;
    const names = sections.credentials.accounts[role];
    const email = setting(names.email, `the ${role} test account`);
    const password = credential(names.password, `the ${role} test account`);
    const res = await target.post(sections.backend.routes.login, {
      json: { email, password },
      headers: { ...attestationHeaders(this.harness), ...options.headers },
    });
    if (res.status !== 200) {
      throw new Error(`login as the ${role} test account (${names.email}) answered ${res.status}: ${res.excerpt(200)}`);
    }
    const { loginToken, loginUser } = sections.backend.responses;
    const body = res.json<unknown>();
    const token = firstValue(body, loginToken);
    const user = firstValue(body, loginUser) as Session['user'] | undefined;
    if (typeof token !== 'string' || !token || typeof user !== 'object' || user.id === undefined || user.id === null) {
      throw new Error(
        `login as the ${role} test account answered 200 without a token at ${describePaths(loginToken)} and a user with an id at ${describePaths(loginUser)} (backend.responses)`,
      );
    }
    // The target minted it: hide it in reports, but a later login answering with it is no leak.
    this.redactor.addIssued(token);
    const session: Session = { role, email, token, user };
    this.cache.set(key, session);
    return session;
  }
}

/**
 * Headers presenting the operator's attestation, when one is configured: once enforcement is
 * on, sensitive routes (login, uploads, job creation) refuse calls without it. The token is a
 * configured credential, so the redactor knows it from the start (lib/secrets/known.ts).
 */
export function attestationHeaders(harness: SessionsContext): Record<string, string> {
  const token = process.env[harness.sections.credentials.attestationToken];
  if (!token) return {};
  return { [harness.sections.backend.attestation.header]: token };
}
