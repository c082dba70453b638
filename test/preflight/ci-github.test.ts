// lib/preflight/ci-github.ts against the rehearsal's simulated GitHub (rehearsal/thirdparty/github.ts), through msw.
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { githubHandlers } from '../../rehearsal/thirdparty/github';
import type { SandboxOptions } from '../../lib/context';
import { ciProblems, githubCiStatus, type GithubCiOptions } from '../../lib/preflight/ci-github';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const TOKEN = 'ghp_selftestTokenForTheSimulatedGitHub0001';

function sandbox(faults: string[] = []): SandboxOptions {
  return {
    faults,
    targetBaseUrl: 'http://127.0.0.1:1',
    stripeSecretKey: 'sk_test_unused',
    githubToken: TOKEN,
    sentryToken: 'unused',
    githubRepo: 'example/backend',
    rcSha: SHA,
    startedAt: '2026-11-28T01:00:00.000Z',
  };
}

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const options = (over: Partial<GithubCiOptions> = {}): GithubCiOptions => ({
  apiUrl: 'https://api.github.com',
  repo: 'example/backend',
  sha: SHA,
  token: TOKEN,
  timeoutMs: 2_000,
  userAgent: 'selftest',
  ...over,
});

describe('CI green on the RC SHA', () => {
  it('is green when every status and check run passed, and links to the checks page', async () => {
    server.use(...githubHandlers(sandbox()));
    const result = await githubCiStatus(options());
    expect(ciProblems(result, SHA)).toEqual([]);
    expect(result.link).toBe(`https://github.com/example/backend/commit/${SHA}/checks`);
    expect(result.checks.map((c) => c.name)).toEqual(['ci/deploy-preview', 'lint', 'typecheck', 'test (node 20)', 'build', 'docs preview']);
  });

  it('follows GitHub\'s pages (Link rel="next") to the last check run', async () => {
    server.use(...githubHandlers(sandbox()));
    const result = await githubCiStatus(options({ perPage: 2 }));
    expect(result.checks.filter((c) => c.kind === 'check run')).toHaveLength(5);
  });

  it('names each failed check', async () => {
    server.use(...githubHandlers(sandbox(['ci-failing'])));
    const problems = ciProblems(await githubCiStatus(options()), SHA);
    expect(problems).toEqual([expect.stringMatching(/^failed: check run "test \(node 20\)" is failure/)]);
  });

  it('names each check that has not finished', async () => {
    server.use(...githubHandlers(sandbox(['ci-pending'])));
    const problems = ciProblems(await githubCiStatus(options()), SHA);
    expect(problems).toEqual([
      expect.stringMatching(/^not finished: status "ci\/deploy-preview" is pending/),
      expect.stringMatching(/^not finished: check run "build" is in_progress/),
    ]);
  });

  it('is not green when no CI ran on the commit at all', async () => {
    server.use(...githubHandlers(sandbox(['ci-no-checks'])));
    expect(ciProblems(await githubCiStatus(options()), SHA)).toEqual([expect.stringMatching(/CI never ran on this commit/)]);
  });

  it('fails with a clear word, and without the token, when GitHub refuses it', async () => {
    server.use(...githubHandlers(sandbox()));
    const error = await githubCiStatus(options({ token: 'ghp_wrongWrongWrongWrongWrongWrong00000000' })).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/GitHub refused the token \(401/);
    expect((error as Error).message).not.toContain('ghp_');
  });

  it('fails for an unknown repository or commit', async () => {
    server.use(...githubHandlers(sandbox()));
    await expect(githubCiStatus(options({ repo: 'example/other' }))).rejects.toThrow(/answered 404.*example\/other/);
    await expect(githubCiStatus(options({ sha: 'ffffffffffffffffffffffffffffffffffffffff' }))).rejects.toThrow(/does not know commit/);
  });

  it('says when the rate limit, not the token, is the problem', async () => {
    server.use(
      http.get('https://api.github.com/repos/:o/:r/commits/:sha/status', () =>
        HttpResponse.json(
          { message: 'API rate limit exceeded' },
          { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1795920000' } },
        ),
      ),
    );
    await expect(githubCiStatus(options())).rejects.toThrow(/rate limit for this token is used up until 2026-11-29T02:40:00.000Z/);
  });

  it('fails closed when GitHub does not answer in time or answers nonsense', async () => {
    server.use(
      http.get('https://api.github.com/repos/:o/:r/commits/:sha/status', async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    await expect(githubCiStatus(options({ timeoutMs: 200 }))).rejects.toThrow(/did not answer: no answer within 200 ms/);
    server.resetHandlers(
      http.get('https://api.github.com/repos/:o/:r/commits/:sha/status', () => HttpResponse.text('<html>proxy error</html>')),
    );
    await expect(githubCiStatus(options())).rejects.toThrow(/not JSON/);
    server.resetHandlers(
      http.get('https://api.github.com/repos/:o/:r/commits/:sha/status', () => HttpResponse.json({ state: 'success' })),
      http.get('https://api.github.com/repos/:o/:r/commits/:sha/check-runs', () => HttpResponse.json({ total_count: 0, check_runs: [] })),
    );
    await expect(githubCiStatus(options())).rejects.toThrow(/no "statuses" list/);
  });
});
