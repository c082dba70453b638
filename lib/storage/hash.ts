import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface Digest {
  sha256: string;
  bytes: number;
}

/** sha256 and length of a stream, read chunk by chunk: memory stays flat whatever the size. */
export async function digestStream(stream: AsyncIterable<Uint8Array | string>): Promise<Digest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    hash.update(buf);
    bytes += buf.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export function digestFile(file: string): Promise<Digest> {
  return digestStream(createReadStream(file));
}

export function digestBuffer(buf: Uint8Array): Digest {
  return { sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length };
}
