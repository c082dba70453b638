import { describePaths, firstValue, pathList, readPath } from '../backend/json-path';
import type { JsonPaths } from '../config/sections/backend/json-path';
import type { HarnessContext } from '../context';
import type { TargetClient, TargetResponse } from '../http/client';
import type { Sessions, Session } from '../http/session';
import { JobWithoutId, postTestJob, type PostedJob } from '../test-job';

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

/**
 * What a provider without a stored preference gets: INSTANT, the one mode that needs no
 * interval (contract §7; the reference schema's default). The trial restores it for what it
 * could not know before its PUT.
 */
export const DEFAULT_PREFERENCE = { matchDeliveryMode: 'INSTANT', digestIntervalMinutes: null } as const satisfies Preference;

/** A PUT that does not name them leaves them as they were, so its answer tells their previous values. */
const RESTORED_AS_ANSWERED = ['pushEnabled', 'emailEnabled', 'lastDigestSentAt'] as const;

/** The preference cleanup puts back, and how the trial came to know it. */
export interface Restore {
  preference: Preference;
  /** For the evidence: which fields are the previous state and which the contract's default. */
  how: string;
}

export interface TestProvider {
  role: ProviderRole;
  session: Session;
  /** Set by the first PUT; cleanup restores it. Null while the harness has written nothing. */
  restore: Restore | null;
  /** The harness wrote a preference since the last cleanup. */
  changed: boolean;
  /** Saved searches the trial added, and those of them not removed yet. */
  createdSearchIds: string[];
  savedSearchIds: string[];
}

export type TestJob = PostedJob;

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

  /** Logs the test account in; reads nothing (the contract allows a GET of preferences to fail before a first PUT). */
  async provider(target: TargetClient, role: ProviderRole): Promise<TestProvider> {
    const known = this.providers.get(role);
    if (known) return known;
    const session = await this.sessions.login(target, role);
    const provider: TestProvider = { role, session, restore: null, changed: false, createdSearchIds: [], savedSearchIds: [] };
    this.providers.set(role, provider);
    return provider;
  }

  /**
   * PUT first, never a GET before it (contract §7), then read back. The first PUT's answer
   * decides what cleanup restores: the fields it was not sent are still the previous ones.
   */
  async setPreference(target: TargetClient, role: ProviderRole, wanted: Preference): Promise<{ stored: Preference; restore: Restore }> {
    const provider = await this.provider(target, role);
    provider.changed = true;
    const put = await target.request({ method: 'PUT', path: this.routes.preferences, token: provider.session.token, json: wanted });
    expectStatus(put, 200, `setting the ${role} test account's delivery mode`);
    provider.restore ??= restoreFrom(wanted, put.json<Preference>());
    const read = await target.get(this.routes.preferences, { token: provider.session.token });
    expectStatus(read, 200, `reading back the ${role} test account's delivery mode`);
    return { stored: read.json<Preference>(), restore: provider.restore };
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
    try {
      this.job = await postTestJob(target, this.harness, this.consumer, {
        title,
        purpose: 'to prove job-match delivery',
        zipCode: this.cfg.zipCode,
      });
    } catch (error) {
      if (error instanceof JobWithoutId) {
        this.unremovable.push(
          `test job "${title}" of the consumer test account: the target took it (201) without saying its id, so the harness cannot remove it`,
        );
      }
      throw error;
    }
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

/** The fields the PUT was sent are unknown before it; the contract's default stands in for those. */
export function restoreFrom(sent: Preference, answered: Preference | null): Restore {
  const kept = Object.fromEntries(
    Object.entries(answered ?? {}).filter(([field]) => (RESTORED_AS_ANSWERED as readonly string[]).includes(field) && !(field in sent)),
  );
  const defaulted = Object.keys(DEFAULT_PREFERENCE);
  return {
    preference: { ...kept, ...DEFAULT_PREFERENCE } as Preference,
    how:
      `${defaulted.join(' and ')} will be restored to the contract's default (${DEFAULT_PREFERENCE.matchDeliveryMode}, no interval): ` +
      `the state before the trial cannot be read without a GET before the first PUT, which the contract warns may fail` +
      (Object.keys(kept).length ? `; ${Object.keys(kept).join(', ')} as the PUT answered them (unchanged by it)` : ''),
  };
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
