// lib/preflight/deployed-sha.ts against a real HTTP server and real shell commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDeployedSha, readDeployedSha, sameCommit } from '../../lib/preflight/deployed-sha';
import { Redactor } from '../../lib/secrets/redactor';
import { TargetClient } from '../../lib/http/client';
import { tinyTarget } from '../support/tiny-target';

const RC = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
let server: Awaited<ReturnType<typeof tinyTarget>>;
let target: TargetClient;

beforeAll(async () => {
  server = await tinyTarget({
    'GET /healthz': () => ({ body: { ok: true }, headers: { 'X-Release-Sha': RC } }),
    'GET /bare': () => ({ body: { ok: true } }),
    'GET /garbled': () => ({ body: { ok: true }, headers: { 'X-Release-Sha': 'v1.2.3' } }),
    'GET /version': () => ({ body: { build: { sha: RC.slice(0, 7) } } }),
    'GET /version-broken': () => ({ status: 500, body: { error: 'boom' } }),
  });
  target = new TargetClient({ baseUrl: server.url, timeoutMs: 2_000, userAgent: 'selftest', redactor: new Redactor() });
});
afterAll(() => server.close());

describe('sameCommit', () => {
  it('matches a short SHA to the full one it abbreviates, case-insensitively', () => {
    expect(sameCommit(RC.slice(0, 7), RC)).toBe(true);
    expect(sameCommit(RC.toUpperCase(), RC)).toBe(true);
  });
  it('does not match other commits, too-short prefixes or non-SHAs', () => {
    expect(sameCommit('b1b2c3d', RC)).toBe(false);
    expect(sameCommit('a1b2c3', RC)).toBe(false);
    expect(sameCommit('', RC)).toBe(false);
  });
});

describe('readDeployedSha', () => {
  it('reads the header the config names', async () => {
    await expect(readDeployedSha({ source: 'header', header: 'X-Release-Sha', path: '/healthz' }, target)).resolves.toMatchObject({
      kind: 'reported',
      sha: RC,
    });
  });
  it('fails when the header is missing or is not a SHA', async () => {
    await expect(readDeployedSha({ source: 'header', header: 'X-Release-Sha', path: '/bare' }, target)).rejects.toThrow(
      /without a X-Release-Sha header/,
    );
    await expect(readDeployedSha({ source: 'header', header: 'X-Release-Sha', path: '/garbled' }, target)).rejects.toThrow(
      /not a commit SHA/,
    );
  });
  it('reads a dotted field of a JSON route, and fails on a non-200', async () => {
    await expect(readDeployedSha({ source: 'route', path: '/version', field: 'build.sha' }, target)).resolves.toMatchObject({
      sha: RC.slice(0, 7),
    });
    await expect(readDeployedSha({ source: 'route', path: '/version', field: 'build.commit' }, target)).rejects.toThrow(
      /no string field "build.commit"/,
    );
    await expect(readDeployedSha({ source: 'route', path: '/version-broken', field: 'build.sha' }, target)).rejects.toThrow(/answered 500/);
  });
  it('takes the first SHA a platform command prints; a failing, silent or slow command is an error', async () => {
    await expect(
      readDeployedSha({ source: 'command', command: `echo "deployment ok, commit ${RC}"`, timeoutMs: 5_000 }, target),
    ).resolves.toMatchObject({ sha: RC });
    await expect(readDeployedSha({ source: 'command', command: 'echo nope >&2; exit 3', timeoutMs: 5_000 }, target)).rejects.toThrow(
      /exited with code 3: nope/,
    );
    await expect(readDeployedSha({ source: 'command', command: 'echo no sha here', timeoutMs: 5_000 }, target)).rejects.toThrow(
      /printed no commit SHA/,
    );
    await expect(readDeployedSha({ source: 'command', command: 'sleep 30', timeoutMs: 300 }, target)).rejects.toThrow(
      /did not finish within/,
    );
  });
  it("says 'unknown' for source none rather than inventing a SHA", async () => {
    await expect(readDeployedSha({ source: 'none' }, target)).resolves.toEqual({ kind: 'unknown' });
  });
});

describe('checkDeployedSha (A.rc-sha)', () => {
  const header = { source: 'header', header: 'X-Release-Sha', path: '/healthz' } as const;
  it('passes when the deployed build is the RC', async () => {
    const check = await checkDeployedSha(RC, header, target);
    expect(check.problems).toEqual([]);
    expect(check.value).toContain(`deployed build reports ${RC}`);
  });
  it('fails naming both SHAs when another build is deployed', async () => {
    const other = 'ffffffffffffffffffffffffffffffffffffffff';
    const check = await checkDeployedSha(other, header, target);
    expect(check.problems.join()).toContain(`reports ${RC}`);
    expect(check.problems.join()).toContain(`not the RC SHA ${other}`);
  });
  it('fails without an RC SHA or with a malformed one', async () => {
    expect((await checkDeployedSha(null, header, target)).problems.join()).toMatch(/pass --sha/);
    expect((await checkDeployedSha('main', header, target)).problems.join()).toMatch(/not a commit SHA/);
  });
  it('records the RC SHA as operator-attested where the target exposes none', async () => {
    const check = await checkDeployedSha(RC, { source: 'none' }, target);
    expect(check).toMatchObject({ problems: [], attested: true });
    expect(check.value).toBe(`${RC} (operator-attested: the target exposes no build SHA)`);
  });
  it('fails closed when the target does not answer', async () => {
    const dead = new TargetClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 1_000, userAgent: 'selftest', redactor: new Redactor() });
    expect((await checkDeployedSha(RC, header, dead)).problems).toHaveLength(1);
  });
});
