// A clone is all an operator or CI has: no tracked file may lean on a document outside the
// repository, and no relative link in the Markdown may point at a file that is not there.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../support/run-harness';

interface Tracked {
  path: string;
  text: string;
}

// Spelled in pieces so this file does not trip its own check.
const OUTSIDE = ['..', 'shared', ''].join('/');

/** Markdown links `[text](target)` outside fenced code blocks, with their line numbers. */
function markdownLinks(text: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) return;
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push({ line: i + 1, target: m[1]! });
  });
  return links;
}

/** One line per reference that would break in a clone. Paths are relative to the repository root. */
function referenceProblems(files: Tracked[], exists: (relative: string) => boolean): string[] {
  const problems: string[] = [];
  for (const file of files) {
    file.text.split('\n').forEach((line, i) => {
      if (line.includes(OUTSIDE)) problems.push(`${file.path}:${i + 1}: refers to ${OUTSIDE}, outside the repository`);
    });
    if (!file.path.endsWith('.md')) continue;
    for (const { line, target } of markdownLinks(file.text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
      const bare = decodeURIComponent(target.split('#')[0]!);
      const resolved = path.posix.normalize(bare.startsWith('/') ? bare.slice(1) : path.posix.join(path.posix.dirname(file.path), bare));
      if (resolved.startsWith('..')) problems.push(`${file.path}:${line}: links to ${target}, outside the repository`);
      else if (!exists(resolved)) problems.push(`${file.path}:${line}: links to ${target}, which does not exist`);
    }
  }
  return problems;
}

function trackedFiles(): Tracked[] {
  const r = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  return r.stdout
    .split('\0')
    .filter((p) => p && !p.startsWith('node_modules/') && existsSync(path.join(ROOT, p)))
    .map((p) => ({ path: p, text: readFileSync(path.join(ROOT, p), 'utf8') }))
    .filter((f) => !f.text.includes('\0'));
}

describe('references in the repository', () => {
  test('no tracked file refers outside the repository, and every relative Markdown link resolves', () => {
    expect(referenceProblems(trackedFiles(), (p) => existsSync(path.join(ROOT, p)))).toEqual([]);
  });

  test('the check names a reference outside the repository, a missing link target and a link that leaves it', () => {
    const files: Tracked[] = [
      { path: 'lib/x.ts', text: `// defaults follow ${OUTSIDE}contract/target-contract.md\n` },
      {
        path: 'docs/a.md',
        text: [
          'See [b](b.md), [b again](./b.md#part), [top](#top), [web](https://example.com) and [gone](missing.md).',
          '[Escapes](../../elsewhere/contract.md)',
          '```',
          '[in a code block](not-checked.md)',
          '```',
        ].join('\n'),
      },
    ];
    expect(referenceProblems(files, (p) => p === 'docs/b.md')).toEqual([
      `lib/x.ts:1: refers to ${OUTSIDE}, outside the repository`,
      'docs/a.md:1: links to missing.md, which does not exist',
      'docs/a.md:2: links to ../../elsewhere/contract.md, outside the repository',
    ]);
  });
});
