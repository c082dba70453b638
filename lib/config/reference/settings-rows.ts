import { z } from 'zod';
import { variantSegment, type CommentMap } from './source-comments';

/**
 * One row per setting of a zod schema: what the reference document shows. Walks zod 4's own
 * definitions (`_zod.def`), so it follows whatever the schema becomes.
 */

export interface SettingRow {
  /** Dotted path as written in the config file. */
  path: string;
  /** Path with union variants and array elements spelled out: the key of comments and examples. */
  key: string;
  /** Set when the setting exists only in one variant of a union, e.g. `source: 'header'`. */
  variant?: string;
  type: string;
  /** A JavaScript literal; else 'optional', or 'required' ("required with <group>" inside a group that may be left out). */
  default: string;
  description: string;
  example?: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- zod's internals are typed per class; the walk reads them generically */
type Def = any;
const def = (schema: z.ZodType): Def => (schema as any)._zod.def;
/* eslint-enable @typescript-eslint/no-explicit-any */

const ENV_VAR_NAME = '^[A-Z_][A-Z0-9_]*$';

/** A value as it would be written in cutover.config.ts. */
export function literal(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : literal(k)}: ${literal(v)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return String(value);
}

interface Unwrapped {
  core: z.ZodType;
  hasDefault: boolean;
  defaultValue: unknown;
  optional: boolean;
  nullable: boolean;
  description: string | undefined;
}

/** Peels default/prefault/optional/nullable (and pipe, lazy) wrappers, keeping the outermost default and description. */
function unwrap(schema: z.ZodType): Unwrapped {
  const out: Unwrapped = {
    core: schema,
    hasDefault: false,
    defaultValue: undefined,
    optional: false,
    nullable: false,
    description: undefined,
  };
  for (;;) {
    out.description ??= z.globalRegistry.get(out.core)?.description;
    const d = def(out.core);
    if (d.type === 'default' || d.type === 'prefault') {
      if (!out.hasDefault) Object.assign(out, { hasDefault: true, defaultValue: d.defaultValue });
    } else if (d.type === 'optional') out.optional = true;
    else if (d.type === 'nullable') out.nullable = true;
    else if (d.type === 'pipe') {
      out.core = d.in; // what the file says, before any transform
      continue;
    } else if (d.type === 'lazy') {
      out.core = d.getter();
      continue;
    } else if (d.type !== 'readonly' && d.type !== 'catch' && d.type !== 'nonoptional') return out;
    out.core = d.innerType;
  }
}

/** The constraints zod keeps as checks on a schema (ranges, lengths, patterns, integer). */
function checks(schema: z.ZodType): Def[] {
  return ((def(schema).checks ?? []) as z.ZodType[]).map(def);
}

function range(cs: Def[]): string {
  const parts = cs
    .filter((c) => c.check === 'greater_than' || c.check === 'less_than')
    .map((c) => `${c.check === 'greater_than' ? (c.inclusive ? '≥' : '>') : c.inclusive ? '≤' : '<'} ${c.value}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** A short human type: `integer (≥ 1)`, `'harness' | 'backend'`, `URL`, `env var name`, `{ method: …; path: string }[]`. */
export function typeText(schema: z.ZodType): string {
  const { core, nullable, optional } = unwrap(schema);
  const d = def(core);
  const cs = checks(core);
  const minLength = cs.find((c) => c.check === 'min_length')?.minimum as number | undefined;
  let text: string;
  switch (d.type) {
    case 'string': {
      const patterns = cs.filter((c) => c.format === 'regex').map((c) => c.pattern as RegExp);
      if (d.format === 'url') text = 'URL';
      else if (d.format === 'datetime') text = 'ISO 8601 date-time';
      else if (patterns.some((p) => p.source === ENV_VAR_NAME)) text = 'env var name';
      else if (patterns.length) text = `string matching \`${patterns.map((p) => `/${p.source}/`).join(' ')}\``;
      else text = minLength ? 'non-empty string' : 'string';
      break;
    }
    case 'number':
      text = (cs.some((c) => c.check === 'number_format' && /int/.test(c.format)) ? 'integer' : 'number') + range(cs);
      break;
    case 'boolean':
      text = 'boolean';
      break;
    case 'enum':
      text = Object.values(d.entries as Record<string, unknown>)
        .map(literal)
        .join(' | ');
      break;
    case 'literal':
      text = (d.values as unknown[]).map(literal).join(' | ');
      break;
    case 'union':
      text = (d.options as z.ZodType[]).map(typeText).join(' | ');
      break;
    case 'array':
      text = `${typeText(d.element)}[]${minLength ? ` (at least ${minLength})` : ''}`;
      break;
    case 'object':
      text = `{ ${Object.entries(d.shape as Record<string, z.ZodType>)
        .map(([k, v]) => `${k}: ${typeText(v)}`)
        .join('; ')} }`;
      break;
    case 'tuple':
      text = `[${(d.items as z.ZodType[]).map(typeText).join(', ')}]`;
      break;
    case 'record':
      text = `{ [${typeText(d.keyType)}]: ${typeText(d.valueType)} }`;
      break;
    default:
      text = ['unknown', 'any', 'custom', 'transform'].includes(d.type) ? 'any' : d.type;
  }
  return text + (nullable ? ' | null' : '') + (optional ? ' (optional)' : '');
}

