import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { CLI_FLAGS } from '../../lib/cli/args';
import { harnessProblems, npmRunProblems } from './command-check';
import { ROOT } from './run-harness';

/**
 * Keeps the GitHub workflows honest: their structure (a JSON schema of the parts GitHub requires),
 * every npm command they run, and every harness flag and input value they pass, judged by the
 * CLI's own flag spec and parser and by package.json's scripts.
 */

export type Workflow = {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
};
export type Job = {
  'runs-on'?: string;
  environment?: string;
  uses?: string;
  with?: Record<string, string>;
  steps?: Step[];
};
export type Step = { name?: string; uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string> };

const step = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    id: { type: 'string' },
    if: { type: 'string' },
    uses: { type: 'string', pattern: '^(\\./|[\\w.-]+/[\\w./-]+@[\\w.-]+$)' },
    run: { type: 'string', minLength: 1 },
    with: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    env: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    shell: { type: 'string' },
    'working-directory': { type: 'string' },
    'timeout-minutes': { type: 'number' },
    'continue-on-error': { type: 'boolean' },
  },
  additionalProperties: false,
  oneOf: [{ required: ['uses'] }, { required: ['run'] }],
};

const jobCommon = {
  name: { type: 'string' },
  needs: { type: ['string', 'array'] },
  if: { type: 'string' },
  permissions: { type: ['object', 'string'] },
  concurrency: { type: ['object', 'string'] },
  strategy: { type: 'object' },
};

/** The structure GitHub requires of a workflow, and the keys this project uses (an unknown key is a typo). */
export const WORKFLOW_SCHEMA = {
  type: 'object',
  required: ['name', 'on', 'jobs'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    on: {
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      properties: {
        push: { type: ['object', 'null'] },
        pull_request: { type: ['object', 'null'] },
        schedule: {
          type: 'array',
          minItems: 1,
          items: { type: 'object', required: ['cron'], additionalProperties: false, properties: { cron: { type: 'string' } } },
        },
        workflow_dispatch: { type: ['object', 'null'], properties: { inputs: { $ref: '#/$defs/inputs' } }, additionalProperties: false },
        workflow_call: {
          type: ['object', 'null'],
          properties: { inputs: { $ref: '#/$defs/inputs' }, secrets: { type: 'object' } },
          additionalProperties: false,
        },
      },
    },
    permissions: { type: ['object', 'string'] },
    env: { type: 'object' },
    concurrency: {
      type: 'object',
      required: ['group', 'cancel-in-progress'],
      additionalProperties: false,
      properties: { group: { type: 'string' }, 'cancel-in-progress': { type: 'boolean' } },
    },
    jobs: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[A-Za-z_][\\w-]*$' },
      additionalProperties: {
        oneOf: [
          {
            type: 'object',
            required: ['runs-on', 'steps'],
            additionalProperties: false,
            properties: {
              ...jobCommon,
              'runs-on': { type: 'string' },
              environment: { type: 'string' },
              'timeout-minutes': { type: 'number' },
              env: { type: 'object' },
              steps: { type: 'array', minItems: 1, items: step },
            },
          },
          {
            type: 'object',
            required: ['uses'],
            additionalProperties: false,
            properties: {
              ...jobCommon,
              uses: { type: 'string' },
              with: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
              secrets: { type: ['object', 'string'] },
            },
          },
        ],
      },
    },
  },
  $defs: {
    inputs: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['description', 'type'],
        additionalProperties: false,
        properties: {
          description: { type: 'string' },
          type: { enum: ['string', 'boolean', 'number', 'choice', 'environment'] },
          required: { type: 'boolean' },
          default: { type: ['string', 'number', 'boolean'] },
          options: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

const validate: ValidateFunction = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(WORKFLOW_SCHEMA);

/** Shell words, quotes removed; a word with an expansion in it is marked dynamic (its value is known only at run time). */
export function shellWords(line: string): { word: string; dynamic: boolean }[] {
  const words: { word: string; dynamic: boolean }[] = [];
  let word = '';
  let dynamic = false;
  let started = false;
  let quote: '"' | "'" | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else {
        word += ch;
        if (ch === '$' && quote === '"') dynamic = true;
      }
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push({ word, dynamic });
      [word, dynamic, started] = ['', false, false];
    } else {
      word += ch;
      started = true;
      if (ch === '$') dynamic = true;
    }
  }
  if (started) words.push({ word, dynamic });
  return words;
}

/** Every name the CLI takes as a long flag (aliases included), from its spec. */
const longFlags = new Set(Object.entries(CLI_FLAGS).flatMap(([name, spec]) => [name, ...(spec.aliases ?? [])]));

function argvProblems(argv: string[], where: string): string[] {
  return harnessProblems(argv).map((p) => `${where}: ${p}`);
}

