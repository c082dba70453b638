import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the tests that came closest to their timeout. A test that uses more than half of it
 * is one busy machine away from a flaky CI: the line says so, and the fix is a larger timeout
 * or a cheaper test, never a retry. (It does not fail the run: times are not assertions here.)
 */
export default class TimeoutMarginReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const rows: { name: string; duration: number; timeout: number }[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const timeout = test.options.timeout;
        const duration = test.diagnostic()?.duration;
        if (!timeout || duration === undefined) continue;
        rows.push({ name: `${module.moduleId.replace(/^.*\/test\//, 'test/')} > ${test.name}`, duration, timeout });
      }
    }
    rows.sort((a, b) => b.duration / b.timeout - a.duration / a.timeout);
    const lines = rows
      .slice(0, 5)
      .map((r) => `  ${((100 * r.duration) / r.timeout).toFixed(0).padStart(3)}% of ${r.timeout / 1000} s  ${r.name.slice(0, 140)}`);
    const over = rows.filter((r) => r.duration > r.timeout / 2).length;
    process.stdout.write(`\nClosest to their timeout (${over} test(s) used more than half of it):\n${lines.join('\n')}\n`);
  }
}
