import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * What the attachment migration remembers between invocations, under reports/: the dry runs
 * (a real run in prod needs a passing one of the same plan) and, per run, the rows it gave a
 * storageKey (what `--rollback=<runId>` undoes). Append-only JSON lines: a killed process
 * loses at most the line it was writing.
 */

export interface DryRunRecord {
  at: string;
  env: string;
  /** The plan: everything but --dry-run (see planKey). */
  plan: string;
  runId: string;
  passed: boolean;
  owner: string;
}

export interface RunEntry {
  table: string;
  id: number;
  key: string;
  at: string;
}

const RUN_ID = /^[\w.-]{1,100}$/;

export function isRunId(value: string): boolean {
  return RUN_ID.test(value) && !value.startsWith('.');
}

function parseLines<T>(text: string): T[] {
  return text.split('\n').flatMap((line) => {
    if (!line.trim()) return [];
    try {
      return [JSON.parse(line) as T];
    } catch {
      // the half-written last line of a killed process
      return [];
    }
  });
}

async function readLines<T>(file: string): Promise<T[]> {
  try {
    return parseLines<T>(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
}

export class MigrationState {
  readonly dir: string;

  constructor(reportsDir: string) {
    this.dir = path.resolve(reportsDir, 'migrate-attachments');
  }

  private get dryRunsFile(): string {
    return path.join(this.dir, 'dry-runs.jsonl');
  }

  runFile(runId: string): string {
    if (!isRunId(runId)) throw new Error(`"${runId}" is not a run id`);
    return path.join(this.dir, 'runs', `${runId}.jsonl`);
  }

  async recordDryRun(record: DryRunRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await appendFile(this.dryRunsFile, `${JSON.stringify(record)}\n`);
  }

  /** The latest passing dry run of this plan in this environment, if it is recent enough. */
  async passingDryRun(env: string, plan: string, maxAgeMinutes: number, now = new Date()): Promise<DryRunRecord | undefined> {
    const oldest = now.getTime() - maxAgeMinutes * 60_000;
    return (await readLines<DryRunRecord>(this.dryRunsFile))
      .filter((r) => r.env === env && r.plan === plan && r.passed && Date.parse(r.at) >= oldest && Date.parse(r.at) <= now.getTime())
      .pop();
  }

  /** Written before the rows' update, so a crash between the two still leaves the rows in the list. One append per batch. */
  async recordMigrated(runId: string, ...entries: RunEntry[]): Promise<void> {
    if (!entries.length) return;
    const file = this.runFile(runId);
    await mkdir(path.dirname(file), { recursive: true });
    await appendFile(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  async migratedBy(runId: string): Promise<RunEntry[] | null> {
    const file = this.runFile(runId);
    try {
      return parseLines<RunEntry>(await readFile(file, 'utf8'));
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return null;
      throw error;
    }
  }
}
