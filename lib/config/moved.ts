/** Settings the backend profile took over: an old config says where each went, instead of zod's "Unrecognized key". */
const MOVED: [from: string, to: string][] = [
  ['routes', 'backend.routes'],
  ['features.attestation.blockedStatus', 'backend.attestation.blockedStatus'],
  ['features.attestation.blockedError', 'backend.attestation.blockedError'],
  ['features.attestation.sensitiveRoutes', 'backend.attestation.sensitiveRoutes'],
  ['features.attestation.openRoutes', 'backend.attestation.openRoutes'],
  ['features.digest.category', 'backend.digest.category'],
];

const has = (value: unknown, path: string): boolean =>
  path
    .split('.')
    .reduce<{ ok: boolean; at: unknown }>(
      (acc, key) =>
        acc.ok && typeof acc.at === 'object' && acc.at !== null && Object.hasOwn(acc.at, key)
          ? { ok: true, at: (acc.at as Record<string, unknown>)[key] }
          : { ok: false, at: undefined },
      { ok: true, at: value },
    ).ok;

/** One problem per moved setting still set at its old place (`where` prefixes it, e.g. an environment's overrides). */
export function movedSettings(sections: unknown, where = ''): string[] {
  return MOVED.filter(([from]) => has(sections, from)).map(
    ([from, to]) => `${where}${from}: moved to ${to} (the backend profile); move it there`,
  );
}
