import { z } from 'zod';
import { envName } from './common';

/**
 * `--rehearse=<backend checkout>`: how the local rehearsal boots the operator's own backend in
 * place of the reference target, on the same local stack. Commands run in the checkout with
 * `sh -c`; paths are relative to it. Only read when --rehearse is given.
 */

/** Names of the backend's env vars for what the rehearsal provides; null: the backend reads none. */
const provided = envName.nullable().default(null);

const envMap = z
  .strictObject({
    /** The backend's name for the database URL; null: credentials.databaseUrl. */
    databaseUrl: provided,
    /** The backend's name for the Redis URL; null: credentials.redisUrl. */
    redisUrl: provided,
    /** The backend's name for its token signing secret; null: credentials.jwtSecret. */
    jwtSecret: provided,
    /** The backend's name for the S3 bucket; null: credentials.s3.bucket. */
    s3Bucket: provided,
    /** The backend's name for the S3 region; null: credentials.s3.region. */
    s3Region: provided,
    /** The backend's name for the S3 access key id; null: credentials.s3.accessKeyId. */
    s3AccessKeyId: provided,
    /** The backend's name for the S3 secret key; null: credentials.s3.secretAccessKey. */
    s3SecretAccessKey: provided,
    /** The backend's name for the S3 endpoint URL; null: credentials.s3.endpoint. */
    s3Endpoint: provided,
    /** The backend's name for S3 path-style addressing (true/false); null: credentials.s3.forcePathStyle. */
    s3ForcePathStyle: provided,
    /** The backend's name for the signed URL lifetime in seconds; null: credentials.s3.signedUrlTtl. */
    s3SignedUrlTtl: provided,
    /** The backend's name for the Stripe secret key; null: credentials.stripeSecretKey. */
    stripeSecretKey: provided,
    /** The backend's name for the Stripe webhook signing secret; null: credentials.stripeWebhookSecret. */
    stripeWebhookSecret: provided,
    /** The base URL the backend's Stripe SDK talks to (the simulated Stripe here), e.g. STRIPE_API_BASE. */
    stripeApiBase: provided,
    /** The listen port the rehearsal picks for the server. */
    port: envName.default('PORT'),
    /** "true"/"false": attestation enforcement; null: backend.attestation.enforceVariable. Step 6 restarts the server with it on. */
    attestationEnforce: provided,
    /** PEM public key of the rehearsal's test attestation signer (ES256 JWTs), for a backend that accepts such tokens. */
    attestationPublicKey: provided,
    /** How many times faster the backend's digest clock runs (the rehearsal's clock scale). */
    clockSpeed: provided,
    /** A file for one JSON line per request ({status, time}): the 5xx rate of step 7 is read from it. */
    requestLogFile: provided,
  })
  .prefault({});

/** A shell command, run with `sh -c` in the backend's checkout. */
const command = z.string().min(1);
const readyLine = z.string().min(1).nullable().default(null);

export const rehearse = z
  .strictObject({
    /** Run once before anything starts (e.g. `npm run build`); null for none. */
    build: command.nullable().default(null),
    /** The backend's HTTP server; null: --rehearse is refused (exit 2). */
    server: z
      .strictObject({
        /** Starts the server in the foreground; it listens on the port named by rehearse.env.port. */
        command,
        /** A regular expression for the stdout line the server prints once it listens. */
        readyLine,
        /** Without a ready line, this path is polled until it answers 200. */
        healthPath: z.string().startsWith('/').default('/healthz'),
      })
      .nullable()
      .default(null),
    /** The backend's worker, started beside the server; null when it has none. */
    worker: z
      .strictObject({
        /** Starts the worker in the foreground. */
        command,
        /** A regular expression for the stdout line the worker prints once it runs. */
        readyLine,
      })
      .nullable()
      .default(null),
    env: envMap,
    /** Literal env for server, worker and seed (NODE_ENV, mail settings, attestation verifier names...). */
    fixedEnv: z.record(envName, z.string()).default({}),
    migrations: z
      .strictObject({
        /** The backend's Prisma migrations directory, relative to its checkout. */
        dir: z.string().min(1).default('prisma/migrations'),
        /** Its schema.prisma, relative to its checkout. */
        schema: z.string().min(1).default('prisma/schema.prisma'),
      })
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
