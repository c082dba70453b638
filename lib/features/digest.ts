import { describePaths, firstParent, firstValue, pathList, readPath } from '../backend/json-path';
import type { JsonPaths } from '../config/sections/backend/json-path';
import type { HarnessContext } from '../context';
import type { TargetClient, TargetResponse } from '../http/client';
import { attestationHeaders, type Sessions, type Session } from '../http/session';

/**
 * The digest-mode trial of runbook step 6b: two test providers (one INSTANT, one DIGEST)
 * with a saved search for a ZIP nobody else uses, and one test job the consumer test
 * account posts there. State spans several checks; every change is remembered so that
 * cleanup.ts can undo exactly what the harness did.
 */

export type ProviderRole = 'providerInstant' | 'providerDigest';

export interface Preference {
  matchDeliveryMode: 'INSTANT' | 'DIGEST';
  digestIntervalMinutes?: number | null;
  pushEnabled?: boolean;
  emailEnabled?: boolean;
  lastDigestSentAt?: string | null;
  [field: string]: unknown;
}

export interface Notification {
  id: number | string;
  type: string;
  content: unknown;
  createdAt: string;
}

export interface TestProvider {
  role: ProviderRole;
  session: Session;
  /** What was stored before the harness touched it; null when nothing was (GET answered 404). */
  previous: Preference | null;
  /** The harness wrote a preference; cleanup restores `previous`. */
  changed: boolean;
  /** Saved searches the trial added, and those of them not removed yet. */
  createdSearchIds: string[];
  savedSearchIds: string[];
}

export interface TestJob {
  id: number | string;
  title: string;
  category: string;
  createdAt: string;
}

export class DigestTrial {
  readonly providers = new Map<ProviderRole, TestProvider>();
  /** Test data the target took but the harness cannot name, so cannot remove: reported by cleanup. */
  readonly unremovable: string[] = [];
  consumer: Session | null = null;
  job: TestJob | null = null;
  jobRemoved = false;
  /** Notifications the trial caused and saw, per provider (removed at cleanup). */
  readonly seen = new Map<ProviderRole, Notification[]>();

  constructor(
    private readonly harness: Pick<HarnessContext, 'runId' | 'sections'>,
    private readonly sessions: Pick<Sessions, 'login'>,
  ) {}

  private get routes() {
    return this.harness.sections.backend.routes;
  }

  private get cfg() {
    return this.harness.sections.features.digest;
  }

  private get profile() {
    return this.harness.sections.backend;
  }

  /** Reads the stored preference before the first change; 404 means none stored. */
  async provider(target: TargetClient, role: ProviderRole): Promise<TestProvider> {
    const known = this.providers.get(role);
    if (known) return known;
    const session = await this.sessions.login(target, role);
    const res = await target.get(this.routes.preferences, { token: session.token });
    if (res.status !== 200 && res.status !== 404) {
      throw new Error(
        `GET ${this.routes.preferences} as the ${role} test account answered ${res.status}: ${res.excerpt(200)}; nothing was changed`,
      );
    }
    const provider: TestProvider = {
      role,
      session,
      previous: res.status === 200 ? res.json<Preference>() : null,
      changed: false,
      createdSearchIds: [],
      savedSearchIds: [],
    };
    this.providers.set(role, provider);
    return provider;
  }

  /** PUT first (the contract allows GET to fail before anything is stored), then read back. */
  async setPreference(target: TargetClient, role: ProviderRole, wanted: Preference): Promise<{ stored: Preference }> {
    const provider = await this.provider(target, role);
    provider.changed = true;
    const put = await target.request({ method: 'PUT', path: this.routes.preferences, token: provider.session.token, json: wanted });
    expectStatus(put, 200, `setting the ${role} test account's delivery mode`);
    const read = await target.get(this.routes.preferences, { token: provider.session.token });
    expectStatus(read, 200, `reading back the ${role} test account's delivery mode`);
    return { stored: read.json<Preference>() };
  }

