/**
 * Writes a measure's method and numbers into docs/benchmarks.md, between its markers
 * (`<!-- bench:<name> -->` … `<!-- /bench:<name> -->`), replacing what an earlier run wrote
 * there; a measure not in the file yet is appended. Hand-written text outside markers stays.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { markdownTable, ROOT, type BenchSection } from './measure';

export const BENCHMARKS_DOC = path.join(ROOT, 'docs/benchmarks.md');

export function renderSection(s: BenchSection, recorded: string): string {
  return [
    `<!-- bench:${s.name} -->`,
    `## ${s.title}`,
    '',
    s.method,
    '',
    `Recorded ${recorded}.`,
    '',
    markdownTable(s.header, s.rows),
    ...(s.notes?.length ? ['', ...s.notes] : []),
    `<!-- /bench:${s.name} -->`,
  ].join('\n');
}

export function replaceSection(doc: string, name: string, block: string): string {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from === -1 || to < from) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, from) + block + doc.slice(to + end.length);
}

export async function writeSections(sections: readonly BenchSection[], recorded: string, file = BENCHMARKS_DOC): Promise<void> {
  let doc = await readFile(file, 'utf8');
  for (const s of sections) doc = replaceSection(doc, s.name, renderSection(s, recorded));
  await writeFile(file, doc);
}
