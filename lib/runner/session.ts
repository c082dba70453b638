import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Vitest } from 'vitest/node';
import { buildRun } from '../../reporters/build';
import { colourDecision, colours } from '../../reporters/colour';
import { ConsoleReporter } from '../../reporters/console-reporter';
import { rollbackPlan } from '../../reporters/labels';
import { renderAnnotations } from '../../reporters/render-annotations';
import type { CarriedStep, RawRun, RunResult } from '../../reporters/model';
import { ResultCollector } from '../../reporters/vitest-adapter';
import { writeDocuments, type WrittenDocuments } from '../../reporters/write';
import { APPLY_TARGETS, DEPLOYED_SHA, type CliOptions } from '../cli/args';
import { deepMerge, type LoadedConfig } from '../config/load';
import { audit, auditId, describeUnfinished, endInterrupted, orphanedSince, unfinishedAudits, type AuditEntry } from '../guard/audit';
import { mutationPermission } from '../command/confirm';
import { defaultOwner, defaultSha } from '../command/defaults';
import { describeDatabaseUrl } from '../command/identity';
import { describeResources } from '../command/resources';
import { resumeHint, type Invocation } from '../command/hint';
import { sectionsSchema, type Sections } from '../config/schema';
import type { HarnessContext, ManualConfirmation } from '../context';
import type { DeployedSha } from '../preflight/deployed-sha';
import { STEPS, type StepId } from '../runbook/catalogue';
import { redactorFor } from '../secrets/known';
import { Redactor } from '../secrets/redactor';
import { HandoverSender } from '../handover';
import { carryOver } from './carry';
import { ManualPrompt } from './manual-prompt';
import { appliedResources, appliedSteps, applyTargets, isRehearsal } from './plan';
import { testDataPlan } from './test-data-plan';
import { runbookTestConfig } from './runbook-vitest';
import { expectedExecArgv, SuiteThread, suitePool } from './suite-thread';
import type { LoadRehearsalWing, Rehearsal } from './rehearsal-wing';
import { InFlightWatch } from './in-flight';
import { consoleClosed, EXIT, FORCE_AFTER_MS, type Io } from '../command/exit';
import { PROJECT_ROOT } from '../project-root';

/** How long a forced end waits for the minimal document before exiting anyway. */
const FORCED_WRITE_MS = 5_000;

/** The --apply word for a step's mutation (backup for pre-flight). */
const applyName = (step: StepId) => Object.entries(APPLY_TARGETS).find(([, id]) => id === step)?.[0] ?? step;

function absorbLateSignal(): void {}

