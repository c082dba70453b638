import { z } from 'zod';
import { envName } from '../common';
import { route } from './routes';

/** How this backend asks for and refuses app attestation (contract §6 by default). */
export const attestation = z
  .strictObject({
    /** The request header carrying the attestation (the operator's token from credentials.attestationToken). */
    header: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'must be a lower-case header name such as x-app-attestation')
      .default('x-app-attestation'),
    /** The variable that switches enforcement on; the rehearsal restarts the target with it set to true. */
    enforceVariable: envName.default('APP_ATTESTATION_ENFORCE'),
    blockedStatus: z.number().int().min(400).max(599).default(401),
    /** The `error` field of a refused call, exactly. */
    blockedError: z.string().default('App attestation required'),
    /**
     * Contract §6 names the sensitive groups, not every path: these are the ones it pins
     * down. Add your backend's message, dispute and payment routes (e.g. POST
     * /payments/create-intent): each is called once with an empty body and no credentials.
     */
    sensitiveRoutes: z
      .array(route)
      .min(1)
      .default([
        { method: 'POST', path: '/auth/login' },
        { method: 'POST', path: '/auth/signup' },
        { method: 'POST', path: '/jobs' },
        { method: 'POST', path: '/jobs/:jobId/attachments/upload' },
        { method: 'POST', path: '/jobs/:jobId/bids' },
        { method: 'POST', path: '/jobs/:jobId/cancel' },
      ]),
    /** Routes enforcement must never cover. */
    openRoutes: z.array(route).default([
      { method: 'GET', path: '/healthz' },
      { method: 'GET', path: '/notifications' },
      { method: 'POST', path: '/payments/webhook' },
    ]),
  })
  .prefault({});
