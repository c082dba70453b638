import { z } from 'zod';

/** The runbook's routes on this backend (contract paths by default); `:name` is a path parameter. */
export const routes = z
  .strictObject({
    /** Liveness, no database (steps 2 and 5). */
    healthz: z.string().default('/healthz'),
    /** Readiness, with a database query (steps 2 and 5). */
    readyz: z.string().default('/readyz'),
    /** Email and password login of the test accounts. */
    login: z.string().default('/auth/login'),
    /** Where Stripe delivers webhook events (steps 4 and 5). */
    webhook: z.string().default('/payments/webhook'),
    /** Admin view of the Stripe configuration (step 4). */
    paymentsHealth: z.string().default('/payments/health'),
    /** Multipart attachment upload to a job; `:jobId` is filled in. */
    upload: z.string().default('/jobs/:jobId/attachments/upload'),
    /** An attachment by id: a redirect to a signed URL, or the file. */
    attachment: z.string().default('/attachments/:id'),
    /** Job creation (the digest trial's test job, the test upload's job). */
    jobs: z.string().default('/jobs'),
    /** A user's notifications (step 6 watches the test providers'). */
    notifications: z.string().default('/notifications'),
    /** A user's notification delivery mode (INSTANT or DIGEST). */
    preferences: z.string().default('/me/notification-preferences'),
    /** A provider's saved searches, which the test job must match. */
    savedSearches: z.string().default('/provider/saved-searches'),
    /** Admin ops KPIs (step 7). */
    kpis: z.string().default('/admin/ops/kpis'),
    /** Admin AI usage metrics (step 7). */
    aiMetrics: z.string().default('/admin/ai/metrics'),
  })
  .prefault({});

export const route = z.strictObject({ method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']), path: z.string() });
