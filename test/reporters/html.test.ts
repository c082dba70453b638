import { describe, expect, test } from 'vitest';
import { buildRun } from '../../reporters/build';
import { esc, renderHtml } from '../../reporters/render-html';
import { greenTests, rawRun, rawTest } from './fixtures';

const HOSTILE = `</pre><script>alert("x")</script><img src=x onerror='alert(1)'> & <!-- --> ]]>`;

/** A NO-GO run with the hostile text in every free-text place a run can hold. */
function hostileRun() {
  const tests = greenTests().map((t) =>
    t.rows[0] === 'B.output'
      ? {
          ...t,
          name: `name ${HOSTILE}`,
          state: 'failed' as const,
          errors: [`error ${HOSTILE}`],
          evidence: [
            { type: 'paste' as const, row: 'B.output', text: `paste ${HOSTILE}`, title: `title ${HOSTILE}` },
            { type: 'note' as const, text: `note ${HOSTILE}` },
            {
              type: 'exchange' as const,
              method: 'GET',
              url: `https://t/${HOSTILE}`,
              status: 500,
              durationMs: 3,
              at: '2026-11-28T01:00:01Z',
              responseExcerpt: `body ${HOSTILE}`,
            },
            { type: 'measure' as const, name: `measure ${HOSTILE}`, value: HOSTILE, threshold: HOSTILE, ok: false },
            { type: 'testdata' as const, key: 'k', what: `what ${HOSTILE}`, state: 'left' as const, detail: HOSTILE },
          ],
        }
      : t,
  );
  const raw = rawRun(tests);
  return buildRun({ ...raw, meta: { ...raw.meta, env: `env ${HOSTILE}`, owner: `owner ${HOSTILE}`, notes: [`note ${HOSTILE}`] } });
}

describe('the HTML report', () => {
  test('escapes every piece of the run: hostile text shows as text and adds no element or attribute', () => {
    const html = renderHtml(hostileRun());
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain("onerror='");
    expect(html).not.toContain('<!-- -->');
    expect(html).toContain(esc(HOSTILE));
    // Every place the text went: name, error, paste and its title, note, exchange, measure, test data, env, owner, run note.
    expect(html.split(esc(HOSTILE)).length - 1).toBeGreaterThanOrEqual(12);
  });

  test('esc covers the five characters that end text or an attribute', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  test('is self-contained: no script, nothing fetched, a policy that forbids fetching', () => {
    const html = renderHtml(buildRun(rawRun(greenTests())));
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|url\(|@import|https?:\/\/(?!staging\.example\.com)/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  test('shows the decision, the checklist A to H, a collapsible block per check and the timeline', () => {
    const run = buildRun(rawRun(greenTests()));
    const html = renderHtml(run);
    expect(html).toContain('<h1>Go/No-Go — staging — GO</h1>');
    expect([...html.matchAll(/<h3>([A-H])\) /g)].map((m) => m[1])).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
    const checks = run.steps.flatMap((s) => s.checks).length;
    expect(html.match(/<details class="check /g)).toHaveLength(checks);
    expect(html.match(/<tr class="check passed">/g)).toHaveLength(checks);
    expect(html.indexOf('id="timeline"')).toBeLessThan(html.indexOf('id="checklist"'));
  });

  test('a NO-GO names the failing check and its rollback at the top, and its evidence is open', () => {
    const html = renderHtml(
      buildRun(rawRun([rawTest('preflight', 'sha', ['A.rc-sha']), rawTest('preflight', 'ci', ['A.ci-green'], 'failed')])),
    );
    expect(html).toContain('<h1>Go/No-Go — staging — NO-GO</h1>');
    expect(html).toContain('check: <strong class="failing-check">ci</strong>');
    expect(html.indexOf('id="why-no-go"')).toBeLessThan(html.indexOf('id="checklist"'));
    expect(html).toContain('<details class="check fail" open>');
    expect(html).toContain('<tr class="check failed">');
  });
});
