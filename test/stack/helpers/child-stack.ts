// Run as a separate process by test/stack/cleanup.test.ts:
//   node --import tsx test/stack/helpers/child-stack.ts <mode>
// Prints one line "READY <json>" once its stack is up, then behaves per mode:
//   wait            start the embedded stack, then idle until killed
//   exit            start the embedded stack, set process.exitCode = 3 and let the event loop drain
//                   (no stop(): the process 'exit' handler must clean up, and keep the exit code)
//   orphan-postgres start only a postgres that does NOT die with this process (no pdeathsig),
//                   registered like a stack's; then idle until killed
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StackRegistration } from '../../../rehearsal/stack/cleanup';
import { startStack, stackRecord } from '../../../rehearsal/stack/index';
import { startEmbeddedPostgres } from '../../../rehearsal/stack/postgres';

const mode = process.argv[2];
const quiet = () => undefined;

if (mode === 'wait' || mode === 'exit') {
  const stack = await startStack({ provider: 'embedded', log: quiet });
  const record = stackRecord(stack)!;
  process.stdout.write(`READY ${JSON.stringify({ pid: process.pid, record, databaseUrl: stack.databaseUrl })}\n`);
  if (mode === 'wait') setInterval(() => undefined, 60_000);
  else process.exitCode = 3;
} else if (mode === 'orphan-postgres') {
  const registration = new StackRegistration('embedded');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-stack-'));
  registration.addDir(root);
  const server = await startEmbeddedPostgres({ dir: root, log: quiet, registration, dieWithParent: false });
  process.stdout.write(`READY ${JSON.stringify({ pid: process.pid, record: registration.record, postgresPid: server.pid })}\n`);
  setInterval(() => undefined, 60_000);
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