/** One run of the runbook: everything after validation ends in a document, whatever happens. */
export class RunSession {
  private abort: string | undefined;
  private vitest: Vitest | undefined;
  /** Vitest, created while the rehearsal boots (prepareVitest); closed once, by runVitest or run's end. */
  private vitestReady: Promise<Vitest> | undefined;
  /** The suites' run, started as soon as Vitest is created; its worker waits for the hand-over. */
  private vitestRun: Promise<unknown> | undefined;
  private vitestClosed = false;
  /** The suites' worker thread, started ahead of Vitest against a running target (lib/runner/suite-thread.ts). */
  private suiteThread: SuiteThread | undefined;
  private readonly handover = new HandoverSender<HarnessContext>(`cutover-harness-${process.pid}-${Date.now()}`);
  /** What a signal's cancel waits for: the suites' changes in flight and the running check. */
  private readonly inFlight = new InFlightWatch();
  /** Redacts the live console; given the run's secrets once they are all known (runVitest). */
  private readonly console = new ConsoleReporter(new Redactor(), (line) => this.io.out(line));
  private rehearsal: Rehearsal | undefined;
  /** The rehearsal's simulated third-party APIs are installed in the suites' worker; elsewhere nothing is. */
  private workerSetupFiles: string[] = [];
  private workerPreloads: string[] = [];
  private readonly collector = new ResultCollector();
  private readonly phases: [string, number][] = [];
  private readonly notes: string[] = [];
  private readonly startedAt = new Date();
  /** `20261128T052000-prod`: in the document, the evidence, the User-Agent and test-data names. */
  private get runId(): string {
    return `${this.startedAt.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${this.opts.env}`;
  }
  private interrupted = false;
  /** Open while the suites run, when manual rows are left to ask on this terminal. */
  private prompt: ManualPrompt | undefined;
  private interruptedAt = 0;
  private graceSaid = false;
  /** The run's own audit entry, when it applies anything: started now, ended in finish(). */
  private auditEntry: AuditEntry | undefined;
  /** Selected steps whose change this run makes, once the context is built (recorded in the document for --from). */
  private applied: StepId[] = [];
  private written: Promise<{ run: RunResult; paths: WrittenDocuments; redactor: Redactor }> | undefined;
  /** Set once the owner and SHA are known: what finish() and a forced end both write. */
  private final: { write: () => Promise<unknown> } | undefined;
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
    /** Given for the local rehearsal only. */
    private readonly loadWing?: LoadRehearsalWing,
    /** --rehearse: the operator's backend checkout the rehearsal boots instead of the reference target. */
    private readonly backendDir: string | null = null,
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
      const waited = Date.now() - this.interruptedAt;
      if (waited < FORCE_AFTER_MS) {
        if (!this.graceSaid)
          this.io.err(
            `cutover: ${signal} again: still writing the NO-GO document and the audit entry (to force, send it again after ${FORCE_AFTER_MS / 1000} s)`,
          );
        this.graceSaid = true;
        return;
      }
      this.io.err(`cutover: ${signal} again after ${Math.round(waited / 1000)} s: forcing the end; a minimal NO-GO document first`);
      void this.forceEnd();
      return;
    }
    this.interrupted = true;
    this.interruptedAt = Date.now();
    const asking = this.prompt?.asking;
    const why = signal === 'SIGINT' ? ' (Ctrl-C)' : signal === 'SIGHUP' && consoleClosed() ? " (the console's output was closed)" : '';
    this.abort = `interrupted by ${signal}${why}${asking ? ` at the prompt for ${asking}` : ''}`;
    this.prompt?.interrupt();
    this.io.err(
      `\ncutover: ${this.abort}; stopping, writing the NO-GO document and cleaning up (to force, press again after ${FORCE_AFTER_MS / 1000} s)`,
    );
    this.stopRehearsalStart.abort(new Error(this.abort));
    this.inFlight.interrupt(
      this.abort,
      (doing) => this.io.err(`cutover: first ${doing}`),
      () => void this.vitest?.cancelCurrentRun('keyboard-input'),
    );
  };

  /** Still interrupted after the grace: the document (with what is known) and the audit end, then exit 1. */
  private async forceEnd(): Promise<never> {
    const bounded = (work: Promise<unknown>) =>
      Promise.race([work.catch(() => undefined), new Promise((r) => setTimeout(r, FORCED_WRITE_MS).unref())]);
    if (this.final) await bounded(this.final.write());
    process.exit(EXIT.failed);
  }

  async execute(): Promise<number> {
    // Held until the document and the audit entry are written: without them, the stack's own
    // handler would end the process by the signal half-way through the teardown.
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    for (const signal of signals) process.on(signal, this.onSignal);
    try {
      return await this.run();
    } finally {
      this.inFlight.close();
      for (const signal of signals) {
        process.off(signal, this.onSignal);
        // A burst of Ctrl-C (a terminal's repeat, a process group's signal) can outlast a run
        // that stops quickly: the rest of it must not turn the interrupted run's exit 1 into a
        // death by signal between the document and the exit.
        if (this.interrupted) process.on(signal, absorbLateSignal);
      }
    }
  }

  private async run(): Promise<number> {
    const { opts, config } = this;
    const root = PROJECT_ROOT;
    const owner = opts.owner ?? defaultOwner(root);
    const fromDeployed = opts.sha === DEPLOYED_SHA;
    // With --sha=deployed the rehearsal's build is still this checkout; the SHA is read back from its target below.
    let rcSha = defaultSha(fromDeployed ? undefined : opts.sha, isRehearsal(opts), root);
    let carried: Partial<Record<StepId, CarriedStep>> = {};
    this.final = { write: () => this.writeDocument(owner, rcSha, carried) };
    /** --from: earlier passing steps for this RC SHA (with --sha=deployed, once it is read). */
    const carry = async () => {
      if (!opts.from) return;
      const before = STEPS.filter((s) => !this.steps.includes(s.id)).map((s) => s.id);
      carried = await carryOver(config.sections.reports.dir, opts.env, rcSha, before);
      const missing = before.filter((id) => !carried[id]);
      if (missing.length)
        this.notes.push(`--from=${opts.from}: no earlier passing result for ${missing.join(', ')} with this RC SHA, so they stay NOT RUN`);
    };
    try {
      if (!isRehearsal(opts)) this.prepareVitest();
      await this.noteUnfinished();
      if (!fromDeployed) await carry();
      if (isRehearsal(opts)) {
        if (!this.loadWing) throw new Error('a local rehearsal needs the rehearsal wing (run the CLI through bin/cutover.mjs)');
        const wing = await this.loadWing();
        this.workerSetupFiles = [wing.workerSetupFile];
        this.workerPreloads = wing.workerPreloads;
        const starting = wing.startRehearsal({
          faults: opts.faults,
          stack: opts.stack ?? 'auto',
          backendDir: this.backendDir,
          sections: config.sections,
          steps: this.steps,
          buildSha: rcSha,
          log: (line) => this.io.out(line),
          signal: this.stopRehearsalStart.signal,
          timed: (phase, fn) => this.timed(phase, fn),
        });
        // After the rehearsal has begun its start: its first moves (the stack's processes) go first.
        this.prepareVitest();
        this.rehearsal = await starting;
        this.baseUrl = this.rehearsal.baseUrl;
        for (const [k, v] of Object.entries(this.rehearsal.env)) process.env[k] = v;
        this.notes.push(...this.rehearsal.notes);
        this.sections = sectionsSchema.parse(deepMerge(this.sections, this.rehearsal.overrides));
      }
      if (this.abort) throw new Error(this.abort);
      if (fromDeployed) {
        rcSha = await this.deployedRcSha();
        await carry();
      }
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
        manualPrompt: this.prompt?.url ?? null,
        previousWebhookSecretExpired: opts.previousWebhookSecretExpired,
        thirdParty: this.rehearsal ? 'simulated' : 'real',
        rehearsal: this.rehearsal?.info ?? null,
        invocation: this.invocation(rcSha),
      };
      this.applied = context.apply.filter((id) => this.steps.includes(id));
      // Steps 0 and 1 back up and migrate the database (and schema) DATABASE_URL names: say which, here and in the document.
      const database = this.steps.some((id) => id === 'preflight' || id === 'migrations')
        ? describeDatabaseUrl(process.env[this.sections.credentials.databaseUrl] ?? '')
        : '';
      if (database) this.notes.push(`Database (backup and migrations): ${database}`);
      this.io.out(
        `cutover: ${opts.env} → ${this.baseUrl} · RC ${rcSha ?? '(none given)'} · steps ${this.steps.map((id) => STEPS.find((s) => s.id === id)!.n).join(',')}` +
          `${database ? ` · database ${database}` : ''} · apply ${context.apply.length ? context.apply.map(applyName).join(',') : 'nothing'}`,
      );
      const { tagsFilter, testNamePattern } = opts.vitest;
      const names = this.sections.credentials;
      const where = { database: describeDatabaseUrl(process.env[names.databaseUrl]), bucket: process.env[names.s3.bucket] };
      for (const line of testDataPlan({ steps: this.steps, tagsFilter, testNamePattern, baseUrl: this.baseUrl, ...where }))
        this.io.out(line);
      await this.announceChanges(context, owner);
      if (this.abort) throw new Error(this.abort);
      await this.timed('steps', () => this.runVitest(context));
    } catch (error) {
      this.abort ??= `harness error: ${(error as Error).message}`;
    } finally {
      this.prompt?.close();
      await this.closeVitest();
      // Not adopted (the run ended before its first step): it must not outlive the run.
      await this.suiteThread?.dispose();
    }
    return this.finish(owner, rcSha, carried);
  }

  /**
   * --sha=deployed: the RC is what the target reports now (run.ts refused a config with no
   * source). Unreadable ends the run NO-GO at step 0: without a SHA nothing can be proven.
   */
  private async deployedRcSha(): Promise<string> {
    // Only here: the HTTP client (undici) is otherwise a load of the suites' worker alone.
    const [{ TargetClient }, { readDeployedSha }] = await Promise.all([import('../http/client'), import('../preflight/deployed-sha')]);
    const target = new TargetClient({
      baseUrl: this.baseUrl,
      timeoutMs: this.sections.http.timeoutMs,
      maxBodyBytes: this.sections.http.maxBodyBytes,
      userAgent: `${this.sections.http.userAgent} (${this.runId})`,
      redactor: redactorFor(this.sections, process.env),
    });
    let deployed: DeployedSha;
    try {
      deployed = await readDeployedSha(this.sections.preflight.deployedSha, target);
    } catch (error) {
      throw new Error(`--sha=deployed: the deployed build's SHA could not be read: ${(error as Error).message}`);
    }
    if (deployed.kind !== 'reported') throw new Error("--sha=deployed: preflight.deployedSha.source is 'none'");
    this.notes.push(`RC SHA taken from the deployed build (--sha=deployed): ${deployed.sha}, read from the ${deployed.via}.`);
    return deployed.sha;
  }

  /** Audit entries an earlier run started and never ended: said at the start and in the document. */
  private async noteUnfinished(): Promise<void> {
    const file = this.config.sections.reports.auditLog;
    const line = describeUnfinished(await unfinishedAudits(file), file);
    if (!line) return;
    const safe = redactorFor(this.sections, process.env).redact(line);
    this.io.err(`cutover: note: ${safe}`);
    this.notes.push(safe);
  }

  /**
   * What --apply changes, by identity and why that is allowed, on the console, in the document
   * and in the audit log (started now; finish() writes how it ended).
   */
  private async announceChanges(context: HarnessContext, owner: string): Promise<void> {
    if (!context.apply.length) return;
    const touches = appliedResources(context.apply, this.sections, process.env, this.baseUrl);
    // Judged again now, after start-up: the rehearsal vouching for these may have ended since.
    const permission = this.rehearsal
      ? { problems: [], because: "started by this run's local rehearsal" }
      : mutationPermission(this.opts.env, this.opts.confirm, `apply ${context.apply.map(applyName).join(',')}`, touches);
    if (permission.problems.length) throw new Error(permission.problems.join('; '));
    const line = `--apply=${context.apply.map(applyName).join(',')} changes ${describeResources(touches)} (${permission.because})`;
    const redactor = redactorFor(this.sections, process.env);
    this.io.out(redactor.redact(`cutover: ${line}`));
    this.notes.push(`Changed by this run: ${line}.`);
    this.auditEntry = {
      id: auditId(),
      script: 'cutover',
      env: this.opts.env,
      owner,
      args: process.argv.slice(2),
      outcome: 'started',
      touches,
      summary: { runId: this.runId },
    };
    await audit(this.sections.reports.auditLog, this.auditEntry, redactor);
  }

  /**
   * Manual rows the flags and the rehearsal leave open are asked at the check they belong to,
   * on this terminal: the prompt is opened here, and a check posts to it (lib/manual-rows.ts).
   */
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
    this.prompt = await ManualPrompt.start(owner, () => this.onSignal('SIGINT'));
    return manual;
  }

  /**
   * Vitest is created and its worker started while the rehearsal boots (about a second of module
   * loading on each side), so the first step starts as soon as the target answers. The worker
   * waits in its first setup file until runVitest hands it the context and the env, which only
   * the started rehearsal knows (lib/handover.ts).
   */
  private prepareVitest(): void {
    if (this.vitestReady) return;
    const files = STEPS.filter((s) => this.steps.includes(s.id))
      .map((s) => path.join(PROJECT_ROOT, s.file))
      .filter((f) => existsSync(f));
    // Against a running target, the suites' thread loads its side meanwhile (lib/runner/suite-thread.ts).
    // A rehearsal's worker already loads while the stack boots: a thread more then only slowed the boot.
    this.suiteThread = isRehearsal(this.opts) ? undefined : SuiteThread.start(expectedExecArgv());
    this.vitestReady = (async () => {
      // Vitest's Node API is the largest import of a run: it loads while the rehearsal boots.
      const { createVitest, ThreadsPoolWorker } = await import('vitest/node');
      const before = new Map((['SIGINT', 'SIGTERM'] as const).map((signal) => [signal, new Set(process.listeners(signal))]));
      const creating = createVitest(
        'test',
        {
          root: PROJECT_ROOT,
          config: false,
          watch: false,
          bail: 1,
          // The in-flight watch holds a signal's cancel until the running check has reported.
          reporters: [
            this.collector,
            this.console,
            {
              onTestCaseReady: (testCase) => this.inFlight.checkStarted(testCase.id, testCase.name),
              onTestCaseResult: (testCase) => this.inFlight.reported(testCase.id),
            },
          ],
          provide: { harnessHandover: this.handover.name, harnessPreloads: this.workerPreloads },
          tagsFilter: this.opts.vitest.tagsFilter.length ? this.opts.vitest.tagsFilter : undefined,
          testNamePattern: this.opts.vitest.testNamePattern,
          passWithNoTests: true,
          setupFiles: [path.join(PROJECT_ROOT, 'lib/worker-preload.ts'), ...this.workerSetupFiles],
        },
        { test: { ...runbookTestConfig, pool: suitePool(ThreadsPoolWorker, this.suiteThread) } },
      );
      // Vitest's own Ctrl-C handler exits the process within a millisecond (exit 130, no
      // document); ours must cancel the run, write the NO-GO document and stop the rehearsal
      // first. Vitest adds it synchronously as createVitest starts, and the rest of the creation
      // takes a few hundred ms while the rehearsal boots: it goes now, before any signal can land.
      for (const [signal, had] of before) {
        for (const listener of process.listeners(signal))
          if (!had.has(listener) && listener !== this.onSignal) process.off(signal, listener);
      }
      const vitest = await creating;
      this.vitest = vitest;
      return vitest;
    })();
    this.vitestRun = this.vitestReady.then((vitest) => (this.interrupted ? undefined : vitest.start(files)));
    this.vitestRun.catch(() => undefined); // awaited, and its error reported, in runVitest
  }

  /** Ends Vitest once: a worker still waiting for the hand-over is told the run ended first. */
  private async closeVitest(): Promise<void> {
    if (!this.vitestReady || this.vitestClosed) return;
    this.vitestClosed = true;
    if (!this.handover.sent) {
      void this.vitest?.cancelCurrentRun('keyboard-input');
      this.handover.send({ kind: 'abort', reason: this.abort ?? 'the run ended' });
    }
    await this.vitestRun?.catch(() => undefined);
    const vitest = await this.vitestReady.catch(() => undefined);
    await vitest?.close();
    this.handover.close();
  }

  private async runVitest(context: HarnessContext): Promise<void> {
    this.console.redactWith(redactorFor(this.sections, process.env));
    this.prepareVitest();
    // The rehearsal's stack installs its own handlers as it starts: only ours may see a signal now.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(signal)) if (listener !== this.onSignal) process.off(signal, listener);
    }
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    try {
      await this.vitestReady;
      if (!this.interrupted) this.handover.send({ kind: 'go', context, env });
      await this.vitestRun;
    } catch (error) {
      this.abort ??= `Vitest could not run the suites: ${(error as Error).message.split('\n')[0]}`;
    } finally {
      await this.closeVitest();
    }
    if (!this.collector.ended) this.abort ??= 'the test run ended without reporting its results (see the console above)';
    if (this.collector.unhandled.length) this.abort ??= `an error outside any check: ${this.collector.unhandled[0]}`;
  }

  /** The document and the run's audit end entry, written once (a forced end waits on the same write). */
  private writeDocument(owner: string, rcSha: string | null, carried: Partial<Record<StepId, CarriedStep>>) {
    this.written ??= this.writeOnce(owner, rcSha, carried);
    return this.written;
  }

  /** The flags a printed hint repeats; the SHA as resolved, since --from carries only results of the same SHA. */
  private invocation(rcSha: string | null): Invocation {
    const { env, config, envSnapshot, baseUrl } = this.opts;
    return { env, config, sha: rcSha ?? undefined, envSnapshot, baseUrl };
  }

  /** Entries this run's children started and could not end (a worker killed by the same signal) end as interrupted too. */
  private async writeOnce(owner: string, rcSha: string | null, carried: Partial<Record<StepId, CarriedStep>>) {
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
        backend: this.sections.backend.name,
        notes: this.notes,
        invocation: this.invocation(rcSha),
        applied: this.applied,
      },
      selected: this.steps,
      selectionNote: this.selectionNote,
      tests: this.collector.tests,
      suiteTestData: this.collector.suiteTestData,
      abort: this.abort,
      carried,
    };
    const run = buildRun(raw);
    const redactor = redactorFor(this.sections, process.env);
    const auditLog = this.sections.reports.auditLog;
    const ended = async () => {
      if (this.interrupted)
        await endInterrupted(
          auditLog,
          orphanedSince(this.startedAt, this.auditEntry?.id),
          `the interrupted run ${this.runId}: its writer was gone`,
          redactor,
        );
      if (this.auditEntry) {
        const outcome = this.interrupted ? 'interrupted' : run.decision === 'NO-GO' ? 'failed' : 'done';
        await audit(
          auditLog,
          { ...this.auditEntry, outcome, summary: { runId: this.runId, decision: run.decision, reason: run.reason } },
          redactor,
        );
      }
    };
    const [paths] = await Promise.all([
      writeDocuments(run, path.resolve(this.sections.reports.dir), redactor),
      ended().catch(() => undefined),
    ]);
    return { run, paths, redactor };
  }

  private async finish(owner: string, rcSha: string | null, carried: Partial<Record<StepId, CarriedStep>>): Promise<number> {
    const started = Date.now();
    const { run, paths, redactor } = await this.writeDocument(owner, rcSha, carried);
    this.phases.push(['document', Date.now() - started]);
    if (this.rehearsal) await this.timed('teardown', () => this.rehearsal!.stop());

    const say = (line: string) => this.io.out(redactor.redact(line));
    say('');
    say(`Decision: ${colourDecision(run.decision, colours())} — ${run.reason}`);
    if (run.blocking) {
      say(`Blocked at Step ${run.blocking.stepN} — ${run.blocking.stepTitle}: ${run.blocking.check}`);
      say(`  ${run.blocking.error.split('\n')[0]}`);
      const plan = rollbackPlan(run.blocking);
      say(`  ${plan.heading}`);
      for (const line of plan.lines) say(`    ${line}`);
      say(`  Resume after the fix: ${resumeHint(run.meta.invocation ?? this.invocation(rcSha), run.blocking.stepN)}`);
    }
    // In GitHub Actions each failing check is also an annotation on the run (Vitest's github-actions style).
    if (process.env.GITHUB_ACTIONS === 'true') for (const line of renderAnnotations(run)) say(line);
    say(`Document: ${path.relative(process.cwd(), paths.markdown)} (+ .json, .html, junit.xml; copied to latest-${run.meta.env}.*)`);
    say(`Phases: ${this.phases.map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(' · ')}`);
    return run.decision === 'NO-GO' ? EXIT.failed : EXIT.ok;
  }
}
