import type { SandboxOptions } from '../../lib/context';

/**
 * The simulated Stripe API served over HTTP for the target. msw (and graphql under it) is
 * loaded only here: a tenth of a second of start-up that a rehearsal spends while its
 * database starts, not before it.
 */
export async function serveSimulatedApis(sandbox: SandboxOptions): Promise<{ url: string; close(): Promise<void> }> {
  const [{ thirdPartyHandlers }, { serveThirdParty }] = await Promise.all([import('./handlers'), import('./serve')]);
  return serveThirdParty(thirdPartyHandlers(sandbox));
}
