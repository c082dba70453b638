/**
 * Prints every check of the runbook suites as JSON (names, and each check with its tags and
 * needs), as collected for the local rehearsal. Nothing runs.
 */
import path from 'node:path';
import { collectChecks } from '../../lib/runner/collect-checks';

const root = path.resolve(import.meta.dirname, '../..');
const { checks, errors } = await collectChecks(root);
process.stdout.write(JSON.stringify({ names: checks.map((c) => c.name), checks, errors }));
