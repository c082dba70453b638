import { expect, test } from 'vitest';
import { parseEnvFile } from '../../lib/config/env-file';
import { formatEnvFile } from '../../lib/env-rules/target-env';

test('an exported env file round-trips every value: quotes, newlines (PEM keys), backslashes, #, =', () => {
  const values = {
    PEM: '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n',
    JSON: '{"type":"service_account","key":"a\\nb"}',
    WINDOWS: 'C:\\path\\to\\n',
    HASH: 'value # not a comment',
    EQUALS: 'a=b=c',
    EMPTY: '',
  };
  const { values: parsed, problems } = parseEnvFile(formatEnvFile(values), 'x.env');
  expect(problems).toEqual([]);
  expect(parsed).toEqual(values);
});

test('dotenv forms an operator writes by hand', () => {
  const { values, problems } = parseEnvFile("# comment\nexport A=1\nB='single $quoted'\nC=plain # trailing comment\nnot a line\n", 'x.env');
  expect(values).toEqual({ A: '1', B: 'single $quoted', C: 'plain' });
  expect(problems).toEqual(['x.env:5: not a KEY=value line']);
});

test('values in every quote kind round-trip, spaces, a literal backslash-n and a value of two quote kinds included', () => {
  const values = { BOTH: `it's "quoted"`, TICKS: "it's `ticked`", SPACES: '  padded  \n  lines  ', BACKSLASH_N: 'a\\nb"c', LEADING: "'x" };
  const { values: parsed, problems } = parseEnvFile(formatEnvFile(values), 'x.env');
  expect(problems).toEqual([]);
  expect(parsed).toEqual(values);
  expect(() => formatEnvFile({ ALL: 'a\'b"c`d' })).toThrow(/^ALL: /);
});

test('a quoted value written by hand over several lines: a PEM key, a service-account JSON', () => {
  const text = [
    'BEFORE=1',
    'ATTESTATION_PUBLIC_KEY="-----BEGIN PUBLIC KEY-----',
    'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE',
    '-----END PUBLIC KEY-----"',
    "GOOGLE_SERVICE_ACCOUNT='{",
    '  "type": "service_account",',
    '  "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n"',
    "}' # from the console",
    'AFTER=2',
  ].join('\n');
  const { values, problems } = parseEnvFile(text, 'x.env');
  expect(problems).toEqual([]);
  expect(values.ATTESTATION_PUBLIC_KEY).toBe('-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----');
  expect(JSON.parse(values.GOOGLE_SERVICE_ACCOUNT!)).toEqual({
    type: 'service_account',
    private_key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
  });
  expect(values).toMatchObject({ BEFORE: '1', AFTER: '2' });
});

test('a quote that never closes, or text after the closing quote, names its line and never the value', () => {
  const unclosed = parseEnvFile('A=1\nKEY="-----BEGIN sekrit\nB=2\n', 'x.env');
  expect(unclosed.problems).toEqual(['x.env:2: the "-quoted value never closes']);
  const after = parseEnvFile('A=1\nB="sek\\"rit"\nnot a line\n', 'x.env');
  expect(after.problems).toEqual([
    `x.env:2: text after the closing " (a value holding that quote goes in another kind: ' " or \`)`,
    'x.env:3: not a KEY=value line',
  ]);
  expect([...unclosed.problems, ...after.problems].join('\n')).not.toMatch(/sek|BEGIN/);
});