interface Walk {
  comments: CommentMap;
  examples: Record<string, unknown>;
  rows: SettingRow[];
  /** Keys up to this long head a table of their own: their comment is not repeated on each setting. */
  headingDepth: number;
}

const NONE = Symbol('no example');

/** An example value: the generator's own where one is given, else one derived from the type and default. */
function exampleValue(key: string, u: Unwrapped, examples: Record<string, unknown>): unknown {
  if (key in examples) return examples[key];
  const d = def(u.core);
  const options: unknown[] =
    d.type === 'enum'
      ? Object.values(d.entries)
      : d.type === 'literal'
        ? d.values
        : d.type === 'union'
          ? d.options.flatMap((o: z.ZodType) => def(o).values ?? [])
          : [];
  const other = options.find((o) => o !== u.defaultValue);
  if (other !== undefined) return other;
  if (d.type === 'boolean' && typeof u.defaultValue === 'boolean') return !u.defaultValue;
  const value = u.defaultValue;
  const empty = value === null || value === '' || value === undefined || (typeof value === 'object' && !Object.keys(value).length);
  return empty ? NONE : value;
}

/** The example as it is written in cutover.config.ts, e.g. `monitoring: { fiveXx: { timeField: 'ts' } }`. */
function snippet(key: string[], value: unknown): string | undefined {
  if (value === NONE) return undefined;
  let text = literal(value);
  for (let i = key.length - 1; i >= 0; i--) {
    const variant = /^\{(.+)=(.+)\}$/.exec(key[i]!);
    if (variant) text = `${variant[1]}: ${literal(variant[2])}, ${text}`;
    else text = i === key.length - 1 ? `${key[i]}: ${text}` : `${key[i] === '<env>' ? 'prod' : key[i]}: { ${text} }`;
  }
  return text;
}

const displayPath = (key: string[]) => key.filter((s) => !s.startsWith('{')).join('.');

interface Enclosing {
  /** A union variant the setting belongs to, e.g. `source: 'header'`. */
  variant?: string;
  /** What the enclosing object's default gives this setting, when it has no default of its own. */
  inherited?: unknown;
  /** The nearest enclosing group's comment (below a section), for settings without their own. */
  note?: string;
  /** An enclosing group that may be left out: its settings are required only with it. */
  within?: string;
}

