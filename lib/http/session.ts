import type { HarnessContext } from '../context';
import { credential, setting } from '../credentials';
import { redactor } from '../suite';
import type { TargetClient } from './client';

export type AccountRole = keyof HarnessContext['sections']['credentials']['accounts'];

export interface Session {
  role: AccountRole;
  email: string;
  token: string;
  user: { id: string; role: string; emailVerified?: boolean; [k: string]: unknown };
}

/**
 * One login per test account per run. The contract allows 5 logins a minute per client and
 * locks an account after 8 failures; a harness that logged in per check would trip both.
 * Suites share one worker (isolate: false), so this cache lives across steps.
 */
const sessions = new Map<string, Session>();

export interface LoginOptions {
  /** Log in again even when a session is cached (the smoke test proves login works now); the new session is kept. */
  fresh?: boolean;
  headers?: Record<string, string>;
}

export async function login(target: TargetClient, harness: HarnessContext, role: AccountRole, options: LoginOptions = {}): Promise<Session> {
  const cached = sessions.get(`${target.baseUrl}|${role}`);
  if (cached && !options.fresh) return cached;
  const names = harness.sections.credentials.accounts[role];
  const email = setting(names.email, `the ${role} test account`);
  const password = credential(names.password, `the ${role} test account`);
  const res = await target.post(harness.sections.routes.login, { json: { email, password }, headers: { ...attestationHeaders(harness), ...options.headers } });
  if (res.status !== 200) {
    throw new Error(`login as the ${role} test account (${names.email}) answered ${res.status}: ${res.excerpt(200)}`);
  }
  const body = res.json<{ token?: string; user?: Session['user'] }>();
  if (!body.token || !body.user?.id) throw new Error(`login as the ${role} test account answered 200 without a token and user`);
  // The target minted it: hide it in reports, but a later login answering with it is no leak.
  redactor().addIssued(body.token);
  const session: Session = { role, email, token: body.token, user: body.user };
  sessions.set(`${target.baseUrl}|${role}`, session);
  return session;
}

/**
 * Headers presenting the operator's attestation, when one is configured: once enforcement is
 * on, sensitive routes (login, uploads, job creation) refuse calls without it.
 */
export function attestationHeaders(harness: HarnessContext): Record<string, string> {
  const token = process.env[harness.sections.credentials.attestationToken];
  if (!token) return {};
  redactor().add(token);
  return { 'x-app-attestation': token };
}
