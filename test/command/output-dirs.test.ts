import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { outputDirProblems } from '../../lib/command/output-dirs';

const root = mkdtempSync(path.join(os.tmpdir(), 'cutover-output-dirs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const file = path.join(root, 'a-file');
writeFileSync(file, '');
const noEnv = {};

test('dirs that exist, or can be made under a writable one, are fine, and judging them creates nothing', () => {
  const later = path.join(root, 'not', 'yet');
  expect(outputDirProblems({ dir: root, auditLog: path.join(later, 'audit.log') }, 'cutover.config.ts', noEnv)).toEqual([]);
  expect(existsSync(path.join(root, 'not'))).toBe(false);
});

test('each unusable dir is one line naming the setting to change, from the config or CUTOVER_REPORTS_DIR', () => {
  expect(outputDirProblems({ dir: file, auditLog: path.join(file, 'x', 'audit.log') }, 'my.config.ts', noEnv)).toEqual([
    `reports.dir: ${file} is a file, not a directory; set reports.dir in my.config.ts to a directory this user can write (nothing was run)`,
    `reports.auditLog: ${file}/x cannot be created: ${file} is a file, not a directory; set reports.auditLog in my.config.ts to a directory this user can write (nothing was run)`,
  ]);
  const dir = path.join(file, 'reports');
  expect(outputDirProblems({ dir, auditLog: path.join(dir, 'audit.log') }, 'my.config.ts', { CUTOVER_REPORTS_DIR: dir })).toEqual([
    `CUTOVER_REPORTS_DIR: ${dir} cannot be created: ${file} is a file, not a directory; set it to a directory this user can write (nothing was run)`,
  ]);
});
