import { existsSync } from 'node:fs';
import path from 'node:path';
import { readEnvFile } from '../config/env-file';
import type { Sections } from '../config/schema';
import { secretValues } from '../secrets/known';

/**
 * The target's environment as the harness sees it: the operator's export from the platform
 * (env.snapshotFile / --env-snapshot) when given, else the harness's own process env. Steps 2
 * and 3 validate and probe with these values, so they test the credentials the target runs with.
 */
export interface TargetEnv {
  /** For the document: where the values came from (never the values). */
  source: string;
  /** The operator's export of the target's env, rather than the harness's own. */
  fromSnapshot: boolean;
  values: Readonly<Record<string, string | undefined>>;
  /** Lines of the snapshot that could not be read; each names the line, never its value. */
  problems: string[];
  /** Values to hide from every report (secret-looking names, the credentials the config names). */
  secrets: string[];
}

export function loadTargetEnv(sections: Sections, processEnv: NodeJS.ProcessEnv = process.env): TargetEnv {
  const file = sections.env.snapshotFile;
  if (!file) {
    const secrets = [...secretValues(sections, processEnv), ...Object.values(processEnv).flatMap((v) => (v ? urlPassword(v) : []))];
    // A plain copy: process.env is an exotic object that zod 4's record schema rejects outright.
    const values = { ...processEnv };
    return { source: 'the harness process environment (no env snapshot given)', fromSnapshot: false, values, problems: [], secrets };
  }
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) {
    return {
      source: `env snapshot ${file}`,
      fromSnapshot: true,
      values: {},
      problems: [`env snapshot ${file} does not exist`],
      secrets: [],
    };
  }
  const { values, problems } = readEnvFile(absolute);
  return {
    source: `env snapshot ${file} (${Object.keys(values).length} variables)`,
    fromSnapshot: true,
    values,
    problems,
    secrets: [...secretValues(sections, values), ...Object.values(values).flatMap(urlPassword)],
  };
}

/** A password inside any URL-valued setting (EMAIL_SMTP_URL, say), whatever the variable is called. */
function urlPassword(value: string): string[] {
  try {
    const { password } = new URL(value);
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}

/** KEY='value' lines that parseEnvFile reads back unchanged, newlines and all. */
export function formatEnvFile(env: Readonly<Record<string, string>>): string {
  // dotenv quotes escape nothing: each value goes in a kind of quote it does not hold. In double
  // quotes a backslash-n would turn into a newline, so they come last.
  const quote = (key: string, v: string) => {
    const q = ["'", '`', '"'].find((c) => !v.includes(c) && !(c === '"' && v.includes('\\n')));
    if (!q) throw new Error(`${key}: a value holding ', \` and " (or \\n) together cannot be written to an env file`);
    return `${q}${v}${q}`;
  };
  return `${Object.entries(env)
    .map(([k, v]) => `${k}=${quote(k, v)}`)
    .join('\n')}\n`;
}