  async addSavedSearch(target: TargetClient, role: ProviderRole): Promise<void> {
    const provider = await this.provider(target, role);
    const res = await target.post(this.routes.savedSearches, {
      token: provider.session.token,
      json: { categories: [this.profile.digest.category], radiusMiles: this.cfg.radiusMiles, zipCode: this.cfg.zipCode },
    });
    expectStatus(res, 201, `adding a saved search for the ${role} test account`);
    const paths = this.profile.responses.created.savedSearch;
    const id = firstValue(res.json<unknown>(), paths);
    if (id === undefined) {
      this.unremovable.push(
        `a saved search of the ${role} test account: the target took it (201) without an id at ${describePaths(paths)}, so the harness cannot remove it`,
      );
      throw new Error(
        `${this.routes.savedSearches} answered 201 without the saved search's id at ${describePaths(paths)} (backend.responses.created)`,
      );
    }
    provider.createdSearchIds.push(String(id));
    provider.savedSearchIds.push(String(id));
  }

  /** The consumer's test job: named as harness data, in the test ZIP, worded for the category. */
  async createJob(target: TargetClient): Promise<TestJob> {
    this.consumer ??= await this.sessions.login(target, 'consumer');
    const title = this.cfg.jobTitle;
    const res = await target.post(this.routes.jobs, {
      token: this.consumer.token,
      headers: attestationHeaders(this.harness),
      json: {
        title,
        description: `Created by the cutover harness (run ${this.harness.runId}) to prove job-match delivery; removed when the step ends.`,
        location: `Cutover harness test location ${this.cfg.zipCode}`,
      },
    });
    expectStatus(res, 201, 'creating the test job as the consumer test account');
    const paths = this.profile.responses.created.job;
    const body = res.json<unknown>();
    const id = firstValue(body, paths);
    const job = (firstParent(body, paths) ?? {}) as Partial<TestJob>;
    if (typeof id !== 'number' && typeof id !== 'string') {
      this.unremovable.push(
        `test job "${title}" of the consumer test account: the target took it (201) without an id at ${describePaths(paths)}, so the harness cannot remove it`,
      );
      throw new Error(`POST ${this.routes.jobs} answered 201 without the job's id at ${describePaths(paths)} (backend.responses.created)`);
    }
    this.job = { id, title, category: String(job.category ?? ''), createdAt: String(job.createdAt ?? new Date().toISOString()) };
    return this.job;
  }

  /** The provider's newest notifications, as GET /notifications lists them. */
  async notifications(target: TargetClient, role: ProviderRole): Promise<Notification[]> {
    const provider = await this.provider(target, role);
    const res = await target.get(this.routes.notifications, { token: provider.session.token, query: { limit: 50 } });
    expectStatus(res, 200, `listing the ${role} test account's notifications`);
    const list = this.profile.responses.lists.notifications;
    const items = firstValue(res.json<unknown>(), list);
    if (!Array.isArray(items))
      throw new Error(`GET ${this.routes.notifications} answered 200 without a list at ${list} (backend.responses.lists)`);
    return items as Notification[];
  }

  /** Notifications of one type about the test job; remembered for cleanup. */
  async aboutJob(target: TargetClient, role: ProviderRole, type: string): Promise<Notification[]> {
    if (!this.job) throw new Error('no test job was created');
    const jobId = this.job.id;
    const paths = this.profile.responses.notificationJob;
    const found = (await this.notifications(target, role)).filter((n) => n.type === type && mentionsJob(n.content, jobId, paths));
    const seen = this.seen.get(role) ?? [];
    for (const n of found) if (!seen.some((s) => s.id === n.id)) seen.push(n);
    this.seen.set(role, seen);
    return found;
  }
}

/** Whether a notification's content names the job, at any of the profile's paths (backend.responses.notificationJob). */
export function mentionsJob(content: unknown, jobId: number | string, paths: JsonPaths): boolean {
  let value = content;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return false;
    }
  }
  if (typeof value !== 'object' || value === null) return false;
  return pathList(paths).some((path) =>
    readPath(value, path).values.some((v) => v !== undefined && v !== null && String(v) === String(jobId)),
  );
}

function expectStatus(res: TargetResponse, status: number, what: string): void {
  if (res.status !== status) {
    throw new Error(`${what}: ${res.method} ${new URL(res.url).pathname} answered ${res.status}, expected ${status}: ${res.excerpt(200)}`);
  }
}
