import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

const ENTRY = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/**
 * Reads a dotenv file with Node's own parser (util.parseEnv): comments, `export`, single, double
 * and backtick quotes, and quoted values over several lines (a PEM key, a service-account JSON).
 * parseEnv passes over what it cannot read without a word, and an unclosed quote swallows the
 * lines after it, so each entry's lines are found here first: a line that is not KEY=value, a
 * quote that never closes or text after a closing quote is a problem naming the line, never the value.
 */
export function parseEnvFile(text: string, file: string): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    const match = ENTRY.exec(line);
    if (!match) {
      problems.push(`${file}:${i + 1}: not a KEY=value line`);
      continue;
    }
    const [, key, value] = match as unknown as [string, string, string];
    const end = quotedValueEnd(lines, i, value);
    if (end.problem) {
      problems.push(`${file}:${end.line + 1}: ${end.problem}`);
      if (end.stop) break;
    } else values[key] = parseEnv(lines.slice(i, end.line + 1).join('\n'))[key] ?? '';
    i = end.line;
  }
  return { values, problems };
}

/** The line a value ends on: the one with its closing quote, when it opens with one. */
function quotedValueEnd(lines: readonly string[], start: number, value: string): { line: number; problem?: string; stop?: boolean } {
  const quote = /^['"`]/.exec(value)?.[0];
  if (!quote) return { line: start };
  let line = start;
  let rest = value.slice(1);
  while (!rest.includes(quote)) {
    line++;
    if (line >= lines.length) return { line: start, problem: `the ${quote}-quoted value never closes`, stop: true };
    rest = lines[line]!;
  }
  const after = rest.slice(rest.indexOf(quote) + 1).trim();
  if (after && !after.startsWith('#')) {
    return { line, problem: `text after the closing ${quote} (a value holding that quote goes in another kind: ' " or \`)` };
  }
  return { line };
}

export function readEnvFile(file: string): { values: Record<string, string>; problems: string[] } {
  return parseEnvFile(readFileSync(file, 'utf8'), file);
}
