import { SECRET_SHAPES, STRUCTURED_SECRETS } from './patterns';

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not matched as raw text: redacting "true" would wreck the document. */
export const MIN_SECRET_LENGTH = 8;

function base64Variants(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  // The value can sit at any offset inside a larger base64 string (e.g. "user:password" in a
  // Basic header), which shifts its encoding; the three alignments cover every offset.
  for (let shift = 0; shift < 3; shift += 1) {
    // Characters mixing in bits of the unknown neighbours are cut: the first ceil(4*shift/3)
    // and everything after floor(4*(shift+n)/3).
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const encoded = padded.toString('base64').slice(Math.ceil((shift * 4) / 3), Math.floor(((shift + bytes.length) * 4) / 3));
    if (encoded.length >= MIN_SECRET_LENGTH) out.push(encoded, encoded.replaceAll('+', '-').replaceAll('/', '_'));
  }
  const whole = bytes.toString('base64');
  out.push(whole, whole.replace(/=+$/, ''), whole.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, ''));
  return out;
}

/** Every form a secret can take in an artifact: raw, base64, hex, URL-encoded, JSON-escaped. */
export function secretForms(value: string): string[] {
  const forms = new Set<string>([value]);
  for (const form of base64Variants(value)) forms.add(form);
  // Hex has no alignment problem: each byte is two characters, whatever surrounds it.
  const hex = Buffer.from(value, 'utf8').toString('hex');
  forms.add(hex);
  forms.add(hex.toUpperCase());
  forms.add(encodeURIComponent(value));
  forms.add(encodeURIComponent(value).replaceAll('%20', '+'));
  forms.add(JSON.stringify(value).slice(1, -1));
  forms.add(JSON.stringify(JSON.stringify(value).slice(1, -1)).slice(1, -1));
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces each match, and the `head` a shape found by looking behind it, with one REDACTED. */
function redactMatches(text: string, shape: RegExp): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(shape)) {
    const start = m.index - (m.groups?.head?.length ?? 0);
    // A head reaching into the previous match extends that redaction.
    if (start >= last) out += `${text.slice(last, start)}${REDACTED}`;
    last = m.index + m[0].length;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Secrets recognised by their shape alone (headers, signed URLs, tokens), known or not. */
export function redactShapes(text: string): string {
  let out = text;
  for (const { pattern, replace } of STRUCTURED_SECRETS) out = out.replace(pattern, replace);
  for (const shape of SECRET_SHAPES) out = redactMatches(out, shape);
  return out;
}

function matcherFor(values: Iterable<string>): RegExp | null {
  const forms = [...values].flatMap(secretForms);
  // Longest first so a secret containing another is replaced whole.
  forms.sort((a, b) => b.length - a.length);
  return forms.length ? new RegExp(forms.map(escapeRegExp).join('|'), 'g') : null;
}

export class Redactor {
  private matcher: RegExp | null = null;
  private leakMatcher: RegExp | null = null;
  /** The operator's secrets: redacted everywhere, and a target that echoes one is leaking. */
  private readonly values = new Set<string>();
  /** Secrets the target itself handed out (a login token): redacted, but seeing them is normal. */
  private readonly issued = new Set<string>();

  constructor(secrets: Iterable<string> = []) {
    this.add(...secrets);
  }

  /** Registers the operator's secrets learnt during the run (a password read from env). */
  add(...secrets: (string | undefined | null)[]): this {
    if (this.register(this.values, secrets)) {
      this.leakMatcher = matcherFor(this.values);
      this.matcher = matcherFor([...this.values, ...this.issued]);
    }
    return this;
  }

  /** Registers a secret the target issued (a session token): it is redacted, not leak-checked. */
  addIssued(...secrets: (string | undefined | null)[]): this {
    if (this.register(this.issued, secrets)) this.matcher = matcherFor([...this.values, ...this.issued]);
    return this;
  }

  private register(set: Set<string>, secrets: (string | undefined | null)[]): boolean {
    let changed = false;
    for (const secret of secrets) {
      if (!secret || secret.length < MIN_SECRET_LENGTH || set.has(secret)) continue;
      set.add(secret);
      changed = true;
    }
    return changed;
  }

  get size(): number {
    return this.values.size + this.issued.size;
  }

  redact(text: string): string {
    return redactShapes(this.matcher ? text.replace(this.matcher, REDACTED) : text);
  }

  /** Whether text holds one of the operator's secrets in any form (leak detection; never says which). */
  findKnown(text: string): boolean {
    if (!this.leakMatcher) return false;
    this.leakMatcher.lastIndex = 0;
    return this.leakMatcher.test(text);
  }

  /** Redacts every string inside a JSON-like value. */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactDeep(v)])) as T;
    }
    return value;
  }
}
