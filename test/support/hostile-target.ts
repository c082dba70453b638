import { execFileSync } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { tempDir } from './run-harness';

/** Every way a target can answer badly that the harness must survive (issue 8, item 5). */
export const HOSTILE_MODES = [
  'refused',
  'accept-and-hang',
  'drip',
  'huge-body',
  'redirect-loop',
  'html-200',
  'error-500',
  'self-signed-tls',
] as const;
export type HostileMode = (typeof HOSTILE_MODES)[number];

export const HUGE_BODY_BYTES = 20 * 1_048_576;

export interface HostileTarget {
  url: string;
  /** Most bytes of the huge body written to one client before it stopped reading, and whether one hung up. */
  stats: { bytesWritten: number; clientHungUp: boolean; requests: number };
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1, made with the machine's openssl. */
async function selfSignedCert(): Promise<{ key: Buffer; cert: Buffer }> {
  const dir = await tempDir('cutover-selftest-tls');
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

function answer(mode: HostileMode, stats: HostileTarget['stats'], timers: Set<NodeJS.Timeout>): http.RequestListener {
  return (req, res) => {
    stats.requests += 1;
    res.on('close', () => {
      if (!res.writableFinished) stats.clientHungUp = true;
    });
    switch (mode) {
      case 'drip': {
        // Headers at once, then one byte a second: only a deadline on the body ends this.
        res.writeHead(200, { 'content-type': 'application/json' });
        const body = '{"ok":true,"db":true,"padding":"' + 'x'.repeat(10_000);
        let i = 0;
        const timer = setInterval(() => {
          if (res.destroyed) return clearInterval(timer);
          res.write(body[i++ % body.length]!);
        }, 1_000);
        timers.add(timer);
        return;
      }
      case 'huge-body': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(65_536, 'a');
        res.write('{"ok":true,"padding":"');
        // Counted per response: every request gets the whole 20 MB, however many came before.
        let written = 0;
        const pump = () => {
          while (written < HUGE_BODY_BYTES) {
            if (res.destroyed) return;
            written += chunk.length;
            stats.bytesWritten = Math.max(stats.bytesWritten, written);
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end('"}');
        };
        pump();
        return;
      }
      case 'redirect-loop':
        res.writeHead(302, { location: req.url ?? '/' });
        res.end();
        return;
      case 'html-200':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
        return;
      case 'error-500':
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"Internal Server Error"}');
        return;
      case 'self-signed-tls':
        // A healthy answer: only the certificate is wrong, and that must be enough to stop.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true,"db":true}');
        return;
      default:
        throw new Error(`no HTTP answer for ${mode}`);
    }
  };
}

/** A real server on 127.0.0.1 that answers every request in one hostile way. */
export async function hostileTarget(mode: HostileMode): Promise<HostileTarget> {
  const stats = { bytesWritten: 0, clientHungUp: false, requests: 0 };
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let server: net.Server;
  if (mode === 'accept-and-hang' || mode === 'refused') {
    // Accepts the connection and never says a word.
    server = net.createServer((socket) => {
      stats.requests += 1;
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
  } else if (mode === 'self-signed-tls') {
    server = https.createServer(await selfSignedCert(), answer(mode, stats, timers));
  } else {
    server = http.createServer(answer(mode, stats, timers));
  }
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = `${mode === 'self-signed-tls' ? 'https' : 'http'}://127.0.0.1:${port}`;
  const close = async () => {
    for (const timer of timers) clearInterval(timer);
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  // Refused: the port was just ours, now nobody listens there.
  if (mode === 'refused') await close();
  return { url, stats, close };
}
