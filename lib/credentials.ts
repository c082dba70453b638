import { readEnvValue } from './command/credential';
import { redactor } from './suite';

function required(name: string, why: string, remember?: (value: string) => void): string {
  const { value, problem } = readEnvValue(name, why, undefined, remember);
  if (problem) throw new Error(problem);
  return value;
}

/**
 * Reads a credential the config names (e.g. harness.sections.credentials.stripeSecretKey) from
 * the process env. Missing is an error that says which variable and where to set it.
 */
export function credential(name: string, why: string): string {
  return required(name, why, (value) => redactor().add(value));
}

export function optionalCredential(name: string): string | undefined {
  const value = process.env[name] || undefined;
  if (value) redactor().add(value);
  return value;
}

/**
 * A required setting that is not a secret (a test account's email, a job id). Kept out of the
 * redactor on purpose: answers that name the account would otherwise look like leaks.
 */
export function setting(name: string, why: string): string {
  return required(name, why);
}
