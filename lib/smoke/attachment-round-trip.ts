import type { HarnessContext } from '../context';
import {
  bytesProblem,
  deleteTestUpload,
  getAttachment,
  redirectTarget,
  servedBytesProblem,
  type TestUpload,
} from '../storage/attachments-api';
import type { SuiteStorage } from '../storage/suite-storage';
import type { TargetClient } from '../http/client';

export interface ReadBack {
  /** One line per hop, for the notes. */
  hops: string[];
  problems: string[];
}

export const describeUpload = (upload: TestUpload) =>
  `upload ${upload.filename} (${upload.bytes.length} bytes) → 201 attachment #${upload.id}, ${upload.storageKey ? 'storageKey set' : 'disk only'}`;

/**
 * Runbook step 5.4, the retrieval half: a row with a storageKey must redirect (302) to a signed
 * URL serving the uploaded bytes; a disk-only row (a target without object storage) must
 * stream them itself.
 */
export async function readBack(
  target: TargetClient,
  harness: Pick<HarnessContext, 'sections'>,
  token: string,
  upload: TestUpload,
): Promise<ReadBack> {
  const hops: string[] = [];
  const problems: string[] = [];
  const res = await getAttachment(target, harness, token, upload.id);
  if (upload.storageKey) {
    let url: string | null = null;
    try {
      url = redirectTarget(res);
    } catch (error) {
      problems.push((error as Error).message);
    }
    hops.push(`GET attachment #${upload.id} → ${res.status}${url ? ' to a signed URL' : ''}`);
    if (url) {
      const problem = await bytesProblem(target, url, upload.bytes);
      hops.push(`GET signed URL → ${problem ?? 'the same bytes'}`);
      if (problem) problems.push(`the signed URL ${problem}`);
    }
  } else {
    const problem = servedBytesProblem(res, upload.bytes);
    hops.push(`GET attachment #${upload.id} → ${res.status}${problem ? '' : ', streamed the same bytes'}`);
    if (problem) problems.push(`GET attachment #${upload.id} (disk only) ${problem}`);
  }
  return { hops, problems };
}

/**
 * Removes the test upload the way step 3 does (storage.cleanup 'delete': row and object, both
 * checked gone), or says why it stays (storage.cleanup 'mark': named as harness data).
 */
export async function removeTestUpload(
  harness: Pick<HarnessContext, 'sections'>,
  storage: Pick<SuiteStorage, 'setup'>,
  upload: TestUpload,
): Promise<string> {
  if (harness.sections.storage.cleanup === 'mark')
    return `left ${upload.filename} (attachment #${upload.id}) in place: storage.cleanup is 'mark'`;
  const setup = storage.setup();
  return deleteTestUpload(setup.db, setup.jobTable.table, upload, setup.client, setup.s3.bucket);
}
