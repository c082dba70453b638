import type { RunResult } from './model';
import { STEP_STATUS } from './render-markdown';

export interface SummaryLinks {
  /** The Markdown document, as the job's checkout sees it (e.g. reports/…-go-no-go.md). */
  document: string;
  /** The workflow run's page, whose Artifacts list holds the uploaded reports/. */
  runUrl?: string;
}

/** The error lines the summary quotes: the whole document (and its evidence) is one click away. */
const MESSAGE_LINES = 12;

/** A table cell: a `|` would end it, a newline the row. */
const cell = (text: string) => text.replaceAll('|', '\\|').replace(/\s*\n\s*/g, ' ');

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Pure: RunResult (the document's JSON twin) -> the GitHub job summary. Short on purpose: the
 * decision, each step's status and time, the failing check with its message, and where the full
 * document is. The document itself is an artifact, not the summary.
 */
export function renderStepSummary(run: RunResult, links: SummaryLinks): string {
  const { meta } = run;
  const out = [
    `## Cutover ${meta.env}: ${run.decision}`,
    '',
    `**${run.decision}**: ${run.reason}.`,
    '',
    `RC \`${meta.rcSha ?? 'not given'}\` · ${meta.baseUrl || 'no target'} · owner ${meta.owner} · run \`${meta.runId}\``,
    '',
    '| Step | Status | Time |',
    '| --- | --- | --- |',
    ...run.steps.map((step) => {
      const ran = step.status !== 'not-run' && step.status !== 'not-selected';
      return `| ${step.n} ${cell(step.title)} | ${STEP_STATUS[step.status]} | ${ran ? seconds(step.durationMs) : '–'} |`;
    }),
    '',
  ];
  const blocking = run.blocking;
  if (blocking) {
    const id = blocking.checkId ? ` \`${blocking.checkId}\`` : '';
    const message = blocking.error.split('\n').slice(0, MESSAGE_LINES).join('\n');
    // A fence longer than any backtick run in the message keeps it one block.
    const fence = '`'.repeat(Math.max(3, ...[...message.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    out.push(`**Failing check**${id} (Step ${blocking.stepN} — ${blocking.stepTitle}): ${blocking.check}`, '', fence, message, fence, '');
  }
  // Whether this job uploads reports/ is its workflow's business: this repository's workflows do.
  const where = links.runUrl ? ` The cutover workflows upload \`reports/\` as an artifact of [this run](${links.runUrl}#artifacts).` : '';
  out.push(`Document: \`${links.document}\` (+ \`.json\`, \`-junit.xml\`).${where}`, '');
  return out.join('\n');
}

/** The run's page from the variables GitHub Actions sets, when they are all there. */
export function actionsRunUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined;
}
