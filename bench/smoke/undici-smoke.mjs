// The floor of the smoke-pass benchmark: plain Node and undici, no test runner, the same requests
// and checks as the harness's step 5 (healthz, readyz, two refused logins that must match, a
// good login, a signed webhook, upload → 302 → signed-URL bytes → cleanup of row and object).
// Plain JavaScript on purpose: no TypeScript loader. Settings come from BENCH_* variables.
// Exit 0 when every check passed; otherwise one line per failed check.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { FormData, request } from 'undici';
import pg from 'pg';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`undici-smoke: ${name} is not set`);
    process.exit(2);
  }
  return value;
};
const base = env('BENCH_BASE_URL');
const email = env('BENCH_EMAIL');
const password = env('BENCH_PASSWORD');
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};
const timeouts = { headersTimeout: 10_000, bodyTimeout: 10_000 };

async function call(method, url, { json, body, headers = {} } = {}) {
  const res = await request(new URL(url, base), {
    method,
    headers: { 'user-agent': 'bench-undici', ...(json ? { 'content-type': 'application/json' } : {}), ...headers },
    body: json ? JSON.stringify(json) : body,
    ...timeouts,
  });
  const buf = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, buf, text: buf.toString('utf8') };
}
const jsonOf = (res) => {
  try {
    return JSON.parse(res.text);
  } catch {
    return {};
  }
};
const withoutRequestId = (res) => JSON.stringify({ ...jsonOf(res), requestId: undefined });

for (const route of ['/healthz', '/readyz']) {
  const res = await call('GET', route);
  check(
    res.status === 200 && jsonOf(res).ok === true && (route !== '/readyz' || jsonOf(res).db === true),
    `${route} answered ${res.status}`,
  );
}

const wrong = `bench-wrong-${randomBytes(9).toString('hex')}`;
const refusedA = await call('POST', '/auth/login', { json: { email, password: wrong } });
const refusedB = await call('POST', '/auth/login', {
  json: { email: `bench-nobody-${randomBytes(6).toString('hex')}@${email.split('@')[1]}`, password: wrong },
});
check(refusedA.status === 401 && refusedB.status === 401, `refused logins answered ${refusedA.status} and ${refusedB.status}`);
check(withoutRequestId(refusedA) === withoutRequestId(refusedB), 'the two refusals differ');

const good = await call('POST', '/auth/login', { json: { email, password } });
const session = jsonOf(good);
check(
  good.status === 200 && session.token && session.user?.role === 'CONSUMER' && session.user?.emailVerified === true,
  `login answered ${good.status}`,
);

const t = Math.floor(Date.now() / 1000);
const payload = JSON.stringify({
  id: `evt_bench_${randomBytes(6).toString('hex')}`,
  object: 'event',
  type: 'cutover_harness.ping',
  created: t,
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  data: { object: { object: 'cutover_harness', note: 'benchmark' } },
});
const v1 = createHmac('sha256', env('BENCH_WEBHOOK_SECRET')).update(`${t}.${payload}`).digest('hex');
const hook = await call('POST', '/payments/webhook', {
  body: payload,
  headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` },
});
check(
  hook.status >= 200 && hook.status < 300 && jsonOf(hook).received === true && !('error' in jsonOf(hook)),
  `webhook answered ${hook.status}`,
);

const png = Buffer.from(env('BENCH_PNG_BASE64'), 'base64');
const form = new FormData();
form.append('file', new Blob([png], { type: 'image/png' }), `bench-${randomBytes(4).toString('hex')}.png`);
const auth = { authorization: `Bearer ${session.token}` };
const up = await request(new URL(`/jobs/${env('BENCH_JOB_ID')}/attachments/upload`, base), {
  method: 'POST',
  body: form,
  headers: { ...auth, 'user-agent': 'bench-undici' },
  ...timeouts,
});
const upload = (await up.body.json().catch(() => ({}))).attachment ?? {};
check(up.statusCode === 201 && typeof upload.id === 'number' && upload.storageKey, `upload answered ${up.statusCode}`);

if (upload.id) {
  const get = await call('GET', `/attachments/${upload.id}`, { headers: auth });
  check(get.status === 302 && get.headers.location, `GET attachment answered ${get.status}`);
  if (get.headers.location) {
    const bytes = await call('GET', new URL(get.headers.location, base).toString());
    const sha = (b) => createHash('sha256').update(b).digest('hex');
    check(bytes.status === 200 && sha(bytes.buf) === sha(png), `the signed URL answered ${bytes.status} with other bytes`);
  }

  // Cleanup as the harness does it (storage.cleanup 'delete'): the row, then the object, checked gone.
  const db = new pg.Client({ connectionString: env('BENCH_DATABASE_URL') });
  await db.connect();
  const deleted = await db.query('DELETE FROM "JobAttachment" WHERE "id" = $1', [upload.id]);
  await db.end();
  check(deleted.rowCount === 1, 'the row was not deleted');
  const signer = new SignatureV4({
    service: 's3',
    region: env('BENCH_S3_REGION'),
    credentials: { accessKeyId: env('BENCH_S3_ACCESS_KEY_ID'), secretAccessKey: env('BENCH_S3_SECRET_ACCESS_KEY') },
    sha256: Hash.bind(null, 'sha256'),
  });
  const s3 = async (method) => {
    const url = new URL(
      `/${env('BENCH_S3_BUCKET')}/${upload.storageKey.split('/').map(encodeURIComponent).join('/')}`,
      env('BENCH_S3_ENDPOINT'),
    );
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host },
      query: {},
    });
    const res = await request(url, { method, headers: signed.headers, ...timeouts });
    await res.body.dump();
    return res.statusCode;
  };
  const del = await s3('DELETE');
  check(del === 204 || del === 200, `DeleteObject answered ${del}`);
  check((await s3('HEAD')) === 404, 'the object is still there after DeleteObject');
}

for (const f of failures) console.error(`undici-smoke: FAILED ${f}`);
process.exitCode = failures.length ? 1 : 0;
