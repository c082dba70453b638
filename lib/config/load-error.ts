import { readFileSync } from 'node:fs';

/**
 * Why a config file could not be imported, in one line without its path (the caller names the
 * file once). A syntax error gets its line and column: esbuild (TypeScript configs) reports them
 * in its message; Node's own SyntaxError (plain .mjs/.js) does not, so the file is parsed again.
 */
export async function describeLoadError(error: unknown, absolute: string): Promise<string> {
  const message = (error as Error)?.message ?? String(error);
  const esbuild = /:(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  // esbuild counts columns from 0
  if (esbuild) return `syntax error at line ${esbuild[1]}, column ${Number(esbuild[2]) + 1}: ${esbuild[3]}`;
  if ((error as Error)?.name === 'SyntaxError') {
    const at = await syntaxErrorPosition(absolute);
    if (at) return `syntax error at line ${at.line}, column ${at.column}: ${message.split('\n')[0]}`;
  }
  return message.split('\n')[0]!;
}

async function syntaxErrorPosition(file: string): Promise<{ line: number; column: number } | undefined> {
  try {
    const ts = (await import('typescript')).default;
    const text = readFileSync(file, 'utf8');
    const { diagnostics } = ts.transpileModule(text, { fileName: file, reportDiagnostics: true, compilerOptions: { allowJs: true } });
    const first = diagnostics?.find((d) => d.start !== undefined);
    if (!first || !first.file) return undefined;
    const { line, character } = first.file.getLineAndCharacterOfPosition(first.start!);
    return { line: line + 1, column: character + 1 };
  } catch {
    return undefined;
  }
}
