import { z } from 'zod';
import type { ENV_FORMATS } from '../config/sections/backend/env-rule';

type FormatName = (typeof ENV_FORMATS)[number];
/** What a format may depend on: the Stripe mode this environment expects. */
type FormatOptions = { stripeMode: 'live' | 'test' };

const MAX_SIGNED_URL_TTL = 604_800;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const trueFalse = z.enum(['true', 'false'], { error: 'must be true or false' });

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** The mode the Stripe key is in must be the one this environment expects. */
function stripeKeyMode(opts: FormatOptions): z.ZodType {
  return z.string().superRefine((key, ctx) => {
    const mode = /^(sk|rk)_live_/.test(key) ? 'live' : /^(sk|rk)_test_/.test(key) ? 'test' : undefined;
    if (!mode || mode === opts.stripeMode) return;
    ctx.addIssue({
      code: 'custom',
      message:
        opts.stripeMode === 'live'
          ? 'must be a live key (sk_live_/rk_live_) in this environment, but it is a test key'
          : 'must be a test key (sk_test_/rk_test_) in this environment, but it is a live key',
    });
  });
}

/** What each named format accepts; messages say the rule, never the value. */
export function formatSchema(name: FormatName, opts: FormatOptions): z.ZodType {
  switch (name) {
    case 'postgres-url':
      return z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' });
    case 'redis-url':
      return z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' });
    case 'http-url':
      return httpUrl;
    case 'smtp-url':
      return z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' });
    case 'true-false':
      return trueFalse;
    case 'email':
      return z.string().regex(/@/, 'must be an email address');
    case 'json-object':
      return z.string().refine(isJsonObject, 'must be a JSON object (the service account key)');
    case 'json-object-base64':
      return z
        .string()
        .refine(
          (v) => /^[A-Za-z0-9+/=_-]+$/.test(v) && isJsonObject(Buffer.from(v, 'base64').toString('utf8')),
          'must be a base64-encoded JSON object (the service account key)',
        );
    case 'stripe-secret-key':
      return z.string().regex(/^(sk|rk)_(live|test)_\w+$/, 'must be a Stripe secret or restricted key (sk_/rk_, live or test)');
    case 'stripe-webhook-secret':
      return z.string().regex(/^whsec_[A-Za-z0-9+/=_-]+$/, 'must be a Stripe webhook signing secret (whsec_...)');
    case 'stripe-key-mode':
      return stripeKeyMode(opts);
    case 'ttl-seconds':
      return z.string().refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_SIGNED_URL_TTL, {
        error: `must be an integer from 1 to ${MAX_SIGNED_URL_TTL} seconds`,
      });
    case 'platform-list':
      return z.string().regex(/^\s*(android|ios)\s*(,\s*(android|ios)\s*)*$/, 'may only list android and ios');
    case 'port':
      return z.string().refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65_535, 'must be a port number (1-65535)');
  }
}
