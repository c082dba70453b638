import { USAGE } from '../cli/help';
import { EXIT, type Io } from '../command/exit';

/** Bad input: each problem, then the usage line; exit 2, nothing run. */
export function fail(io: Io, problems: string[]): number {
  if (problems.length === 1) io.err(`cutover: ${problems[0]}`);
  else {
    io.err(`cutover: cannot start, ${problems.length} problems:`);
    for (const p of problems) io.err(`  - ${p}`);
  }
  io.err(USAGE);
  return EXIT.refused;
}
