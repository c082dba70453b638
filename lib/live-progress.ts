import type { Evidence } from './evidence';

/**
 * A command's log, its progress lines shown live on the console (Evidence.progress) while it
 * runs; `settled` is awaited before the check goes on, so no annotation outlives its check.
 */
export function liveProgress(
  evidence: Evidence,
  /** The progress a log line tells, or undefined for the rest of the log. */
  progress: RegExp | ((line: string) => string | undefined),
): { log: (line: string) => void; settled: () => Promise<unknown> } {
  const shown: Promise<void>[] = [];
  const told = typeof progress === 'function' ? progress : (line: string) => (progress.test(line) ? line : undefined);
  return {
    log: (line) => {
      const text = told(line);
      if (text !== undefined) shown.push(evidence.progress(text).catch(() => undefined));
    },
    settled: () => Promise.all(shown),
  };
}
