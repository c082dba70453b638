import { z } from 'zod';
import { envName } from './common';

/**
 * `--rehearse=<backend checkout>`: how the local rehearsal boots the operator's own backend in
 * place of the reference target, on the same local stack. Commands run in the checkout with
 * `sh -c`; paths are relative to it. Only read when --rehearse is given.
 */

const command = z.string().min(1);

/** Names of the backend's env vars for what the rehearsal provides; null: the backend reads none. */
const provided = envName.nullable().default(null);

const envMap = z
  .strictObject({
    /** Default: the credentials section's names (credentials.databaseUrl, .redisUrl, .jwtSecret, .s3.*, .stripe*). */
    databaseUrl: provided,
    redisUrl: provided,
    jwtSecret: provided,
    s3Bucket: provided,
    s3Region: provided,
    s3AccessKeyId: provided,
    s3SecretAccessKey: provided,
    s3Endpoint: provided,
    s3ForcePathStyle: provided,
    s3SignedUrlTtl: provided,
    stripeSecretKey: provided,
    stripeWebhookSecret: provided,
    /** The base URL the backend's Stripe SDK talks to (the simulated Stripe here), e.g. STRIPE_API_BASE. */
    stripeApiBase: provided,
    /** The listen port the rehearsal picks for the server. */
    port: envName.default('PORT'),
    /** "true"/"false": attestation enforcement (default: backend.attestation.enforceVariable); step 6 restarts the server with it on. */
    attestationEnforce: provided,
    /** PEM public key of the rehearsal's test attestation signer (ES256 JWTs), for a backend that accepts such tokens. */
    attestationPublicKey: provided,
    /** How many times faster the backend's digest clock runs (the rehearsal's clock scale). */
    clockSpeed: provided,
    /** A file for one JSON line per request ({status, time}): the 5xx rate of step 7 is read from it. */
    requestLogFile: provided,
  })
  .prefault({});

const process_ = z.strictObject({
  command,
  /** A regular expression for the stdout line printed once it is ready. */
  readyLine: z.string().min(1).nullable().default(null),
});

export const rehearse = z
  .strictObject({
    /** Run once before anything starts (e.g. `npm run build`); null for none. */
    build: command.nullable().default(null),
    server: process_
      .extend({
        /** Without a ready line, this path is polled until it answers 200. */
        healthPath: z.string().startsWith('/').default('/healthz'),
      })
      .nullable()
      .default(null),
    worker: process_.nullable().default(null),
    env: envMap,
    /** Literal env for server, worker and seed (NODE_ENV, mail settings, attestation verifier names...). */
    fixedEnv: z.record(envName, z.string()).default({}),
    migrations: z
      .strictObject({ dir: z.string().min(1).default('prisma/migrations'), schema: z.string().min(1).default('prisma/schema.prisma') })
      .prefault({}),
    /**
     * Creates the test accounts (it gets the backend's env plus CUTOVER_<ROLE>_EMAIL/_PASSWORD), after every
     * migration but the newest (step 1 applies that one). Lines it prints as CUTOVER_NAME=value reach the harness.
     */
    seed: z.strictObject({ command }).nullable().default(null),
    /** Deadline of the build, the seed and each start. */
    timeoutSeconds: z.number().positive().max(3600).default(120),
  })
  .prefault({});
