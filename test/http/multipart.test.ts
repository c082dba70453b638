// The upload body, read back by a real multipart parser (multer/busboy, as the reference target
// and many Express backends use): a file name holding quotes or line breaks is percent-encoded
// on the way and decoded by the parser, so it arrives whole and cannot add a header or a field.
import type { AddressInfo } from 'node:net';
import express from 'express';
import multer from 'multer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { multipartFile, TargetClient } from '../../lib/http/client';
import { Redactor } from '../../lib/secrets/redactor';

interface Parsed {
  fields: Record<string, unknown>;
  files: { fieldname: string; originalname: string; mimetype: string; bytes: string }[];
}

let url = '';
let close: () => Promise<void>;

beforeAll(async () => {
  const app = express();
  app.post('/upload', multer({ storage: multer.memoryStorage() }).any(), (req, res) => {
    const files = (req.files as Express.Multer.File[]).map((f) => ({
      fieldname: f.fieldname,
      originalname: f.originalname,
      mimetype: f.mimetype,
      bytes: f.buffer.toString('base64'),
    }));
    res.status(201).json({ fields: req.body as Record<string, unknown>, files } satisfies Parsed);
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(() => close());

async function upload(filename: string): Promise<Parsed> {
  const client = new TargetClient({ baseUrl: url, timeoutMs: 5_000, userAgent: 'cutover-harness-test', redactor: new Redactor() });
  const data = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
  const form = await multipartFile('file', { filename, contentType: 'image/png', data });
  const res = await client.post('/upload', { body: form.body, headers: { 'content-type': form.contentType } });
  expect(res.status).toBe(201);
  const parsed = res.json<Parsed>();
  expect(parsed.files.map((f) => f.bytes)).toEqual([data.toString('base64')]);
  return parsed;
}

describe('the multipart upload body', () => {
  test('a plain file name arrives as it was, with its content type and bytes', async () => {
    const parsed = await upload('cutover-harness-test-run1.png');
    expect(parsed.fields).toEqual({});
    expect(parsed.files).toMatchObject([{ fieldname: 'file', originalname: 'cutover-harness-test-run1.png', mimetype: 'image/png' }]);
  });

  test('quotes in the file name are escaped: one file, the whole name, the content type kept', async () => {
    const parsed = await upload('say "cheese".png');
    expect(parsed.fields).toEqual({});
    expect(parsed.files).toHaveLength(1);
    expect(parsed.files[0]).toMatchObject({ fieldname: 'file', originalname: 'say "cheese".png', mimetype: 'image/png' });
  });

  test('a file name that tries to end the header and add a field or a content type adds neither', async () => {
    // No slash in it: the parser keeps only a name's last path segment.
    const name = 'x.png"\r\nContent-Type: evil\r\n\r\n--x\r\nContent-Disposition: form-data; name="admin"\r\n\r\ntrue';
    const parsed = await upload(name);
    expect(parsed.fields).toEqual({});
    expect(parsed.files).toHaveLength(1);
    expect(parsed.files[0]).toMatchObject({ fieldname: 'file', originalname: name, mimetype: 'image/png' });
  });
});
