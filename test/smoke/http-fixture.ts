import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redactor } from '../../lib/secrets/redactor';
import { TargetClient } from '../../lib/target/client';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse, base: string) => void;

/** A real HTTP server answering per path, and the harness's own client pointed at it. */
export async function serve(routes: Record<string, Route>): Promise<{ target: TargetClient; close(): Promise<void> }> {
  let base = '';
  const server = http.createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', base).pathname];
    if (route) return route(req, res, base);
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const target = new TargetClient({ baseUrl: base, timeoutMs: 2_000, userAgent: 'cutover-harness-test', redactor: new Redactor() });
  return { target, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export const json = (status: number, body: unknown): Route => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
};
