import type { TargetClient } from './client';

/**
 * A readonly check may log in and may send requests a correct target refuses (a wrongly signed
 * webhook, a call without attestation). Writes the target accepted are noted; a readonly check
 * that passes with one fails (lib/suite.ts), so a mis-tagged check shows up in the first
 * readonly pass instead of writing unnoticed. A check that fails anyway keeps its own message
 * (a target accepting a forged webhook is the target's fault, not the tag's).
 */
export function watchAcceptedWrites(client: TargetClient, loginRoute: string): { client: TargetClient; accepted: string[] } {
  const accepted: string[] = [];
  const send = client.request.bind(client);
  client.request = async (req) => {
    const res = await send(req);
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && req.path !== loginRoute && res.status >= 200 && res.status < 300)
      accepted.push(`${method} ${req.path} → ${res.status}`);
    return res;
  };
  return { client, accepted };
}

export function acceptedWritesProblem(accepted: readonly string[]): string {
  return `a readonly check had the target accept ${accepted.join(', ')}: it may have written to the target; tag the check testdata or mutating`;
}
