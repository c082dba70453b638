import type { TestSequencer, TestSpecification } from 'vitest/node';
import { stepForFile } from '../runbook/catalogue';

/**
 * Runbook order, whatever order the files were found in; files outside the runbook go last.
 * It implements Vitest's sequencer interface instead of extending BaseSequencer (whose two
 * methods it replaces anyway): a class to extend would load vitest/node with the run's session,
 * before the rehearsal's stack starts, instead of while it boots.
 */
export class RunbookSequencer implements TestSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => stepForFile(spec.moduleId)?.n ?? Number.MAX_SAFE_INTEGER;
    return [...files].sort((a, b) => rank(a) - rank(b));
  }

  /** Sharding would split the runbook across machines; it always runs whole. */
  async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    return files;
  }
}
