import { inject } from 'vitest';
import { handedOverContext, keepHandedOver, type HarnessContext } from './context';
import { receiveHandover } from './handover';
import { SUITE_PACKAGES } from './suite-packages';

/**
 * The suites' first setup file. The largest packages a step imports start loading now, while the
 * worker still waits on the CLI (for the booting rehearsal, then for each transformed suite
 * module), instead of one after another when the suite's own imports reach them. A failure here
 * is the importing module's to report.
 */
const loads = [
  ...SUITE_PACKAGES.map((name) => () => import(/* @vite-ignore */ name)),
  // Every suite's frame, and what the rehearsal's setup file will import (RehearsalWing.workerPreloads).
  () => import('./suite'),
  ...(inject('harnessPreloads') ?? []).map((file) => () => import(/* @vite-ignore */ file)),
];
for (const load of loads) load().catch(() => undefined);

// Then the run waits for what only the started run knows (lib/handover.ts): once, before the
// first suite file; the later files find it kept.
const channel = inject('harnessHandover');
if (channel && !handedOverContext()) {
  // The rehearsal's own start is bounded well within this; past it the CLI is gone or stuck.
  const message = await receiveHandover<HarnessContext>(channel, 15 * 60_000);
  if (message.kind === 'abort') throw new Error(`the run ended before its first step: ${message.reason}`);
  Object.assign(process.env, message.env);
  keepHandedOver(message.context);
}
