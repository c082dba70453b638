import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { TestAnnotation } from 'vitest';
import { attestedNotVerified, decode, EVIDENCE } from '../lib/evidence-codec';
import { colours, type Colours } from './colour';
import { stepForFile } from '../lib/runbook/catalogue';
import type { Redactor } from '../lib/secrets/redactor';
import { harnessMessage } from './error-text';
import { leftOutNote } from './vitest-adapter';

type Write = (line: string) => void;

const PROGRESS_EVERY_MS = 5_000;

/** Live progress: each step as it starts, each check as it ends, waits as they poll. Redacted. */
export class ConsoleReporter implements Reporter {
  constructor(
    private redactor: Redactor,
    private readonly write: Write = (line) => process.stdout.write(`${line}\n`),
    private readonly colour: Colours = colours(),
  ) {}

  /** The run's secrets are all known only once the rehearsal has started, after Vitest was created. */
  redactWith(redactor: Redactor): void {
    this.redactor = redactor;
  }

  private say(line: string): void {
    this.write(this.redactor.redact(line));
  }

  private announced = new Set<string>();

  /**
   * The step's header is printed as its first check starts (the operator sees which step is
   * under way while that check waits), or with its first result: after a failure, bail still
   * hands Vitest's later files over with every check pending (never run), and a header for
   * them would suggest otherwise.
   */
  private announce(module: TestModule): void {
    if (this.announced.has(module.moduleId)) return;
    this.announced.add(module.moduleId);
    const step = stepForFile(module.moduleId);
    this.say(this.colour.bold(step ? `\n▶ Step ${step.n} — ${step.title}` : `\n▶ ${module.moduleId}`));
  }

  private lastProgress = new Map<string, number>();

  /** A poll can attempt every second for minutes: show the first attempt, then one line per 5 s. */
  onTestCaseAnnotate(testCase: TestCase, annotation: TestAnnotation): void {
    if (annotation.type !== EVIDENCE.progress) return;
    this.announce(testCase.module);
    const now = Date.now();
    const last = this.lastProgress.get(testCase.id);
    if (last !== undefined && now - last < PROGRESS_EVERY_MS) return;
    this.lastProgress.set(testCase.id, now);
    this.say(`    … ${annotation.message}`);
  }

  onTestCaseReady(testCase: TestCase): void {
    this.announce(testCase.module);
  }

  onTestCaseResult(testCase: TestCase): void {
    const result = testCase.result();
    // Stopped by the first failure: the document lists them as NOT RUN; the console stays short.
    if (result.state === 'pending') return;
    this.announce(testCase.module);
    const ms = Math.round(testCase.diagnostic()?.duration ?? 0);
    const na = testCase.annotations().find((a) => a.type === EVIDENCE.notApplicable);
    const notRun = testCase.annotations().find((a) => a.type === EVIDENCE.notRun)?.message ?? leftOutNote(testCase);
    if (result.state === 'passed') {
      // A tick alone would overstate a row that passed on the operator's word.
      const attested = testCase.annotations().flatMap((a) => {
        const decoded = a.type === EVIDENCE.attested ? decode(a) : null;
        return decoded?.ok && decoded.record.type === 'attested' ? [attestedNotVerified(decoded.record.what)] : [];
      });
      this.say(`  ${this.colour.green('✓')} ${testCase.name}${attested.map((a) => ` — ${a}`).join('')} ${this.colour.dim(`(${ms} ms)`)}`);
    } else if (result.state === 'failed') {
      this.say(`  ${this.colour.red('✗')} ${testCase.name} ${this.colour.dim(`(${ms} ms)`)}`);
      for (const error of result.errors ?? []) {
        for (const line of harnessMessage(error).split('\n').slice(0, 12)) this.say(`      ${line}`);
      }
    } else if (na) this.say(`  - ${testCase.name}: N/A (${na.message})`);
    else if (notRun) this.say(`  ↓ ${testCase.name}: NOT RUN (${notRun})`);
    else this.say(`  ↓ ${testCase.name}: skipped${result.note ? ` (${result.note})` : ''}`);
  }

  onUserConsoleLog(log: { content: string; type: 'stdout' | 'stderr' }): void {
    for (const line of log.content.trimEnd().split('\n')) this.say(`    | ${line}`);
  }
}
