import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The fault rehearsals (test/faults.test.ts) are most of the suite's CPU and run as one file.
 * Vitest's default order (largest files first on a clean clone) started them last, so for the
 * last five minutes they ran alone while the rest of the suite had left a core half idle before.
 * Started first, they fill the time the other files spend waiting on the processes they start.
 */
export default class FaultsFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isFaults = (spec: TestSpecification) => spec.moduleId.endsWith('/test/faults.test.ts');
    return [...sorted.filter(isFaults), ...sorted.filter((spec) => !isFaults(spec))];
  }
}
