import type { Sections } from '../config/schema';
import { describeNetworkError, type TargetClient } from '../http/client';

type AttestationConfig = Sections['backend']['attestation'];
export type Route = AttestationConfig['sensitiveRoutes'][number];

export interface Probe {
  route: string;
  status: number;
  error: string | null;
  /** The contract's "no attestation" refusal, exactly. */
  blocked: boolean;
  /** Any refusal by the attestation guard (required, failed, verifier not configured). */
  attestationRefusal: boolean;
}

/** Path parameters get a placeholder: the guard runs before auth and routing look at them. */
export function fillPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? '0'));
}

function errorOf(text: string): string | null {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body.error === 'string' ? body.error : null;
  } catch {
    return null;
  }
}

/**
 * Calls a route with an empty JSON body and no credentials. Harmless whether or not the
 * guard is on: without a token no handler gets past validation or auth.
 */
export async function probe(
  target: TargetClient,
  route: Route,
  cfg: AttestationConfig,
  headers: Record<string, string> = {},
  params?: Record<string, string>,
): Promise<Probe> {
  const path = fillPath(route.path, params);
  const res = await target.request({ method: route.method, path, headers, json: route.method === 'GET' ? undefined : {} });
  const error = errorOf(res.text);
  const blocked = res.status === cfg.blockedStatus && error === cfg.blockedError;
  const attestationRefusal = blocked || /attestation/i.test(error ?? '');
  return { route: `${route.method} ${path}`, status: res.status, error, blocked, attestationRefusal };
}

export function probeLines(probes: Probe[]): string {
  return probes.map((p) => `${p.route} → ${p.status}${p.error ? ` ${JSON.stringify(p.error)}` : ''}`).join('\n');
}

/**
 * Asks the local rehearsal to restart the target with changed env (the platform's "set the
 * variable and redeploy"); answers once the target is healthy again.
 */
export async function restartRehearsalTarget(controlUrl: string, env: Record<string, string>, timeoutMs: number): Promise<string> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(new URL('/target/restart', controlUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ env }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (error) {
    throw new Error(`the rehearsal did not restart the target: ${describeNetworkError(error, timeoutMs)}`);
  }
  if (res.status !== 200) throw new Error(`the rehearsal could not restart the target (${res.status}): ${text.slice(0, 300)}`);
  const baseUrl = (JSON.parse(text) as { baseUrl?: unknown }).baseUrl;
  if (typeof baseUrl !== 'string')
    throw new Error(`the rehearsal restarted the target but did not say where it listens: ${text.slice(0, 200)}`);
  return baseUrl;
}
