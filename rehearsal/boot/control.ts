import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The rehearsal's stand-in for the platform: a step that "changes an env var and restarts"
 * (attestation enforcement) asks here. Local only, bound to 127.0.0.1.
 */
export async function startControlServer(restart: (env: Record<string, string>) => Promise<string>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/target/restart') return send(404, { error: 'POST /target/restart only' });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let env: Record<string, string>;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { env?: Record<string, unknown> };
      env = Object.fromEntries(Object.entries(body.env ?? {}).map(([k, v]) => [k, String(v)]));
    } catch {
      return send(400, { error: 'body must be JSON {"env":{...}}' });
    }
    try {
      send(200, { baseUrl: await restart(env) });
    } catch (error) {
      send(500, { error: (error as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
