import type { HarnessContext } from '../context';
import type { Evidence } from '../evidence';
import type { TargetClient } from '../http/client';
import { uploadTestAttachment, UploadWithoutId, type TestUpload } from './attachments-api';

/**
 * The test uploads of steps 3 and 5 as test data: recorded when the target takes them and when
 * they are removed, so one that stays on the target is listed in the document.
 */
const key = (filename: string) => `upload:${filename}`;
const what = (upload: Pick<TestUpload, 'id' | 'filename' | 'storageKey'>, jobId: string) =>
  `test upload ${upload.filename} (attachment #${upload.id} on job ${jobId}${upload.storageKey ? `, object ${upload.storageKey}` : ''})`;

export async function uploadAsTestData(
  evidence: Evidence,
  target: TargetClient,
  harness: Pick<HarnessContext, 'runId' | 'sections'>,
  token: string,
  jobId: string,
): Promise<TestUpload> {
  try {
    const upload = await uploadTestAttachment(target, harness, token, jobId);
    await evidence.testData({ key: key(upload.filename), what: what(upload, jobId), state: 'created' });
    return upload;
  } catch (error) {
    if (error instanceof UploadWithoutId) {
      await evidence.testData({
        key: key(error.filename),
        what: `test upload ${error.filename} on job ${jobId}`,
        state: 'left',
        detail:
          'the target took it (201) without saying its id, so the harness cannot remove it: delete the attachment row with this filename and its object',
      });
    }
    throw error;
  }
}

/** Records how the removal went: removed, or left with why (storage.cleanup=mark, a failed delete). */
export async function recordRemoval(
  evidence: Evidence,
  upload: TestUpload,
  jobId: string,
  outcome: { removed: true } | { removed: false; why: string },
): Promise<void> {
  await evidence.testData({
    key: key(upload.filename),
    what: what(upload, jobId),
    state: outcome.removed ? 'removed' : 'left',
    detail: outcome.removed ? undefined : outcome.why,
  });
}
