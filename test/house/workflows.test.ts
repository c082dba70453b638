import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../support/run-harness';
import { lintWorkflow, shellWords, type Workflow } from '../support/workflow-lint';

const DIR = path.join(ROOT, '.github/workflows');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yml'));
const text = (file: string) => readFileSync(path.join(DIR, file), 'utf8');
/** The reusable workflows, by the path a job's `uses:` names them with. */
const reusable: Record<string, Workflow> = Object.fromEntries(
  files
    .map((f) => [`./.github/workflows/${f}`, lintWorkflow(f, text(f)).workflow!])
    .filter(([, w]) => w && 'workflow_call' in (w as Workflow).on),
);
const lint = (file: string) => lintWorkflow(file, text(file), reusable);
const workflow = (file: string) => lint(file).workflow!;

describe('the GitHub workflows', () => {
  test.each(files)('%s parses, has the structure GitHub requires, and runs only real commands and flags', (file) => {
    expect(lint(file).problems).toEqual([]);
  });

  test('the nightly staging run: on a schedule and by hand, staging environment, --sha=deployed, no manual rows', () => {
    const nightly = workflow('cutover-staging-nightly.yml');
    expect(Object.keys(nightly.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(nightly.jobs.cutover).toMatchObject({
      uses: './.github/workflows/cutover-run.yml',
      with: { environment: 'staging', env: 'staging', sha: 'deployed', 'tags-filter': '!manual' },
    });
  });

  test('the production run: by hand with sha, owner, apply and confirm-manual; the production environment; one at a time', () => {
    const prod = workflow('cutover-prod.yml');
    expect(Object.keys(prod.on)).toEqual(['workflow_dispatch']);
    const inputs = (prod.on.workflow_dispatch as { inputs: Record<string, { required?: boolean }> }).inputs;
    expect(Object.keys(inputs).sort()).toEqual(['apply', 'confirm-manual', 'owner', 'sha']);
    expect(inputs.sha!.required).toBe(true);
    expect(prod.concurrency).toEqual({ group: expect.any(String), 'cancel-in-progress': false });
    const job = prod.jobs.cutover!;
    expect(job).toMatchObject({ uses: './.github/workflows/cutover-run.yml', with: { environment: 'production', env: 'prod' } });
    for (const input of Object.keys(inputs)) expect(job.with![input]).toBe(`\${{ inputs.${input} }}`);
  });

  test('the shared run: the environment gates the job; reports/ is uploaded and the JUnit file published even when it fails', () => {
    const run = workflow('cutover-run.yml');
    const job = run.jobs.cutover!;
    expect(job.environment).toBe('${{ inputs.environment }}');
    const steps = job.steps!;
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload).toMatchObject({ if: '${{ !cancelled() }}', with: { path: 'reports/' } });
    const junit = steps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report@'));
    // reporters/write.ts names the JUnit file <time>-<env>-junit.xml in the reports dir.
    expect(junit).toMatchObject({ if: '${{ !cancelled() }}', with: { report_paths: 'reports/*-junit.xml' } });
    expect(readFileSync(path.join(ROOT, 'reporters/write.ts'), 'utf8')).toContain('junit: `${base}-junit.xml`');
  });

  test('the rehearsal on every push: npm ci, then npm test -- --stack=docker on ubuntu-latest', () => {
    const rehearse = workflow('rehearse.yml');
    expect(Object.keys(rehearse.on)).toEqual(['push']);
    const job = Object.values(rehearse.jobs)[0]!;
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(job.steps!.map((s) => s.run).filter(Boolean)).toEqual(['npm ci', 'npm test -- --stack=docker']);
  });
});

describe('the workflow self-test can fail', () => {
  const synthetic = (run: string, extra = '') => `name: synthetic
on:
  push:
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: ${run}
${extra}`;

  test('an unknown flag, on the npm test line or built up in the script', () => {
    expect(lintWorkflow('x.yml', synthetic('npm test -- --env=staging --shaa=deployed')).problems).toEqual([
      'x.yml: jobs.one.steps[1]: npm test: unknown option --shaa',
      'x.yml: jobs.one.steps[1]: unknown option --shaa',
    ]);
    const script = `|\n          args=(--env=staging)\n          args+=(--dry-run)\n          npm test -- "\${args[@]}"`;
    expect(lintWorkflow('x.yml', synthetic(script)).problems).toEqual(['x.yml: jobs.one.steps[1]: unknown option --dry-run']);
  });

  test('a value the CLI refuses, a script package.json lacks, a command the workflows do not run', () => {
    expect(lintWorkflow('x.yml', synthetic('npm test -- --stack=podman')).problems).toEqual([
      'x.yml: jobs.one.steps[1]: npm test: --stack: "podman" is not one of auto, docker, embedded, external',
    ]);
    expect(lintWorkflow('x.yml', synthetic('npm run chek')).problems).toEqual([
      'x.yml: jobs.one.steps[1]: npm run chek: package.json has no such script',
    ]);
    expect(lintWorkflow('x.yml', synthetic('npm install')).problems[0]).toContain('not a command this project');
    // A guarded script's flags are judged by its own spec: backup has no dry run.
    expect(lintWorkflow('x.yml', synthetic('npm run backup -- --env=staging --dry-run')).problems).toEqual([
      'x.yml: jobs.one.steps[1]: unknown option --dry-run',
    ]);
  });

  test('structure: a job without runs-on, a step with neither uses nor run, a misspelt key', () => {
    const broken = `name: broken
on:
  workflow_dispatch:
jobs:
  one:
    steps:
      - name: nothing
  two:
    runs-on: ubuntu-latest
    enviroment: staging
    steps:
      - run: npm ci
`;
    const problems = lintWorkflow('b.yml', broken).problems.join('\n');
    expect(problems).toContain("must have required property 'runs-on'");
    expect(problems).toContain("must have required property 'run'");
    expect(problems).toContain('"additionalProperty":"enviroment"');
  });

  test('a harness variable misspelt in a step env, and a call with an input the called workflow lacks', () => {
    const env = `        env:\n          DATABSE_URL: x\n`;
    expect(lintWorkflow('x.yml', synthetic('npm test -- --env=staging', env)).problems).toEqual([
      'x.yml: jobs.one.steps[1]: env DATABSE_URL is not a variable the harness reads (.env.example)',
    ]);
    const caller = `name: caller
on:
  workflow_dispatch:
jobs:
  call:
    uses: ./.github/workflows/cutover-run.yml
    with:
      environment: staging
      env: staging
      sha: deployed
      tag-filter: readonly
`;
    expect(lintWorkflow('c.yml', caller, reusable).problems).toEqual([
      'c.yml: jobs.call: ./.github/workflows/cutover-run.yml has no input "tag-filter"',
      'c.yml: jobs.call.with: unknown option --tag-filter',
    ]);
  });

  test('shell words: quotes removed, expansions marked', () => {
    expect(shellWords(`npm test -- --tags-filter='!manual' --sha="$RC_SHA" "\${args[@]}"`)).toEqual([
      { word: 'npm', dynamic: false },
      { word: 'test', dynamic: false },
      { word: '--', dynamic: false },
      { word: '--tags-filter=!manual', dynamic: false },
      { word: '--sha=$RC_SHA', dynamic: true },
      { word: '${args[@]}', dynamic: true },
    ]);
  });
});
