/** What one invocation of the attachment migration did; printed even when it stops at --limit. */
export interface MigrateSummary {
  runId: string;
  runner: 'harness' | 'backend';
  dryRun: boolean;
  /** Disk-only rows before the run, over all tables. */
  pending: number;
  /** Rows this run took on (at most --limit). */
  considered: number;
  /** Copied, verified and given their storageKey. */
  moved: number;
  /** Their object was already there with the right bytes (an interrupted run): verified, storageKey set. */
  resumed: number;
  /** Dry run: rows that would move. */
  wouldMove: number;
  skipped: { row: string; reason: string }[];
  failed: { row: string; reason: string }[];
  /** More disk-only rows remain than --limit let this run take. */
  stoppedAtLimit: boolean;
  notes: string[];
}

export function emptySummary(runId: string, runner: MigrateSummary['runner'], dryRun: boolean): MigrateSummary {
  return {
    runId,
    runner,
    dryRun,
    pending: 0,
    considered: 0,
    moved: 0,
    resumed: 0,
    wouldMove: 0,
    skipped: [],
    failed: [],
    stoppedAtLimit: false,
    notes: [],
  };
}

export function passed(summary: MigrateSummary): boolean {
  return summary.failed.length === 0;
}

/** Skips grouped by reason: "missing file: 3". */
function countBy(items: { reason: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { reason } of items) {
    const key = reason.split(':')[0]!;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** The closing lines: a machine-readable `[migrate] done {...}` like the backend's, then the reasons. */
export function formatSummary(s: MigrateSummary): string[] {
  const counts = {
    runId: s.runId,
    runner: s.runner,
    dryRun: s.dryRun,
    pending: s.pending,
    considered: s.considered,
    ...(s.dryRun ? { wouldMove: s.wouldMove } : { moved: s.moved, resumed: s.resumed }),
    skipped: s.skipped.length,
    failed: s.failed.length,
    stoppedAtLimit: s.stoppedAtLimit,
  };
  const lines = [`[migrate] done ${JSON.stringify(counts)}`];
  const verb = s.dryRun
    ? `would move ${s.wouldMove}`
    : `moved ${s.moved}${s.resumed ? ` (+${s.resumed} resumed from an interrupted run)` : ''}`;
  const skips = Object.entries(countBy(s.skipped))
    .map(([reason, n]) => `${reason}: ${n}`)
    .join(', ');
  lines.push(
    `[migrate] summary: ${verb}, skipped ${s.skipped.length}${skips ? ` (${skips})` : ''}, failed ${s.failed.length} — of ${s.considered} considered, ${s.pending} pending before this run`,
  );
  for (const f of s.failed) lines.push(`[migrate]   failed ${f.row}: ${f.reason}`);
  for (const k of s.skipped) lines.push(`[migrate]   skipped ${k.row}: ${k.reason}`);
  if (s.stoppedAtLimit) lines.push(`[migrate] stopped at --limit: ${Math.max(0, s.pending - s.considered)} row(s) remain for another run`);
  for (const note of s.notes) lines.push(`[migrate] note: ${note}`);
  return lines;
}
