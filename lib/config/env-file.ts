import { readFileSync } from 'node:fs';

/**
 * Reads KEY=value lines (dotenv style: comments, `export`, single or double quotes).
 * Problems name the line, never the value.
 */
export function parseEnvFile(text: string, file: string): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      problems.push(`${file}:${index + 1}: not a KEY=value line`);
      return;
    }
    let value = match[2]!;
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[1] === '"' ? quoted[2]!.replace(/\\([n"\\])/g, (_, c: string) => (c === 'n' ? '\n' : c)) : quoted[2]!;
    else value = value.replace(/\s+#.*$/, '');
    values[match[1]!] = value;
  });
  return { values, problems };
}

export function readEnvFile(file: string): { values: Record<string, string>; problems: string[] } {
  return parseEnvFile(readFileSync(file, 'utf8'), file);
}
