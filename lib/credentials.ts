import { readEnvValue } from './command/credential';

function required(name: string, why: string): string {
  const { value, problem } = readEnvValue(name, why);
  if (problem) throw new Error(problem);
  return value;
}

/**
 * Reads a credential the config names (e.g. harness.sections.credentials.stripeSecretKey) from
 * the process env. Missing is an error that says which variable and where to set it. Every name
 * under sections.credentials is known to the redactor from its creation (lib/secrets/known.ts),
 * so nothing read here can reach a report unredacted.
 */
export function credential(name: string, why: string): string {
  return required(name, why);
}

export function optionalCredential(name: string): string | undefined {
  return process.env[name] || undefined;
}

/**
 * A required setting that is not a secret (a test account's email, a job id). Kept out of the
 * redactor on purpose (lib/secrets/known.ts skips these names): answers that name the account
 * would otherwise look like leaks.
 */
export function setting(name: string, why: string): string {
  return required(name, why);
}
