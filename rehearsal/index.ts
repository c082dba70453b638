// The rehearsal wing as the CLI sees it (lib/runner/rehearsal-wing.ts): loaded by scripts/cutover.ts
// only for a local rehearsal or --list.
import path from 'node:path';
import { PROJECT_ROOT } from '../lib/project-root';
import type { RehearsalWing } from '../lib/runner/rehearsal-wing';
import { startRehearsal } from './boot/start';
import { FAULTS } from './faults';

export const wing: RehearsalWing = {
  startRehearsal,
  faults: FAULTS,
  // Vitest loads it from source in the suites' worker, also when the CLI runs from dist/.
  workerSetupFile: path.join(PROJECT_ROOT, 'rehearsal/worker-setup.ts'),
  workerPreloads: [path.join(PROJECT_ROOT, 'rehearsal/thirdparty/install.ts')],
};
