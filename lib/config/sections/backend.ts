import { z } from 'zod';
import { attestation } from './backend/attestation';
import { envRules } from './backend/env-rules';
import { responses, roles } from './backend/responses';
import { routes } from './backend/routes';
import { shapes } from './backend/shapes';

const plainName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain table name');

/**
 * The backend profile: everything the harness assumes about the backend it cuts over, in one
 * place. The defaults are the contract's, as the reference target (the rehearsal's) answers it;
 * another backend overrides what differs (test/fixtures/second-backend/cutover.profile.ts is one).
 */
export const backend = z
  .strictObject({
    /** Shown in the document's header and step 2's evidence. */
    name: z.string().min(1).default('reference target'),
    routes,
    responses,
    /** The backend's role names, as its login answers them for each test account. */
    roles,
    attestation,
    shapes,
    envRules,
    digest: z
      .strictObject({
        /** The category the backend files features.digest.jobTitle under; the saved searches ask for it. */
        category: z.string().min(1).default('plumbing'),
      })
      .prefault({}),
    /**
     * Tables step 6's cleanup deletes from, for what the backend's API cannot remove (the test
     * job, its notifications): the API is preferred wherever it can. Columns are the contract's.
     */
    cleanup: z
      .strictObject({
        tables: z
          .strictObject({
            job: plainName.default('Job'),
            notification: plainName.default('Notification'),
            savedSearch: plainName.default('SavedSearch'),
            notificationPreference: plainName.default('NotificationPreference'),
          })
          .prefault({}),
      })
      .prefault({}),
  })
  .prefault({});

export type BackendInput = z.input<typeof backend>;
export type Backend = z.output<typeof backend>;
