// The operator's guide is copied from at 2 a.m.: every command in it must be one the CLI or the
// named script takes, and the ones that change nothing are run as written.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseArgs } from '../../lib/cli/args';
import { EXIT } from '../../lib/command/exit';
import { resumeHint } from '../../lib/command/hint';
import { GUARDED_SCRIPTS as GUARDED, harnessProblems, npmRunProblems } from '../support/command-check';
import { ROOT, tempDir } from '../support/run-harness';
import { shellWords } from '../support/workflow-lint';

const GUIDE = path.join(ROOT, 'docs/operator-guide.md');
/** Test values for the guide's placeholders; any other `<...>` is a problem. */
const PLACEHOLDERS: Record<string, string> = { '<rc sha>': '0123abc', '<run id>': 'run-0123', '<audit id>': '0123456789ab' };

interface GuideCommand {
  line: string;
  /** npm test / npx cutover: the harness; a script name for npm run. */
  program: 'harness' | string;
  argv: string[];
}

/** Every npm/npx line of the guide's sh blocks, placeholders filled in, split into shell words. */
function guideCommands(text: string): { commands: GuideCommand[]; problems: string[] } {
  const problems: string[] = [];
  const commands: GuideCommand[] = [];
  const lines = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n')).map((l) => l.trim());
  for (const line of lines.filter((l) => l && !l.startsWith('#'))) {
    let filled = line;
    for (const [placeholder, value] of Object.entries(PLACEHOLDERS)) filled = filled.replaceAll(placeholder, value);
    if (/<[^>]+>/.test(filled)) problems.push(`${line}: a placeholder this self-test has no test value for`);
    const words = shellWords(filled).map((w) => w.word);
    const [tool, command, script] = words;
    const dashes = words.indexOf('--');
    if (tool === 'npx' && command === 'cutover') commands.push({ line, program: 'harness', argv: words.slice(2) });
    else if (tool === 'npm' && command === 'test' && (words.length === 2 || dashes === 2))
      commands.push({ line, program: 'harness', argv: words.slice(3) });
    else if (tool === 'npm' && command === 'run' && script && (words.length === 3 || dashes === 3))
      commands.push({ line, program: script, argv: words.slice(4) });
    else problems.push(`${line}: not a command of this project (npm test -- ..., npx cutover ..., npm run <script> -- ...)`);
  }
  return { commands, problems };
}

/** What is wrong with one command, judged as the harness or the named script will judge it. */
function commandProblems({ program, argv }: GuideCommand): string[] {
  return program === 'harness' ? harnessProblems(argv) : npmRunProblems(program, argv);
}

function guideProblems(text: string): string[] {
  const { commands, problems } = guideCommands(text);
  return [...problems, ...commands.flatMap((c) => commandProblems(c).map((p) => `${c.line}: ${p}`))];
}

