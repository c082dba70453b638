import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: http.IncomingMessage) => { status?: number; body: unknown; headers?: Record<string, string>; delayMs?: number };

/** A few lines of real HTTP server, for the harness's own tests of its machinery. */
export async function tinyTarget(routes: Record<string, Route>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const route = routes[`${req.method} ${req.url?.split('?')[0]}`];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<pre>Cannot GET</pre>');
      return;
    }
    const answer = route(req);
    const send = () => {
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(typeof answer.body === 'string' || Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body));
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const healthy: Record<string, Route> = {
  'GET /healthz': () => ({ body: { ok: true } }),
  'GET /readyz': () => ({ body: { ok: true, db: true } }),
};
