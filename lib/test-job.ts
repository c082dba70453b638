import { describePaths, firstParent, firstValue } from './backend/json-path';
import type { HarnessContext } from './context';
import type { TargetClient } from './http/client';
import { attestationHeaders, type Session } from './http/session';

/**
 * A job the consumer test account posts through the API (POST jobs), for the digest trial and
 * for test uploads when no CUTOVER_TEST_JOB_ID is configured: on a fresh database no job exists
 * before step 1 has applied the migrations. No route deletes a job, so removal goes through the
 * database, touching only the row with the id the target gave, of that account, with that title.
 */

export interface PostedJob {
  id: number | string;
  title: string;
  category: string;
  createdAt: string;
}

export interface JobRequest {
  title: string;
  /** Why the job exists; the run id is added so the row can be traced back. */
  purpose: string;
  zipCode: string;
}

/** The target took the job (201) without naming it: it stays, and only its title can be given. */
export class JobWithoutId extends Error {
  constructor(
    readonly title: string,
    path: string,
    readonly where: string,
  ) {
    super(`POST ${path} answered 201 without the job's id at ${where} (backend.responses.created.job)`);
  }
}

export async function postTestJob(
  target: TargetClient,
  harness: Pick<HarnessContext, 'runId' | 'sections'>,
  consumer: Session,
  job: JobRequest,
): Promise<PostedJob> {
  const path = harness.sections.backend.routes.jobs;
  const res = await target.post(path, {
    token: consumer.token,
    headers: attestationHeaders(harness),
    json: {
      title: job.title,
      description: `Created by the cutover harness (run ${harness.runId}) ${job.purpose}; removed when the step ends.`,
      location: `Cutover harness test location ${job.zipCode}`,
    },
  });
  if (res.status !== 201) {
    throw new Error(
      `creating a test job as the consumer test account: POST ${path} answered ${res.status}, expected 201: ${res.excerpt(200)}`,
    );
  }
  const paths = harness.sections.backend.responses.created.job;
  const body = res.json<unknown>();
  const id = firstValue(body, paths);
  if (typeof id !== 'number' && typeof id !== 'string') throw new JobWithoutId(job.title, path, describePaths(paths));
  const posted = firstParent(body, paths) ?? {};
  return {
    id,
    title: job.title,
    category: String(posted.category ?? ''),
    createdAt: String(posted.createdAt ?? new Date().toISOString()),
  };
}

/** The query that removes a posted job (its attachments, match task and digest items go with it). */
export function deleteTestJobQuery(
  job: Pick<PostedJob, 'id' | 'title'>,
  consumerId: string,
  /** backend.cleanup.tables.job: a plain identifier (the profile's schema allows nothing else). */
  table: string,
): { text: string; values: unknown[] } {
  return {
    text: `DELETE FROM "${table}" WHERE "id" = $1 AND "consumerId" = $2 AND "title" = $3`,
    values: [job.id, consumerId, job.title],
  };
}
