import path from 'node:path';
import ts from 'typescript';

/**
 * The JSDoc comments written above each setting in the schema's source files, by setting key.
 * A comment is where the author explains a setting, but zod never sees it: this reads the sources
 * with TypeScript's parser and follows the schema's own structure (z.strictObject properties,
 * discriminated union variants, array elements, consts and imports between the files), so a new
 * section or setting is documented without touching the generator.
 */

export interface SourceFile {
  path: string;
  text: string;
}

/** Keys are setting paths; a union variant adds a `{discriminator=value}` segment, an array element `[]`. */
export type CommentMap = Map<string, string>;

export const variantSegment = (discriminator: string, value: string) => `{${discriminator}=${value}}`;

const OBJECT_FACTORIES = new Set(['object', 'strictObject', 'looseObject']);

interface Declaration {
  init: ts.Expression;
  comment: string | undefined;
  file: Parsed;
}

interface Parsed {
  path: string;
  source: ts.SourceFile;
  declarations: Map<string, { init: ts.Expression; comment: string | undefined }>;
  /** Local name → [resolved file path, exported name]. */
  imports: Map<string, [string, string]>;
  /** `import * as name` → resolved file path. */
  namespaces: Map<string, string>;
}

/** The last JSDoc block directly above a node (no blank line between), as one line of text. */
function docAbove(node: ts.Node, source: ts.SourceFile): string | undefined {
  const text = source.text;
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  const last = ranges.at(-1);
  if (!last || !text.startsWith('/**', last.pos)) return undefined;
  if (/\n[ \t]*\n/.test(text.slice(last.end, node.getStart(source)))) return undefined;
  return text
    .slice(last.pos + 3, last.end - 2)
    .split('\n')
    .map((line) => line.replace(/^\s*\*?\s?/, '').trim())
    .filter(Boolean)
    .join(' ');
}

