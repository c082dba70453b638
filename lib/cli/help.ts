import { STEPS, TEST_TAGS, type ListedCheck } from '../runbook/catalogue';
import { APPLY_TARGETS } from './args';

export const USAGE =
  'usage: npm test -- [--env=local|staging|prod] [--base-url=URL] [--sha=SHA] [--owner=NAME] [--only=STEPS | --from=STEP] ' +
  '[--apply=TARGETS --confirm=ENV] [--confirm-manual=ROWS] [--doctor] [--list] [--help] [--version]';

export function helpText(): string {
  return `Cutover harness: runs the staging → production cutover runbook in order against a target,
stops at the first failure, and writes the Go/No-Go document to reports/.

${USAGE}

With no flags: a full local rehearsal (local stack + reference target, mutating steps applied,
ends in a GO document). Nothing touches staging or prod unless --env says so.

Target
  --env=<local|staging|prod>   environment from cutover.config.ts (default: local; never prod by default)
  --base-url=<url>             override the environment's base URL (local: run against your own target)
  --sha=<sha>                  the RC commit SHA being cut over (required for a GO outside local);
                               --sha=deployed takes the SHA the deployed build reports (preflight.deployedSha)
  --owner=<name>               who signs the document (default: $CUTOVER_OWNER, git user.name, OS user)
  --config=<file>              configuration file (default: cutover.config.ts)
  --env-snapshot=<file>        KEY=value file exported from the platform, validated in step 2

Doctor
  --doctor                     check the config, .env.<env>, the env snapshot and that every source answers
                               (base URL, database, Redis, bucket, Stripe, GitHub, Sentry, logs, paths), read-only;
                               lists every gap with the setting to set; exit 0 none, 1 gaps (also npm run doctor).
                               It also runs by itself before any --apply outside local: a gap refuses (exit 2)

Selection (steps: 0-7 or their ids: ${STEPS.map((s) => s.id).join(', ')})
  --only=<steps>               run only these steps (comma list); the document marks the rest NOT RUN
  --from=<step>                resume from a step after fixing it; earlier steps carry over from the
                               newest document for the same env and SHA, where they passed
  --tags-filter=<expr>         Vitest tag filter, e.g. 'readonly' or '!slow' (repeat to AND)
  -t <pattern>                 Vitest test-name pattern
  --list                       print the steps, their checklist rows and each check with its tags
                               (readonly, testdata, mutating, ...) and what it needs, then exit
  --version                    print the harness's version, then exit

Mutations (guarded)
  --apply=<targets>            ${Object.entries(APPLY_TARGETS)
    .map(([k]) => k)
    .join(', ')} or none
  --confirm=<env>              required with --apply, except on a running rehearsal's own resources: the environment's name, typed again
  --confirm-manual=<rows>      confirm human-only rows (e.g. E.secret-rotated,G.real-client) as --owner
  --previous-webhook-secret-expired
                               the pre-rotation Stripe webhook secret has expired: prove it is refused

Local rehearsal only
  --fault=<names>              start the reference target broken in a named way (see rehearsal/faults)
  --rehearse=<backend dir>     rehearse your own backend checkout instead of the reference target
                               (how to build, start and seed it: the config's rehearse section)
  --stack=<auto|docker|embedded|external>
                               where Postgres, Redis and S3 come from (default: auto)

Tags: ${STEPS.map((s) => s.tag).join(', ')}, ${Object.keys(TEST_TAGS).join(', ')}
Exit codes: 0 GO (or every selected check passed in a partial run, marked INCOMPLETE),
            1 NO-GO, 2 usage or configuration error (nothing was run or changed).
Guarded scripts: npm run backup | migrate:deploy | migrate:attachments | audit:acknowledge -- --help
`;
}

export function listText(
  faults: readonly { name: string; caughtAt: string; description: string }[] = [],
  checks: readonly ListedCheck[] = [],
): string {
  const lines: string[] = [];
  for (const step of STEPS) {
    lines.push(`${step.n} ${step.id.padEnd(11)} [${step.tag}] ${step.title}  (${step.file})`);
    if (step.applicable) lines.push(`    --apply: ${step.applicable}`);
    for (const row of step.rows) lines.push(`    ${row.id.padEnd(24)} ${row.kind.padEnd(6)} ${row.label}`);
    const own = checks.filter((c) => c.step === step.id);
    if (own.length) lines.push('    checks (id, tags):');
    for (const check of own) {
      lines.push(`      ${check.id.padEnd(24)} [${check.tags.filter((t) => t !== step.tag).join(', ')}] ${check.name}`);
      for (const needed of check.needs) lines.push(`${' '.repeat(35)}needs: ${needed}`);
    }
  }
  lines.push('', 'Test tags:');
  for (const [tag, meaning] of Object.entries(TEST_TAGS)) lines.push(`  ${tag.padEnd(9)} ${meaning}`);
  if (faults.length) {
    lines.push('', 'Faults for the local rehearsal (--fault=<name>), with the step that must catch each:');
    for (const f of faults) lines.push(`  ${f.name.padEnd(34)} step ${STEPS.find((s) => s.id === f.caughtAt)?.n ?? '?'}  ${f.description}`);
  }
  return `${lines.join('\n')}\n`;
}
