import { resumeHint } from '../lib/command/hint';
import { attestedNotVerified } from '../lib/evidence-codec';
import { STEPS } from '../lib/runbook/catalogue';
import type { EvidenceItem, RowResult, RunResult, StepResult } from './model';
import { firstLine } from './build';
import { checkMark, rollbackPlan, STEP_STATUS } from './labels';
import { buildTimeline, type Timeline } from './timeline';

/**
 * Pure: RunResult -> the Go/No-Go document, laid out like the runbook's final checklist
 * (sections A to H, then the decision), followed by the evidence behind every row.
 */
export function renderMarkdown(run: RunResult): string {
  const out: string[] = [];
  const { meta } = run;
  out.push(`# Go/No-Go — ${meta.env} — ${run.decision}`, '');
  out.push(
    '| | |',
    '|---|---|',
    `| Decision | **${run.decision}** |`,
    `| Environment | ${meta.env} (${meta.baseUrl || 'no target'}) |`,
    ...(meta.backend ? [`| Backend | profile: ${meta.backend} |`] : []),
    `| RC SHA | \`${meta.rcSha ?? 'not given'}\` |`,
    `| Owner | ${meta.owner} |`,
    `| Run | \`${meta.runId}\`, ${meta.startedAt} → ${meta.finishedAt} (UTC) |`,
    `| Checks | ${run.counts.passed} passed, ${run.counts.failed} failed, ${run.counts.notRun} not run, ${run.counts.notApplicable} not applicable |`,
    '',
  );
  out.push(`> **${run.decision}**: ${run.reason}.`, '');
  if (run.blocking) {
    out.push(
      `## Why NO-GO`,
      '',
      `Blocked at **Step ${run.blocking.stepN} — ${run.blocking.stepTitle}**, check: **${run.blocking.check}**`,
      '',
      fence(run.blocking.error),
      '',
      rollbackPlan(run.blocking).heading,
      '',
      ...rollbackPlan(run.blocking).lines.map((l) => `> ${l}`),
      '',
      ...(meta.invocation ? [`Resume after the fix: \`${resumeHint(meta.invocation, run.blocking.stepN)}\``, ''] : []),
    );
  }
  if (meta.notes.length) {
    out.push('## Notes', '', ...meta.notes.map((n) => `- ${n}`), '');
  }
  out.push(...renderTestData(run));

  out.push('## Final Go/No-Go checklist', '');
  for (const step of STEPS) {
    const stepResult = run.steps.find((s) => s.id === step.id)!;
    out.push(`### ${step.section}) ${step.sectionTitle}`, '', stepLine(stepResult), '');
    if (step.commands?.length) out.push('Commands:', ...step.commands.map((c) => `- \`${c}\``), '');
    let group: string | undefined;
    for (const row of run.rows.filter((r) => r.step === step.id)) {
      if (row.group && row.group !== group) {
        group = row.group;
        out.push(`${group}:`);
      }
      out.push(...renderRow(row));
    }
    out.push('');
  }

  out.push(
    '### GO / NO-GO',
    `- Decision: **${run.decision}**`,
    `- Owner: \`${meta.owner}\``,
    `- Timestamp (UTC): \`${meta.finishedAt}\``,
    `- RC SHA: \`${meta.rcSha ?? 'not given'}\``,
    `- Notes: ${decisionNote(run)}`,
    '',
  );

  out.push(...renderTimeline(buildTimeline(run)));
  out.push('## Evidence', '');
  for (const step of run.steps) out.push(...renderStepEvidence(step));
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** Test data the run could not remove comes first: someone has to remove it by hand. */
function renderTestData(run: RunResult): string[] {
  const { left, kept } = run.testData;
  const line = (e: RunResult['testData']['left'][number]) =>
    `- Step ${e.stepN} — ${e.stepTitle}: ${e.what}${e.detail ? ` — ${e.detail}` : ''}`;
  const out: string[] = [];
  if (left.length)
    out.push('## Test data left on the target', '', 'The run could not remove these; remove them by hand:', '', ...left.map(line), '');
  if (kept.length)
    out.push(
      '## Test data the target keeps',
      '',
      'Written on purpose and never removed (the runbook asks for them):',
      '',
      ...kept.map(line),
      '',
    );
  return out;
}

function stepLine(step: StepResult): string {
  const note = step.note ? ` — ${step.note}` : '';
  return `_Step ${step.n} — ${step.title}: **${STEP_STATUS[step.status]}**${note}_`;
}

function rowSuffix(row: RowResult): string {
  switch (row.status) {
    case 'ticked':
      return [
        ...(row.confirmed ? [` — confirmed by ${row.confirmed.by} at ${row.confirmed.at} (${row.confirmed.how})`] : []),
        ...(row.attested ?? []).map((what) => ` — ${attestedNotVerified(what)}`),
      ].join('');
    case 'failed':
      return ` — **FAILED**: ${row.reason}`;
    case 'unconfirmed':
      return ` — **NOT CONFIRMED**: ${row.reason}`;
    case 'na':
      return ` — N/A: ${row.reason}`;
    case 'not-run':
      return ` — NOT RUN${row.reason ? ` (${row.reason})` : ''}`;
  }
}

function renderRow(row: RowResult): string[] {
  const out: string[] = [];
  const carried = row.carriedFrom ? ` _(carried over from ${row.carriedFrom})_` : '';
  if (row.kind === 'paste') {
    const status = row.status === 'ticked' ? '' : rowSuffix(row);
    const value = row.fillIn ? `: \`${row.value ?? '__________'}\`` : ' (paste):';
    out.push(`- ${row.label}${value}${status}${carried}`);
    for (const paste of row.pastes) {
      if (paste.title) out.push(`  - ${paste.title}:`);
      out.push(indent(fence(paste.text), paste.title ? '    ' : '  '));
    }
    if (!row.pastes.length && !row.fillIn) out.push('  - _(nothing to paste: the check that produces it did not run)_');
    return out;
  }
  const box = row.status === 'ticked' ? '[x]' : '[ ]';
  const value = row.fillIn ? `: \`${row.value ?? '__________'}\`` : '';
  out.push(`- ${box} ${row.label}${value}${rowSuffix(row)}${carried}`);
  for (const paste of row.pastes) {
    out.push(`  - ${paste.title ?? 'Output'}:`);
    out.push(indent(fence(paste.text), '    '));
  }
  return out;
}

function decisionNote(run: RunResult): string {
  if (run.blocking) return `blocked at Step ${run.blocking.stepN} (${run.blocking.check}); see "Why NO-GO" for the rollback plan`;
  return run.reason;
}

function renderStepEvidence(step: StepResult): string[] {
  const out = [
    `### Step ${step.n} — ${step.title}: ${STEP_STATUS[step.status]}${step.durationMs ? ` (${(step.durationMs / 1000).toFixed(1)} s)` : ''}`,
    '',
  ];
  if (step.checks.length === 0) {
    out.push(`_${step.note ?? 'no checks ran'}_`, '');
    return out;
  }
  for (const check of step.checks) {
    const mark = checkMark(check);
    const rows = check.rows.length ? ` — proves ${check.rows.join(', ')}` : '';
    out.push(`- **${mark}** ${check.name} (${check.durationMs} ms)${rows}`);
    if (check.notApplicable) out.push(`  - not applicable: ${check.notApplicable}`);
    if (check.notRun) out.push(`  - not run: ${check.notRun}`);
    if (check.skipNote) out.push(`  - skipped: ${check.skipNote}`);
    for (const error of check.errors) out.push(indent(fence(error), '  '));
    for (const item of check.evidence) {
      const line = evidenceLine(item);
      if (line) out.push(`  - ${line}`);
    }
  }
  out.push('');
  return out;
}

function evidenceLine(item: EvidenceItem): string | null {
  switch (item.type) {
    case 'exchange': {
      const outcome = item.status ?? item.error ?? 'no answer';
      const body = item.responseExcerpt ? ` — \`${oneLine(item.responseExcerpt, 160)}\`` : '';
      return `${item.at} \`${item.method} ${item.url}\` → ${outcome} in ${item.durationMs} ms${body}`;
    }
    case 'measure':
      return `${item.name}: **${item.value}** (threshold ${item.threshold}) ${item.ok ? 'ok' : '**out of bounds**'}`;
    case 'note':
      return item.text;
    case 'confirmed':
      return `${item.row} confirmed by ${item.by} at ${item.at} (${item.how})`;
    case 'value':
      return `${item.row} = \`${item.text}\``;
    case 'paste':
      return `pasted into ${item.row}${item.title ? ` (${item.title})` : ''}: ${oneLine(firstLine(item.text), 120)}`;
    case 'testdata':
      return `test data ${item.state}: ${item.what}${item.detail ? ` (${item.detail})` : ''}`;
    case 'attested':
      return `${item.row} ${attestedNotVerified(item.what)}`;
  }
}

/** A Mermaid gantt (GitHub draws it): a section per step, a bar per check, at the times they ran. */
function renderTimeline(timeline: Timeline): string[] {
  if (!timeline.steps.length) return [];
  const at = (ms: number) => String(timeline.origin + ms);
  const out = ['## Timeline', '', "When each check ran (the chart shows times in the reader's time zone):", ''];
  out.push('```mermaid', 'gantt', '  dateFormat x', '  axisFormat %H:%M:%S');
  for (const step of timeline.steps) {
    out.push(`  section Step ${step.n} ${mermaidText(step.title, 60)}`);
    for (const check of step.checks) {
      const tag = check.state === 'failed' ? 'crit' : 'done';
      out.push(`  ${mermaidText(check.name, 60)} :${tag}, ${at(check.startMs)}, ${at(check.startMs + check.durationMs)}`);
    }
  }
  out.push('```', '');
  return out;
}

/** Mermaid ends a task's name at ':' and a statement at ';' or '#'; a backtick would end the fence. */
function mermaidText(text: string, limit: number): string {
  const flat = text.replaceAll('`', '').replace(/[:;#]/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1).trimEnd()}…` : flat;
}

function oneLine(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, ' ').replaceAll('`', "'").trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}

/** A code fence longer than any backtick run inside, so pasted output cannot break out. */
export function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const bar = '`'.repeat(longest + 1);
  return `${bar}\n${text.replace(/\n+$/, '')}\n${bar}`;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}
