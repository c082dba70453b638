/**
 * "Confirm CI is green on that SHA", from GitHub: the combined commit status (legacy status
 * API, e.g. external CI) and the check runs (GitHub Actions and apps). Both count; a commit
 * with neither never ran CI and is not green.
 */
import { outboundFetch } from '../http/outbound';

export type CheckState = 'success' | 'failure' | 'pending';

export interface CiCheck {
  name: string;
  kind: 'status' | 'check run';
  state: CheckState;
  /** GitHub's own word for it (conclusion or status), for the operator. */
  detail: string;
  url?: string;
}

export interface CiResult {
  /** Where a human sees the checks of this commit. */
  link: string;
  checks: CiCheck[];
}

export interface GithubCiOptions {
  apiUrl: string;
  repo: string;
  sha: string;
  token: string;
  timeoutMs: number;
  userAgent: string;
  /** GitHub allows up to 100; smaller only to exercise paging. */
  perPage?: number;
  /** Pages are followed up to this many (10 000 checks at 100 a page). */
  maxPages?: number;
}

export class CiUnavailable extends Error {}

// https://docs.github.com/en/rest/checks/runs: a completed run's conclusion
const PASSING_CONCLUSIONS = new Set(['success', 'neutral', 'skipped']);

interface CombinedStatus {
  state?: string;
  total_count?: number;
  statuses?: { context?: string; state?: string; target_url?: string | null; description?: string | null }[];
  repository?: { html_url?: string };
}

interface CheckRunsPage {
  total_count?: number;
  check_runs?: { name?: string; status?: string; conclusion?: string | null; html_url?: string; details_url?: string }[];
}

export async function githubCiStatus(opts: GithubCiOptions): Promise<CiResult> {
  const base = `${opts.apiUrl.replace(/\/$/, '')}/repos/${opts.repo}/commits/${opts.sha}`;
  const statusPages = await pages<CombinedStatus>(`${base}/status`, opts);
  const runPages = await pages<CheckRunsPage>(`${base}/check-runs`, opts);

  const checks: CiCheck[] = [];
  for (const page of statusPages) {
    if (!Array.isArray(page.statuses)) throw new CiUnavailable(`GitHub's combined status for ${opts.sha} has no "statuses" list`);
    for (const s of page.statuses) {
      const state: CheckState = s.state === 'success' ? 'success' : s.state === 'pending' ? 'pending' : 'failure';
      checks.push({
        name: s.context ?? '(unnamed status)',
        kind: 'status',
        state,
        detail: s.state ?? 'unknown',
        url: s.target_url ?? undefined,
      });
    }
  }
  for (const page of runPages) {
    if (!Array.isArray(page.check_runs)) throw new CiUnavailable(`GitHub's check runs for ${opts.sha} have no "check_runs" list`);
    for (const run of page.check_runs) {
      const completed = run.status === 'completed';
      const conclusion = run.conclusion ?? '';
      const state: CheckState = !completed ? 'pending' : PASSING_CONCLUSIONS.has(conclusion) ? 'success' : 'failure';
      checks.push({
        name: run.name ?? '(unnamed check run)',
        kind: 'check run',
        state,
        detail: completed ? conclusion || 'no conclusion' : (run.status ?? 'unknown'),
        url: run.html_url ?? run.details_url,
      });
    }
  }
  const repoUrl = statusPages[0]?.repository?.html_url;
  if (!repoUrl) throw new CiUnavailable(`GitHub's combined status for ${opts.sha} does not name its repository`);
  return { link: `${repoUrl}/commit/${opts.sha}/checks`, checks };
}

/** Every problem that keeps the SHA from being green, one line each; empty means green. */
export function ciProblems(result: CiResult, sha: string): string[] {
  if (result.checks.length === 0) return [`no CI status or check run exists for ${sha}: CI never ran on this commit`];
  const line = (c: CiCheck) => `${c.kind} "${c.name}" is ${c.detail}${c.url ? ` (${c.url})` : ''}`;
  return [
    ...result.checks.filter((c) => c.state === 'failure').map((c) => `failed: ${line(c)}`),
    ...result.checks.filter((c) => c.state === 'pending').map((c) => `not finished: ${line(c)}`),
  ];
}

async function pages<T>(url: string, opts: GithubCiOptions): Promise<T[]> {
  const out: T[] = [];
  const maxPages = opts.maxPages ?? 100;
  let next: string | undefined = `${url}?per_page=${opts.perPage ?? 100}`;
  while (next) {
    if (out.length >= maxPages) throw new CiUnavailable(`GitHub kept paging past ${maxPages} pages at ${url}`);
    const res = await githubGet(next, opts);
    out.push(
      (await res.json().catch(() => {
        throw new CiUnavailable(`GitHub answered ${next} with a body that is not JSON`);
      })) as T,
    );
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
  }
  return out;
}

/** One GET of GitHub's API with the token and a deadline; any answer but 2xx is a CiUnavailable saying why. */
export async function githubGet(
  url: string,
  opts: Pick<GithubCiOptions, 'repo' | 'token' | 'timeoutMs' | 'userAgent'> & { sha?: string },
): Promise<Response> {
  let res: Response;
  try {
    res = await outboundFetch(url, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${opts.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': opts.userAgent,
      },
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (error) {
    const err = error as Error & { cause?: { code?: string } };
    const reason = err.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : (err.cause?.code ?? err.message);
    throw new CiUnavailable(`GitHub API (${new URL(url).origin}) did not answer: ${reason}`);
  }
  if (res.ok) return res;
  const body = (await res.text().catch(() => '')).slice(0, 200);
  const path = new URL(url).pathname;
  if (res.status === 401)
    throw new CiUnavailable(`GitHub refused the token (401 on ${path}): check that the GitHub token is valid and not expired`);
  if ((res.status === 403 || res.status === 429) && res.headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    throw new CiUnavailable(
      `GitHub's API rate limit for this token is used up${reset ? ` until ${new Date(reset * 1000).toISOString()}` : ''}: CI status cannot be read now`,
    );
  }
  if (res.status === 403 || res.status === 404) {
    throw new CiUnavailable(
      `GitHub answered ${res.status} on ${path}: the repository ${opts.repo} does not exist or the token cannot read its statuses and checks (${body})`,
    );
  }
  if (res.status === 422 && opts.sha)
    throw new CiUnavailable(`GitHub does not know commit ${opts.sha} in ${opts.repo} (422): is it pushed? ${body}`);
  throw new CiUnavailable(`GitHub answered ${res.status} on ${path}: ${body}`);
}
