import { attestedNotVerified } from '../lib/evidence-codec';
import { STEPS } from '../lib/runbook/catalogue';
import { checkMark, rollbackPlan, STEP_STATUS } from './labels';
import type { CheckResult, EvidenceItem, RowResult, RunResult, StepResult } from './model';
import { buildTimeline, clock, type Timeline } from './timeline';

/**
 * Pure: RunResult -> the Go/No-Go document as one self-contained HTML page (inline CSS, no
 * script, nothing fetched), for people who read it in a browser. Same data as the Markdown;
 * every piece of it goes through `esc`, since pasted output and error messages may hold markup.
 */
export function renderHtml(run: RunResult): string {
  const { meta } = run;
  const title = `Go/No-Go — ${meta.env} — ${run.decision}`;
  const body = [
    `<header class="decision ${decisionClass(run.decision)}" id="decision">`,
    `<h1>${esc(title)}</h1>`,
    `<p class="verdict"><strong>${esc(run.decision)}</strong>: ${label(run.reason)}.</p>`,
    '</header>',
    summaryTable(run),
    blocking(run),
    list('Notes', 'notes', meta.notes),
    testData(run),
    // Before the long checklist, so a glance shows where the run spent its time and where it stopped.
    timeline(buildTimeline(run)),
    checklist(run),
    evidence(run),
  ];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No fetch of any kind: the page is read from an artifact, offline, long after the run.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...body.filter(Boolean),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Text -> HTML text or attribute value. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const decisionClass = (decision: RunResult['decision']) => ({ GO: 'go', 'NO-GO': 'no-go', INCOMPLETE: 'incomplete' })[decision];
/** Labels and check names are written Markdown-style: `x` is code. Escaped first, so only that markup is added. */
const label = (text: string) => esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');
const pre = (text: string) => `<pre>${esc(text.replace(/\n+$/, ''))}</pre>`;

function summaryTable(run: RunResult): string {
  const { meta, counts } = run;
  const rows: [string, string][] = [
    ['Decision', `<strong>${esc(run.decision)}</strong>`],
    ['Environment', `${esc(meta.env)} (${esc(meta.baseUrl || 'no target')})`],
    ['RC SHA', `<code>${esc(meta.rcSha ?? 'not given')}</code>`],
    ['Owner', esc(meta.owner)],
    ['Run', `<code>${esc(meta.runId)}</code>, ${esc(meta.startedAt)} → ${esc(meta.finishedAt)} (UTC)`],
    ['Checks', esc(`${counts.passed} passed, ${counts.failed} failed, ${counts.notRun} not run, ${counts.notApplicable} not applicable`)],
  ];
  return `<table class="meta">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function blocking(run: RunResult): string {
  const b = run.blocking;
  if (!b) return '';
  return [
    '<section class="blocking" id="why-no-go">',
    '<h2>Why NO-GO</h2>',
    `<p>Blocked at <strong>Step ${esc(b.stepN)} — ${esc(b.stepTitle)}</strong>, check: <strong class="failing-check">${label(b.check)}</strong></p>`,
    pre(b.error),
    `<p>${esc(rollbackPlan(b).heading)}</p>`,
    pre(rollbackPlan(b).lines.join('\n')),
    '</section>',
  ].join('\n');
}

function list(heading: string, id: string, items: string[], intro = ''): string {
  if (!items.length) return '';
  return `<section id="${id}"><h2>${esc(heading)}</h2>${intro ? `<p>${esc(intro)}</p>` : ''}<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul></section>`;
}

function testData(run: RunResult): string {
  const line = (e: RunResult['testData']['left'][number]) =>
    `Step ${e.stepN} — ${e.stepTitle}: ${e.what}${e.detail ? ` — ${e.detail}` : ''}`;
  return [
    list(
      'Test data left on the target',
      'test-data-left',
      run.testData.left.map(line),
      'The run could not remove these; remove them by hand:',
    ),
    list(
      'Test data the target keeps',
      'test-data-kept',
      run.testData.kept.map(line),
      'Written on purpose and never removed (the runbook asks for them):',
    ),
  ].join('\n');
}

const ROW_MARK: Record<RowResult['status'], string> = { ticked: '☑', failed: '☒', unconfirmed: '☐', 'not-run': '☐', na: '–' };

function checklist(run: RunResult): string {
  const out = ['<section id="checklist">', '<h2>Final Go/No-Go checklist</h2>'];
  for (const step of STEPS) {
    const result = run.steps.find((s) => s.id === step.id)!;
    out.push(
      `<h3>${esc(step.section)}) ${esc(step.sectionTitle)}</h3>`,
      `<p class="step-line">${stepLine(result)}</p>`,
      '<ul class="rows">',
    );
    for (const row of run.rows.filter((r) => r.step === step.id)) out.push(renderRow(row));
    out.push('</ul>');
  }
  out.push('</section>');
  return out.join('\n');
}

function stepLine(step: StepResult): string {
  return `Step ${esc(step.n)} — ${esc(step.title)}: <span class="status ${esc(step.status)}">${esc(STEP_STATUS[step.status])}</span>${step.note ? ` — ${esc(step.note)}` : ''}`;
}

function rowSuffix(row: RowResult): string {
  switch (row.status) {
    case 'ticked':
      return [
        ...(row.confirmed ? [`confirmed by ${row.confirmed.by} at ${row.confirmed.at} (${row.confirmed.how})`] : []),
        ...(row.attested ?? []).map(attestedNotVerified),
      ].join(' — ');
    case 'failed':
      return `FAILED: ${row.reason}`;
    case 'unconfirmed':
      return `NOT CONFIRMED: ${row.reason}`;
    case 'na':
      return `N/A: ${row.reason}`;
    case 'not-run':
      return `NOT RUN${row.reason ? ` (${row.reason})` : ''}`;
  }
}

function renderRow(row: RowResult): string {
  const value = row.fillIn ? ` <code>${esc(row.value ?? '__________')}</code>` : '';
  const suffix = rowSuffix(row);
  const carried = row.carriedFrom ? ` <em>(carried over from ${esc(row.carriedFrom)})</em>` : '';
  const pastes = row.pastes.map(
    (p) => `<details><summary>${esc(p.title ?? (row.kind === 'paste' ? 'Pasted output' : 'Output'))}</summary>${pre(p.text)}</details>`,
  );
  return [
    `<li class="row ${esc(row.status)}"><span class="mark">${ROW_MARK[row.status]}</span> ${label(row.label)}${value}`,
    suffix ? ` <span class="row-status">— ${esc(suffix)}</span>` : '',
    carried,
    ...pastes,
    '</li>',
  ].join('');
}

/** Bars placed by percent of the run, so the page needs no script to draw them. */
function timeline(t: Timeline): string {
  if (!t.steps.length) return '';
  const total = Math.max(t.totalMs, 1);
  const pct = (ms: number) => `${((ms / total) * 100).toFixed(3)}%`;
  const bar = (cls: string, label: string, start: number, duration: number) =>
    `<tr class="${cls}"><th>${label}</th><td class="when">+${esc(clock(start))}</td><td class="took">${esc(clock(duration))}</td>` +
    `<td class="track"><div class="bar ${cls}" style="margin-left:${pct(start)};width:${pct(duration)}"></div></td></tr>`;
  const out = [
    '<section id="timeline">',
    '<h2>Timeline</h2>',
    `<p>When each step and check ran, from the run's start (${esc(new Date(t.origin).toISOString())}); the whole run took ${esc(clock(t.totalMs))}.</p>`,
    '<table class="timeline"><thead><tr><th>Step / check</th><th>Start</th><th>Took</th><th class="track">Run</th></tr></thead><tbody>',
  ];
  for (const step of t.steps) {
    out.push(bar(`step ${esc(step.status)}`, `Step ${esc(step.n)} — ${esc(step.title)}`, step.startMs, step.durationMs));
    for (const check of step.checks) out.push(bar(`check ${check.state}`, label(check.name), check.startMs, check.durationMs));
  }
  out.push('</tbody></table>', '</section>');
  return out.join('\n');
}

