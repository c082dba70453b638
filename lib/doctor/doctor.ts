import type { LoadedConfig } from '../config/load';
import { EXIT, type Io } from '../command/exit';
import { loadTargetEnv } from '../env-rules/target-env';
import { redactorFor } from '../secrets/known';
import { configGaps } from './gaps';
import { checkSources, type SourceResult } from './sources';

export interface DoctorInput {
  config: LoadedConfig;
  /** The base URL (--base-url or the environment's), or why there is none. */
  baseUrl: { url?: string; problem?: string };
  io: Io;
  env?: NodeJS.ProcessEnv;
}

export interface DoctorReport {
  gaps: string[];
  sources: SourceResult[];
}

/**
 * What a run will need and whether each source answers, without running a step or writing
 * anything: the gaps (settings and variables unset, each naming where to set it), then one
 * read-only question to every source.
 */
export async function diagnose(input: Omit<DoctorInput, 'io'>): Promise<DoctorReport> {
  const env = input.env ?? process.env;
  const { config } = input;
  const gaps = [
    ...(input.baseUrl.problem ? [input.baseUrl.problem] : []),
    ...loadTargetEnv(config.sections, env).problems.map((p) => `${p} (env.snapshotFile or --env-snapshot)`),
    ...configGaps(config, env),
  ];
  const redactor = redactorFor(config.sections, env);
  const sources = await checkSources({ config, baseUrl: input.baseUrl.url, redactor, env });
  return { gaps, sources };
}

const MARK = { ok: '✓', failed: '✗', off: '–' } as const;

export function formatDoctor(report: DoctorReport, config: LoadedConfig): string[] {
  const width = Math.max(...report.sources.map((s) => s.name.length));
  const failed = report.sources.filter((s) => s.state === 'failed').length;
  const lines = [
    `cutover doctor: ${config.env} (config ${config.path}, env file .env.${config.env}, env snapshot ${config.sections.env.snapshotFile ?? 'none'}); nothing run, nothing written`,
    'Sources:',
    ...report.sources.map((s) => `  ${MARK[s.state]} ${s.name.padEnd(width)}  ${s.detail}`),
  ];
  if (report.gaps.length) lines.push(`Gaps (${report.gaps.length}), each with what to set:`, ...report.gaps.map((g) => `  - ${g}`));
  lines.push(
    !report.gaps.length && !failed
      ? 'Doctor: no gap; every configured source answered.'
      : `Doctor: ${report.gaps.length} gap(s); ${failed} source(s) marked ✗ (not answering, or not set).`,
  );
  return lines;
}

/** `npm run doctor`: 0 when nothing is missing and every source answers, else 1. */
export async function runDoctor(input: DoctorInput): Promise<number> {
  const env = input.env ?? process.env;
  const report = await diagnose(input);
  const redactor = redactorFor(input.config.sections, env);
  for (const line of formatDoctor(report, input.config)) input.io.out(redactor.redact(line));
  return report.gaps.length || report.sources.some((s) => s.state === 'failed') ? EXIT.failed : EXIT.ok;
}
