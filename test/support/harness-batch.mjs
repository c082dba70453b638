// One process for many harness runs: the fault rehearsals and the hostile-target runs of the
// self-tests send it runs one at a time (over Node's IPC channel) instead of starting the CLI for
// each. A fresh CLI process spends about 1.2 CPU-s more than a run here, loading Vite, Vitest and
// the SDKs before the run starts: the 74 fault rehearsals paid it 74 times, about a sixth of the
// check's CPU. Each run is the prebuilt CLI's own `cli()`, as bin/cutover.mjs calls it, with its
// own reports dir, env and argv; the rehearsal it boots (database, target, temp dir, simulated
// APIs) is its own too. What could carry from one run to the next in this process is checked
// after each run and sent back as `leftovers`: the tests fail on any (test/support/run-harness.ts
// HarnessBatch).
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { stop as stopEsbuild } from 'esbuild';
import { freshBuild } from '../../scripts/build.mjs';

const { cli } = await import(pathToFileURL(await freshBuild('cutover')).href);
// esbuild keeps its service process for the life of a process that used it (a rebuild above, a
// run bundling a changed config). The CLI exits after its one run, which ends it; here each run
// ends it as that exit would, so the leftovers check below sees only what the run itself left.
await stopEsbuild();

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const startEnv = { ...process.env };
const startArgv = [...process.argv];
/**
 * Threads and listeners on process after the first run, which may start once-per-process ones
 * (libuv's thread pool, the stack's exit handler): later runs may not add to them.
 */
let settled;

// The tests ended (or were killed): nothing is left to run for.
process.on('disconnect', () => process.exit(0));
process.on('message', (request) => {
  void serve(request).then(
    (reply) => process.send(reply),
    (error) => process.send({ id: request.id, error: error instanceof Error ? error.stack : String(error) }),
  );
});

async function serve({ id, args, env }) {
  restoreEnv({ ...startEnv, ...env });
  process.argv = [startArgv[0], 'bin/cutover.mjs', ...args];
  const before = signalListeners();
  const output = { stdout: '', stderr: '' };
  const restoreWrites = captureWrites(output);
  let code;
  try {
    code = await cli(args);
  } finally {
    restoreWrites();
    await stopEsbuild();
    process.argv = startArgv;
    restoreEnv(startEnv);
  }
  return { id, code, ...output, leftovers: await leftovers(before) };
}

/** What a run left in this process: each would reach the next run. */
async function leftovers(signalsBefore) {
  const found = [];
  const signals = signalListeners();
  for (const signal of SIGNALS)
    if (signals[signal] !== signalsBefore[signal])
      found.push(`${signalsBefore[signal]} ${signal} listener(s) before the run, ${signals[signal]} after`);
  // A stopped child or an ended worker thread can take a moment to be reaped.
  const clean = () => children().length === 0 && (!settled || threads() <= settled.threads);
  if (!(await within(2_000, clean))) {
    for (const pid of children()) found.push(`child process ${pid} still running: ${command(pid)}`);
    if (settled && threads() > settled.threads) found.push(`${threads() - settled.threads} more threads than after the first run`);
  }
  settled ??= { threads: threads(), listeners: listenerCount() };
  if (listenerCount() > settled.listeners)
    found.push(`${listenerCount() - settled.listeners} more listeners on process than after the first run`);
  return found;
}

function listenerCount() {
  return process.eventNames().reduce((n, name) => n + process.listenerCount(name), 0);
}

function restoreEnv(env) {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
}

function captureWrites(output) {
  const original = { stdout: process.stdout.write, stderr: process.stderr.write };
  for (const stream of ['stdout', 'stderr']) {
    process[stream].write = (chunk, encoding, callback) => {
      output[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') done();
      return true;
    };
  }
  return () => {
    process.stdout.write = original.stdout;
    process.stderr.write = original.stderr;
  };
}

function signalListeners() {
  return Object.fromEntries(SIGNALS.map((signal) => [signal, process.listenerCount(signal)]));
}

function threads() {
  return readdirSync('/proc/self/task').length;
}

function children() {
  return readdirSync('/proc/self/task').flatMap((tid) =>
    readFileSync(`/proc/self/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  );
}

function command(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '(gone)';
  }
}

async function within(ms, condition) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
