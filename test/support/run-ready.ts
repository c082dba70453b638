// What a whole run needs besides a test's own subject: outside local the doctor refuses every
// mutation while a later step lacks a setting or a variable (lib/doctor/gaps.ts), so a test that
// means to apply something outside local starts from these.
import os from 'node:os';
import path from 'node:path';
import { requirementsFor } from '../../lib/config/requirements';
import { environmentSchema, sectionsSchema } from '../../lib/config/schema';
import { STEPS } from '../../lib/runbook/catalogue';

const BASIC = path.resolve(import.meta.dirname, '../migrations/fixtures/basic');

/** The settings and sources a run reads, pointed at things that exist (nothing here is probed). */
export const RUN_READY_SECTIONS = {
  migrations: { dir: path.join(BASIC, 'migrations'), schema: path.join(BASIC, 'schema.prisma') },
  storage: { uploadsDir: os.tmpdir() },
  preflight: { ci: { provider: 'github', repo: 'acme/backend' } },
  monitoring: { fiveXx: { source: { kind: 'log-file', path: os.devNull } } },
};

/**
 * A value for every variable a whole run asks for (with RUN_READY_SECTIONS and the environment's
 * defaults), distinct and harmless: spread it first, then the test's real values over it.
 */
export function runReadyEnv(): Record<string, string> {
  const sections = sectionsSchema.parse(RUN_READY_SECTIONS);
  const environment = environmentSchema.parse({ expect: { stripeMode: 'test' } });
  const names = STEPS.flatMap((step) => requirementsFor(step.id, sections, environment).map((r) => r.name));
  return Object.fromEntries(names.map((name) => [name, `run-ready-${name.toLowerCase().replace(/_/g, '-')}`]));
}

/** The same variables unset: a test that means to show what is missing starts from this. */
export function runReadyEnvUnset(): Record<string, undefined> {
  return Object.fromEntries(Object.keys(runReadyEnv()).map((name) => [name, undefined]));
}
