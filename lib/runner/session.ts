import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { createVitest, type Vitest } from 'vitest/node';
import { buildRun } from '../../reporters/build';
import { ConsoleReporter } from '../../reporters/console-reporter';
import type { CarriedStep, RawRun } from '../../reporters/model';
import { ResultCollector } from '../../reporters/vitest-adapter';
import { writeDocuments } from '../../reporters/write';
import { describeDatabaseUrl } from '../backup/manifest';
import { APPLY_TARGETS, type CliOptions } from '../cli/args';
import { deepMerge, type LoadedConfig } from '../config/load';
import { sectionsSchema, type Sections } from '../config/schema';
import type { HarnessContext, ManualConfirmation } from '../context';
import type { Rehearsal } from '../rehearsal/types';
import { STEPS, type StepId } from '../runbook/catalogue';
import { redactorFor } from '../secrets/known';
import { carryOver } from './carry';
import { appliedSteps, applyTargets, defaultOwner, defaultSha, isRehearsal } from './plan';
import { EXIT, PROJECT_ROOT, type Io } from './run';

/** The --apply word for a step's mutation (backup for pre-flight). */
const applyName = (step: StepId) => Object.entries(APPLY_TARGETS).find(([, id]) => id === step)?.[0] ?? step;

/** One run of the runbook: everything after validation ends in a document, whatever happens. */
export class RunSession {
  private abort: string | undefined;
  private vitest: Vitest | undefined;
  private rehearsal: Rehearsal | undefined;
  private readonly collector = new ResultCollector();
  private readonly phases: [string, number][] = [];
  private readonly notes: string[] = [];
  private readonly startedAt = new Date();
  /** `20261128T052000-prod`: in the document, the evidence, the User-Agent and test-data names. */
  private get runId(): string {
    return `${this.startedAt.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${this.opts.env}`;
  }
  private interrupted = false;
  private readonly stopRehearsalStart = new AbortController();
  /** The config's sections, plus the rehearsal's overrides once it has started. */
  private sections: Sections;

  constructor(
    private readonly opts: CliOptions,
    private readonly config: LoadedConfig,
    private readonly steps: StepId[],
    private readonly selectionNote: string | undefined,
    private baseUrl: string,
    private readonly io: Io,
  ) {
    this.sections = config.sections;
  }

