import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** What a store says about the object at a key: its size and ETag (as HeadObject would). */
export interface StoredObject {
  size: number | null;
  etag?: string;
}

export interface ObjectIndexOptions {
  /** Keys looked up together, by one listing of their range. */
  chunk?: number;
  /** Pages one range may take; keys past them are left to HeadObject. */
  pages?: number;
  /** Keys per page (MaxKeys); S3 answers at most 1000. */
  pageSize?: number;
  signal?: AbortSignal;
}

/** The longest common prefix of two strings. */
function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  return a.slice(0, i);
}

/**
 * What is already stored at a run's keys, from ListObjectsV2 over their sorted ranges instead of
 * a HeadObject per key: a first run into an empty prefix costs one request per `chunk` keys, not
 * one per key. A listing gives each object's size and ETag, what HeadObject gives. Where a range
 * holds more foreign objects than `pages` pages cover, the keys past the last listed one are
 * unknown (undefined), and the caller asks HeadObject as before.
 */
export class ObjectIndex {
  private readonly ranges = new Map<string, { keys: string[]; listing?: Promise<(key: string) => StoredObject | null | undefined> }>();

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    keys: readonly string[],
    private readonly o: ObjectIndexOptions = {},
  ) {
    const sorted = [...new Set(keys)].sort();
    const chunk = Math.max(1, o.chunk ?? 1000);
    for (let i = 0; i < sorted.length; i += chunk) {
      const range = { keys: sorted.slice(i, i + chunk) };
      for (const key of range.keys) this.ranges.set(key, range);
    }
  }

  /** The object at key; null: none there when its range was listed; undefined: not known. */
  async lookup(key: string): Promise<StoredObject | null | undefined> {
    const range = this.ranges.get(key);
    if (!range) return undefined;
    range.listing ??= this.list(range.keys);
    return (await range.listing)(key);
  }

  private async list(keys: string[]): Promise<(key: string) => StoredObject | null | undefined> {
    const first = keys[0]!;
    const last = keys.at(-1)!;
    const prefix = commonPrefix(first, last);
    const found = new Map<string, StoredObject>();
    // Exclusive: every key from `first` on is listed (and a few before it, ignored).
    let startAfter: string | undefined = first.length > prefix.length ? first.slice(0, -1) : undefined;
    /** Every key up to this one is known: listed, or not there. */
    let covered = '';
    for (let page = 0; page < (this.o.pages ?? 2); page += 1) {
      let res;
      try {
        // Paged by StartAfter, not continuation tokens: stores that cannot mint those (s3rver on
        // OpenSSL 3) page the same way.
        res = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, StartAfter: startAfter, MaxKeys: this.o.pageSize ?? 1000 }),
          { abortSignal: this.o.signal },
        );
      } catch {
        // A store or a policy that does not list (no s3:ListBucket): HeadObject decides, key by key.
        break;
      }
      for (const object of res.Contents ?? []) {
        if (object.Key) found.set(object.Key, { size: object.Size ?? null, etag: object.ETag });
      }
      if (!res.IsTruncated) return (key) => found.get(key) ?? null;
      const lastListed = res.Contents?.at(-1)?.Key;
      if (!lastListed) break;
      covered = lastListed;
      if (covered >= last) break;
      startAfter = lastListed;
    }
    return (key) => found.get(key) ?? (key <= covered ? null : undefined);
  }
}
