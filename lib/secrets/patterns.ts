/**
 * Every pattern here must run in time linear in its input (a target can send megabytes): each
 * starts at a literal that cannot repeat inside what its quantifiers scan, so no run of text is
 * rescanned from many starting points. `C{8}C*` is written for `C{8,}`: same matches, but V8
 * backtracks the former over a megabyte run in a millisecond and the latter in half a second.
 * bench/redaction.ts measures it; test/secrets/redactor.test.ts feeds each pattern the input
 * that made the old ones quadratic.
 *
 * Shapes of secrets the harness redacts even when it was never told the value: a token
 * minted during the run (a login JWT) or a key pasted by mistake must not reach a report.
 */
export const SECRET_SHAPES: readonly RegExp[] = [
  /\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{8}[0-9A-Za-z]*\b/g,
  /\bwhsec_[0-9A-Za-z+/=_-]{8}[0-9A-Za-z+/=_-]*/g,
  /\bgh[pousr]_[0-9A-Za-z]{20}[0-9A-Za-z]*\b/g,
  /\bgithub_pat_[0-9A-Za-z_]{20}[0-9A-Za-z_]*\b/g,
  // JWT. Matched from the dot after its header, which is looked up backwards (the `head` group,
  // redacted too): scanning forwards from every "eyJ" in a long run ("eyJ-eyJ-…") is quadratic.
  /\.(?<=\b(?<head>eyJ[0-9A-Za-z_-]{8}[0-9A-Za-z_-]*)\.)eyJ[0-9A-Za-z_-]{8}[0-9A-Za-z_-]*\.[0-9A-Za-z_-]{8}[0-9A-Za-z_-]*/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bsntry[su]_[0-9A-Za-z_=+/-]{16}[0-9A-Za-z_=+/-]*/g,
];

/** Replacements that keep the shape readable: which header, which URL, but not the secret. */
export const STRUCTURED_SECRETS: readonly { pattern: RegExp; replace: string }[] = [
  // user:password@ in connection strings. Anchored at "://", not at the scheme: a scheme-first
  // pattern rescans every run of letters from each of its characters (quadratic).
  { pattern: /(:\/\/[^:/@\s"']*:)[^@\s"'/]+@/g, replace: '$1[REDACTED]@' },
  // signed-URL signatures and credentials (SigV4 query, SigV2, GCS)
  {
    pattern: /([?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|X-Goog-Signature|sig)=)[^&\s"'<>)]+/gi,
    replace: '$1[REDACTED]',
  },
  // header lines and JSON/JS header objects
  {
    pattern:
      /((?:^|[\s"'{,])(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|stripe-signature|x-[a-z-]*attestation[a-z-]*)["']?\s*[:=]\s*["']?)[^"'\r\n,}]+/gim,
    replace: '$1[REDACTED]',
  },
  { pattern: /\b(Bearer|Basic)\s+[0-9A-Za-z._~+/=-]{6}[0-9A-Za-z._~+/=-]*/g, replace: '$1 [REDACTED]' },
  // Stripe signature header values appearing on their own
  { pattern: /\b(v[01]=)[0-9a-f]{32}[0-9a-f]*/g, replace: '$1[REDACTED]' },
];

export function looksLikeSecret(value: string): boolean {
  if (SECRET_SHAPES.some((re) => new RegExp(re.source).test(value))) return true;
  return /:\/\/[^:/@\s]+:[^@\s/]+@/.test(value);
}

/** Env var names whose values the harness treats as secret whatever they look like. */
export const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|_KEY$|_KEYS$|_KEY_ID$|DSN|DATABASE_URL|REDIS_URL|_PAT$)/i;
