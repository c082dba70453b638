import { describe, expect, test } from 'vitest';
import { buildRun } from '../../reporters/build';
import { renderMarkdown } from '../../reporters/render-markdown';
import { buildTimeline } from '../../reporters/timeline';
import { rawRun, rawTest } from './fixtures';

const at = (s: number) => new Date(Date.parse('2026-11-28T01:00:00.000Z') + s * 1000).toISOString();

describe('the timeline', () => {
  test('places each check at the start Vitest recorded, and each step around its checks', () => {
    const run = buildRun(
      rawRun([
        rawTest('preflight', 'sha', ['A.rc-sha'], 'passed', { startedAt: at(2), durationMs: 1000 }),
        rawTest('preflight', 'ci', ['A.ci-green'], 'passed', { startedAt: at(10), durationMs: 500 }),
        rawTest('migrations', 'status', ['B.status'], 'failed', { startedAt: at(30), durationMs: 4000 }),
        rawTest('migrations', 'output', ['B.output'], 'pending', { durationMs: 0 }),
      ]),
    );
    const timeline = buildTimeline(run);
    expect(timeline.steps.map((s) => [s.n, s.startMs, s.durationMs])).toEqual([
      [0, 2000, 8500],
      [1, 30000, 4000],
    ]);
    // A check that never started took no time and has no place on the axis.
    expect(timeline.steps[1]!.checks.map((c) => [c.name, c.state])).toEqual([['status', 'failed']]);
    expect(timeline.totalMs).toBe(300_000);
  });

  test('a document written before checks recorded their start lays them end to end from the run start', () => {
    const run = buildRun(rawRun([rawTest('preflight', 'sha', ['A.rc-sha']), rawTest('preflight', 'ci', ['A.ci-green'])]));
    expect(buildTimeline(run).steps[0]!.checks.map((c) => [c.startMs, c.durationMs])).toEqual([
      [0, 5],
      [5, 5],
    ]);
  });

  test('the Markdown carries it as a Mermaid gantt whose names cannot end a task, a statement or the fence', () => {
    const md = renderMarkdown(
      buildRun(
        rawRun([
          rawTest('preflight', 'GET `/a/:id`; #1', ['A.rc-sha'], 'passed', { startedAt: at(1), durationMs: 2000 }),
          rawTest('preflight', 'ci', ['A.ci-green'], 'failed', { startedAt: at(4), durationMs: 10 }),
        ]),
      ),
    );
    const origin = Date.parse(at(0));
    const gantt = md.slice(md.indexOf('```mermaid'), md.indexOf('```\n', md.indexOf('```mermaid') + 3) + 3);
    expect(gantt).toBe(
      [
        '```mermaid',
        'gantt',
        '  dateFormat x',
        '  axisFormat %H:%M:%S',
        '  section Step 0 Pre-flight',
        `  GET /a/ id 1 :done, ${origin + 1000}, ${origin + 3000}`,
        `  ci :crit, ${origin + 4000}, ${origin + 4010}`,
        '```',
      ].join('\n'),
    );
  });
});
