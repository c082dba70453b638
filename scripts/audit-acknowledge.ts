import { pathToFileURL } from 'node:url';
import { EXIT } from '../lib/command/exit';
import { acknowledge, readAudit, unfinishedOf, writerAlive, type AuditRecord } from '../lib/guard/audit';
import type { ScriptSpec } from '../lib/guard/args';
import { BadInput, runGuardedScript } from '../lib/guard/script';

export const AUDIT_ACKNOWLEDGE_SPEC: ScriptSpec = {
  name: 'audit:acknowledge',
  summary:
    'Closes an audit entry that started and never recorded an end (a run killed outright, a machine that died), once you\n' +
    'have checked what it changed: appends an "acknowledged" end with who closed it and what they found. Every run names\n' +
    'such entries until they are closed. Changes nothing but the audit log (no --confirm needed); refuses an entry whose run\n' +
    'is still going.',
  flags: {
    id: { kind: 'value', help: 'the audit id the warning names (required)' },
    note: { kind: 'value', help: 'what you checked and found, kept with the entry (required)' },
  },
};

/** `npm run audit:acknowledge -- --env=<env> --id=<audit id> --note="…"` */
export function auditAcknowledgeMain(argv: readonly string[]): Promise<number> {
  return runGuardedScript(AUDIT_ACKNOWLEDGE_SPEC, argv, async ({ args, config, io, owner, redactor }) => {
    const file = config.sections.reports.auditLog;
    const { id, note } = args.values;
    const input: string[] = [];
    if (!id) input.push('--id is required: the audit id the warning names');
    if (!note?.trim()) input.push('--note is required: say what you checked and found, for whoever reads the log next');
    if (input.length) throw new BadInput(input);
    const records = await readAudit(file);
    const open = unfinishedOf(records);
    const entry = open.find((r) => r.id === id);
    if (!entry) throw new BadInput([notOpen(id!, file, records, open)]);
    if (writerAlive(entry))
      throw new BadInput([
        `${entry.script} (audit id ${id}) is still running as pid ${entry.pid}: it records its own end; nothing was written`,
      ]);
    await acknowledge(file, entry, owner, note!.trim(), redactor);
    io.out(
      redactor.redact(
        `audit:acknowledge: closed ${entry.script} on ${entry.env} started ${entry.time} by ${entry.owner} (audit id ${id}) in ${file}, as checked by ${owner}`,
      ),
    );
    return EXIT.ok;
  });
}

/** Why an id cannot be closed: it already ended, or is not in this log (then which ones could be). */
function notOpen(id: string, file: string, records: AuditRecord[], open: AuditRecord[]): string {
  const end = records.find((r) => r.id === id && r.outcome !== 'started');
  if (end) return `audit id ${id} already ended (${end.outcome} at ${end.time}) in ${file}; nothing was written`;
  const ids = open.map((r) => r.id).join(', ');
  return `no audit entry ${id} in ${file}${ids ? `; the unfinished ones there: ${ids}` : '; nothing there is unfinished'} (another --config or --env keeps its log elsewhere); nothing was written`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await auditAcknowledgeMain(process.argv.slice(2));
}