  private async timed<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await fn();
    } finally {
      this.phases.push([phase, Date.now() - started]);
    }
  }

  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (this.interrupted) {
      this.io.err(`cutover: ${signal} again, exiting without cleanup`);
      process.exit(EXIT.noGo);
    }
    this.interrupted = true;
    this.abort = `interrupted by ${signal}${signal === 'SIGINT' ? ' (Ctrl-C)' : ''}`;
    this.io.err(`\ncutover: ${this.abort}; stopping, writing the NO-GO document and cleaning up (press again to force)`);
    this.stopRehearsalStart.abort(new Error(this.abort));
    void this.vitest?.cancelCurrentRun('keyboard-input');
  };

  async execute(): Promise<number> {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    const { opts, config } = this;
    const root = PROJECT_ROOT;
    const owner = opts.owner ?? defaultOwner(root);
    const rcSha = defaultSha(opts, root);
    let carried: Partial<Record<StepId, CarriedStep>> = {};
    try {
      if (opts.from) {
        const before = STEPS.filter((s) => !this.steps.includes(s.id)).map((s) => s.id);
        carried = await carryOver(config.sections.reports.dir, opts.env, rcSha, before);
        const missing = before.filter((id) => !carried[id]);
        if (missing.length) this.notes.push(`--from=${opts.from}: no earlier passing result for ${missing.join(', ')} with this RC SHA, so they stay NOT RUN`);
      }
      if (isRehearsal(opts)) {
        const { startRehearsal } = await import('../rehearsal/start');
        this.rehearsal = await startRehearsal({
          faults: opts.faults,
          stack: opts.stack ?? 'auto',
          sections: config.sections,
          steps: this.steps,
          buildSha: rcSha,
          log: (line) => this.io.out(line),
          signal: this.stopRehearsalStart.signal,
          timed: (phase, fn) => this.timed(phase, fn),
        });
        this.baseUrl = this.rehearsal.baseUrl;
        for (const [k, v] of Object.entries(this.rehearsal.env)) process.env[k] = v;
        this.notes.push(...this.rehearsal.notes);
        this.sections = sectionsSchema.parse(deepMerge(this.sections, this.rehearsal.overrides));
      }
      if (this.abort) throw new Error(this.abort);
      const manual = await this.manualConfirmations(owner);
      const context: HarnessContext = {
        runId: this.runId,
        env: opts.env,
        production: config.environment.production,
        baseUrl: this.baseUrl,
        rcSha,
        owner,
        startedAt: this.startedAt.toISOString(),
        projectRoot: root,
        environment: config.environment,
        sections: this.sections,
        apply: appliedSteps(applyTargets(opts)).filter((id) => !this.rehearsal?.withheldApply.includes(id)),
        manual,
        previousWebhookSecretExpired: opts.previousWebhookSecretExpired,
        thirdParty: this.rehearsal ? 'simulated' : 'real',
        rehearsal: this.rehearsal?.info ?? null,
      };
      // Steps 0 and 1 back up and migrate the database (and schema) DATABASE_URL names: say which, here and in the document.
      const database = this.steps.some((id) => id === 'preflight' || id === 'migrations') ? describeDatabaseUrl(process.env[this.sections.credentials.databaseUrl] ?? '') : '';
      if (database) this.notes.push(`Database (backup and migrations): ${database}`);
      this.io.out(
        `cutover: ${opts.env} → ${this.baseUrl} · RC ${rcSha ?? '(none given)'} · steps ${this.steps.map((id) => STEPS.find((s) => s.id === id)!.n).join(',')}` +
          `${database ? ` · database ${database}` : ''} · apply ${context.apply.length ? context.apply.map(applyName).join(',') : 'nothing'}`,
      );
      await this.timed('steps', () => this.runVitest(context));
    } catch (error) {
      this.abort ??= `harness error: ${(error as Error).message}`;
    } finally {
      process.off('SIGINT', this.onSignal);
      process.off('SIGTERM', this.onSignal);
    }
    return this.finish(owner, rcSha, carried);
  }

  private async manualConfirmations(owner: string): Promise<Record<string, ManualConfirmation>> {
    const at = () => new Date().toISOString();
    const manual: Record<string, ManualConfirmation> = {};
    for (const row of this.opts.confirmManual) manual[row] = { by: owner, at: at(), how: 'flag' };
    if (this.rehearsal) {
      for (const row of this.rehearsal.manualRows) manual[row] ??= { by: owner, at: at(), how: 'rehearsal' };
      return manual;
    }
    const pending = STEPS.filter((s) => this.steps.includes(s.id))
      .flatMap((s) => s.rows)
      .filter((r) => r.kind === 'manual' && !manual[r.id]);
    const excludesManual = this.opts.vitest.tagsFilter.some((f) => /!\s*manual/.test(f));
    if (!pending.length || excludesManual || !process.stdin.isTTY) return manual;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      for (const row of pending) {
        const answer = await rl.question(`Confirm as ${owner}: [${row.id}] ${row.label}? (y/N) `);
        if (/^y(es)?$/i.test(answer.trim())) manual[row.id] = { by: owner, at: at(), how: 'prompt' };
      }
    } finally {
      rl.close();
    }
    return manual;
  }

  private async runVitest(context: HarnessContext): Promise<void> {
    const files = STEPS.filter((s) => this.steps.includes(s.id)).map((s) => path.join(PROJECT_ROOT, s.file)).filter((f) => existsSync(f));
    const redactor = redactorFor(this.sections, process.env);
    const vitest = await createVitest(
      'test',
      {
        root: PROJECT_ROOT,
        config: path.join(PROJECT_ROOT, 'vitest.config.ts'),
        watch: false,
        bail: 1,
        reporters: [this.collector, new ConsoleReporter(redactor, (line) => this.io.out(line))],
        provide: { harness: context },
        tagsFilter: this.opts.vitest.tagsFilter.length ? this.opts.vitest.tagsFilter : undefined,
        testNamePattern: this.opts.vitest.testNamePattern,
        passWithNoTests: true,
      },
      {},
    );
    // Vitest's own Ctrl-C handler exits the process within a millisecond; ours must cancel the
    // run, write the NO-GO document and stop the rehearsal first.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(signal)) if (listener !== this.onSignal) process.off(signal, listener);
    }
    this.vitest = vitest;
    try {
      if (!this.interrupted) await vitest.start(files);
    } catch (error) {
      this.abort ??= `Vitest could not run the suites: ${(error as Error).message.split('\n')[0]}`;
    } finally {
      await vitest.close();
    }
    if (!this.collector.ended) this.abort ??= 'the test run ended without reporting its results (see the console above)';
    if (this.collector.unhandled.length) this.abort ??= `an error outside any check: ${this.collector.unhandled[0]}`;
  }

  private async finish(owner: string, rcSha: string | null, carried: Partial<Record<StepId, CarriedStep>>): Promise<number> {
    const started = Date.now();
    const raw: RawRun = {
      meta: {
        runId: this.runId,
        env: this.opts.env,
        baseUrl: this.baseUrl,
        rcSha,
        owner,
        startedAt: this.startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        thirdParty: this.rehearsal ? 'simulated' : 'real',
        notes: this.notes,
      },
      selected: this.steps,
      selectionNote: this.selectionNote,
      tests: this.collector.tests,
      abort: this.abort,
      carried,
    };
    const run = buildRun(raw);
    const redactor = redactorFor(this.sections, process.env);
    const paths = await writeDocuments(run, path.resolve(this.sections.reports.dir), redactor);
    this.phases.push(['document', Date.now() - started]);
    if (this.rehearsal) await this.timed('teardown', () => this.rehearsal!.stop());

    const say = (line: string) => this.io.out(redactor.redact(line));
    say('');
    say(`Decision: ${run.decision} — ${run.reason}`);
    if (run.blocking) {
      say(`Blocked at Step ${run.blocking.stepN} — ${run.blocking.stepTitle}: ${run.blocking.check}`);
      say(`  ${run.blocking.error.split('\n')[0]}`);
      say(`  Rollback plan: see "Why NO-GO" in the document`);
    }
    say(`Document: ${path.relative(process.cwd(), paths.markdown)} (+ .json, junit.xml)`);
    say(`Phases: ${this.phases.map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(' · ')}`);
    return run.decision === 'NO-GO' ? EXIT.noGo : EXIT.go;
  }
}
