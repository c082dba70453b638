// --list answers from a cache that must never serve a listing older than the sources it lists.
import { mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { cachedListing } from '../../lib/cli/listing-cache';
import { tempDir } from '../support/run-harness';

async function project(): Promise<string> {
  const root = await tempDir('cutover-listing');
  await mkdir(path.join(root, 'suites'));
  await writeFile(path.join(root, 'suites/0-preflight.test.ts'), "test('a', () => {});\n");
  await writeFile(path.join(root, 'cutover.config.ts'), 'export default {};\n');
  return root;
}

describe('the --list cache', () => {
  test('a second listing with no source changed is served without collecting again', async () => {
    const root = await project();
    let made = 0;
    const compute = async () => ({ n: ++made });
    expect(await cachedListing(root, compute, () => true)).toEqual({ n: 1 });
    expect(await cachedListing(root, compute, () => true)).toEqual({ n: 1 });
    expect(made).toBe(1);
  });

  test('a suite or the config changed since: collected again', async () => {
    const root = await project();
    let made = 0;
    const compute = async () => ({ n: ++made });
    await cachedListing(root, compute, () => true);
    const later = new Date(Date.now() + 5_000);
    await utimes(path.join(root, 'suites/0-preflight.test.ts'), later, later);
    expect(await cachedListing(root, compute, () => true)).toEqual({ n: 2 });
    await writeFile(path.join(root, 'cutover.config.ts'), 'export default { changed: true };\n');
    expect(await cachedListing(root, compute, () => true)).toEqual({ n: 3 });
    await writeFile(path.join(root, 'suites/8-new.test.ts'), "test('b', () => {});\n");
    expect(await cachedListing(root, compute, () => true)).toEqual({ n: 4 });
  });

  test('checkouts sharing one node_modules (linked worktrees) each keep their own listing', async () => {
    const shared = await tempDir('cutover-listing-modules');
    const [first, second] = [await project(), await project()];
    for (const root of [first, second]) await symlink(shared, path.join(root, 'node_modules'));
    let made = 0;
    const compute = async () => ({ n: ++made });
    await cachedListing(first, compute, () => true);
    await cachedListing(second, compute, () => true);
    expect(await cachedListing(first, compute, () => true)).toEqual({ n: 1 });
    expect(await cachedListing(second, compute, () => true)).toEqual({ n: 2 });
  });

  test('a listing with errors is not kept: the next --list collects again and reports them again', async () => {
    const root = await project();
    let made = 0;
    const compute = async () => ({ errors: [`broken ${++made}`] });
    await cachedListing(root, compute, (v) => v.errors.length === 0);
    expect(await cachedListing(root, compute, (v) => v.errors.length === 0)).toEqual({ errors: ['broken 2'] });
  });
});
