import { FAULTS, findFault } from '../../fixtures/faults';

export function unknownFaults(names: string[]): string[] {
  return names
    .filter((n) => !findFault(n))
    .map((n) => `--fault: unknown fault "${n}" (known: ${FAULTS.map((f) => f.name).join(', ') || 'none yet'})`);
}
