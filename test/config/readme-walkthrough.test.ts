// The README's walk through another backend is what an operator copies first: its profile and
// config must load as written, and every command it shows must be one the CLI accepts.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseArgs } from '../../lib/cli/args';
import { loadConfig } from '../../lib/config/load';
import { ROOT, tempDir } from '../support/run-harness';

const START = '### A backend that is not the reference target, step by step';
const END = '### What a run needs';

function walkthrough(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END, start);
  expect(start, `README.md has no "${START}"`).toBeGreaterThan(-1);
  expect(end, `README.md has no "${END}" after the walkthrough`).toBeGreaterThan(start);
  return readme.slice(start, end);
}

const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

/** `npm test -- …` and `npm run doctor -- …` lines, in code blocks or inline, as the CLI's argv. */
function commands(text: string): string[][] {
  const lines = [
    ...blocks(text, 'sh').flatMap((b) => b.split('\n')),
    ...[...text.matchAll(/`(npm (?:test|run doctor) -- [^`]+)`/g)].map((m) => m[1]!),
  ];
  return lines
    .filter((l) => /^npm (test|run doctor) -- /.test(l))
    .map((l) => {
      const line = l.replace(/^npm (test|run doctor) -- /, '').replaceAll('<rc sha>', '0123abc');
      const args = [...line.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => m[0].replaceAll('"', ''));
      return [...(l.startsWith('npm run doctor') ? ['--doctor'] : []), ...args];
    });
}

describe('README: running a real cutover on another backend', () => {
  test('the profile and config shown load as written: staging and prod get the profile, local keeps the reference one', async () => {
    const [profile, config] = blocks(walkthrough(), 'ts');
    expect(profile).toContain('export const profile');
    expect(config).toContain("from './cutover.profile'");
    const dir = await tempDir('cutover-selftest-readme');
    const libConfig = path.join(ROOT, 'lib/config');
    await writeFile(path.join(dir, 'cutover.profile.ts'), profile!.replace("'./lib/config/", `'${libConfig}/`));
    const local = "local: { production: true, expect: { stripeMode: 'test', attestation: 'on' } },";
    await writeFile(
      path.join(dir, 'cutover.config.ts'),
      config!.replace("'./lib/config'", `'${libConfig}'`).replace('// local: as shipped', local),
    );
    const file = path.join(dir, 'cutover.config.ts');

    const staging = await loadConfig(file, 'staging');
    expect(staging.sections.backend.name).toBe('jobs-api');
    expect(staging.sections.backend.envRules.drop.map((d) => d.id)).toContain('email-smtp-url');
    expect(staging.sections.credentials.databaseUrl).toBe('POSTGRES_URL');
    expect(staging.sections.monitoring.fiveXx.source.kind).not.toBe('none');
    expect((await loadConfig(file, 'prod')).sections.backend.name).toBe('jobs-api');
    expect((await loadConfig(file, 'local')).sections.backend.name).toBe('reference target');
  });

  test('every command it shows is one the CLI accepts', () => {
    const argvs = commands(walkthrough());
    expect(argvs.length).toBeGreaterThanOrEqual(5);
    for (const argv of argvs) expect(() => parseArgs(argv), argv.join(' ')).not.toThrow();
    expect(argvs.some((a) => a.includes('--doctor'))).toBe(true);
    expect(argvs.some((a) => a.includes('--tags-filter=readonly'))).toBe(true);
  });
});