function evidence(run: RunResult): string {
  const out = ['<section id="evidence">', '<h2>Evidence</h2>'];
  for (const step of run.steps) {
    out.push(
      `<h3>Step ${esc(step.n)} — ${esc(step.title)}: ${esc(STEP_STATUS[step.status])}${step.durationMs ? ` (${esc(clock(step.durationMs))})` : ''}</h3>`,
    );
    if (!step.checks.length) out.push(`<p><em>${esc(step.note ?? 'no checks ran')}</em></p>`);
    for (const check of step.checks) out.push(checkDetails(check));
  }
  out.push('</section>');
  return out.join('\n');
}

/** Collapsed unless it failed: the failure is what the reader came for. */
function checkDetails(check: CheckResult): string {
  const mark = checkMark(check);
  const rows = check.rows.length ? ` — proves ${check.rows.join(', ')}` : '';
  const items = [
    check.notApplicable ? `<p>not applicable: ${esc(check.notApplicable)}</p>` : '',
    check.notRun ? `<p>not run: ${esc(check.notRun)}</p>` : '',
    check.skipNote ? `<p>skipped: ${esc(check.skipNote)}</p>` : '',
    ...check.errors.map(pre),
    check.evidence.length ? `<ul>${check.evidence.map((e) => `<li>${evidenceItem(e)}</li>`).join('')}</ul>` : '',
  ].filter(Boolean);
  const open = check.state === 'failed' ? ' open' : '';
  return [
    `<details class="check ${esc(mark.toLowerCase().replace(/[^a-z]+/g, '-'))}"${open}>`,
    `<summary><span class="mark">${esc(mark)}</span> ${label(check.name)} (${esc(check.durationMs)} ms)${esc(rows)}</summary>`,
    items.length ? items.join('\n') : '<p><em>no evidence recorded</em></p>',
    '</details>',
  ].join('\n');
}

