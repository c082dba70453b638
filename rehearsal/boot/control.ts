import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { STEPS, type StepId } from '../../lib/runbook/catalogue';

export interface ControlHandlers {
  /** A step that "changes an env var and restarts" (attestation enforcement): answers the new base URL. */
  restart(env: Record<string, string>): Promise<string>;
  /** The suites' worker is about to run this step's file (rehearsal/worker-setup.ts). */
  stepStarting(step: StepId): Promise<void>;
}

/**
 * The rehearsal's stand-in for the platform, asked by the steps and by the suites' worker.
 * Local only, bound to 127.0.0.1.
 */
export async function startControlServer(handlers: ControlHandlers): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const route = req.method === 'POST' ? req.url : undefined;
    if (route !== '/target/restart' && route !== '/step/starting')
      return send(404, { error: 'POST /target/restart or /step/starting only' });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: { env?: Record<string, unknown>; step?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return send(400, { error: 'body must be JSON' });
    }
    try {
      if (route === '/target/restart') {
        const env = Object.fromEntries(Object.entries(body.env ?? {}).map(([k, v]) => [k, String(v)]));
        return send(200, { baseUrl: await handlers.restart(env) });
      }
      const step = STEPS.find((s) => s.id === body.step);
      if (!step) return send(400, { error: `body must be {"step":<step id>}, got ${JSON.stringify(body.step)}` });
      await handlers.stepStarting(step.id);
      send(200, { step: step.id });
    } catch (error) {
      send(500, { error: (error as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