function parse(file: SourceFile): Parsed {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.ES2022, true);
  const parsed: Parsed = { path: file.path, source, declarations: new Map(), imports: new Map(), namespaces: new Map() };
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const decl of statement.declarationList.declarations) {
        if (ts.isIdentifier(decl.name) && decl.initializer) {
          parsed.declarations.set(decl.name.text, { init: decl.initializer, comment: docAbove(statement, source) });
        }
      }
    } else if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const spec = statement.moduleSpecifier.text;
      const bindings = statement.importClause?.namedBindings;
      if (!spec.startsWith('.') || !bindings) continue;
      const target = path.resolve(path.dirname(file.path), spec);
      if (ts.isNamespaceImport(bindings)) parsed.namespaces.set(bindings.name.text, target);
      else for (const el of bindings.elements) parsed.imports.set(el.name.text, [target, (el.propertyName ?? el.name).text]);
    }
  }
  return parsed;
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** Reads comments for the schema exported as `rootName`, keyed under `rootKey`. */
export function sourceComments(files: SourceFile[], rootName: string, rootKey: string[] = []): CommentMap {
  const byPath = new Map(files.map((f) => [f.path.replace(/\.ts$/, ''), parse(f)]));
  const out: CommentMap = new Map();
  const set = (key: string[], comment: string | undefined) => {
    const k = key.join('.');
    if (comment && !out.has(k)) out.set(k, comment);
  };

  const moduleAt = (resolved: string) => byPath.get(resolved) ?? byPath.get(path.join(resolved, 'index'));

  function resolve(file: Parsed, name: string, seen = new Set<string>()): Declaration | undefined {
    const local = file.declarations.get(name);
    if (local) return { ...local, file };
    const imported = file.imports.get(name);
    const target = imported && moduleAt(imported[0]);
    if (!imported || !target || seen.has(`${target.path}:${imported[1]}`)) return undefined;
    return resolve(target, imported[1], seen.add(`${target.path}:${imported[1]}`));
  }

  /** A const named by an identifier, or by `namespace.name` after `import * as namespace`. */
  function declarationOf(expr: ts.Expression, file: Parsed): Declaration | undefined {
    if (ts.isIdentifier(expr)) return resolve(file, expr.text);
    if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.expression)) {
      const target = file.namespaces.has(expr.expression.text) ? moduleAt(file.namespaces.get(expr.expression.text)!) : undefined;
      return target && resolve(target, expr.name.text);
    }
    return undefined;
  }

  /** The z.<factory>(...) call at the root of a method chain such as z.strictObject({...}).default(...). */
  function factoryCall(expr: ts.Expression, file: Parsed): { call: ts.CallExpression; method: string; file: Parsed } | undefined {
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr)) {
      return factoryCall(expr.expression, file);
    }
    const decl = declarationOf(expr, file);
    if (decl) return factoryCall(decl.init, decl.file);
    if (!ts.isCallExpression(expr) || !ts.isPropertyAccessExpression(expr.expression)) return undefined;
    const callee = expr.expression;
    if (ts.isIdentifier(callee.expression) && callee.expression.text === 'z') return { call: expr, method: callee.name.text, file };
    return factoryCall(callee.expression, file);
  }

  function literalOf(expr: ts.Expression, file: Parsed): string | undefined {
    const found = factoryCall(expr, file);
    const arg = found?.method === 'literal' ? found.call.arguments[0] : undefined;
    return arg && (ts.isStringLiteral(arg) || ts.isNumericLiteral(arg)) ? arg.text : undefined;
  }

  function objectProperties(expr: ts.Expression, file: Parsed) {
    const found = factoryCall(expr, file);
    const arg = found && OBJECT_FACTORIES.has(found.method) ? found.call.arguments[0] : undefined;
    return arg && ts.isObjectLiteralExpression(arg) ? { properties: arg.properties, file: found!.file } : undefined;
  }

  function walk(expr: ts.Expression, key: string[], file: Parsed): void {
    const decl = declarationOf(expr, file);
    if (decl) {
      // A const's own comment describes a setting only when the const is a structure (a section, a
      // union); on a shared leaf type (an env var name) it says what the type is, not the setting.
      const root = factoryCall(decl.init, decl.file);
      if (root && (OBJECT_FACTORIES.has(root.method) || root.method === 'discriminatedUnion')) set(key, decl.comment);
      walk(decl.init, key, decl.file);
      return;
    }
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr)) {
      walk(expr.expression, key, file);
      return;
    }
    if (!ts.isCallExpression(expr) || !ts.isPropertyAccessExpression(expr.expression)) return;
    const callee = expr.expression;
    const isFactory = ts.isIdentifier(callee.expression) && callee.expression.text === 'z';
    if (!isFactory) {
      walk(callee.expression, key, file); // .default(), .prefault(), .min(), .describe()...
      return;
    }
    const method = callee.name.text;
    const [first, second] = expr.arguments;
    if (OBJECT_FACTORIES.has(method) && first && ts.isObjectLiteralExpression(first)) {
      for (const prop of first.properties) {
        if (!prop.name) continue;
        const name = propertyName(prop.name);
        if (!name) continue;
        set([...key, name], docAbove(prop, file.source));
        if (ts.isPropertyAssignment(prop)) walk(prop.initializer, [...key, name], file);
        else if (ts.isShorthandPropertyAssignment(prop)) walk(prop.name, [...key, name], file);
      }
    } else if (method === 'discriminatedUnion' && first && ts.isStringLiteral(first) && second && ts.isArrayLiteralExpression(second)) {
      for (const option of second.elements) {
        const props = objectProperties(option, file);
        const tag = props?.properties.find((p) => p.name && propertyName(p.name) === first.text);
        const value = tag && ts.isPropertyAssignment(tag) ? literalOf(tag.initializer, props!.file) : undefined;
        if (value === undefined) continue;
        const variantKey = [...key, variantSegment(first.text, value)];
        set(variantKey, docAbove(option, file.source));
        walk(option, variantKey, file);
      }
    } else if (method === 'array' && first) {
      walk(first, [...key, '[]'], file);
    }
  }

  for (const file of byPath.values()) {
    const root = file.declarations.get(rootName);
    if (root) walk(root.init, rootKey, file);
  }
  return out;
}