/** What the harness reads from the environment, by name: .env.example's variables. */
function harnessVariables(): Set<string> {
  const text = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
}

function commandProblems(run: string, where: string): string[] {
  const problems: string[] = [];
  const runsHarness = /\bnpm test\b/.test(run);
  for (const line of run.split('\n').map((l) => l.trim())) {
    if (!/^npm\b/.test(line)) continue;
    const words = shellWords(line);
    const [, command, script] = words.map((w) => w.word);
    if (command === 'ci' && words.length === 2) continue;
    if (command === 'test') {
      const dashes = words.findIndex((w) => w.word === '--');
      if (words.length > 2 && dashes !== 2) problems.push(`${where}: "${line}": the harness's flags go after "npm test --"`);
      const literal = words.slice(dashes + 1).filter((w) => !w.dynamic);
      problems.push(
        ...argvProblems(
          literal.map((w) => w.word),
          `${where}: npm test`,
        ),
      );
      continue;
    }
    if (command === 'run') {
      const dashes = words.findIndex((w) => w.word === '--');
      const argv = dashes === 3 ? words.slice(4).filter((w) => !w.dynamic) : words.slice(3);
      problems.push(
        ...npmRunProblems(
          script ?? '',
          argv.map((w) => w.word),
        ).map((p) => `${where}: ${p}`),
      );
      continue;
    }
    problems.push(`${where}: "${line}": not a command this project's workflows run (npm ci, npm test -- ..., npm run <script>)`);
  }
  if (runsHarness) {
    // Flags built up in the script (args+=(--apply=...)) are harness flags too: a step that runs the harness runs nothing else.
    for (const [, flag] of run.matchAll(/(?<![\w-])--([A-Za-z][\w-]*)/g)) {
      if (!longFlags.has(flag!)) problems.push(`${where}: unknown option --${flag}`);
    }
  }
  return problems;
}

export interface LintedWorkflow {
  workflow?: Workflow;
  problems: string[];
}

/** Parses and lints one workflow; `reusable` are the called workflows by path (./.github/workflows/x.yml). */
export function lintWorkflow(file: string, text: string, reusable: Record<string, Workflow> = {}): LintedWorkflow {
  const doc = parseDocument(text);
  if (doc.errors.length) return { problems: doc.errors.map((e) => `${file}: ${e.message.split('\n')[0]}`) };
  const workflow = doc.toJS() as Workflow;
  const problems: string[] = [];
  if (!validate(workflow)) {
    for (const e of validate.errors ?? [])
      problems.push(`${file}: ${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    return { workflow, problems };
  }
  const callInputs = (workflow.on.workflow_call as { inputs?: Record<string, unknown> } | null)?.inputs ?? {};
  for (const key of Object.keys(callInputs)) {
    if (key !== 'environment' && !longFlags.has(key))
      problems.push(`${file}: input "${key}" is not a CLI flag (inputs are named like the flags they set)`);
  }
  const variables = harnessVariables();
  for (const [id, job] of Object.entries(workflow.jobs)) {
    for (const [i, s] of (job.steps ?? []).entries()) {
      const where = `${file}: jobs.${id}.steps[${i}]`;
      if (!s.run) continue;
      problems.push(...commandProblems(s.run, where));
      if (!/\bnpm test\b/.test(s.run)) continue;
      // What the step sets for the harness must be a variable it reads; what the script reads itself is the script's.
      for (const key of Object.keys(s.env ?? {})) {
        if (!variables.has(key) && !s.run.includes(`$${key}`))
          problems.push(`${where}: env ${key} is not a variable the harness reads (.env.example)`);
      }
    }
    if (job.uses) {
      const called = reusable[job.uses];
      if (!called) {
        problems.push(`${file}: jobs.${id} calls ${job.uses}, not a workflow of this repository`);
        continue;
      }
      const inputs = (called.on.workflow_call as { inputs?: Record<string, { required?: boolean }> } | null)?.inputs ?? {};
      const given = job.with ?? {};
      for (const key of Object.keys(given)) if (!(key in inputs)) problems.push(`${file}: jobs.${id}: ${job.uses} has no input "${key}"`);
      for (const [key, input] of Object.entries(inputs)) {
        if (input.required && !(key in given)) problems.push(`${file}: jobs.${id}: ${job.uses} needs input "${key}"`);
      }
      // The inputs (but the GitHub environment) are the CLI's flags by name: literal values go through its parser.
      const literal = Object.entries(given).filter(([key, value]) => key !== 'environment' && !String(value).includes('${{'));
      problems.push(
        ...argvProblems(
          literal.map(([key, value]) => `--${key}=${value}`),
          `${file}: jobs.${id}.with`,
        ),
      );
    }
  }
  return { workflow, problems };
}
