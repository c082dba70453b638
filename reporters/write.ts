import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redactor } from '../lib/secrets/redactor';
import type { RunResult } from './model';
import { renderHtml } from './render-html';
import { renderJson } from './render-json';
import { renderJunit } from './render-junit';
import { renderMarkdown } from './render-markdown';
import { actionsRunUrl, renderStepSummary } from './render-step-summary';

export interface WrittenDocuments {
  markdown: string;
  json: string;
  html: string;
  junit: string;
}

/** `20261128T052000Z`: sorts, and is safe in file names. */
export function fileStamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Renders and writes every artifact, each passed through the redactor as the last step; then
 * `latest-<env>.{md,json,html}`, copies rather than links so they open the same on every system.
 */
export async function writeDocuments(run: RunResult, dir: string, redactor: Redactor): Promise<WrittenDocuments> {
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, `${fileStamp(run.meta.finishedAt)}-${run.meta.env}`);
  const paths = {
    markdown: `${base}-go-no-go.md`,
    json: `${base}-go-no-go.json`,
    html: `${base}-go-no-go.html`,
    junit: `${base}-junit.xml`,
  };
  const json = redactor.redact(renderJson(run));
  const safe = redactedRun(json) ?? run;
  const texts = {
    markdown: redactor.redact(renderMarkdown(safe)),
    json,
    html: redactor.redact(renderHtml(safe)),
    junit: redactor.redact(renderJunit(safe)),
  };
  for (const kind of ['markdown', 'json', 'html', 'junit'] as const) await writeFile(paths[kind], texts[kind]);
  const latest = path.join(dir, `latest-${run.meta.env}`);
  for (const [kind, ext] of [
    ['markdown', 'md'],
    ['json', 'json'],
    ['html', 'html'],
  ] as const)
    await replace(`${latest}.${ext}`, texts[kind]);
  if (process.env.GITHUB_STEP_SUMMARY) {
    const links = { document: path.relative(process.cwd(), paths.markdown), runUrl: actionsRunUrl(process.env) };
    await appendFile(process.env.GITHUB_STEP_SUMMARY, redactor.redact(renderStepSummary(safe, links)));
  }
  return paths;
}

/**
 * The run as its redacted JSON has it. The other documents render from this: escaping (HTML,
 * XML) and the Mermaid names rewrite text, and a secret holding `&`, `<` or `:` would come out
 * in a form the redactor does not know. The JSON-escaped form it does know.
 */
function redactedRun(json: string): RunResult | null {
  try {
    return JSON.parse(json) as RunResult;
  } catch {
    return null;
  }
}

/** Written beside and renamed over: a reader (or a run that dies midway) never sees half a file. */
async function replace(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}
