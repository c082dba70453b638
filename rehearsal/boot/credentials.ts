import { generateKeyPairSync, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';

const token = (bytes = 24) => randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');

/** Fresh secrets for every rehearsal: nothing real, nothing reused, nothing on disk after it. */
export function rehearsalCredentials() {
  const attestationKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const password = () => `Rehearsal-${token(12)}`;
  const run = randomBytes(4).toString('hex');
  return {
    jwtSecret: token(32),
    stripeSecretKey: `sk_test_${token(24)}`,
    /** After the rotation the rehearsal simulates; the previous one has expired. */
    stripeWebhookSecret: `whsec_${token(24)}`,
    stripePreviousWebhookSecret: `whsec_${token(24)}`,
    githubToken: `ghp_${token(27)}`,
    sentryToken: `sntrys_${token(32)}`,
    // Unique per rehearsal: rehearsals sharing one Redis (CI's) must not share login limits.
    accounts: {
      admin: { email: `cutover-admin-${run}@rehearsal.test`, password: password() },
      consumer: { email: `cutover-consumer-${run}@rehearsal.test`, password: password() },
      providerInstant: { email: `cutover-provider-instant-${run}@rehearsal.test`, password: password() },
      providerDigest: { email: `cutover-provider-digest-${run}@rehearsal.test`, password: password() },
    },
    attestationPublicKey: attestationKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    /** A legacy-JWT attestation the target accepts, as a real app build would present. */
    attestationToken: jwt.sign({ sub: 'cutover-harness-rehearsal' }, attestationKeys.privateKey, { algorithm: 'ES256', expiresIn: '2h' }),
  };
}

export type RehearsalCredentials = ReturnType<typeof rehearsalCredentials>;
