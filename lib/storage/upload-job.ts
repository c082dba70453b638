import type pg from 'pg';
import type { HarnessContext } from '../context';
import type { Evidence, TestDataRecord } from '../evidence';
import type { TargetClient } from '../http/client';
import type { Session } from '../http/session';
import { deleteTestJobQuery, JobWithoutId, postTestJob, type PostedJob } from '../test-job';

/**
 * The job a test upload is attached to: the configured one (credentials.testJobId), or, when
 * none is, one the consumer test account posts for the step and the step removes again, so a
 * run on a database that has no job yet (before step 1) needs nothing set up by hand.
 */
export interface UploadJob {
  id: string;
  /** Set when the run posted the job itself, until retireUploadJob has dealt with it. */
  posted: { job: PostedJob; consumerId: string } | null;
}

const key = (title: string) => `job:${title}`;

export async function uploadJob(
  evidence: Evidence,
  target: TargetClient,
  harness: Pick<HarnessContext, 'runId' | 'sections'>,
  consumer: Session,
  purpose: string,
): Promise<UploadJob> {
  const configured = process.env[harness.sections.credentials.testJobId]?.trim();
  if (configured) return { id: configured, posted: null };
  const title = `Cutover harness test job for ${purpose} (run ${harness.runId})`;
  try {
    const job = await postTestJob(target, harness, consumer, {
      title,
      purpose: `to carry ${purpose}, since ${harness.sections.credentials.testJobId} is not set`,
      zipCode: harness.sections.features.digest.zipCode,
    });
    await evidence.testData({ key: key(title), what: `test job #${job.id} "${title}" of the consumer test account`, state: 'created' });
    await evidence.note(`${harness.sections.credentials.testJobId} is not set: posted test job #${job.id} "${title}" for ${purpose}`);
    return { id: String(job.id), posted: { job, consumerId: consumer.user.id } };
  } catch (error) {
    if (error instanceof JobWithoutId) {
      await evidence.testData({
        key: key(title),
        what: `test job "${title}" of the consumer test account`,
        state: 'left',
        detail: 'the target took it (201) without saying its id, so the harness cannot remove it: delete the job with this title',
      });
    }
    throw error;
  }
}

/**
 * Removes a job the run posted (storage.cleanup=delete), after its upload is gone; with 'mark'
 * it stays, named as harness data. Null for a configured job; else what happened and the record
 * for the document (the caller files it: a check as evidence, an afterAll on its suite).
 */
export async function retireUploadJob(
  harness: Pick<HarnessContext, 'sections'>,
  /** Opened only when the job is to be deleted. */
  db: () => Pick<pg.Pool, 'query'>,
  job: UploadJob,
): Promise<{ text: string; record: TestDataRecord } | null> {
  if (!job.posted) return null;
  const { job: posted, consumerId } = job.posted;
  // Once: a check and the afterAll after it may both call this.
  job.posted = null;
  const named = { key: key(posted.title), what: `test job #${posted.id} "${posted.title}" of the consumer test account` };
  if (harness.sections.storage.cleanup === 'mark') {
    const why = 'left on purpose (storage.cleanup=mark), named as harness data by its title';
    return { text: `left test job #${posted.id}: ${why}`, record: { ...named, state: 'left', detail: why } };
  }
  try {
    const { rowCount } = await db().query(deleteTestJobQuery(posted, consumerId, harness.sections.backend.cleanup.tables.job));
    return { text: `test job #${posted.id}: ${rowCount ? 'deleted' : 'already gone'}`, record: { ...named, state: 'removed' } };
  } catch (error) {
    const why = `removing it failed: ${(error as Error).message}`;
    return { text: `FAILED to remove test job #${posted.id}: ${why}`, record: { ...named, state: 'left', detail: why } };
  }
}