/** Runs a command as the operator would, in the checkout, outside this Vitest. */
function exec(words: string[], extraEnv: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', NO_COLOR: '1', ...extraEnv };
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'TEST') delete env[k];
  return spawnSync(words[0]!, words.slice(1), { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
}

const guide = readFileSync(GUIDE, 'utf8');
const { commands } = guideCommands(guide);
const has = (flag: string) => commands.some((c) => c.argv.some((a) => a.startsWith(flag)));

describe("the operator's guide (docs/operator-guide.md)", () => {
  test('every command in it is one the CLI, package.json and the guarded scripts accept', () => {
    expect(guideProblems(guide)).toEqual([]);
    expect(commands.length).toBeGreaterThanOrEqual(15);
    for (const flag of [
      '--tags-filter=readonly',
      '--dry-run',
      '--from=',
      '--confirm-manual=',
      '--rollback=',
      '--apply=',
      '--help',
      '--list',
    ])
      expect(has(flag), flag).toBe(true);
    expect(commands.some((c) => c.program === 'doctor')).toBe(true);
    for (const script of Object.keys(GUARDED))
      expect(
        commands.some((c) => c.program === script),
        script,
      ).toBe(true);
  });

  test('its resume command is the printed resume hint with what the hint does not repeat added', () => {
    const resume = commands.find((c) => c.program === 'harness' && c.argv.some((a) => a.startsWith('--from=')))!;
    const hint = resumeHint({ env: 'prod', sha: PLACEHOLDERS['<rc sha>'] }, 3);
    const hinted = guideCommands(`\`\`\`sh\n${hint}\n\`\`\`\n`).commands[0]!;
    expect(parseArgs(resume.argv).from).toBe(parseArgs(hinted.argv).from);
    for (const word of hinted.argv.filter((a) => !a.startsWith('--from='))) expect(resume.argv, hint).toContain(word);
    expect(resume.argv.some((a) => a.startsWith('--apply='))).toBe(true);
  });

  test('the README links it', () => {
    expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('(docs/operator-guide.md)');
  });

  test('the commands that change nothing run as written: --help, --list, --version, the doctor (in local)', () => {
    const safe = commands.filter((c) => c.argv.some((a) => ['--help', '--list', '--version'].includes(a)));
    expect(safe.length).toBeGreaterThanOrEqual(4);
    for (const c of safe) {
      const words =
        c.program === 'harness' ? ['npx', '--no-install', 'cutover', ...c.argv] : ['npm', 'run', '-s', c.program, '--', ...c.argv];
      const result = exec(words);
      expect(result.status, `${c.line}\n${result.stderr}`).toBe(EXIT.ok);
      expect(result.stdout.length, c.line).toBeGreaterThan(0);
    }
    // The doctor asks the sources of the environment named; in local there is nothing of yours to ask, so it runs offline.
    const doctor = commands.find((c) => c.program === 'doctor')!;
    const argv = doctor.argv.map((a) => (a.startsWith('--env=') ? '--env=local' : a)).filter((a) => !a.startsWith('--env-snapshot='));
    const result = exec(['npm', 'run', '-s', 'doctor', '--', ...argv]);
    expect(result.status, result.stderr).toBe(EXIT.ok);
    expect(result.stdout).toContain('cutover doctor');
  }, 180_000);

  test("each guarded script's real run, without its --confirm, is refused (exit 2) and says why", async () => {
    const confirmed = commands
      .filter((c) => c.program in GUARDED && c.argv.some((a) => a.startsWith('--confirm=')))
      .filter((c, i, all) => all.findIndex((o) => o.line === c.line) === i);
    expect(confirmed.length).toBeGreaterThanOrEqual(2);
    const reports = await tempDir('cutover-selftest-guide');
    for (const c of confirmed) {
      const argv = c.argv.filter((a) => !a.startsWith('--confirm='));
      const env = argv.find((a) => a.startsWith('--env='))!.slice('--env='.length);
      const result = exec(['npm', 'run', '-s', c.program, '--', ...argv], { CUTOVER_REPORTS_DIR: reports });
      expect(result.status, `${c.line}\n${result.stdout}${result.stderr}`).toBe(EXIT.refused);
      expect(result.stdout + result.stderr, c.line).toContain(`without --confirm=${env}; nothing was changed`);
    }
  }, 180_000);
});

describe('the guide self-test can fail', () => {
  const synthetic = (...lines: string[]) => `# guide\n\n\`\`\`sh\n${lines.join('\n')}\n\`\`\`\n`;

  test('an unknown flag of the CLI, of the doctor or of a guarded script', () => {
    expect(guideProblems(synthetic('npm test -- --env=prod --sha=<rc sha> --shaa=x'))).toEqual([
      'npm test -- --env=prod --sha=<rc sha> --shaa=x: unknown option --shaa',
    ]);
    expect(guideProblems(synthetic('npm run doctor -- --env=prod --tags=readonly'))).toEqual([
      'npm run doctor -- --env=prod --tags=readonly: unknown option --tags',
    ]);
    // backup has no dry run: only the migrations do.
    expect(guideProblems(synthetic('npm run backup -- --env=prod --dry-run'))).toEqual([
      'npm run backup -- --env=prod --dry-run: unknown option --dry-run',
    ]);
    expect(guideProblems(synthetic('npx cutover --stack=podman'))).toEqual([
      'npx cutover --stack=podman: --stack: "podman" is not one of auto, docker, embedded, external',
    ]);
  });

  test('an unknown script, a command that is not the project’s, a placeholder without a test value', () => {
    expect(guideProblems(synthetic('npm run migrate:attachment -- --env=prod'))).toEqual([
      'npm run migrate:attachment -- --env=prod: npm run migrate:attachment: package.json has no such script',
    ]);
    expect(guideProblems(synthetic('npm install'))[0]).toContain('not a command of this project');
    expect(guideProblems(synthetic('npm test -- --env=prod --sha=<the sha>'))[0]).toContain(
      'a placeholder this self-test has no test value for',
    );
  });

  test('commands are read from sh blocks only, comments skipped', () => {
    const text = `\`npm test -- --nope\`\n\n${synthetic('# npm test -- --nope', 'npx cutover --version')}`;
    expect(guideCommands(text)).toEqual({
      commands: [{ line: 'npx cutover --version', program: 'harness', argv: ['--version'] }],
      problems: [],
    });
  });
});
