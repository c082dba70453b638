import { expect } from 'vitest';
import { harnessContext } from '../lib/context';
import { credential } from '../lib/credentials';
import type { Evidence } from '../lib/evidence';
import { currentMonthKey, judgeAiMetrics, judgeKpis, maskEmails, type Judgement } from '../lib/monitoring/admin-metrics';
import { countFiveXx, describeSource, HOW_TO_CONFIGURE, requestLogLines, resolveSource } from '../lib/monitoring/five-xx';
import { newSentryIssues } from '../lib/monitoring/sentry';
import { describePending, pendingDeliveries } from '../lib/monitoring/stripe-deliveries';
import { checkId, describeStep, notApplicable, proves, test } from '../lib/suite';
import type { TargetClient } from '../lib/http/client';
import type { Sessions } from '../lib/http/session';
import { stripeApi } from '../lib/webhooks/stripe-api';

const harness = harnessContext();
const m = harness.sections.monitoring;
const { fiveXx, sentry, kpis, aiMetrics } = m;
const percent = (n: number) => `${(n * 100).toFixed(2)}%`;

/** GET an admin route as the admin test account and parse its JSON, or fail saying what came back. */
async function adminJson(
  target: TargetClient,
  sessions: Sessions,
  path: string,
  query: Record<string, string | number>,
): Promise<{ text: string; body: unknown }> {
  const admin = await sessions.login(target, 'admin');
  const res = await target.get(path, { token: admin.token, query });
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.excerpt(200)}`);
  return { text: res.text, body: res.json() };
}

async function record(evidence: Evidence, row: string, pasted: unknown, judged: Judgement): Promise<void> {
  await evidence.paste(row, JSON.stringify(pasted, null, 2));
  for (const measure of judged.measures) await evidence.measure(measure);
  for (const note of judged.notes) await evidence.note(note);
}

describeStep('monitoring', () => {
  test(
    `Logs normal: 5xx rate over the last ${fiveXx.windowMinutes} min ≤ ${percent(fiveXx.maxRate)} (at least ${fiveXx.minRequests} requests)`,
    { tags: ['readonly'], meta: { ...checkId('7.logs'), ...proves('H.logs') } },
    async ({ evidence }) => {
      const source = resolveSource(fiveXx, harness.rehearsal);
      if (source.kind === 'none') throw new Error(`no request log to measure the 5xx rate from (${source.reason}): ${HOW_TO_CONFIGURE}`);
      const until = new Date();
      const since = new Date(until.getTime() - fiveXx.windowMinutes * 60_000);
      const count = await countFiveXx(await requestLogLines(source), { since, until }, fiveXx);
      const rate = count.total ? count.errors / count.total : 0;
      const ok = count.total >= fiveXx.minRequests && rate <= fiveXx.maxRate;
      await evidence.measure({
        name: '5xx rate',
        value: `${percent(rate)} (${count.errors} of ${count.total})`,
        threshold: `≤ ${percent(fiveXx.maxRate)}, ≥ ${fiveXx.minRequests} requests`,
        ok,
      });
      const unreadable = count.unreadable
        ? `\n${count.unreadable} line(s) without a JSON ${fiveXx.statusField} and ${fiveXx.timeField} were not counted`
        : '';
      await evidence.paste(
        'H.logs',
        `${describeSource(source)}, ${count.since} to ${count.until}:\n${count.errors} 5xx of ${count.total} requests (${percent(rate)})${unreadable}`,
      );
      expect(
        count.total,
        `only ${count.total} request(s) in the last ${fiveXx.windowMinutes} min of ${describeSource(source)}: too few to call the error rate normal (minRequests ${fiveXx.minRequests})`,
      ).toBeGreaterThanOrEqual(fiveXx.minRequests);
      expect(rate, `5xx rate ${percent(rate)} (${count.errors} of ${count.total}) is above ${percent(fiveXx.maxRate)}`).toBeLessThanOrEqual(
        fiveXx.maxRate,
      );
    },
  );

  test(
    `Sentry normal: at most ${sentry.maxNewIssues} new issue(s) since the deploy`,
    { tags: ['readonly'], meta: { ...checkId('7.sentry'), ...proves('H.sentry') } },
    async ({ evidence, annotate, skip }) => {
      if (!sentry.enabled)
        return notApplicable({ annotate, skip }, 'Sentry is not enabled for this environment (monitoring.sentry.enabled)');
      const since = sentry.deployedAt ?? harness.startedAt;
      const { url, issues } = await newSentryIssues({
        apiUrl: sentry.apiUrl,
        org: sentry.org,
        project: sentry.project,
        token: credential(harness.sections.credentials.sentryToken, 'Sentry issues'),
        since,
        query: sentry.query,
        timeoutMs: harness.sections.http.timeoutMs,
      });
      const lines = issues.map(
        (i) =>
          `${i.shortId ?? i.id} first seen ${i.firstSeen}: ${i.title ?? '(no title)'}${i.count !== undefined ? ` (${i.count} events)` : ''}`,
      );
      await evidence.paste('H.sentry', [`GET ${url}`, `${issues.length} new issue(s) since ${since}`, ...lines].join('\n'));
      await evidence.measure({
        name: 'new Sentry issues',
        value: issues.length,
        threshold: `≤ ${sentry.maxNewIssues}`,
        ok: issues.length <= sentry.maxNewIssues,
      });
      expect(issues.length, `${issues.length} new Sentry issue(s) since ${since}: ${lines.slice(0, 3).join('; ')}`).toBeLessThanOrEqual(
        sentry.maxNewIssues,
      );
    },
  );

  test(
    'Stripe webhook deliveries normal: no event since the cutover started is still undelivered',
    { tags: ['readonly'], meta: { ...checkId('7.stripe-deliveries'), ...proves('H.stripe-deliveries') } },
    async ({ evidence }) => {
      const { stripe } = stripeApi(harness, 'Stripe pending deliveries');
      const pending = await pendingDeliveries(stripe, new Date(harness.startedAt));
      const text = describePending(pending);
      await evidence.paste('H.stripe-deliveries', `events.list({ created: { gte: ${pending.since} }, delivery_success: false })\n${text}`);
      expect(pending.events.length, text).toBe(0);
    },
  );

  test(
    `\`/admin/ops/kpis\` looks sane (windowDays=${kpis.windowDays}: the profile's shape, ratios within [0, 1], window as asked)`,
    { tags: ['readonly'], meta: { ...checkId('7.kpis'), ...proves('H.kpis') } },
    async ({ target, sessions, evidence }) => {
      const { body } = await adminJson(target, sessions, harness.sections.backend.routes.kpis, { windowDays: kpis.windowDays });
      const judged = judgeKpis(body, harness.sections.backend.shapes.kpis, kpis.windowDays);
      await record(evidence, 'H.kpis', body, judged);
      expect(judged.problems, `/admin/ops/kpis is not sane: ${judged.problems.join('; ')}`).toEqual([]);
    },
  );

  test(
    `\`/admin/ai/metrics\` looks sane (cache hit ratio ≥ ${aiMetrics.minCacheHitRatio}, blocked calls ≤ ${aiMetrics.maxBlockedCalls})`,
    { tags: ['readonly'], meta: { ...checkId('7.ai-metrics'), ...proves('H.ai-metrics') } },
    async ({ target, sessions, evidence }) => {
      const monthKey = currentMonthKey();
      const { body } = await adminJson(target, sessions, harness.sections.backend.routes.aiMetrics, { monthKey });
      const judged = judgeAiMetrics(body, harness.sections.backend.shapes.aiMetrics, monthKey, aiMetrics);
      await record(evidence, 'H.ai-metrics', maskEmails(body), judged);
      expect(judged.problems, `/admin/ai/metrics is not sane: ${judged.problems.join('; ')}`).toEqual([]);
    },
  );
});
