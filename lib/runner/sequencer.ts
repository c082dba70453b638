import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { stepForFile } from '../runbook/catalogue';

/** Runbook order, whatever order the files were found in; files outside the runbook go last. */
export class RunbookSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => stepForFile(spec.moduleId)?.n ?? Number.MAX_SAFE_INTEGER;
    return [...files].sort((a, b) => rank(a) - rank(b));
  }

  /** Sharding would split the runbook across machines; it always runs whole. */
  override async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    return files;
  }
}
