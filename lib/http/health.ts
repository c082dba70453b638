import type { HarnessContext } from '../context';
import type { TargetClient, TargetResponse } from './client';

/** What the runbook expects from the health routes (steps 2 and 5): 200 with these fields. */
export const HEALTH_EXPECTATIONS = {
  healthz: { ok: true },
  readyz: { ok: true, db: true },
} as const;

export type HealthRoute = keyof typeof HEALTH_EXPECTATIONS;

/** GETs /healthz or /readyz (as configured) and says what is wrong with the answer, if anything. */
export async function probeHealth(
  target: TargetClient,
  harness: Pick<HarnessContext, 'sections'>,
  route: HealthRoute,
): Promise<{ res: TargetResponse; problem: string | null }> {
  const path = harness.sections.backend.routes[route];
  const res = await target.get(path);
  const expected = HEALTH_EXPECTATIONS[route];
  const want = JSON.stringify(expected);
  if (res.status !== 200) return { res, problem: `${path} answered ${res.status}, not 200: ${res.excerpt(200) || '(empty body)'}` };
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    return { res, problem: `${path} answered 200 with a body that is not JSON (expected ${want}): ${res.excerpt(200) || '(empty body)'}` };
  }
  const wrong = Object.entries(expected).filter(([k, v]) => body?.[k] !== v);
  if (wrong.length) return { res, problem: `${path} answered 200 but not ${want}: ${res.excerpt(200)}` };
  return { res, problem: null };
}
