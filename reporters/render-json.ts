import type { RunResult } from './model';

/** Pure: RunResult -> the JSON twin of the Go/No-Go document, for tools that read results. */
export function renderJson(run: RunResult): string {
  return JSON.stringify(run, null, 2);
}
