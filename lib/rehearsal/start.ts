import type { Rehearsal, StartRehearsalOptions } from './types';

export async function startRehearsal(_opts: StartRehearsalOptions): Promise<Rehearsal> {
  throw new Error('the local rehearsal is not available yet: run against a target with --base-url');
}
