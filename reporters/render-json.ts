import type { RunResult } from './model';
import { RUN_REPORT_SCHEMA_VERSION } from './run-report-schema';

/** Pure: RunResult -> the JSON twin of the Go/No-Go document, for tools that read results (docs/run-report.schema.json). */
export function renderJson(run: RunResult): string {
  return JSON.stringify({ schemaVersion: RUN_REPORT_SCHEMA_VERSION, ...run }, null, 2);
}
