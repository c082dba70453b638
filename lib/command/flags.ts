/**
 * The one flag parser of `cutover` and every guarded script. A command declares its flags; the
 * parser collects every problem (one line each, never quoting a value) so one run lists them all.
 */
export interface FlagSpec {
  kind: 'boolean' | 'value';
  /** One line for a generated usage text (the CLI writes its own, grouped, in lib/cli/help.ts). */
  help?: string;
  /** A one-letter form, e.g. 'h' for -h (a value flag's short form takes the next argument). */
  short?: string;
  /** Other long names that mean this flag. */
  aliases?: readonly string[];
  /** May be given more than once (every value is kept); otherwise twice is a problem. */
  repeatable?: boolean;
  choices?: readonly string[];
  /** Why a value is not acceptable, or undefined; printed after "--name: ". Never quotes the value. */
  check?: (value: string) => string | undefined;
  /** Used when the flag is not given. */
  default?: string;
  /** The flag must be given (unless --help is): why there is no default. */
  required?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface ParseOptions {
  /**
   * Only `--flag=value`: a value in the next argument is an error, not a guess (the guarded
   * scripts, like the backend's own). Otherwise both forms are taken.
   */
  equalsOnly?: boolean;
}

export interface ParsedFlags {
  /** Every value given, by the flag's own name, in order; defaults included. */
  values: Record<string, string[]>;
  booleans: Set<string>;
  problems: string[];
}

/** The last value of a flag, or undefined. */
export function flagValue(parsed: ParsedFlags, name: string): string | undefined {
  return parsed.values[name]?.at(-1);
}

function byName(specs: FlagSpecs): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    names.set(`--${name}`, name);
    for (const alias of spec.aliases ?? []) names.set(`--${alias}`, name);
    if (spec.short) names.set(`-${spec.short}`, name);
  }
  return names;
}

export function parseFlags(argv: readonly string[], specs: FlagSpecs, options: ParseOptions = {}): ParsedFlags {
  const names = byName(specs);
  const problems: string[] = [];
  const values: Record<string, string[]> = {};
  const given = new Map<string, string>();
  const booleans = new Set<string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const match = /^(--[A-Za-z][\w-]*|-[A-Za-z])(?:=(.*))?$/s.exec(arg);
    if (!match) {
      // The part before any "=": a stray KEY=secret must not be echoed.
      problems.push(`unexpected argument "${arg.split('=')[0]}" (flags look like --env=prod)`);
      continue;
    }
    const [, raw, inline] = match as unknown as [string, string, string | undefined];
    const name = names.get(raw);
    if (!name) {
      problems.push(`unknown option ${raw}`);
      continue;
    }
    if (given.has(name) && !specs[name]!.repeatable) problems.push(`${raw} given more than once`);
    given.set(name, raw);
    if (specs[name]!.kind === 'boolean') {
      if (inline !== undefined && inline !== 'true') problems.push(`${raw} takes no value`);
      booleans.add(name);
      continue;
    }
    let value = inline;
    const next = argv[i + 1];
    if (value === undefined && !options.equalsOnly && next !== undefined && !next.startsWith('--')) {
      value = next;
      i += 1;
    }
    if (value === undefined || value === '')
      problems.push(`${raw} needs a value (${raw.startsWith('--') ? `${raw}=...` : `${raw} <value>`})`);
    else (values[name] ??= []).push(value);
  }
  for (const [name, spec] of Object.entries(specs)) {
    const value = values[name]?.at(-1);
    if (value === undefined) {
      if (spec.default !== undefined) values[name] = [spec.default];
      else if (spec.required && !given.has(name) && !booleans.has('help')) {
        problems.push(`--${name} is required${spec.choices ? ` (${spec.choices.join(', ')})` : ''}: ${spec.required}`);
      }
      continue;
    }
    if (spec.choices && !spec.choices.includes(value)) problems.push(`--${name}: "${value}" is not one of ${spec.choices.join(', ')}`);
    const problem = spec.check?.(value);
    if (problem) problems.push(`--${name}: ${problem}`);
  }
  return { values, booleans, problems };
}

/** `  --name=<value>     help`, one line per flag, for a command's --help. */
export function flagUsage(specs: FlagSpecs): string {
  return Object.entries(specs)
    .map(([name, f]) => `  --${name}${f.kind === 'value' ? '=<value>' : ''}`.padEnd(30) + (f.help ?? ''))
    .join('\n');
}
