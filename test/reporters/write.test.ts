import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Redactor } from '../../lib/secrets/redactor';
import { buildRun } from '../../reporters/build';
import { writeDocuments } from '../../reporters/write';
import { tempDir } from '../support/run-harness';
import { greenTests, rawRun, rawTest } from './fixtures';

describe('writing the documents', () => {
  test('each run writes md, json, html and junit; latest-<env>.* are copies of the newest run, other environments untouched', async () => {
    const dir = await tempDir('cutover-write');
    const redactor = new Redactor(['s3cr3t-value']);
    const first = buildRun(rawRun(greenTests()));
    const second = buildRun(rawRun([rawTest('preflight', 'ci s3cr3t-value', ['A.ci-green'], 'failed')]));
    second.meta = { ...second.meta, finishedAt: '2026-11-28T02:00:00.000Z' };
    const other = buildRun(rawRun(greenTests()));
    other.meta = { ...other.meta, env: 'production' };

    await writeDocuments(first, dir, redactor);
    await writeDocuments(other, dir, redactor);
    const paths = await writeDocuments(second, dir, redactor);

    for (const [kind, ext] of [
      ['markdown', 'md'],
      ['json', 'json'],
      ['html', 'html'],
    ] as const) {
      const latest = await readFile(path.join(dir, `latest-staging.${ext}`), 'utf8');
      expect(latest, ext).toBe(await readFile(paths[kind], 'utf8'));
      expect(latest, ext).not.toContain('s3cr3t-value');
    }
    expect(await readFile(path.join(dir, 'latest-production.md'), 'utf8')).toContain('# Go/No-Go — production — GO');
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('-staging-go-no-go.html'))).toHaveLength(2);
  });

  test('a secret that escaping would rewrite (& < > " \' :) is redacted before any document escapes it', async () => {
    const dir = await tempDir('cutover-write');
    const secret = `p&ss<wo>rd"it's:x`;
    const redactor = new Redactor([secret]);
    const run = buildRun(
      rawRun([
        rawTest('preflight', `sha ${secret}`, ['A.rc-sha'], 'passed', { evidence: [{ type: 'note', text: `token ${secret}` }] }),
        rawTest('preflight', 'ci', ['A.ci-green'], 'failed', { errors: [`answered ${secret}`] }),
      ]),
    );
    await writeDocuments(run, dir, redactor);
    const forms = [secret, 'p&amp;ss&lt;wo&gt;rd&quot;it&#39;s', 'p&amp;ss&lt;wo&gt;rd&quot;it&apos;s', 'p&ss<wo>rd"it\'s x', 'wo&gt;rd'];
    for (const file of await readdir(dir)) {
      const text = await readFile(path.join(dir, file), 'utf8');
      for (const form of forms) expect(text, `${file} holds ${form}`).not.toContain(form);
    }
  });
});
