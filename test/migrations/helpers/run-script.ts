// Runs a guarded script the way an operator does (`npm run <script>`: `node bin/guarded.mjs <name> ...`), as its own
// process, against a throwaway config that keeps its backups and audit log in a temp dir.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface ScriptRun {
  code: number | null;
  /** The signal that ended it, when one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  dir: string;
  config: string;
  backupsDir: string;
  auditLog: string;
  /** The audit log's entries, parsed. */
  audit(): Promise<
    {
      script: string;
      env: string;
      outcome: string;
      touches?: { database?: string; bucket?: string; baseUrl?: string };
      summary?: Record<string, unknown>;
    }[]
  >;
  /** onSpawn gets the child as soon as it runs (to signal it, say). */
  run(
    script: string,
    args: string[],
    env?: Record<string, string | undefined>,
    onSpawn?: (child: ChildProcess) => void,
  ): Promise<ScriptRun>;
}

/** Call at the top of a test file; every sandbox's temp dir is removed after the file. */
export function useScriptSandboxes(): (sections?: Record<string, unknown>) => Promise<Sandbox> {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true }))));
  return async (sections = {}) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cutover-script-test-'));
    dirs.push(dir);
    const backupsDir = path.join(dir, 'backups');
    const auditLog = path.join(dir, 'audit.log');
    const config = path.join(dir, 'cutover.config.mjs');
    const body = {
      environments: {
        local: { expect: { stripeMode: 'test' } },
        staging: { baseUrl: 'http://127.0.0.1:9', production: true, expect: { stripeMode: 'test' } },
        prod: { baseUrl: 'http://127.0.0.1:9', production: true, expect: { stripeMode: 'live' } },
      },
      reports: { dir: path.join(dir, 'reports'), auditLog },
      ...sections,
      preflight: { backup: { dir: backupsDir }, ...(sections.preflight as object | undefined) },
    };
    await fs.writeFile(config, `export default ${JSON.stringify(body, null, 2)};\n`);
    return {
      dir,
      config,
      backupsDir,
      auditLog,
      async audit() {
        const text = await fs.readFile(auditLog, 'utf8').catch(() => '');
        return text
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line));
      },
      run: (script, args, env = {}, onSpawn) => runScript(script, [...args, `--config=${config}`], env, onSpawn),
    };
  };
}

function runScript(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  onSpawn?: (child: ChildProcess) => void,
): Promise<ScriptRun> {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined && !k.startsWith('VITEST')) childEnv[k] = v;
  return new Promise((resolve, reject) => {
    // As package.json runs them: the prebuilt script on plain node, no npm process in between.
    const child = spawn(process.execPath, ['bin/guarded.mjs', script, ...args], {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
