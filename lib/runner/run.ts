import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, UsageError, type CliOptions } from '../cli/args';
import { helpText, listText } from '../cli/help';
import { consoleIo, EXIT, watchConsole, type Io } from '../command/exit';
import { fail } from './fail';
import type { LoadRehearsalWing } from './rehearsal-wing';
import { PROJECT_ROOT } from '../project-root';

/**
 * The CLI. `loadWing` brings in the local rehearsal (scripts/cutover.ts passes rehearsal/);
 * without it only runs against a given base URL are possible.
 */
export async function main(argv: readonly string[], io: Io = consoleIo, loadWing?: LoadRehearsalWing): Promise<number> {
  // Until the session takes the signals over, nothing has run or changed: an interruption ends
  // here, with the code every interrupted run has (1), not the shell's 130.
  const early = (signal: NodeJS.Signals) => {
    io.err(`cutover: interrupted by ${signal} before the run started; nothing was run or changed`);
    process.exit(EXIT.failed);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, early);
  if (io === consoleIo) watchConsole();
  const release = () => {
    for (const signal of signals) process.off(signal, early);
  };
  try {
    return await start(argv, io, release, loadWing);
  } finally {
    release();
  }
}

async function start(argv: readonly string[], io: Io, beforeSession: () => void, loadWing: LoadRehearsalWing | undefined): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return fail(io, error.problems);
    throw error;
  }
  if (opts.help) {
    io.out(helpText());
    return EXIT.ok;
  }
  if (opts.version) {
    io.out(harnessVersion());
    return EXIT.ok;
  }
  if (opts.list) {
    const { cachedListing } = await import('../cli/listing-cache');
    const { faults, checks, errors } = await cachedListing(
      PROJECT_ROOT,
      () => collectListing(loadWing),
      (listing) => listing.errors.length === 0,
    );
    io.out(listText(faults, checks));
    for (const error of errors) io.err(`cutover: --list: ${error}`);
    return errors.length ? EXIT.refused : EXIT.ok;
  }

  // Loaded only past --help, --version and --list: they answer without the config schema and the SDKs.
  const { launch } = await import('./launch');
  return launch(opts, io, beforeSession, loadWing);
}

/** What --list prints: the steps' checks as Vitest collects them, and the rehearsal's faults. */
async function collectListing(loadWing: LoadRehearsalWing | undefined) {
  const { collectChecks } = await import('./collect-checks');
  const [wing, { checks, errors }] = await Promise.all([loadWing?.(), collectChecks(PROJECT_ROOT)]);
  const faults = (wing?.faults ?? []).map(({ name, caughtAt, description }) => ({ name, caughtAt, description }));
  return { faults, checks, errors };
}

/** The version in the harness's package.json, the one `npm version` sets. */
function harnessVersion(): string {
  return (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
