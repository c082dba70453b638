// One Vitest run of test/fixtures/suite-thread with the suites' pool (lib/runner/suite-thread.ts),
// as the CLI makes it: the thread is started first, the env changes, then Vitest is created.
// Prints { started, passed, adopted } for test/runner/suite-thread.test.ts.
import path from 'node:path';
import { createVitest, ThreadsPoolWorker } from 'vitest/node';
import { expectedExecArgv, SuiteThread, suitePool } from '../../lib/runner/suite-thread';

const root = path.resolve(import.meta.dirname, '../..');
const mode = process.argv[2];
const execArgv = mode === '--other-flags' ? ['--no-warnings'] : mode === '--refused-flags' ? ['--no-such-node-flag'] : expectedExecArgv();
process.env.SUITE_THREAD_REMOVED_AFTER_START = 'set before the thread started';
const thread = SuiteThread.start(execArgv);
process.env.SUITE_THREAD_SET_AFTER_START = 'set after the thread started';
delete process.env.SUITE_THREAD_REMOVED_AFTER_START;

const vitest = await createVitest(
  'test',
  { root, config: false, watch: false, reporters: [], passWithNoTests: false },
  {
    test: {
      include: ['test/fixtures/suite-thread/*.fixture.ts'],
      pool: suitePool(ThreadsPoolWorker, thread),
      isolate: false,
      maxWorkers: 1,
    },
  },
);
await vitest.start();
const passed = vitest.state.getFiles().every((f) => f.result?.state === 'pass') && vitest.state.getFiles().length === 1;
await vitest.close();
// Taken by Vitest, there is nothing left to take; not taken, it is still there (and ended here).
const left = thread?.take(execArgv);
await left?.terminate();
process.stdout.write(`${JSON.stringify({ started: Boolean(thread), passed, adopted: Boolean(thread) && !left })}\n`);
