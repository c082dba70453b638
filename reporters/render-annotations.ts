import { stripVTControlCharacters } from 'node:util';
import type { RunResult } from './model';
import { STEPS } from '../lib/runbook/catalogue';

// The workflow-command encoding GitHub documents, as Vitest's github-actions reporter writes it.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** The step's suite file: GitHub links an annotation to it. */
const stepFile = (stepN: number) => STEPS.find((s) => s.n === stepN)?.file;

function annotation(properties: Record<string, string | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  return `::error ${props}::${escapeData(stripVTControlCharacters(message))}`;
}

/**
 * Pure: one `::error` workflow command per failing check (GitHub shows it on the run and the
 * file); a run that stopped outside any check (a crash, Ctrl-C) gets one for its reason.
 */
export function renderAnnotations(run: RunResult): string[] {
  const lines = run.steps.flatMap((step) =>
    step.checks
      .filter((check) => check.state === 'failed')
      .map((check) =>
        annotation(
          { file: stepFile(step.n), title: `Step ${step.n} — ${check.checkId ? `${check.checkId}: ` : ''}${check.name}` },
          check.errors.join('\n') || 'failed',
        ),
      ),
  );
  if (!lines.length && run.blocking) {
    const b = run.blocking;
    lines.push(annotation({ file: stepFile(b.stepN), title: `Step ${b.stepN} — ${b.check}` }, b.error));
  }
  return lines;
}
