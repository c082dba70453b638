import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { BackupManifest } from './manifest';

// pg_dump's plain format opens and closes with these comments; a dump cut short lacks the last.
const DUMP_HEADER = '-- PostgreSQL database dump';
const DUMP_TRAILER = '-- PostgreSQL database dump complete';

export interface Verification {
  problems: string[];
  /** Size of the SQL inside, when it decompressed. */
  sqlBytes?: number;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * Checks a backup the harness made can be restored: the file is there with the size and
 * checksum its manifest and `.sha256` record, it decompresses to the end (gzip -t), and what
 * comes out is a whole pg_dump (its header and its "dump complete" trailer).
 */
export async function verifyBackup(dir: string, manifest: BackupManifest): Promise<Verification> {
  const file = path.join(dir, manifest.file);
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) return { problems: [`${manifest.file} is missing from ${dir}`] };
  const problems: string[] = [];
  if (stat.size !== manifest.sizeBytes) problems.push(`${manifest.file} is ${stat.size} bytes, its manifest says ${manifest.sizeBytes}`);
  const actual = await sha256File(file);
  if (actual !== manifest.sha256)
    problems.push(`${manifest.file} sha256 ${actual.slice(0, 12)}… does not match its manifest (${manifest.sha256.slice(0, 12)}…)`);
  const recorded = (await fs.readFile(`${file}.sha256`, 'utf8').catch(() => '')).trim().split(/\s+/)[0];
  if (!recorded) problems.push(`${manifest.file}.sha256 is missing`);
  else if (recorded !== actual)
    problems.push(`${manifest.file}.sha256 records ${recorded.slice(0, 12)}…, the file hashes to ${actual.slice(0, 12)}…`);

  let head = '';
  let tail = '';
  let sqlBytes = 0;
  const reader = new Writable({
    write(chunk: Buffer, _enc, done) {
      sqlBytes += chunk.length;
      if (head.length < 512) head += chunk.toString('utf8', 0, Math.min(chunk.length, 512));
      tail = (tail + chunk.toString('utf8')).slice(-512);
      done();
    },
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), reader);
  } catch (error) {
    problems.push(`${manifest.file} does not decompress to the end (${(error as Error).message}): the dump is truncated or corrupt`);
    return { problems };
  }
  if (!head.includes(DUMP_HEADER)) problems.push(`${manifest.file} does not start like a pg_dump plain-SQL dump`);
  if (!tail.includes(DUMP_TRAILER)) problems.push(`${manifest.file} ends without pg_dump's "${DUMP_TRAILER}" line: the dump was cut short`);
  return { problems, sqlBytes };
}
