/**
 * A value the config names by variable (a credential or a required setting), from the process
 * env. Missing, the problem says which variable and where to set it, never a value. `remember`
 * gets a secret at once, so no later line can echo it (a setting that is not secret passes none).
 */
export function readEnvValue(
  name: string,
  why: string,
  where = '.env.<env>',
  remember?: (value: string) => void,
): { value: string; problem?: string } {
  const value = process.env[name];
  if (!value) return { value: '', problem: `${name} is not set (needed for ${why}): set it in the environment or ${where}` };
  remember?.(value);
  return { value };
}
