import { z } from 'zod';
import { jsonPath, jsonPaths } from './json-path';

/** Where this backend puts what the checks read in its JSON answers (the reference target's by default). */
export const responses = z
  .strictObject({
    /** POST backend.routes.login → the session token, and the user object (with `id` and `role`). */
    loginToken: jsonPaths.default('token'),
    loginUser: jsonPaths.default('user'),
    /** The id of what a 201 created; its parent object is the resource (category, createdAt, storageKey). */
    created: z
      .strictObject({
        job: jsonPaths.default(['job.id', 'id']),
        savedSearch: jsonPaths.default(['savedSearch.id', 'id']),
        upload: jsonPaths.default('attachment.id'),
      })
      .prefault({}),
    /** The array in a list answer. */
    lists: z
      .strictObject({
        notifications: jsonPath.default('items'),
        savedSearches: jsonPath.default('items'),
      })
      .prefault({}),
    /** Where, under a notification's `content`, it names its job (instant and digest alike). */
    notificationJob: jsonPaths.default(['jobId', 'topMatches.*.jobId', 'topMatches.*.id']),
    notificationTypes: z
      .strictObject({
        instant: z.string().min(1).default('job.match'),
        digest: z.string().min(1).default('job.match.digest'),
      })
      .prefault({}),
  })
  .prefault({});

/** The backend's name for each test account's role, as its login answers `user.role`. */
export const roles = z
  .strictObject({
    admin: z.string().min(1).default('ADMIN'),
    consumer: z.string().min(1).default('CONSUMER'),
    provider: z.string().min(1).default('PROVIDER'),
  })
  .prefault({});