function evidenceItem(item: EvidenceItem): string {
  switch (item.type) {
    case 'exchange': {
      const outcome = item.status ?? item.error ?? 'no answer';
      const line = `${esc(item.at)} <code>${esc(item.method)} ${esc(item.url)}</code> → ${esc(outcome)} in ${esc(item.durationMs)} ms`;
      return item.responseExcerpt ? `${line}${pre(item.responseExcerpt)}` : line;
    }
    case 'measure':
      return `${esc(item.name)}: <strong>${esc(item.value)}</strong> (threshold ${esc(item.threshold)}) ${item.ok ? 'ok' : '<strong>out of bounds</strong>'}`;
    case 'note':
      return esc(item.text);
    case 'confirmed':
      return esc(`${item.row} confirmed by ${item.by} at ${item.at} (${item.how})`);
    case 'value':
      return `${esc(item.row)} = <code>${esc(item.text)}</code>`;
    case 'paste':
      return `pasted into ${esc(item.row)}${item.title ? ` (${esc(item.title)})` : ''}:${pre(item.text)}`;
    case 'attested':
      return esc(`${item.row} ${attestedNotVerified(item.what)}`);
    case 'testdata':
      return esc(`test data ${item.state}: ${item.what}${item.detail ? ` (${item.detail})` : ''}`);
  }
}

const CSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:1rem 1.5rem;color:#1b1f24;background:#fff}
h1{margin:.2rem 0;font-size:1.6rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:1.8rem}h3{margin:1.2rem 0 .3rem}
.decision{border-radius:8px;padding:.8rem 1.2rem;color:#fff}.decision code{background:rgba(255,255,255,.22);color:#fff}.decision.go{background:#1a7f37}.decision.no-go{background:#cf222e}.decision.incomplete{background:#9a6700}
.verdict{margin:.3rem 0;font-size:1.05rem}
table.meta{border-collapse:collapse;margin:1rem 0}table.meta th{text-align:left;padding:.15rem 1rem .15rem 0;color:#57606a}table.meta td{padding:.15rem 0}
.blocking{border:2px solid #cf222e;border-radius:8px;padding:0 1rem .5rem;margin:1rem 0;background:#fff5f5}.blocking h2{border:0;color:#cf222e;margin-top:.8rem}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.5rem .7rem;overflow:auto;white-space:pre-wrap;word-break:break-word;font-size:13px}
code{background:#f6f8fa;border-radius:4px;padding:0 .25rem;font-size:13px}
ul.rows{list-style:none;padding-left:.5rem}.row{margin:.2rem 0}.row .mark{display:inline-block;width:1.2rem}
.row.failed,.row.unconfirmed{color:#cf222e}.row.not-run{color:#57606a}.row.na{color:#57606a}
.status.passed,.status.carried{color:#1a7f37;font-weight:600}.status.failed{color:#cf222e;font-weight:600}.status.not-run,.status.not-selected,.status.partial{color:#9a6700;font-weight:600}
details{margin:.25rem 0}summary{cursor:pointer}details.check{border-left:3px solid #d0d7de;padding-left:.6rem}details.check.fail{border-color:#cf222e}details.check.pass{border-color:#1a7f37}
.mark{font-weight:600}details.check.fail .mark{color:#cf222e}details.check.pass .mark{color:#1a7f37}
table.timeline{border-collapse:collapse;width:100%;font-size:13px}table.timeline th,table.timeline td{padding:.1rem .4rem;text-align:left;white-space:nowrap}
table.timeline tr.step th{font-weight:600}table.timeline tr.check th{font-weight:400;padding-left:1.4rem;max-width:28rem;overflow:hidden;text-overflow:ellipsis}
td.when,td.took{color:#57606a;font-variant-numeric:tabular-nums}td.track,th.track{width:45%}
.bar{height:.8rem;min-width:2px;border-radius:2px;background:#8c959f}.bar.passed{background:#1a7f37}.bar.failed{background:#cf222e}.bar.step{background:#54aeff}.bar.step.failed{background:#ff8182}
`.trim();
