import { Redactor } from '../../lib/secrets/redactor';
import { TargetClient } from '../../lib/http/client';
import { tinyTarget, type Route } from '../support/tiny-target';

/** A tiny real HTTP target and the harness's own client pointed at it. */
export async function clientFor(routes: Record<string, Route>): Promise<{ target: TargetClient; close(): Promise<void> }> {
  const server = await tinyTarget(routes);
  const target = new TargetClient({ baseUrl: server.url, timeoutMs: 2_000, userAgent: 'cutover-harness-test', redactor: new Redactor() });
  return { target, close: server.close };
}
