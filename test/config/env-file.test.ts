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
