import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redactor } from '../lib/secrets/redactor';
import type { RunResult } from './model';
import { renderJson } from './render-json';
import { renderJunit } from './render-junit';
import { renderMarkdown } from './render-markdown';
import { actionsRunUrl, renderStepSummary } from './render-step-summary';

export interface WrittenDocuments {
  markdown: string;
  json: string;
  junit: string;
}

/** `20261128T052000Z`: sorts, and is safe in file names. */
export function fileStamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Renders and writes every artifact, each passed through the redactor as the last step. */
export async function writeDocuments(run: RunResult, dir: string, redactor: Redactor): Promise<WrittenDocuments> {
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, `${fileStamp(run.meta.finishedAt)}-${run.meta.env}`);
  const paths = { markdown: `${base}-go-no-go.md`, json: `${base}-go-no-go.json`, junit: `${base}-junit.xml` };
  const markdown = redactor.redact(renderMarkdown(run));
  await writeFile(paths.markdown, markdown);
  await writeFile(paths.json, redactor.redact(renderJson(run)));
  await writeFile(paths.junit, redactor.redact(renderJunit(run)));
  if (process.env.GITHUB_STEP_SUMMARY) {
    const links = { document: path.relative(process.cwd(), paths.markdown), runUrl: actionsRunUrl(process.env) };
    await appendFile(process.env.GITHUB_STEP_SUMMARY, redactor.redact(renderStepSummary(run, links)));
  }
  return paths;
}
