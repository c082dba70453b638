import type { TargetClient } from './client';

/**
 * A readonly check may log in and may send requests a correct target refuses (a wrongly signed
 * webhook, a call without attestation); a write the target accepts fails the check, so a
 * mis-tagged check shows up in the first readonly pass instead of writing unnoticed.
 */
export function refuseAcceptedWrites(client: TargetClient, loginRoute: string): TargetClient {
  const send = client.request.bind(client);
  client.request = async (req) => {
    const res = await send(req);
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && req.path !== loginRoute && res.status >= 200 && res.status < 300) {
      throw new Error(`a readonly check sent ${method} ${req.path} and the target accepted it (${res.status}): it may have written to the target; tag the check testdata or mutating`);
    }
    return res;
  };
  return client;
}
