import { z } from 'zod';
import { describeNetworkError } from '../http/client';
import { outboundFetch } from '../http/outbound';

const issue = z.looseObject({
  id: z.string(),
  shortId: z.string().optional(),
  title: z.string().optional(),
  firstSeen: z.string(),
  count: z.union([z.string(), z.number()]).optional(),
  level: z.string().optional(),
  permalink: z.string().optional(),
});
export type SentryIssue = z.infer<typeof issue>;

export interface SentryQuery {
  apiUrl: string;
  org: string;
  project: string;
  token: string;
  /** Issues first seen after this instant count as new. */
  since: string;
  /** Extra search terms (is:unresolved by default). */
  query: string;
  timeoutMs: number;
}

export function issuesUrl(q: Omit<SentryQuery, 'token' | 'timeoutMs'>): string {
  const url = new URL(
    `/api/0/projects/${encodeURIComponent(q.org)}/${encodeURIComponent(q.project)}/issues/`,
    q.apiUrl.replace(/\/?$/, '/'),
  );
  // Sentry's search takes an ISO time without the trailing Z.
  const since = new Date(q.since).toISOString().replace(/\.\d{3}Z$/, '');
  url.searchParams.set('query', `${q.query} firstSeen:>${since}`.trim());
  url.searchParams.set('statsPeriod', '24h');
  return url.toString();
}

/**
 * Issues of the project first seen since the deploy (the first page is enough: any one is
 * already a new kind of exception). outboundFetch: the global fetch, so the rehearsal's msw sees it.
 */
export async function newSentryIssues(q: SentryQuery): Promise<{ url: string; issues: SentryIssue[] }> {
  const url = issuesUrl(q);
  let res: Response;
  let text: string;
  try {
    res = await outboundFetch(url, {
      headers: { authorization: `Bearer ${q.token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(q.timeoutMs),
    });
    text = await res.text();
  } catch (error) {
    throw new Error(`Sentry API ${new URL(url).origin} did not answer: ${describeNetworkError(error, q.timeoutMs)}`);
  }
  if (res.status !== 200) {
    const hint =
      res.status === 401 || res.status === 403
        ? ' (check the token and its project:read scope)'
        : res.status === 404
          ? ' (check sentry org and project)'
          : '';
    throw new Error(`Sentry API answered ${res.status}${hint}: ${text.slice(0, 200)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Sentry API answered 200 with a body that is not JSON: ${text.slice(0, 200) || '(empty)'}`);
  }
  const parsed = z.array(issue).safeParse(body);
  if (!parsed.success) throw new Error(`Sentry API answered 200 without a list of issues: ${z.prettifyError(parsed.error).slice(0, 300)}`);
  return { url, issues: parsed.data };
}