function walk(schema: z.ZodType, key: string[], w: Walk, { variant, inherited, note, within }: Enclosing = {}): void {
  const u = unwrap(schema);
  if (!u.hasDefault && inherited !== undefined) Object.assign(u, { hasDefault: true, defaultValue: inherited });
  const d = def(u.core);
  const k = key.join('.');
  const description = u.description ?? w.comments.get(k) ?? '';
  // A section's comment heads its table; a group's below it stands in for its settings' own.
  const inner = key.length > w.headingDepth ? description || note : undefined;
  const required = within ? `required with ${within}` : 'required';
  if (d.type === 'object') {
    const given = u.defaultValue as Record<string, unknown> | null | undefined;
    const optionalGroup = (u.optional || u.nullable) && !given ? displayPath(key) : within;
    for (const [name, child] of Object.entries(d.shape as Record<string, z.ZodType>)) {
      walk(child, [...key, name], w, { variant, inherited: given?.[name], note: inner, within: optionalGroup });
    }
    return;
  }
  if (d.type === 'union' && typeof d.discriminator === 'string' && (d.options as z.ZodType[]).every((o) => def(o).shape)) {
    walkVariants(u, key, description || note || '', w, { variant, within });
    return;
  }
  w.rows.push({
    path: displayPath(key),
    key: k,
    variant,
    type: typeText(schema),
    default: u.hasDefault ? literal(u.defaultValue) : u.optional ? 'optional' : required,
    description: [description || note, ...elementNotes(u.core, key, w.comments)].filter(Boolean).join(' '),
    example: snippet(key, exampleValue(k, u, w.examples)),
  });
}

/** A discriminated union: one row for its tag (naming every variant), then each variant's own settings. */
function walkVariants(u: Unwrapped, key: string[], description: string, w: Walk, { variant, within }: Enclosing): void {
  const d = def(u.core);
  const tag: string = d.discriminator;
  const options = (d.options as z.ZodType[]).map((o) => {
    const t = def(unwrap(def(o).shape[tag]).core);
    return { value: (t.values ?? Object.values(t.entries ?? {}))[0] as unknown, shape: def(o).shape };
  });
  const notes = options
    .map(({ value }) => [value, w.comments.get([...key, variantSegment(tag, String(value))].join('.'))] as const)
    .filter(([, note]) => note)
    .map(([value, note]) => `${literal(value)}: ${note}`);
  const tagKey = [...key, tag];
  // The example shows another variant than the default one, with the settings it requires.
  const defaultTag = (u.defaultValue as Record<string, unknown> | undefined)?.[tag];
  const chosen =
    tagKey.join('.') in w.examples ? w.examples[tagKey.join('.')] : (options.find((o) => o.value !== defaultTag) ?? options[0])?.value;
  const first = w.rows.length;
  for (const { value, shape } of options) {
    const variantKey = [...key, variantSegment(tag, String(value))];
    const note = w.comments.get(variantKey.join('.'));
    for (const [name, child] of Object.entries(shape as Record<string, z.ZodType>)) {
      if (name !== tag) walk(child, [...variantKey, name], w, { variant: `${tag}: ${literal(value)}`, note, within });
    }
  }
  const chosenKey = [...key, variantSegment(tag, String(chosen)), ''].join('.');
  const example: Record<string, unknown> = { [tag]: chosen };
  for (const row of w.rows.slice(first)) {
    const name = row.key.slice(chosenKey.length);
    if (row.key.startsWith(chosenKey) && row.default.startsWith('required') && row.key in w.examples) example[name] = w.examples[row.key];
  }
  w.rows.splice(first, 0, {
    path: displayPath(tagKey),
    key: tagKey.join('.'),
    variant,
    type: options.map((o) => literal(o.value)).join(' | '),
    default: u.hasDefault ? literal(u.defaultValue) : u.optional ? 'optional' : within ? `required with ${within}` : 'required',
    description: [description, ...notes].filter(Boolean).join(' '),
    example: snippet(key, example),
  });
}

/** Comments on the fields of an array's object elements (shown with the array, not as rows of their own). */
function elementNotes(core: z.ZodType, key: string[], comments: CommentMap): string[] {
  const d = def(core);
  if (d.type !== 'array') return [];
  const element = unwrap(d.element).core;
  if (def(element).type !== 'object') return [];
  return Object.keys(def(element).shape)
    .map((name) => [name, comments.get([...key, '[]', name].join('.'))] as const)
    .filter(([, note]) => note)
    .map(([name, note]) => `\`${name}\`: ${note}`);
}

/** Every setting under `schema`, in schema order. By default each top-level key is a section with a table of its own. */
export function settingRows(
  schema: z.ZodType,
  comments: CommentMap,
  examples: Record<string, unknown> = {},
  rootKey: string[] = [],
  headingDepth = rootKey.length + 1,
): SettingRow[] {
  const w: Walk = { comments, examples, rows: [], headingDepth };
  walk(schema, rootKey, w);
  return w.rows;
}
