import type { Sections } from '../config/schema';
import { describeShellEnd, runShell } from '../shell';
import type { TargetClient } from '../http/client';

export type DeployedShaSource = Sections['preflight']['deployedSha'];

const SHA = /^[0-9a-f]{7,40}$/i;
const SHA_IN_TEXT = /\b[0-9a-f]{7,40}\b/i;

export function isWellFormedSha(sha: string | null | undefined): boolean {
  return typeof sha === 'string' && SHA.test(sha);
}

/** Platforms often show the short SHA: a short one matches the full SHA it abbreviates. */
export function sameCommit(a: string, b: string): boolean {
  if (!isWellFormedSha(a) || !isWellFormedSha(b)) return false;
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x.startsWith(y) || y.startsWith(x);
}

export type DeployedSha =
  | { kind: 'reported'; sha: string; via: string }
  /** The target exposes none (source 'none'): only the operator can vouch for what is deployed. */
  | { kind: 'unknown' };

export class DeployedShaUnreadable extends Error {}

/** Reads the deployed build's SHA from wherever the config says the target exposes it. */
export async function readDeployedSha(source: DeployedShaSource, target: Pick<TargetClient, 'get'>): Promise<DeployedSha> {
  switch (source.source) {
    case 'none':
      return { kind: 'unknown' };
    case 'header': {
      const res = await target.get(source.path);
      const via = `${source.header} header on GET ${source.path}`;
      const value = res.headers[source.header.toLowerCase()];
      if (!value) {
        throw new DeployedShaUnreadable(
          `GET ${source.path} answered ${res.status} without a ${source.header} header: the deployed build does not report its SHA (preflight.deployedSha)`,
        );
      }
      return { kind: 'reported', sha: wellFormed(value.trim(), via), via };
    }
    case 'route': {
      const res = await target.get(source.path);
      const via = `field "${source.field}" of GET ${source.path}`;
      if (res.status !== 200)
        throw new DeployedShaUnreadable(`GET ${source.path} answered ${res.status}, so the deployed SHA (${via}) cannot be read`);
      const value = source.field
        .split('.')
        .reduce<unknown>(
          (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
          res.json(),
        );
      if (typeof value !== 'string')
        throw new DeployedShaUnreadable(`GET ${source.path} has no string field "${source.field}": the deployed SHA cannot be read`);
      return { kind: 'reported', sha: wellFormed(value.trim(), via), via };
    }
    case 'command': {
      const via = `\`${source.command}\``;
      const result = await runShell(source.command, { timeoutMs: source.timeoutMs });
      if (result.code !== 0) {
        const detail = result.stderr.trim().split('\n').slice(-3).join(' / ');
        throw new DeployedShaUnreadable(`${describeShellEnd(via, result, source.timeoutMs)}${detail ? `: ${detail}` : ''}`);
      }
      const found = SHA_IN_TEXT.exec(result.stdout)?.[0];
      if (!found) throw new DeployedShaUnreadable(`${via} printed no commit SHA (7 to 40 hex characters)`);
      return { kind: 'reported', sha: found.toLowerCase(), via };
    }
  }
}

function wellFormed(value: string, via: string): string {
  if (!isWellFormedSha(value)) throw new DeployedShaUnreadable(`the ${via} is "${value.slice(0, 60)}", not a commit SHA`);
  return value.toLowerCase();
}

export interface ShaCheck {
  /** What A.rc-sha shows. */
  value: string;
  /** Empty when the deployed build is the RC or, with source 'none', when the operator attests it. */
  problems: string[];
  attested: boolean;
  deployed?: DeployedSha;
}

/** The RC SHA is given and well formed, and the deployed build (where it says) is that commit. */
export async function checkDeployedSha(
  rcSha: string | null | undefined,
  source: DeployedShaSource,
  target: Pick<TargetClient, 'get'>,
): Promise<ShaCheck> {
  if (!rcSha) return { value: '(none given)', problems: ['no RC commit SHA given: pass --sha=<rc-sha>'], attested: false };
  if (!isWellFormedSha(rcSha))
    return { value: '(malformed)', problems: ['the RC SHA is not a commit SHA (7 to 40 hex characters)'], attested: false };
  let deployed: DeployedSha;
  try {
    deployed = await readDeployedSha(source, target);
  } catch (error) {
    return { value: `${rcSha} (deployed build unknown)`, problems: [(error as Error).message], attested: false };
  }
  if (deployed.kind === 'unknown') {
    return { value: `${rcSha} (operator-attested: the target exposes no build SHA)`, problems: [], attested: true, deployed };
  }
  if (!sameCommit(deployed.sha, rcSha)) {
    return {
      value: `${rcSha} (deployed build reports ${deployed.sha})`,
      problems: [
        `the deployed build reports ${deployed.sha} (${deployed.via}), not the RC SHA ${rcSha}: deploy the RC first, or check --sha`,
      ],
      attested: false,
      deployed,
    };
  }
  return { value: `${rcSha} (deployed build reports ${deployed.sha} via ${deployed.via})`, problems: [], attested: false, deployed };
}
