import { z } from 'zod';

/** The runbook's routes on this backend (contract paths by default); `:name` is a path parameter. */
export const routes = z
  .strictObject({
    healthz: z.string().default('/healthz'),
    readyz: z.string().default('/readyz'),
    login: z.string().default('/auth/login'),
    webhook: z.string().default('/payments/webhook'),
    paymentsHealth: z.string().default('/payments/health'),
    upload: z.string().default('/jobs/:jobId/attachments/upload'),
    attachment: z.string().default('/attachments/:id'),
    jobs: z.string().default('/jobs'),
    notifications: z.string().default('/notifications'),
    preferences: z.string().default('/me/notification-preferences'),
    savedSearches: z.string().default('/provider/saved-searches'),
    kpis: z.string().default('/admin/ops/kpis'),
    aiMetrics: z.string().default('/admin/ai/metrics'),
  })
  .prefault({});

export const route = z.strictObject({ method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']), path: z.string() });
