import type { Evidence } from './evidence';

/**
 * A command's log, its progress lines shown live on the console (Evidence.progress) while it
 * runs; `settled` is awaited before the check goes on, so no annotation outlives its check.
 */
export function liveProgress(evidence: Evidence, progress: RegExp): { log: (line: string) => void; settled: () => Promise<unknown> } {
  const shown: Promise<void>[] = [];
  return {
    log: (line) => {
      if (progress.test(line)) shown.push(evidence.progress(line).catch(() => undefined));
    },
    settled: () => Promise.all(shown),
  };
}
